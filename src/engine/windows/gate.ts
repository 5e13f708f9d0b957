// The window gate before each component starts: open and long enough for the component's estimate plus the margin,
// else wait for the next opening (an ordinary wait: it survives restarts), or, with "schedule in SDDC Manager", let
// the caller create the upgrade with the opening as its start time.
import { engineText } from "../catalog";
import { EngineError } from "../errors";
import { estimateFor, type Measurement } from "../plan/estimates";
import type { PhaseContext } from "../run-handle";
import { KIND_LABELS, type ComponentKind } from "../steps/upgrade-specs";
import { describeOpening, describeSpan } from "./describe";
import { slotFor, type Slot } from "./openings";
import type { Opening, RunWindow } from "./types";
import { showLocal } from "./zone";

/** What the gate decided for the next component. */
export type GateResult =
  /** `note`: what the caller logs when it starts the component (inside which window). */
  | { kind: "start"; windowEnd?: string; note?: string }
  | { kind: "schedule"; opening: Opening }
  /** The run waited (the window opened or changed): the caller looks at SDDC Manager again before starting. */
  | { kind: "waited" };

/** What the gate needs besides the run: the component durations measured by this config node's runs. */
export interface WindowGateDeps {
  measured: () => readonly Measurement[];
  /**
   * Work due right before the first component (the fresh backup), done once the window lets it start; true when it
   * ran now (the caller then asks the gate again: the work took time).
   */
  beforeFirstStart?: () => Promise<boolean>;
}

/** A fingerprint of the windows that decide the gate: a changed setting ends a wait for the old one. */
function windowKey(window: RunWindow | undefined): string {
  return JSON.stringify(window ? [window.windows, window.scheduleInSddcManager] : null);
}

/** The vCenter's reduced-downtime migration with its switchover at the next window: its downtime is the switchover. */
function switchoverAtWindow(ctx: PhaseContext, kind: ComponentKind): boolean {
  return kind === "VCENTER" && ctx.run.upgradeOptions?.vcenter?.switchover?.when === "window";
}

/** Where the component would start by the run's window now, with its estimate and what it needs (estimate + margin). */
export function componentSlot(
  ctx: PhaseContext,
  kind: ComponentKind,
  hosts: number | undefined,
  deps: WindowGateDeps,
): { slot: Slot; estimateMs: number; needMs: number } {
  const estimateMs = estimateFor(kind, hosts, deps.measured(), ctx.settings).ms;
  const needMs = estimateMs + ctx.settings.windowMarginMs;
  return { slot: slotFor(ctx.run.window?.windows ?? [], ctx.handle.now(), needMs), estimateMs, needMs };
}

async function clearWaiting(ctx: PhaseContext): Promise<void> {
  if (ctx.run.window?.waitingFor)
    await ctx.handle.update((r) => {
      if (r.window) delete r.window.waitingFor;
    });
}

/**
 * Decides whether the component may start now. `hosts`: the ESXi hosts it remediates (the estimate scales with
 * them); `canSchedule`: its upgrade can be created in SDDC Manager with a start time (not a retry). Throws
 * BAD_INPUT when no opening ahead is long enough for it.
 */
export async function windowGate(
  ctx: PhaseContext,
  kind: ComponentKind,
  hosts: () => Promise<number | undefined>,
  deps: WindowGateDeps,
  canSchedule: boolean,
): Promise<GateResult> {
  const window = ctx.run.window;
  if (!window) return { kind: "start" };
  const component = KIND_LABELS[kind];
  if (switchoverAtWindow(ctx, kind)) {
    await clearWaiting(ctx);
    await ctx.handle.log(
      "info",
      `${component} starts without waiting for the window: its reduced-downtime migration switches over at the start of the next window`,
    );
    return { kind: "start" };
  }
  const { slot, estimateMs, needMs } = componentSlot(ctx, kind, await hosts(), deps);
  const now = ctx.handle.now();
  const about = `about ${describeSpan(estimateMs)} plus a margin of ${describeSpan(ctx.settings.windowMarginMs)}`;
  if (slot.kind === "never") {
    throw new EngineError(
      "BAD_INPUT",
      slot.longestMs === 0
        ? engineText("windowNoneAhead", { component })
        : engineText("windowTooShort", {
            component,
            need: describeSpan(needMs),
            longest: describeSpan(slot.longestMs),
          }),
      { field: "window", fix: engineText("windowTooShortFix", { need: describeSpan(needMs) }) },
    );
  }
  if (slot.kind === "now") {
    await clearWaiting(ctx);
    return {
      kind: "start",
      windowEnd: new Date(slot.opening.endMs).toISOString(),
      note: `The maintenance window is open until ${showLocal(slot.opening.endMs, slot.opening.timeZone)}: starting ${component} (${about})`,
    };
  }
  const opensAt = new Date(slot.opening.startMs).toISOString();
  const schedule = window.scheduleInSddcManager && canSchedule;
  const waiting = ctx.run.window?.waitingFor;
  if (waiting?.opensAt !== opensAt || waiting.component !== component) {
    await ctx.handle.update((r) => {
      if (r.window) r.window.waitingFor = { opensAt, timeZone: slot.opening.timeZone, component, estimateMs };
    });
    await ctx.handle.log(
      "info",
      `Waiting for the maintenance window: ${component} needs ${about}; ${
        schedule ? "scheduling it in SDDC Manager for" : "the window that fits opens"
      } ${describeOpening(slot.opening, now)}`,
    );
  }
  if (schedule) return { kind: "schedule", opening: slot.opening };
  await waitForOpening(ctx, slot.opening, `${component}, ${about}`);
  return { kind: "waited" };
}

/**
 * The step while a run waits, e.g. "Waiting for the maintenance window: opens Sat 28 Mar 22:00 CET (in 1 d 4 h);
 * next: NSX, about 2 h plus a margin of 15 min".
 */
function waitingStep(opening: Opening, nowMs: number, next: string): string {
  return `Waiting for the maintenance window: opens ${describeOpening(opening, nowMs)}; next: ${next}`;
}

/** Waits until the opening (on the engine's clock), or until the run's window setting changes. */
async function waitForOpening(ctx: PhaseContext, opening: Opening, next: string): Promise<void> {
  const key = windowKey(ctx.run.window);
  const deadlineKey = `window:${opening.startMs}`;
  const changed = (): boolean => windowKey(ctx.run.window) !== key;
  await ctx.wait({
    what: engineText("waitWindow", { opensAt: new Date(opening.startMs).toISOString() }),
    deadlineKey,
    // Opening time plus the longest poll interval: a wait never outlives its deadline, and this one cannot end early.
    deadlineMs: Math.max(0, opening.startMs - ctx.handle.now()) + 2 * ctx.settings.maxPollIntervalMs,
    forTime: true,
    poll: () => Promise.resolve(ctx.handle.now()),
    onValue: (now) => ctx.handle.step(waitingStep(opening, now, next)),
    // The clock read now, not the polled value: the deadline check right after sees the same time.
    until: () => ctx.handle.now() >= opening.startMs || changed(),
  });
  await ctx.handle.update((r) => {
    delete r.deadlines[deadlineKey];
  });
}
