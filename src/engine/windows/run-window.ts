// The run's window setting: which one applies (a message's stays with the run; the node's follows the node), and
// setting or changing it on the run with a log entry.
import { engineText } from "../catalog";
import { EngineError } from "../errors";
import type { RunHandle } from "../run-handle";
import type { UpgradeOptions } from "../upgrade-options";
import { describeWindows } from "./describe";
import type { RunWindow } from "./types";

/** A window setting as an upgrade node passes it: msg.window, else the node's own (null: none). */
export interface WindowRequest {
  setting: unknown;
  source: RunWindow["source"];
}

/** The same windows and scheduling choice. */
function sameSetting(a: RunWindow | undefined, b: RunWindow | null): boolean {
  return (
    JSON.stringify(a ? [a.windows, a.scheduleInSddcManager] : null) ===
    JSON.stringify(b ? [b.windows, b.scheduleInSddcManager] : null)
  );
}

/** The window the run has after `next` (checked) from `source`: the node's never replaces a message's. */
function effective(
  current: RunWindow | undefined,
  next: RunWindow | null,
  source: RunWindow["source"],
): RunWindow | undefined {
  if (source === "node" && current?.source === "message") return current;
  return next ?? undefined;
}

/** Sets the run's window (checked by checkWindowSetting) unless it is the same; says the change in the log. */
export async function applyWindow(
  handle: RunHandle,
  next: RunWindow | null,
  source: RunWindow["source"],
): Promise<void> {
  const current = handle.run.window;
  const result = effective(current, next, source);
  if (result === current || sameSetting(current, result ?? null)) return;
  await handle.update((r) => {
    if (!result) delete r.window;
    else r.window = { ...structuredClone(result), ...(current?.overruns ? { overruns: current.overruns } : {}) };
  });
  await handle.log(
    "info",
    result
      ? `Maintenance window${result.scheduleInSddcManager ? " (components scheduled in SDDC Manager)" : ""}: ${describeWindows(result.windows, handle.now())}`
      : "No maintenance window: components start as soon as SDDC Manager offers them",
  );
}

/** The vCenter switchover "at the start of the next window" needs a window on the run. */
export function checkSwitchoverWindow(
  options: UpgradeOptions | undefined,
  current: RunWindow | undefined,
  next: RunWindow | null | undefined,
  source: RunWindow["source"],
): void {
  if (options?.vcenter?.switchover?.when !== "window") return;
  const window = next === undefined ? current : effective(current, next, source);
  if (window) return;
  throw new EngineError("BAD_INPUT", engineText("switchoverNeedsWindow"), {
    field: "upgradeOptions.vcenter.switchover",
    fix: engineText("switchoverNeedsWindowFix"),
  });
}
