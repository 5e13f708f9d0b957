// The engine's own data model: one UpgradeRun holds everything about one domain's upgrade.
import type { ApiIdentity } from "../vcf/generation";
import type { EngineErrorCode } from "./errors";
import type { RunFleetTag } from "./fleet/types";
import type { UpgradeOptions } from "./upgrade-options";
import type { RunWindow } from "./windows/types";
import type { RunReport } from "./report/types";

/** The only status values a run (and a domain) ever shows; finer progress lives in `step` and `progress`. */
export type UpgradeStatus =
  | "waiting_for_initiation"
  | "update_process_started"
  | "downloading_bundles"
  | "setting_new_vcf_version_target"
  | "initializing_prechecks"
  | "running_prechecks"
  | "evaluating_prechecks"
  | "prechecks_done"
  | "waiting_for_alert_acknowledgement"
  | "alerts_were_acknowledged"
  | "starting_upgrades"
  | "successfully_completed"
  | "failed";

/** Every status, in the order a run passes them; failed, which may come at any point, last. */
export const UPGRADE_STATUSES: readonly UpgradeStatus[] = [
  "waiting_for_initiation",
  "update_process_started",
  "downloading_bundles",
  "setting_new_vcf_version_target",
  "initializing_prechecks",
  "running_prechecks",
  "evaluating_prechecks",
  "prechecks_done",
  "waiting_for_alert_acknowledgement",
  "alerts_were_acknowledged",
  "starting_upgrades",
  "successfully_completed",
  "failed",
];

/** The four phase nodes; each owns a slice of the statuses and can be re-run after a restart. */
export type Phase = "download" | "prechecks" | "acknowledgement" | "upgrade";

export type LogLevel = "success" | "error" | "warning" | "info";

export interface LogEntry {
  at: string;
  level: LogLevel;
  phase: Phase | "run";
  text: string;
  details?: unknown;
}

export interface Finding {
  name: string;
  severity: "ERROR" | "WARNING";
  resource?: string;
  description: string;
  remediation?: string;
  code?: string;
  /**
   * Where the finding comes from; absent: SDDC Manager's prechecks (check-sets or the target validation). "plan": what
   * kept a plan from planning a component (the run would stop there too).
   */
  source?: "readiness" | "plan";
}

/** The readiness checks run before any change (see engine/readiness); each can be switched off. */
export type ReadinessCheck = "backup" | "passwords" | "certificates" | "failedTasks" | "depot";
export const READINESS_CHECKS: readonly ReadinessCheck[] = [
  "backup",
  "passwords",
  "certificates",
  "failedTasks",
  "depot",
];

/** The fresh SDDC Manager backup before the first component (a vcf-upgrade option). */
export interface BackupOptions {
  freshBackup: boolean;
  /** What a failed backup does: fail the run, or log a warning and upgrade anyway. */
  onFailure: "fail" | "warn";
}

export const DEFAULT_BACKUP_OPTIONS: BackupOptions = { freshBackup: true, onFailure: "fail" };

/** The fresh backup of this run: the options it was started with, then the task (recorded like every remote operation). */
export interface BackupRecord {
  options: BackupOptions;
  /** Set just before the POST (engine clock, ISO); without a taskId afterwards the answer was lost. */
  requestedAt?: string;
  /** Newest creationTimestamp (SDDC Manager's clock, epoch ms; 0 when none) of its backup tasks listed before the POST. */
  tasksBefore?: number;
  taskId?: string;
  /** The task is a backup that was already running (found so, or SDDC Manager refused ours because of it): it is the fresh backup. */
  alreadyRunning?: boolean;
  /** A request SDDC Manager never received (no backup task since) was sent again; a second loss is not. */
  sentAgain?: boolean;
  /** The task's end status (SUCCESSFUL, FAILED, ...) once it ended; "SKIPPED" when the option was off. */
  status?: string;
  finishedAt?: string;
}

/** One bundle the target release needs, and what we did about it. */
export interface BundleRecord {
  bundleId: string;
  description?: string;
  /** True once WE sent the download PATCH (or got a 409 for it): never PATCH again after a restart. */
  requested: boolean;
  taskId?: string;
  /** Download requests sent for this bundle (absent: 1 once requested); a FAILED download is requested again up to downloadRetries times. */
  attempts?: number;
  downloadStatus?: string;
  /** The component the bundle upgrades, with its versions from and to, as SDDC Manager describes the bundle (for the report). */
  component?: { type: string; fromVersion?: string; toVersion?: string };
}

/**
 * One component upgrade, keyed by upgrade id in `remote.upgrades`: a bundle SDDC Manager offers again (ESXi or NSX
 * for the clusters left over) gets a record of its own.
 */
