import type { SimClock } from "./clock";
import type { IdFactory } from "./ids";
import type { Inventory } from "./inventory";
import type { TaskRegistry } from "./tasks";
import type { FaultSettings } from "./types";

/** What every state machine shares: the clock, the estate, the task registry and the current faults. */
export interface SimContext {
  readonly clock: SimClock;
  readonly inventory: Inventory;
  readonly tasks: TaskRegistry;
  readonly ids: IdFactory;
  readonly strict: boolean;
  faults(): FaultSettings;
}

/** Whether attempt number `attempt` (1-based) of a component listed as failing should fail. */
export function attemptFails(listed: boolean, attempt: number, failAttempts: number): boolean {
  return listed && (failAttempts === 0 || attempt <= failAttempts);
}
