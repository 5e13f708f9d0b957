/** Public types of the simulator (re-exported by index.ts). */

export const SCENARIO_NAMES = [
  "happy",
  "precheck-warnings",
  "precheck-errors",
  "download-failure",
  "upgrade-failure",
  "long-sddc-outage",
  "short-token-lifetime",
  "flaky",
  "many-domains",
  "vcf9",
  "to-vcf9",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** The upgradable components of a domain, in the order the server enforces. */
export const COMPONENT_KINDS = ["SDDC_MANAGER", "NSX_T_MANAGER", "VCENTER", "ESX_HOST"] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/** Durations in simulated seconds (at time scale 1 they are real seconds). */
export interface PhaseDurations {
  /** A requested download waits this long in SCHEDULED before it starts. */
  downloadQueueSeconds: number;
  /** Download speed; a bundle's download time is sizeMB / this. */
  downloadMegabytesPerSecond: number;
  /** Checksum/signature validation after the bytes are in (bundle still IN_PROGRESS). */
  bundleValidationSeconds: number;
  /** POST /v1/releases/domains/{id}/validations until COMPLETED. */
  targetValidationSeconds: number;
  /** A check-set (precheck) run until COMPLETED_*. */
  checkSetRunSeconds: number;
  /** SDDC Manager upgrade: time with a working API before its services stop. */
  sddcManagerBeforeOutageSeconds: number;
  /** SDDC Manager upgrade: time after the API is back until the upgrade is COMPLETED_*. */
  sddcManagerAfterOutageSeconds: number;
  nsxUpgradeSeconds: number;
  vcenterUpgradeSeconds: number;
  /** ESXi: per host; clusters are remediated one after another, hosts within a cluster too. */
  esxHostUpgradeSeconds: number;
  /** POST /v1/backups/tasks until the backup task ends. */
  backupSeconds: number;
  /** POST /v1/credentials/expirations until the query is COMPLETED. */
  credentialCheckSeconds: number;
}

/** Expiry of the passwords or certificates a fault hits: "expiring" in 5 days, "expired" 3 days ago. */
export const EXPIRY_FAULTS = ["none", "expiring", "expired"] as const;
export type ExpiryFault = (typeof EXPIRY_FAULTS)[number];
/** Passwords also: "unknown", SDDC Manager cannot log in to the first ESXi host with its stored password. */
export const PASSWORD_EXPIRY_FAULTS = [...EXPIRY_FAULTS, "unknown"] as const;
export type PasswordExpiryFault = (typeof PASSWORD_EXPIRY_FAULTS)[number];

/** DepotAccount status values of the spec. */
export const DEPOT_STATUSES = [
  "DEPOT_CONNECTION_SUCCESSFUL",
  "DEPOT_UNKNOWN_HOST",
  "DEPOT_NOT_AVAILABLE",
  "DEPOT_USER_NOT_SET",
  "DEPOT_INVALID_CREDENTIAL",
  "UNKNOWN_FAILURE",
] as const;
export type DepotStatus = (typeof DEPOT_STATUSES)[number];

/**
 * Findings of every check-set run: "warnings" = two WARNING gaps on clusters; "errors" = those plus one ERROR
 * validation (COMPLETED_WITH_FAILURE); "critical" = one blocking gap counted only in criticalGapsCount
 * (severity CRITICAL in the tree, errorValidationsCount 0, status still COMPLETED_WITH_SUCCESS).
 */
export const PRECHECK_FINDINGS = ["none", "warnings", "errors", "critical"] as const;
export type PrecheckFindings = (typeof PRECHECK_FINDINGS)[number];

export interface FaultSettings {
  /** Share (0..1) of GET /v1/... requests answered with 502, 503 or a dropped connection. Never POST/PATCH (see dropResponseOf). */
  flakyRate: number;
  /** Length of the SDDC Manager API outage during its own upgrade, simulated seconds. */
  outageSeconds: number;
  /** Leading share (0..1) of the outage in which connections are dropped; the rest answers 503 with HTML. */
  outageDropShare: number;
  /** Access-token lifetime, simulated seconds. */
  tokenLifetimeSeconds: number;
  /** How long a check-set query stays usable for a run, simulated seconds (tests at a high time scale raise it). */
  checkSetQueryTtlSeconds: number;
  durations: PhaseDurations;
  /** Findings of every check-set run (see PrecheckFindings). */
  precheckFindings: PrecheckFindings;
  /**
   * Each domain's validation-domain-summary is split in two entries for the same domain: passed checks first,
   * the gaps second, so a client reading only [0] sees no findings. (Runs over several domains always get one
   * entry per domain.)
   */
  splitDomainSummary: boolean;
  /** Bundles of these components fail to download. */
  failDownloadOf: ComponentKind[];
  /**
   * Bundles of these components are withdrawn by VMware: downloadStatus RECALLED whatever was downloaded,
   * PATCH /v1/bundles/{id} answers 409 BUNDLE_RECALLED, POST /v1/upgrades answers 424.
   */
  recallBundleOf: ComponentKind[];
  /** Releases list no patchBundles; clients must find the bundles via upgradables or GET /v1/bundles. */
  emptyPatchBundles: boolean;
  /**
   * Finished upgradables stay listed with status COMPLETED while the domain's target stays selected. Off by
   * default: a finished upgradable drops out of the list (UPGRADE-API.md §6.1).
   */
  keepCompletedUpgradables: boolean;
  /**
   * Write endpoints ("METHOD template", e.g. "POST /v1/upgrades", "POST /v1/system/check-sets",
   * "PATCH /v1/bundles/{id}") whose successful responses are lost: the server performs the operation, then
   * drops the connection without answering (every time). Clients must look for what they may have started.
   */
  dropResponseOf: string[];
  /** Upgrades of these components end COMPLETED_WITH_FAILURE. */
  failUpgradeOf: ComponentKind[];
  /**
   * How many attempts of a failing download/upgrade fail before one succeeds; 0 = every attempt fails. For an
   * upgrade, the attempts at one bundle on one domain count together: task retries and new POSTs alike.
   */
  failAttempts: number;
  /**
   * After a download is requested again, this many reads of the bundle (GET /v1/bundles/{id}) still answer the
   * earlier attempt's FAILED, as a real SDDC Manager may for a while; the new attempt's task tells the truth.
   */
  staleFailedReads: number;
  /** Failed upgrade tasks report isRetryable false and PATCH /v1/tasks/{id} answers 409: only a new upgrade helps. */
  upgradesNotRetryable: boolean;
  /**
   * Result of target validations that pass the compatibility check. "FAILED_WITH_WARNINGS" is spelled WARNING
   * while the simulator speaks the 9.0 API.
   */
  validationResult: "SUCCEEDED" | "FAILED_WITH_WARNINGS";
  /**
   * 9.0 only: after SDDC Manager starts (and after its own upgrade), this many GET /v1/system/upgradables answer
   * 409 and 408 in turn ("inventory cache is not seeded") before the list comes.
   */
  unseededUpgradableReads: number;
  /** False: GET /v1/system/backup-configuration says isConfigured false and POST /v1/backups/tasks answers 400. */
  backupConfigured: boolean;
  /** The last scheduled SDDC Manager backup ended this many simulated hours before now; below 0: there is none. */
  lastBackupHoursAgo: number;
  /** Backup tasks end FAILED with an error and a remediation. */
  failBackup: boolean;
  /**
   * A scheduled SDDC Manager backup starts when the fault is switched on (at the next API request) and runs
   * `durations.backupSeconds`; while any backup runs, POST /v1/backups/tasks answers 400 BACKUP_IN_PROGRESS.
   */
  scheduledBackupRunning: boolean;
  /** "expiring": the root password of the first ESXi host of each domain; "expired": that one and vCenter's root too. */
  passwordExpiry: PasswordExpiryFault;
  /** The vCenter certificate of each domain expires in 5 days ("expiring") or expired 3 days ago ("expired"). */
  certificateExpiry: ExpiryFault;
  /** The depot account's status (and a matching message) in GET /v1/system/settings/depot. */
  depotStatus: DepotStatus;
  /** A FAILED, unresolved task of the management domain is on record (GET /v1/tasks). */
  failedTaskOnRecord: boolean;
  downloadNeverFinishes: boolean;
  validationNeverFinishes: boolean;
  precheckNeverFinishes: boolean;
  upgradeNeverFinishes: boolean;
}

/** What setFaults and options.faults accept: any subset, durations merged key by key. */
export type FaultPatch = Omit<Partial<FaultSettings>, "durations"> & { durations?: Partial<PhaseDurations> };

export interface SimulatorOptions {
  host?: string;
  port?: number;
  tls?: boolean;
  scenario?: ScenarioName;
  timeScale?: number;
  domains?: number;
  /** Fault injection on top of the scenario's preset; every setting is documented on FaultSettings. */
  faults?: FaultPatch;
  tokenLifetimeSeconds?: number;
  username?: string;
  password?: string;
  strict?: boolean;
}

/** One request/response as seen by the simulator. Secrets are redacted as "***". */
export interface SimExchange {
  seq: number;
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  requestContentType?: string;
  requestBody?: unknown;
  /** 0 when the simulator dropped the connection instead of answering. */
  status: number;
  responseContentType?: string;
  responseBody?: unknown;
  /** The API the simulator spoke when it answered: "5.2" (5.2.1's) or "9.0" (9.0.2's). */
  apiGeneration: "5.2" | "9.0";
}

export interface RunningSimulator {
  url: string;
  port: number;
  caCertificatePem?: string;
  credentials: { username: string; password: string };
  /** The kept exchanges (the newest 5000), or only those after sequence number sinceSeq. */
  requestLog(sinceSeq?: number): SimExchange[];
  clearRequestLog(): void;
  advanceClock(simSeconds: number): void;
  setScenario(name: ScenarioName): void;
  setFaults(f: FaultPatch): void;
  state(): unknown;
  stop(): Promise<void>;
}