export interface UpgradeRecord {
  bundleId: string;
  upgradeId: string;
  componentType: string;
  status?: string;
  startedAt: string;
  finishedAt?: string;
  /** Started by this run's own request: finishedAt - startedAt is the component's duration (plans learn from it). */
  timed?: boolean;
  /** ESXi: the hosts the upgrade remediates, when they could be counted (plans scale their estimates by it). */
  hosts?: number;
  /** The last logged status of each sub-task of the upgrade's task (by name): each change is logged once, also across restarts. */
  subTaskStatus?: Record<string, string>;
  /** Started inside a maintenance window ending then (ISO): finishing later is logged as running past it. */
  windowEnd?: string;
  /** Created in SDDC Manager to start at this time (ISO; "schedule in SDDC Manager"); cleared once it has started. */
  scheduledFor?: string;
  /** The failed task of an earlier upgrade whose retry (this run's PATCH /v1/tasks/{id}, or one made meanwhile) resumed as this upgrade. */
  retriedTaskId?: string;
}

/** A POST /v1/upgrades sent whose answer is not recorded yet (set before the POST, cleared with the answer). */
export interface UpgradeRequest {
  bundleId: string;
  componentType: string;
  /** This domain's upgrades of the bundle that existed before the POST: none of them can be the one we started. */
  priorUpgradeIds: string[];
  requestedAt: string;
  /** The start time the request asked SDDC Manager for (a scheduled upgrade); absent: now. */
  scheduledFor?: string;
  /** The end of the maintenance window the upgrade starts in (ISO), for UpgradeRecord.windowEnd. */
  windowEnd?: string;
}

/**
 * A PATCH /v1/tasks/{id} (retry of a failed upgrade's task) sent whose outcome is not recorded yet: set before the
 * PATCH, cleared once the resumed upgrade is adopted (or the retry was refused). While set, nothing is POSTed.
 */
export interface RetryRequest {
  taskId: string;
  upgradeId: string;
  bundleId: string;
  componentType: string;
  requestedAt: string;
}

/** One remote operation a cancel asked SDDC Manager to stop, and what SDDC Manager answered. */
export interface RemoteCancellation {
  /** "upgrade": PATCH /v1/upgrades/{id} markForCancellation; "download": PATCH /v1/bundles/{id} cancelNow. */
  kind: "upgrade" | "download";
  /** The upgrade id, or the bundle id. */
  id: string;
  /** The component an upgrade upgrades (absent for downloads). */
  component?: string;
  /** True when SDDC Manager accepted the request. */
  accepted: boolean;
  /** Its answer: the status it reported, or its error (capped). */
  answer: string;
  at: string;
}

export interface RemoteIds {
  bundles: Record<string, BundleRecord>;
  validationId?: string;
  /** resultStatus of the target validation once it ended (SUCCEEDED or FAILED_WITH_WARNINGS). */
  validationResult?: string;
  checkSetQueryId?: string;
  /**
   * Set just before the check-set run POST (engine clock, ISO): without a run id afterwards (lost answer,
   * restart), the run is looked up; POSTed again only once SDDC Manager has answered that it has no such run.
   */
  checkSetRunRequestedAt?: string;
  /** A lost check-set run request was sent again once (after SDDC Manager showed no run from it): never a second time. */
  checkSetRunSentAgain?: boolean;
  /**
   * Newest `timestamp` (SDDC Manager's clock, epoch ms; 0 when none) of the domain's check-set runs listed just
   * before that POST: only a newer run can be ours. Server time, so clock skew cannot adopt an old run.
   */
  checkSetRunsBefore?: number;
  checkSetRunId?: string;
  /** Keyed by upgrade id. */
  upgrades: Record<string, UpgradeRecord>;
  upgradeRequest?: UpgradeRequest;
  retryRequest?: RetryRequest;
  finalValidationId?: string;
  /** When the readiness checks ran (engine clock, ISO): a resumed prechecks phase does not run them again. */
  readinessCheckedAt?: string;
  backup?: BackupRecord;
}

/** What the run needs to know about its target release (kept so a restart does not depend on the listing). */
export interface TargetRelease {
  version: string;
  /** `version` may be missing in 9.0 (ProductVersion.version is optional there). */
  bom: { name: string; version?: string; publicName?: string; lifecycleManagedBy?: string }[];
  patchBundleIds: string[];
}

/** Who asked for something (start, acknowledgement, cancel), as the message told it; "flow" when it told nothing. */
export interface Actor {
  /** The user's name (or id, for Home Assistant), capped; "flow" when the message named no one. */
  name: string;
  /** Where the name came from: msg.user, the dashboard's client data, a Home Assistant event's context, or nothing. */
  via: "message" | "dashboard" | "home-assistant" | "flow";
}

