// A run's report for the change record: a pure function of the stored run (and, for the estimates, of the durations
// this config node's runs had measured before each component started). Made once when the run ends (engine.ts).
import { estimateFor, measurements } from "../plan/estimates";
import { KIND_LABELS, kindOfType } from "../steps/upgrade-specs";
import { PHASE_ORDER } from "../ownership";
import { describeWindowDef } from "../windows/describe";
import type { RunWindow } from "../windows/types";
import type { EngineSettings, Phase, UpgradeRecord, UpgradeRun } from "../types";
import type {
  ReportComponent,
  ReportOutcome,
  ReportPhase,
  ReportRemoteIds,
  ReportRetries,
  ReportWindow,
  ReportTimes,
  RunReport,
} from "./types";

export interface ReportContext {
  /** This config node's runs (this one among them or not): their measured durations give the estimates. */
  runs: readonly UpgradeRun[];
  settings: EngineSettings;
  now?: Date;
}

const UNKNOWN_ACTOR = { name: "unknown", via: "unknown" } as const;

/** Start, end and the duration between them (absent when either is unknown or unreadable). */
function times(startedAt: string | undefined, finishedAt: string | undefined): ReportTimes {
  const out: ReportTimes = {};
  if (startedAt) out.startedAt = startedAt;
  if (finishedAt) out.finishedAt = finishedAt;
  const ms = startedAt && finishedAt ? Date.parse(finishedAt) - Date.parse(startedAt) : NaN;
  if (Number.isFinite(ms) && ms >= 0) out.durationMs = ms;
  return out;
}

function outcomeOf(run: UpgradeRun): ReportOutcome {
  if (run.failureCode === "CANCELLED") return "cancelled";
  return run.outcome === "successfully_completed" || run.status === "successfully_completed"
    ? "successfully_completed"
    : "failed";
}

function phaseResult(run: UpgradeRun, phase: Phase): ReportPhase["result"] {
  if (run.completedPhases.includes(phase)) return "done";
  if (run.status === "failed" && run.phase === phase) return "failed";
  const reached = run.phaseTimes?.[phase] !== undefined || run.phase === phase;
  return reached ? "unknown" : "not reached";
}

function phases(run: UpgradeRun): ReportPhase[] {
  return PHASE_ORDER.map((phase) => {
    const recorded = run.phaseTimes?.[phase];
    const result = phaseResult(run, phase);
    // The phase the run ended in ends with the run.
    const end = recorded?.finishedAt ?? (result === "failed" ? run.finishedAt : undefined);
    return { phase, result, ...times(recorded?.startedAt, end) };
  });
}

function component(run: UpgradeRun, u: UpgradeRecord, ctx: ReportContext): ReportComponent {
  const kind = kindOfType(u.componentType);
  const bundle = run.remote.bundles[u.bundleId]?.component;
  const bom = run.targetRelease.bom.find((b) => kindOfType(b.name) === kind);
  const toVersion = bundle?.toVersion ?? bom?.version;
  const out: ReportComponent = {
    name: kind ? KIND_LABELS[kind] : u.componentType,
    componentType: u.componentType,
    bundleId: u.bundleId,
    upgradeId: u.upgradeId,
    ...(bundle?.fromVersion ? { fromVersion: bundle.fromVersion } : {}),
    ...(toVersion ? { toVersion } : {}),
    ...(u.status ? { status: u.status } : {}),
    ...times(u.startedAt, u.finishedAt),
    ...(u.hosts ? { hosts: u.hosts } : {}),
    ...(u.timed ? {} : { followed: true as const }),
    ...(u.retriedTaskId ? { retriedTaskId: u.retriedTaskId } : {}),
  };
  if (kind) {
    const before = measurements(ctx.runs).filter((m) => m.finishedAt <= u.startedAt);
    out.estimate = estimateFor(kind, u.hosts, before, ctx.settings);
  }
  return out;
}

function retries(run: UpgradeRun): ReportRetries {
  const downloads = Object.values(run.remote.bundles)
    .filter((b) => (b.attempts ?? 1) > 1)
    .map((b) => ({ bundleId: b.bundleId, attempts: b.attempts ?? 1 }));
  const upgradeTasks = Object.values(run.remote.upgrades).flatMap((u) =>
    u.retriedTaskId ? [{ upgradeId: u.upgradeId, taskId: u.retriedTaskId }] : [],
  );
  const checkSetRunSentAgain = run.remote.checkSetRunSentAgain === true;
  const total =
    downloads.reduce((a, d) => a + d.attempts - 1, 0) + upgradeTasks.length + (checkSetRunSentAgain ? 1 : 0);
  return { total, downloads, upgradeTasks, checkSetRunSentAgain };
}

