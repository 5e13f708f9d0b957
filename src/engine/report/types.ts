// The report a run leaves for the change record when it ends (see build.ts), and the sum of several (fleet.ts).
// Values a run stored before they were recorded are absent here (the markdown says "unknown").
import type { DurationEstimate } from "../plan/types";
import type { Actor, Finding, OutagePeriod, Phase, RemoteCancellation } from "../types";
import type { UpgradeOptions } from "../upgrade-options";

export type ReportOutcome = "successfully_completed" | "failed" | "cancelled";

/** Who did something; "unknown" for runs stored before it was recorded. */
export type ReportActor = Actor | { name: "unknown"; via: "unknown" };

export interface ReportTimes {
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface ReportPhase extends ReportTimes {
  phase: Phase;
  /** done; failed (the run ended in it); not reached; or started and left (a run stored before phase times). */
  result: "done" | "failed" | "not reached" | "unknown";
}

export interface ReportComponent extends ReportTimes {
  /** "SDDC Manager", "NSX", "vCenter", "ESXi" (or SDDC Manager's type when it is none of them). */
  name: string;
  componentType: string;
  bundleId: string;
  upgradeId: string;
  fromVersion?: string;
  toVersion?: string;
  /** SDDC Manager's last status of the upgrade. */
  status?: string;
  /** What a plan would have estimated when the component started (the durations measured before it, else the default). */
  estimate?: DurationEstimate;
  /** ESXi: the hosts remediated, when they were counted. */
  hosts?: number;
  /** Started by another run or by hand (the run followed it): its duration is what this run saw. */
  followed?: true;
  /** The failed task of an earlier upgrade this run retried, which resumed as this upgrade. */
  retriedTaskId?: string;
}

export interface ReportRetries {
  /** Download requests beyond the first, over all bundles. */
  total: number;
  downloads: Array<{ bundleId: string; attempts: number }>;
  /** Failed upgrade tasks retried in SDDC Manager (PATCH /v1/tasks/{id}). */
  upgradeTasks: Array<{ upgradeId: string; taskId: string }>;
  /** A check-set run request whose answer was lost was sent again. */
  checkSetRunSentAgain: boolean;
}

/** The ids of every remote operation the run started or followed, to look them up in SDDC Manager. */
export interface ReportRemoteIds {
  downloadTasks: Array<{ bundleId: string; taskId: string }>;
  targetValidationId?: string;
  checkSetQueryId?: string;
  checkSetRunId?: string;
  backupTaskId?: string;
  upgradeIds: string[];
  retriedTaskIds: string[];
  finalValidationId?: string;
}

export interface RunReport {
  /** Bumped when a field changes its meaning. */
  format: 1;
  runId: string;
  domainId: string;
  domainName: string;
  sddcManagerUrl?: string;
  outcome: ReportOutcome;
  failureReason?: string;
  failureCode?: string;
  sourceVersion: string;
  targetVersion: string;
  /** The run as a whole (start, end, duration). */
  run: ReportTimes;
  startedBy: ReportActor;
  cancelledBy?: Actor;
  phases: ReportPhase[];
  components: ReportComponent[];
  /** The sum of the components' estimates. */
  estimateTotalMs?: number;
  findings: Finding[];
  findingCounts: { errors: number; warnings: number };
  gate: {
    /** Which rule let the run pass the acknowledgement gate (absent: it never passed). */
    rule?: string;
    acknowledged: boolean;
    acknowledgedBy?: ReportActor;
    acknowledgedAt?: string;
  };
  /** The downtime options the upgrade phase used ({} for SDDC Manager's defaults; absent: it never started). */
  options?: UpgradeOptions;
  backup?: { status?: string; taskId?: string; onFailure?: string };
  /** The maintenance window the run kept to, when it had one (from run.window). */
  window?: ReportWindow;
  retries: ReportRetries;
  /** SDDC Manager's API away during its own upgrade: total and each period (absent when it was never seen away). */
  sddcManagerOutage?: { totalMs: number; periods: OutagePeriod[] };
  remoteIds: ReportRemoteIds;
  remoteCancellations?: RemoteCancellation[];
  /** When the report was made. */
  createdAt: string;
}

/** One domain's row in a fleet report. */
export interface FleetReportRow {
  domainId: string;
  domainName: string;
  runId?: string;
  outcome: ReportOutcome | "not started";
  sourceVersion?: string;
  targetVersion?: string;
  durationMs?: number;
  sddcManagerOutageMs?: number;
  retries: number;
  failureReason?: string;
}

export interface FleetReport {
  format: 1;
  counts: Record<ReportOutcome | "not started", number>;
  /** Sum of the runs' durations, and the span from the first start to the last end. */
  totalDurationMs: number;
  spanMs?: number;
  startedAt?: string;
  finishedAt?: string;
  rows: FleetReportRow[];
  createdAt: string;
}

/** The run's maintenance window in the report: its windows as lines, how components were started, the overruns. */
export interface ReportWindow {
  windows: string[];
  scheduleInSddcManager: boolean;
  overruns: { component: string; windowEnd: string; finishedAt: string }[];
}