/** Nobody named: the flow did it (a message without a user). */
export const FLOW_ACTOR: Readonly<Actor> = { name: "flow", via: "flow" };

/** When a phase of the run started and ended (engine clock, ISO), for the report. */
export interface PhaseTime {
  startedAt: string;
  finishedAt?: string;
}

/** A time SDDC Manager's API was away while SDDC Manager upgraded itself (`to` absent while it lasts). */
export interface OutagePeriod {
  from: string;
  to?: string;
}

export interface UpgradeRun {
  id: string;
  domainId: string;
  domainName: string;
  sourceVersion: string;
  targetVersion: string;
  targetRelease: TargetRelease;
  /** Cluster (id or name) -> vLCM personality id chosen by the user; wins over the automatic choice. */
  clusterImages?: Record<string, string>;
  /**
   * The options that decide downtime, recorded when the upgrade phase first starts (absent before): a resumed run
   * upgrades with the same ones, whatever the node or a later message says.
   */
  upgradeOptions?: UpgradeOptions;
  /** What a cancel asked SDDC Manager to stop, with its answers (msg.cancel with cancelling in SDDC Manager on). */
  remoteCancellations?: RemoteCancellation[];
  /**
   * The maintenance window its components start in (absent: as soon as SDDC Manager offers them), with what the run
   * waits for and the components that ran past a window's end.
   */
  window?: RunWindow;
  /** The management domain's run this VI run waits for (it was active when this run started). */
  managementRunId?: string;
  /**
   * The API SDDC Manager speaks (read at the start, again after its own upgrade); absent in runs stored before it
   * was recorded (they were 5.2 runs).
   */
  api?: ApiIdentity;
  /**
   * What the target release needs upgraded outside this API first (VCF Operations, ...): the run waits at the
   * acknowledgement gate until the user acknowledges it is done. Absent or empty: nothing.
   */
  outsideWork?: string[];
  status: UpgradeStatus;
  step: string;
  progress: number;
  phase: Phase;
  /** Phases whose work is finished; a phase method called again for one of them returns at once. */
  completedPhases: Phase[];
  ownerNodeId?: string;
  /** The SDDC Manager base URL the run was started against (absent when the start named none). */
  sddcManagerUrl?: string;
  /** The fleet that started this run (vcf-fleet), with its gate rule when it has one for the whole fleet. */
  fleet?: RunFleetTag;
  remote: RemoteIds;
  /** Absolute deadlines (ISO) per wait, so they survive restarts. */
  deadlines: Record<string, string>;
  findings: Finding[];
  /** Blocking/warning totals from the check-set summary (may exceed the extracted findings). */
  findingCounts?: { errors: number; warnings: number };
  acknowledged: boolean;
  /** Since when the run waits for acknowledgement (set on entering waiting_for_alert_acknowledgement). */
  waitingSince?: string;
  /** How often the waiting run was announced again (ackReminderMs). */
  ackReminders?: number;
  /** Since when its remote work has shown no progress, once that lasted stallWarningMs; progress clears it. */
  stalledSince?: string;
  /** Which rule let the run pass the acknowledgement gate. */
  acknowledgementRule?: string;
  /** How the last run ended; stays set when the status returns to waiting_for_initiation. */
  outcome?: "successfully_completed" | "failed";
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  failureReason?: string;
  /** The EngineError code the run failed with (e.g. CANCELLED). */
  failureCode?: EngineErrorCode;
  log: LogEntry[];
  /** Oldest log entries dropped from `log` to bound the run's size. */
  droppedLogEntries?: number;
  /** Who started the run (absent in runs stored before it was recorded: the report says "unknown"). */
  startedBy?: Actor;
  /** Who released the gate by acknowledging, and when (absent when a rule passed it, or nobody did). */
  acknowledgedBy?: Actor;
  acknowledgedAt?: string;
  /** Who cancelled the run (msg.cancel). */
  cancelledBy?: Actor;
  /** When each phase the run reached started and ended. */
  phaseTimes?: Partial<Record<Phase, PhaseTime>>;
  /** The times SDDC Manager's API was away during its own upgrade (see api-away.ts and tolerated-errors.ts). */
  sddcOutages?: OutagePeriod[];
  /** The run's report, made once when it ended (see report/build.ts). */
  report?: RunReport;
}

