// The engine's half of the hand-over rule (the adapters' half is in adapters/handoff.ts): which phase may work on a
// run in each status, when a phase counts as done, and what a run loaded after a crash must look like for its owner
// to act on it. README "Restarts, redeploys and crashes" says the same in words.
import { engineText, type EngineText } from "./catalog";
import { UPGRADE_STATUSES, type Phase, type UpgradeRun, type UpgradeStatus } from "./types";

export const PHASE_ORDER: readonly Phase[] = ["download", "prechecks", "acknowledgement", "upgrade"];

/** Statuses each phase works on (besides returning at once when its phase is already done). */
export const PHASE_STATUSES: Readonly<Record<Phase, readonly UpgradeStatus[]>> = {
  download: ["update_process_started", "downloading_bundles"],
  prechecks: [
    "downloading_bundles",
    "setting_new_vcf_version_target",
    "initializing_prechecks",
    "running_prechecks",
    "evaluating_prechecks",
  ],
  acknowledgement: ["prechecks_done", "waiting_for_alert_acknowledgement"],
  upgrade: ["alerts_were_acknowledged", "starting_upgrades"],
};

/**
 * The status that ends a phase. Entering it marks the phase done in the same change (see transition()), so no crash
 * leaves the status moved on and the phase not done. The download phase has no status of its own to end with: it is
 * marked done by one change when its bundles are in.
 */
export const PHASE_END_STATUS: Readonly<Partial<Record<Phase, UpgradeStatus>>> = {
  prechecks: "prechecks_done",
  acknowledgement: "alerts_were_acknowledged",
  upgrade: "successfully_completed",
};

/** The phase before `phase`, undefined for the first. */
export function previousPhase(phase: Phase): Phase | undefined {
  return PHASE_ORDER[PHASE_ORDER.indexOf(phase) - 1];
}

/** The phase after `phase`, undefined after the last. */
export function nextPhase(phase: Phase): Phase | undefined {
  return PHASE_ORDER[PHASE_ORDER.indexOf(phase) + 1];
}

/** The phase whose end status `status` is, if any. */
export function phaseEndedBy(status: UpgradeStatus): Phase | undefined {
  return PHASE_ORDER.find((p) => PHASE_END_STATUS[p] === status);
}

/** The phases a status shows to be over: those whose end status the run has reached or passed. */
function phasesEndedAt(status: UpgradeStatus): Phase[] {
  if (status === "failed") return [];
  const at = UPGRADE_STATUSES.indexOf(status);
  return PHASE_ORDER.filter((p) => {
    const end = PHASE_END_STATUS[p];
    return end !== undefined && UPGRADE_STATUSES.indexOf(end) <= at;
  });
}

/**
 * Makes a run loaded from the store one its owner can act on; returns what was repaired (undefined: nothing). A run
 * edited by hand may show a status past the end of a phase that is not marked done: the owner would then refuse it forever. The status is the truth (it is written only once the
 * phase's work is done), so the phase is marked done, and the phases before it too.
 */
export function repairPhaseMarks(run: UpgradeRun): EngineText | undefined {
  if (run.status === "failed" || run.status === "waiting_for_initiation") return undefined;
  const ended = phasesEndedAt(run.status);
  const last = ended.at(-1);
  const implied = last ? PHASE_ORDER.slice(0, PHASE_ORDER.indexOf(last) + 1) : [];
  const missing = implied.filter((p) => !run.completedPhases.includes(p));
  if (missing.length === 0) return undefined;
  run.completedPhases = PHASE_ORDER.filter((p) => run.completedPhases.includes(p) || missing.includes(p));
  return engineText("phaseMarksRepaired", { status: run.status, phases: missing.join(", "), count: missing.length });
}

/**
 * Why the phase that owns the run (run.phase) would refuse to work on it, or undefined when it can act: its phase is
 * done (its output is sent next), or the run's status is one the phase works on.
 */
export function ownerCannotAct(run: UpgradeRun): EngineText | undefined {
  if (run.completedPhases.includes(run.phase) || PHASE_STATUSES[run.phase].includes(run.status)) return undefined;
  return engineText("ownerCannotAct", {
    phase: run.phase,
    statuses: PHASE_STATUSES[run.phase].join(", "),
    status: run.status,
  });
}