function remoteIds(run: UpgradeRun): ReportRemoteIds {
  const r = run.remote;
  const upgrades = Object.values(r.upgrades);
  return {
    downloadTasks: Object.values(r.bundles).flatMap((b) =>
      b.taskId ? [{ bundleId: b.bundleId, taskId: b.taskId }] : [],
    ),
    ...(r.validationId ? { targetValidationId: r.validationId } : {}),
    ...(r.checkSetQueryId ? { checkSetQueryId: r.checkSetQueryId } : {}),
    ...(r.checkSetRunId ? { checkSetRunId: r.checkSetRunId } : {}),
    ...(r.backup?.taskId ? { backupTaskId: r.backup.taskId } : {}),
    upgradeIds: upgrades.map((u) => u.upgradeId),
    retriedTaskIds: upgrades.flatMap((u) => (u.retriedTaskId ? [u.retriedTaskId] : [])),
    ...(r.finalValidationId ? { finalValidationId: r.finalValidationId } : {}),
  };
}

/** The run's window for the report: readable lines, the way components started, what ran past a window's end. */
function reportWindow(window: RunWindow): ReportWindow {
  return {
    windows: window.windows.map(describeWindowDef),
    scheduleInSddcManager: window.scheduleInSddcManager,
    overruns: (window.overruns ?? []).map((o) => ({ ...o })),
  };
}

/** The outage periods and their total; a period still open ends with the run (or now). */
function outage(run: UpgradeRun, now: Date): RunReport["sddcManagerOutage"] {
  const periods = run.sddcOutages ?? [];
  if (periods.length === 0) return undefined;
  const end = run.finishedAt ?? now.toISOString();
  const totalMs = periods.reduce((sum, p) => sum + (times(p.from, p.to ?? end).durationMs ?? 0), 0);
  return { totalMs, periods: periods.map((p) => ({ ...p })) };
}

function sum(values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? known.reduce((a, b) => a + b, 0) : undefined;
}

export function buildRunReport(run: UpgradeRun, ctx: ReportContext): RunReport {
  const now = ctx.now ?? new Date();
  const components = Object.values(run.remote.upgrades).map((u) => component(run, u, ctx));
  const errors = run.findings.filter((f) => f.severity === "ERROR").length;
  const backup = run.remote.backup;
  const report: RunReport = {
    format: 1,
    runId: run.id,
    domainId: run.domainId,
    domainName: run.domainName,
    ...(run.sddcManagerUrl ? { sddcManagerUrl: run.sddcManagerUrl } : {}),
    outcome: outcomeOf(run),
    ...(run.failureReason ? { failureReason: run.failureReason } : {}),
    ...(run.failureCode ? { failureCode: run.failureCode } : {}),
    sourceVersion: run.sourceVersion,
    targetVersion: run.targetVersion,
    run: times(run.createdAt, run.finishedAt),
    startedBy: run.startedBy ?? UNKNOWN_ACTOR,
    ...(run.cancelledBy ? { cancelledBy: run.cancelledBy } : {}),
    phases: phases(run),
    components,
    findings: run.findings.map((f) => ({ ...f })),
    findingCounts: run.findingCounts ?? { errors, warnings: run.findings.length - errors },
    gate: {
      ...(run.acknowledgementRule ? { rule: run.acknowledgementRule } : {}),
      acknowledged: run.acknowledged,
      ...(run.acknowledgedBy ? { acknowledgedBy: run.acknowledgedBy } : {}),
      ...(run.acknowledged && !run.acknowledgedBy ? { acknowledgedBy: UNKNOWN_ACTOR } : {}),
      ...(run.acknowledgedAt ? { acknowledgedAt: run.acknowledgedAt } : {}),
    },
    ...(run.upgradeOptions ? { options: structuredClone(run.upgradeOptions) } : {}),
    ...(backup
      ? {
          backup: {
            ...(backup.status ? { status: backup.status } : {}),
            ...(backup.taskId ? { taskId: backup.taskId } : {}),
            onFailure: backup.options.onFailure,
          },
        }
      : {}),
    ...(run.window ? { window: reportWindow(run.window) } : {}),
    retries: retries(run),
    remoteIds: remoteIds(run),
    ...(run.remoteCancellations ? { remoteCancellations: run.remoteCancellations.map((c) => ({ ...c })) } : {}),
    createdAt: now.toISOString(),
  };
  const sddcManagerOutage = outage(run, now);
  if (sddcManagerOutage) report.sddcManagerOutage = sddcManagerOutage;
  const estimateTotalMs = sum(components.map((c) => c.estimate?.ms));
  if (estimateTotalMs !== undefined) report.estimateTotalMs = estimateTotalMs;
  return report;
}