export interface EngineSettings {
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  downloadDeadlineMs: number;
  validationDeadlineMs: number;
  precheckDeadlineMs: number;
  componentDeadlineMs: number;
  /** How long SDDC Manager's API may stay away during its own upgrade. */
  sddcOutageBudgetMs: number;
  /**
   * How long a wait tolerates SDDC Manager refusing the credentials (401 after a fresh login, e.g. while the
   * management vCenter's SSO restarts) before it fails asking to check them. Not applied during SDDC Manager's own upgrade.
   */
  authGraceMs: number;
  /** Extra wait after SDDC Manager answers again ("pingable is not ready"). */
  sddcSettleMs: number;
  downloadConcurrency: number;
  /** Pause after successfully_completed before the domain shows waiting_for_initiation again. */
  completedPauseMs: number;
  logMaxBytes: number;
  /** Finished runs kept per domain (the newest is always kept). */
  keepRunsPerDomain: number;
  /** While a component upgrades, every Nth poll reads its task (sub-task progress) instead of the upgrade. */
  taskPollEvery: number;
  /** How often a download that ended FAILED is requested again before the run fails (0: never). */
  downloadRetries: number;
  /** Deadline of the fresh SDDC Manager backup before the first component. */
  backupDeadlineMs: number;
  /** Readiness: the last successful SDDC Manager backup may be this old before it is a warning. */
  backupMaxAgeMs: number;
  /** Readiness: a password expiring within this many days is a warning (expired: an error). */
  passwordWarnDays: number;
  /** Readiness: a certificate expiring within this many days is a warning (expired: an error). */
  certificateWarnDays: number;
  /** Readiness checks switched off. */
  readinessChecksOff: readonly ReadinessCheck[];
  /**
   * A plan's duration estimate per component until this config node's runs have measured one (UPGRADE-API.md §11):
   * SDDC Manager, NSX and vCenter per upgrade, ESXi per host.
   */
  estimateSddcManagerMs: number;
  estimateNsxMs: number;
  estimateVcenterMs: number;
  estimateEsxHostMs: number;
  /** A run whose remote work shows no progress (same step and percentage) this long is marked stalled (0: never). */
  stallWarningMs: number;
  /** A run waiting for acknowledgement is announced again at this interval (0: never). */
  ackReminderMs: number;
  /** Maintenance windows: a component starts only when its estimate plus this margin fits in what is left of the window. */
  windowMarginMs: number;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  pollIntervalMs: 10_000,
  maxPollIntervalMs: 60_000,
  downloadDeadlineMs: 4 * 3600_000,
  validationDeadlineMs: 15 * 60_000,
  precheckDeadlineMs: 40 * 60_000,
  componentDeadlineMs: 3 * 3600_000,
  sddcOutageBudgetMs: 2 * 3600_000,
  authGraceMs: 30 * 60_000,
  sddcSettleMs: 5 * 60_000,
  downloadConcurrency: 2,
  completedPauseMs: 60_000,
  logMaxBytes: 12 * 1024,
  keepRunsPerDomain: 3,
  taskPollEvery: 5,
  downloadRetries: 2,
  backupDeadlineMs: 60 * 60_000,
  backupMaxAgeMs: 24 * 3600_000,
  passwordWarnDays: 14,
  certificateWarnDays: 30,
  readinessChecksOff: [],
  estimateSddcManagerMs: 45 * 60_000,
  estimateNsxMs: 120 * 60_000,
  estimateVcenterMs: 60 * 60_000,
  estimateEsxHostMs: 30 * 60_000,
  stallWarningMs: 30 * 60_000,
  ackReminderMs: 4 * 3600_000,
  windowMarginMs: 15 * 60_000,
};

export interface AckPolicy {
  ignoreAlerts: boolean;
  alsoIgnoreErrors: boolean;
  failOnErrors: boolean;
}

export interface ComponentUpdate {
  /** BOM name, e.g. VCENTER. */
  name: string;
  publicName?: string;
  currentVersion?: string;
  targetVersion: string;
}

export interface DomainUpdateInfo {
  domainId: string;
  domainName: string;
  domainType?: string;
  domainStatus?: string;
  currentVersion: string;
  updateAvailable: boolean;
  nextRelease?: { version: string; releaseDate?: string; description?: string };
  components: ComponentUpdate[];
  /** Set when the domain cannot be upgraded now (not ACTIVE, or the releases could not be read). */
  problem?: string;
  upgradeStatus: UpgradeStatus;
}

export interface DomainStatusView {
  status: UpgradeStatus;
  step: string;
  progress: number;
  run?: UpgradeRun;
}

export interface StartRunRequest {
  /** Domain id or name. */
  domain: string;
  targetVersion?: string;
  ownerNodeId?: string;
  /** Recorded in the run, so a caller can refuse to continue it against another SDDC Manager. */
  sddcManagerUrl?: string;
  /**
   * vLCM image per cluster: cluster id or name -> personality id (GET /v1/personalities). Needed when a
   * cluster's image cannot be chosen automatically (no or several images match its add-on and hardware support).
   */
  clusterImages?: Record<string, string>;
  /** The fleet whose start message this is (msg.fleet); recorded in the run. */
  fleet?: RunFleetTag;
  /** Who asked for the run (see Actor). */
  startedBy?: Actor;
}
