// The window fields of vcf-status's payload: the next opening, whether one is open, and what the run waits for.
import { describeSpan } from "./describe";
import { nextOpening } from "./openings";
import type { RunWindow } from "./types";
import { showLocal } from "./zone";

export interface WindowStatus {
  /** A window is open now. */
  open: boolean;
  /** The window open now, or the next one: ISO instants and the same as local text in the window's zone. */
  next?: { opensAt: string; closesAt: string; timeZone: string; opens: string; closes: string };
  /** The run waits for the window (before or between components) for this component. */
  waiting: boolean;
  waitingFor?: { component: string; opensAt: string; estimate: string };
  scheduleInSddcManager: boolean;
}

export function windowStatus(window: RunWindow, nowMs: number, active: boolean): WindowStatus {
  const next = nextOpening(window.windows, nowMs);
  const waiting = active ? window.waitingFor : undefined;
  return {
    open: next !== undefined && next.startMs <= nowMs,
    ...(next
      ? {
          next: {
            opensAt: new Date(next.startMs).toISOString(),
            closesAt: new Date(next.endMs).toISOString(),
            timeZone: next.timeZone,
            opens: showLocal(next.startMs, next.timeZone),
            closes: showLocal(next.endMs, next.timeZone),
          },
        }
      : {}),
    waiting: waiting !== undefined,
    ...(waiting
      ? {
          waitingFor: {
            component: waiting.component,
            opensAt: waiting.opensAt,
            estimate: describeSpan(waiting.estimateMs),
          },
        }
      : {}),
    scheduleInSddcManager: window.scheduleInSddcManager,
  };
}
