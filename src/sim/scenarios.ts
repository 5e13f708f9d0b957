import type { FaultPatch, FaultSettings, PhaseDurations, ScenarioName } from "./types";
import { SCENARIO_NAMES } from "./types";

/** Default durations at time scale 1, estimates after UPGRADE-API.md §11. */
export const DEFAULT_DURATIONS: PhaseDurations = {
  downloadQueueSeconds: 30,
  downloadMegabytesPerSecond: 12.5, // ~100 Mbit/s: a 10 GB bundle takes ~14 minutes
  bundleValidationSeconds: 90,
  targetValidationSeconds: 45,
  checkSetRunSeconds: 900,
  sddcManagerBeforeOutageSeconds: 300,
  sddcManagerAfterOutageSeconds: 300,
  nsxUpgradeSeconds: 7200,
  vcenterUpgradeSeconds: 4500,
  esxHostUpgradeSeconds: 1500,
  backupSeconds: 300,
  credentialCheckSeconds: 20,
};

export const DEFAULT_FAULTS: FaultSettings = {
  flakyRate: 0,
  outageSeconds: 1500,
  outageDropShare: 0.4,
  tokenLifetimeSeconds: 3600,
  checkSetQueryTtlSeconds: 3600,
  durations: DEFAULT_DURATIONS,
  precheckFindings: "none",
  splitDomainSummary: false,
  failDownloadOf: [],
  recallBundleOf: [],
  emptyPatchBundles: false,
  keepCompletedUpgradables: false,
  dropResponseOf: [],
  failUpgradeOf: [],
  failAttempts: 0,
  staleFailedReads: 0,
  upgradesNotRetryable: false,
  validationResult: "SUCCEEDED",
  unseededUpgradableReads: 0,
  backupConfigured: true,
  lastBackupHoursAgo: 1,
  failBackup: false,
  scheduledBackupRunning: false,
  passwordExpiry: "none",
  certificateExpiry: "none",
  depotStatus: "DEPOT_CONNECTION_SUCCESSFUL",
  failedTaskOnRecord: false,
  downloadNeverFinishes: false,
  validationNeverFinishes: false,
  precheckNeverFinishes: false,
  upgradeNeverFinishes: false,
};

/** VI domains created by "many-domains" when options.domains is not given. */
export const MANY_DOMAINS_DEFAULT = 5;

const SCENARIO_FAULTS: Record<ScenarioName, FaultPatch> = {
  happy: {},
  "precheck-warnings": { precheckFindings: "warnings" },
  "precheck-errors": { precheckFindings: "errors" },
  "download-failure": { failDownloadOf: ["NSX_T_MANAGER"] },
  "upgrade-failure": { failUpgradeOf: ["NSX_T_MANAGER"] },
  "long-sddc-outage": { outageSeconds: 5400 },
  "short-token-lifetime": { tokenLifetimeSeconds: 60 },
  flaky: { flakyRate: 0.2 },
  "many-domains": {},
  vcf9: { unseededUpgradableReads: 2 },
  "to-vcf9": { unseededUpgradableReads: 2 },
};

/** The release the estate runs when a scenario starts: START_VERSION (5.2.0.0) unless named here. */
const SCENARIO_START: Partial<Record<ScenarioName, string>> = {
  vcf9: "9.0.0.0",
  "to-vcf9": "5.2.1.0",
};

export function startVersionOf(name: ScenarioName): string | undefined {
  return SCENARIO_START[name];
}

export function isScenarioName(value: unknown): value is ScenarioName {
  return typeof value === "string" && (SCENARIO_NAMES as readonly string[]).includes(value);
}

export function mergeFaults(base: FaultSettings, patch: FaultPatch): FaultSettings {
  const { durations, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return { ...base, ...defined, durations: { ...base.durations, ...(durations ?? {}) } };
}

/** Faults for a scenario: defaults, then the scenario's preset, then the caller's overrides. */
export function scenarioFaults(name: ScenarioName, overrides: FaultPatch[]): FaultSettings {
  return overrides.reduce(mergeFaults, mergeFaults(DEFAULT_FAULTS, SCENARIO_FAULTS[name]));
}
