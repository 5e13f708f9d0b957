// A component already running is never interrupted by its window's end; the run says when one ran past it.
import type { PhaseContext } from "../run-handle";
import { KIND_LABELS, kindOfType } from "../steps/upgrade-specs";
import { label } from "../steps/upgrade-status";
import type { UpgradeRecord } from "../types";
import { describeSpan } from "./describe";

/** "NSX", "ESXi": the component's name without its bundle. */
function componentName(record: UpgradeRecord): string {
  const kind = kindOfType(record.componentType);
  return kind ? KIND_LABELS[kind] : record.componentType;
}

/** Logs (and records in run.window.overruns) a finished component that ran past the end of the window it started in. */
export async function noteOverrun(ctx: PhaseContext, record: UpgradeRecord): Promise<void> {
  const end = record.windowEnd === undefined ? NaN : Date.parse(record.windowEnd);
  const now = ctx.handle.now();
  if (!(now > end) || !record.windowEnd) return;
  const windowEnd = record.windowEnd;
  const finishedAt = new Date(now).toISOString();
  await ctx.handle.update((r) => {
    if (r.window) (r.window.overruns ??= []).push({ component: componentName(record), windowEnd, finishedAt });
  });
  await ctx.handle.log(
    "warning",
    `${label(record)} ran past the maintenance window's end (${windowEnd}) by ${describeSpan(now - end)}; it was not interrupted`,
  );
}
