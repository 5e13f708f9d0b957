import { badField } from "./errors";
import { BodyObject } from "./request-body";
import type { ComponentKind, FaultPatch, FaultSettings, PhaseDurations } from "./types";
import { COMPONENT_KINDS, DEPOT_STATUSES, EXPIRY_FAULTS, PASSWORD_EXPIRY_FAULTS, PRECHECK_FINDINGS } from "./types";
import { DEFAULT_DURATIONS } from "./scenarios";

/** Runtime fault injection: flaky GETs and the nginx-style HTML error pages; parsing of /sim/faults bodies. */

export type FaultAction = { kind: "drop" } | { kind: "html"; status: 502 | 503 };

/** Flaky faults hit GETs only: a POST or PATCH that may have gone through is never faulted. */
export function flakyFault(method: string, faults: FaultSettings, random: () => number): FaultAction | undefined {
  if (method !== "GET" || faults.flakyRate <= 0 || random() >= faults.flakyRate) return undefined;
  const pick = random();
  if (pick < 1 / 3) return { kind: "drop" };
  return { kind: "html", status: pick < 2 / 3 ? 502 : 503 };
}

export function htmlErrorPage(status: 502 | 503): string {
  const title = status === 502 ? "502 Bad Gateway" : "503 Service Temporarily Unavailable";
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

const NUMBER_KEYS = [
  "flakyRate",
  "outageSeconds",
  "outageDropShare",
  "tokenLifetimeSeconds",
  "checkSetQueryTtlSeconds",
  "failAttempts",
  "staleFailedReads",
] as const;
/** Number faults that may also be negative. */
const SIGNED_KEYS = ["lastBackupHoursAgo"] as const;
const BOOLEAN_KEYS = [
  "downloadNeverFinishes",
  "validationNeverFinishes",
  "precheckNeverFinishes",
  "upgradeNeverFinishes",
  "splitDomainSummary",
  "emptyPatchBundles",
  "keepCompletedUpgradables",
  "upgradesNotRetryable",
  "backupConfigured",
  "failBackup",
  "scheduledBackupRunning",
  "failedTaskOnRecord",
] as const;
const COMPONENT_LIST_KEYS = ["failDownloadOf", "failUpgradeOf", "recallBundleOf"] as const;
/** A write endpoint as the request log counts it, e.g. "POST /v1/upgrades" or "PATCH /v1/bundles/{id}". */
const WRITE_ENDPOINT = /^(POST|PATCH|PUT|DELETE) \/v1\/\S+$/;
const SHARE_KEYS: readonly string[] = ["flakyRate", "outageDropShare"];

/** Validates a FaultPatch from JSON (POST /sim/faults, CLI); errors name the field and the fix. */
export function parseFaultPatch(body: unknown): FaultPatch {
  const root = BodyObject.root(body, "FaultSettings", true).allowOnly("FaultSettings", [
    ...NUMBER_KEYS,
    ...SIGNED_KEYS,
    ...BOOLEAN_KEYS,
    "passwordExpiry",
    "certificateExpiry",
    "depotStatus",
    ...COMPONENT_LIST_KEYS,
    "durations",
    "precheckFindings",
    "validationResult",
    "dropResponseOf",
  ]);
  const patch: FaultPatch = {};
  for (const key of NUMBER_KEYS) {
    const v = root.value[key];
    if (v === undefined) continue;
    patch[key] = checkNumber(key, v, SHARE_KEYS.includes(key) ? 1 : Number.MAX_SAFE_INTEGER);
  }
  for (const key of SIGNED_KEYS) {
    const v = root.value[key];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v))
      throw badField(key, "must be a number", `Set '${key}' to a number of hours (below 0: none).`);
    patch[key] = v;
  }
  for (const key of BOOLEAN_KEYS) {
    const v = root.boolean(key);
    if (v !== undefined) patch[key] = v;
  }
  const passwords = root.enumString("passwordExpiry", PASSWORD_EXPIRY_FAULTS);
  if (passwords) patch.passwordExpiry = passwords;
  const certificates = root.enumString("certificateExpiry", EXPIRY_FAULTS);
  if (certificates) patch.certificateExpiry = certificates;
  const depot = root.enumString("depotStatus", DEPOT_STATUSES);
  if (depot) patch.depotStatus = depot;
  const findings = root.enumString("precheckFindings", PRECHECK_FINDINGS);
  if (findings) patch.precheckFindings = findings;
  const validation = root.enumString("validationResult", ["SUCCEEDED", "FAILED_WITH_WARNINGS"] as const);
  if (validation) patch.validationResult = validation;
  for (const key of COMPONENT_LIST_KEYS) {
    if (root.value[key] !== undefined) patch[key] = componentList(root, key);
  }
  if (root.value.dropResponseOf !== undefined) patch.dropResponseOf = endpointList(root, "dropResponseOf");
  const durations = root.object("durations", "PhaseDurations");
  if (durations) {
    durations.allowOnly("PhaseDurations", Object.keys(DEFAULT_DURATIONS));
    const parsed: Partial<PhaseDurations> = {};
    for (const key of Object.keys(DEFAULT_DURATIONS) as (keyof PhaseDurations)[]) {
      const v = durations.value[key];
      if (v !== undefined)
        parsed[key] = checkNumber(`durations.${key}`, v, Number.MAX_SAFE_INTEGER, key === "downloadMegabytesPerSecond");
    }
    patch.durations = parsed;
  }
  return patch;
}

function checkNumber(field: string, v: unknown, max: number, positive = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > max || (positive && v === 0)) {
    throw badField(
      field,
      `must be a number from ${positive ? "above 0" : "0"} to ${max}`,
      `Set '${field}' to a number in range.`,
    );
  }
  return v;
}

function endpointList(root: BodyObject, key: string): string[] {
  return root.strings(key).map((v, i) => {
    if (!WRITE_ENDPOINT.test(v))
      throw badField(
        `${key}[${i}]`,
        `'${v}' is not a write endpoint`,
        'Use the method and path template, e.g. "POST /v1/upgrades" or "PATCH /v1/bundles/{id}".',
      );
    return v;
  });
}

function componentList(root: BodyObject, key: string): ComponentKind[] {
  return root.strings(key).map((v, i) => {
    if (!(COMPONENT_KINDS as readonly string[]).includes(v))
      throw badField(`${key}[${i}]`, `'${v}' is not a component`, `Use ${COMPONENT_KINDS.join(", ")}.`);
    return v as ComponentKind;
  });
}
