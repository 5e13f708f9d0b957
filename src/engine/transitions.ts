import { capText, ENTRY_CAP, LINE_CAP } from "../vcf/text-cap";
import { engineText } from "./catalog";
import { EngineError } from "./errors";
import { phaseEndedBy } from "./ownership";
import type { LogEntry, LogLevel, Phase, UpgradeRun, UpgradeStatus } from "./types";

/** Every legal move. `failed` is reachable from every non-terminal status and is final. */
export const ALLOWED_TRANSITIONS: Readonly<Record<UpgradeStatus, readonly UpgradeStatus[]>> = {
  waiting_for_initiation: ["update_process_started"],
  update_process_started: ["downloading_bundles", "failed"],
  downloading_bundles: ["setting_new_vcf_version_target", "failed"],
  setting_new_vcf_version_target: ["initializing_prechecks", "failed"],
  initializing_prechecks: ["running_prechecks", "failed"],
  running_prechecks: ["evaluating_prechecks", "failed"],
  evaluating_prechecks: ["prechecks_done", "failed"],
  prechecks_done: ["waiting_for_alert_acknowledgement", "alerts_were_acknowledged", "failed"],
  waiting_for_alert_acknowledgement: ["alerts_were_acknowledged", "failed"],
  alerts_were_acknowledged: ["starting_upgrades", "failed"],
  starting_upgrades: ["successfully_completed", "failed"],
  successfully_completed: ["waiting_for_initiation"],
  failed: [],
};

/** The phase that owns each status (the one whose method drives it). */
export const STATUS_PHASE: Readonly<Record<UpgradeStatus, Phase>> = {
  waiting_for_initiation: "download",
  update_process_started: "download",
  downloading_bundles: "download",
  setting_new_vcf_version_target: "prechecks",
  initializing_prechecks: "prechecks",
  running_prechecks: "prechecks",
  evaluating_prechecks: "prechecks",
  prechecks_done: "prechecks",
  waiting_for_alert_acknowledgement: "acknowledgement",
  alerts_were_acknowledged: "acknowledgement",
  starting_upgrades: "upgrade",
  successfully_completed: "upgrade",
  failed: "upgrade",
};

/** Overall progress (0-100) when a status is entered; phases refine it within the next range. */
export const STATUS_PROGRESS: Readonly<Record<UpgradeStatus, number>> = {
  waiting_for_initiation: 0,
  update_process_started: 2,
  downloading_bundles: 5,
  setting_new_vcf_version_target: 25,
  initializing_prechecks: 30,
  running_prechecks: 32,
  evaluating_prechecks: 45,
  prechecks_done: 48,
  waiting_for_alert_acknowledgement: 50,
  alerts_were_acknowledged: 52,
  starting_upgrades: 55,
  successfully_completed: 100,
  failed: 0,
};

/** A run in one of these statuses no longer holds its domain. */
export function isTerminal(status: UpgradeStatus): boolean {
  return status === "failed" || status === "successfully_completed" || status === "waiting_for_initiation";
}

/** Runs keep at most this many entries; older ones are counted in `droppedLogEntries`. */
export const MAX_LOG_ENTRIES = 400;

export function appendLog(
  run: UpgradeRun,
  level: LogLevel,
  phase: Phase | "run",
  text: string,
  details?: unknown,
  now = new Date(),
): LogEntry {
  const entry: LogEntry = { at: now.toISOString(), level, phase, text: capText(text, ENTRY_CAP) };
  if (details !== undefined) entry.details = cappedDetails(details);
  run.log.push(deepFreeze(entry));
  if (run.log.length > MAX_LOG_ENTRIES) {
    const excess = run.log.length - MAX_LOG_ENTRIES;
    run.log.splice(0, excess);
    run.droppedLogEntries = (run.droppedLogEntries ?? 0) + excess;
  }
  run.updatedAt = entry.at;
  return entry;
}

/**
 * The details as their own copy (as stored: JSON), or, when their JSON is longer than ENTRY_CAP, that JSON cut (server
 * texts inside can be huge). A copy, because the entry is frozen and must not share objects the engine changes.
 */
function cappedDetails(details: unknown): unknown {
  const json = JSON.stringify(details);
  if (json === undefined) return undefined;
  return json.length <= ENTRY_CAP ? (JSON.parse(json) as unknown) : { cut: capText(json, ENTRY_CAP) };
}

/**
 * Freezes a value of plain objects and arrays through and through. Log entries are frozen once written: they never
 * change, so copies of a run (change events, getRun) share them instead of copying the whole log each time.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** A run's step: one line (LINE_CAP characters at most, plus the cut note). */
export function stepText(text: string): string {
  return capText(text, LINE_CAP);
}

/**
 * The one place a status changes: rejects illegal moves, sets step/progress, appends the log entry. A status that
 * ends a phase marks that phase done in the same change (and success records the outcome), so one write holds both.
 * Failure is recorded by the caller through the same function (`to: "failed"`).
 */
export function transition(
  run: UpgradeRun,
  to: UpgradeStatus,
  text: string,
  level: LogLevel = "info",
  now = new Date(),
): void {
  const allowed = ALLOWED_TRANSITIONS[run.status];
  if (!allowed.includes(to)) {
    throw new EngineError(
      "WRONG_STATUS",
      engineText("transitionRefused", { runId: run.id, domain: run.domainName, from: run.status, to }),
    );
  }
  run.status = to;
  run.step = stepText(text);
  // A new status is progress; a wait for the user starts its own clock.
  delete run.stalledSince;
  if (to === "waiting_for_alert_acknowledgement") run.waitingSince = now.toISOString();
  else {
    delete run.waitingSince;
    delete run.ackReminders;
  }
  const ended = phaseEndedBy(to);
  if (ended && !run.completedPhases.includes(ended)) run.completedPhases.push(ended);
  const times = ended ? run.phaseTimes?.[ended] : undefined;
  if (times) times.finishedAt ??= now.toISOString();
  if (to === "successfully_completed") {
    run.outcome = "successfully_completed";
    run.finishedAt = now.toISOString();
  }
  if (to !== "failed") run.progress = Math.max(to === "waiting_for_initiation" ? 0 : run.progress, STATUS_PROGRESS[to]);
  if (to === "waiting_for_initiation") run.progress = 0;
  appendLog(run, level, to === "failed" ? "run" : STATUS_PHASE[to], text, { status: to }, now);
}
