// "Schedule in SDDC Manager": the next component's upgrade is created with the window's opening as its start time,
// so SDDC Manager starts it even when Node-RED is down then. Until it starts, a changed or removed window
// reschedules it (PATCH /v1/upgrades/{id}); a cancel cancels it like any unfinished upgrade (remote-cancel.ts).
import type { Upgrade, UpgradeSpec } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { engineText } from "../catalog";
import { isRefusal } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import { label, labelText } from "../steps/upgrade-status";
import { kindOfType } from "../steps/upgrade-specs";
import type { UpgradeRecord } from "../types";
import { describeSpan } from "./describe";
import { componentSlot, type WindowGateDeps } from "./gate";
import { showLocal } from "./zone";

/** Upgrade states before it starts. */
const NOT_STARTED = new Set(["SCHEDULED", "DRAFT"]);

/** The spec with every resource set to start at `at` (ISO) instead of now. */
export function scheduledSpec(spec: UpgradeSpec, at: string): UpgradeSpec {
  return {
    ...spec,
    resourceUpgradeSpecs: spec.resourceUpgradeSpecs.map((r) => ({ ...r, upgradeNow: false, scheduledTimestamp: at })),
  };
}

/** When a scheduled upgrade should start ("now" or an ISO time), and the end of the window it then starts in. */
interface Wanted {
  start: string;
  windowEnd?: string;
}

/**
 * When the scheduled upgrade should start by the run's window now: its recorded time while that still holds, "now"
 * when the window was removed or is open and long enough, else the opening that fits (undefined: none does; it stays).
 */
function wantedStart(ctx: PhaseContext, record: UpgradeRecord, deps: WindowGateDeps): Wanted | undefined {
  const kind = kindOfType(record.componentType);
  const scheduled = record.scheduledFor ?? "";
  const due = Date.parse(scheduled) <= ctx.handle.now();
  if (!ctx.run.window || !kind) return { start: due ? scheduled : "now" };
  const { slot } = componentSlot(ctx, kind, record.hosts, deps);
  if (slot.kind === "never") return undefined;
  const windowEnd = new Date(slot.opening.endMs).toISOString();
  if (slot.kind === "now") return { start: due ? scheduled : "now", windowEnd };
  return { start: new Date(slot.opening.startMs).toISOString(), windowEnd };
}

/** The upgrade is no longer scheduled: it starts (started) at `at`, from when its duration counts (plans learn it). */
function startsAt(record: UpgradeRecord, at: string): void {
  delete record.scheduledFor;
  record.startedAt = at;
}

/**
 * PATCHes the new start time. SDDC Manager refuses it for an upgrade that has started meanwhile: that is no
 * failure, the caller's next look sees it running.
 */
async function reschedule(ctx: PhaseContext, record: UpgradeRecord, wanted: Wanted): Promise<void> {
  const to = wanted.start;
  const body = to === "now" ? { upgradeNow: true } : { scheduledTimestamp: to };
  let answer: Upgrade;
  try {
    answer = await ctx.client.rescheduleUpgrade(record.upgradeId, body, ctx.opts);
  } catch (err) {
    if (!isRefusal(err)) throw err;
    const now = await ctx.client.getUpgrade(record.upgradeId, ctx.opts);
    if (NOT_STARTED.has(normalizeStatus(now.status))) throw err;
    await ctx.handle.log(
      "info",
      `SDDC Manager did not reschedule the upgrade ${record.upgradeId} of ${label(record)}: it has started (status ${normalizeStatus(now.status)})`,
    );
    return;
  }
  await ctx.handle.update(() => {
    if (to === "now") startsAt(record, new Date().toISOString());
    else record.scheduledFor = to;
    if (wanted.windowEnd) record.windowEnd = wanted.windowEnd;
    else delete record.windowEnd;
    record.status = normalizeStatus(answer.status);
  });
  await ctx.handle.log(
    "info",
    to === "now"
      ? `The maintenance window changed: the upgrade ${record.upgradeId} of ${label(record)} starts now in SDDC Manager`
      : `The maintenance window changed: rescheduled the upgrade ${record.upgradeId} of ${label(record)} in SDDC Manager to ${to}`,
    { upgradeId: record.upgradeId, body },
  );
}

function scheduledStep(ctx: PhaseContext, record: UpgradeRecord, at: string): string {
  const zone = ctx.run.window?.waitingFor?.timeZone ?? "UTC";
  const ms = Date.parse(at);
  return `Scheduled in SDDC Manager: ${label(record)} starts ${showLocal(ms, zone)} (in ${describeSpan(ms - ctx.handle.now())})`;
}

/**
 * Waits until SDDC Manager has started the run's scheduled upgrade, rescheduling it whenever the run's window asks for
 * another start time. Returns at once for an upgrade that was not scheduled.
 */
export async function awaitScheduledStart(
  ctx: PhaseContext,
  record: UpgradeRecord,
  deps: WindowGateDeps,
): Promise<void> {
  while (record.scheduledFor) {
    const at = record.scheduledFor;
    const started = (u: Upgrade): boolean => !NOT_STARTED.has(normalizeStatus(u.status));
    const moved = (): boolean => {
      const wanted = wantedStart(ctx, record, deps);
      return wanted !== undefined && wanted.start !== at;
    };
    const seen = await ctx.wait({
      what: engineText("waitScheduled", { what: labelText(record), at }),
      deadlineKey: `scheduled:${record.upgradeId}:${at}`,
      deadlineMs: Math.max(0, Date.parse(at) - ctx.handle.now()) + ctx.settings.componentDeadlineMs,
      forTime: true,
      poll: (signal) => ctx.client.getUpgrade(record.upgradeId, { signal }),
      onValue: (u) => (started(u) ? undefined : ctx.handle.step(scheduledStep(ctx, record, at))),
      until: (u) => started(u) || moved(),
    });
    if (started(seen)) {
      await ctx.handle.update((r) => {
        // SDDC Manager starts it at its time, also while Node-RED is away.
        startsAt(record, at);
        if (r.window) delete r.window.waitingFor;
      });
      await ctx.handle.log(
        "info",
        `SDDC Manager started the scheduled upgrade ${record.upgradeId} of ${label(record)} (status ${normalizeStatus(seen.status)})`,
      );
      return;
    }
    const wanted = wantedStart(ctx, record, deps);
    if (wanted !== undefined) await reschedule(ctx, record, wanted);
  }
}
