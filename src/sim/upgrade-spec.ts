import { badField } from "./errors";
import { BodyObject } from "./request-body";

/** Parsing and shape checks of UpgradeSpec (POST /v1/upgrades) and UpgradeCommitSpec (PATCH /v1/upgrades/{id}). */

export interface ResourceSpec {
  resourceId: string;
  upgradeNow?: boolean;
  scheduledMs?: number;
  personalityId?: string;
  path: string;
}

/** What an NSX upgrade covers; a list left out means "all of them" (UPGRADE-API.md §6.3). */
export interface NsxSelection {
  hostClusterIds?: string[];
  edgeClusterIds?: string[];
  edgeOnly: boolean;
}

export interface VcenterInput {
  reducedDowntime: boolean;
  /** startSwitchoverTimestamp (reduced downtime only); absent: as soon as the new appliance is ready. */
  switchoverMs?: number;
}

export interface ParsedUpgradeSpec {
  bundleId: string;
  resourceType: "DOMAIN" | "CLUSTER" | "UNASSIGNED_HOST";
  parallelUpgrade?: boolean;
  draftMode: boolean;
  resources: ResourceSpec[];
  nsxtIds: string[];
  /** Undefined without nsxtUpgradeUserInputSpecs (the minimal body: everything). */
  nsxt?: NsxSelection;
  vcenterIds: string[];
  /** The vCenter upgrade's mechanism and switchover time, from vcenterUpgradeUserInputSpecs[0]. */
  vcenter?: VcenterInput;
  /** The body as sent, echoed in the Upgrade (secrets never appear in it). */
  raw: Record<string, unknown>;
}

const UPGRADE_SPEC_KEYS = [
  "bundleId",
  "resourceType",
  "parallelUpgrade",
  "draftMode",
  "resourceUpgradeSpecs",
  "nsxtUpgradeUserInputSpecs",
  "vcenterUpgradeUserInputSpecs",
];
const RESOURCE_SPEC_KEYS = [
  "resourceId",
  "shutdownVms",
  "toVersion",
  "scheduledTimestamp",
  "upgradeNow",
  "personalitySpec",
  "customIsoSpec",
  "enableQuickboot",
  "evacuateOfflineVms",
  "esxUpgradeOptionsSpec",
];
const ESX_OPTION_KEYS = [
  "esxUpgradeFailureAction",
  "enforceHclValidation",
  "enableQuickPatch",
  "enableQuickboot",
  "evacuateOfflineVms",
  "disableHac",
  "disableDpm",
  "preRemediationPowerAction",
];

export function parseUpgradeSpec(body: unknown, strict: boolean): ParsedUpgradeSpec {
  const root = BodyObject.root(body, "UpgradeSpec", strict).allowOnly("UpgradeSpec", UPGRADE_SPEC_KEYS);
  const bundleId = root.string("bundleId", true);
  const resourceType = root.enumString("resourceType", ["DOMAIN", "CLUSTER", "UNASSIGNED_HOST"] as const, true);
  const parallelUpgrade = root.boolean("parallelUpgrade");
  const draftMode = root.boolean("draftMode") ?? false;
  const resources = root.objects("resourceUpgradeSpecs", "ResourceUpgradeSpec", 1).map(parseResourceSpec);
  const nsxt = root.objects("nsxtUpgradeUserInputSpecs", "NsxtUpgradeUserInputSpec").map(parseNsxtSpec);
  const vcenter = root.objects("vcenterUpgradeUserInputSpecs", "VcenterUpgradeUserInputSpec").map(parseVcenterSpec);
  return {
    bundleId,
    resourceType,
    parallelUpgrade,
    draftMode,
    resources,
    nsxtIds: nsxt.flatMap((n) => (n.nsxtId ? [n.nsxtId] : [])),
    nsxt: nsxt.length > 0 ? mergeNsxSelections(nsxt.map((n) => n.selection)) : undefined,
    vcenterIds: vcenter.flatMap((v) => (v.resourceId ? [v.resourceId] : [])),
    vcenter: vcenter[0]?.input,
    raw: root.value,
  };
}

function parseNsxtSpec(spec: BodyObject): { nsxtId?: string; selection: NsxSelection } {
  spec.allowOnly("NsxtUpgradeUserInputSpec", [
    "nsxtId",
    "nsxtUpgradeOptions",
    "nsxtEdgeClusterUpgradeSpecs",
    "nsxtHostClusterUpgradeSpecs",
  ]);
  const options = spec
    .object("nsxtUpgradeOptions", "NsxtUpgradeOptions")
    ?.allowOnly("NsxtUpgradeOptions", [
      "isEdgeOnlyUpgrade",
      "isHostClustersUpgradeParallel",
      "isEdgeClustersUpgradeParallel",
    ]);
  const listed = (key: string): boolean => spec.value[key] !== undefined && spec.value[key] !== null;
  const hosts = spec
    .objects("nsxtHostClusterUpgradeSpecs", "NsxtHostClusterUpgradeSpec")
    .map((h) =>
      h
        .allowOnly("NsxtHostClusterUpgradeSpec", ["hostClusterId", "hostParallelUpgrade", "liveUpgrade"])
        .string("hostClusterId", true),
    );
  const edges = spec
    .objects("nsxtEdgeClusterUpgradeSpecs", "NsxtEdgeClusterUpgradeSpec")
    .map((e) =>
      e.allowOnly("NsxtEdgeClusterUpgradeSpec", ["edgeClusterId", "edgeParallelUpgrade"]).string("edgeClusterId", true),
    );
  const selection: NsxSelection = { edgeOnly: options?.boolean("isEdgeOnlyUpgrade") ?? false };
  if (listed("nsxtHostClusterUpgradeSpecs")) selection.hostClusterIds = hosts;
  if (listed("nsxtEdgeClusterUpgradeSpecs")) selection.edgeClusterIds = edges;
  return { nsxtId: spec.string("nsxtId"), selection };
}

/** Several NSX specs in one request: a list left out in any of them still means "all". */
function mergeNsxSelections(all: NsxSelection[]): NsxSelection {
  const merge = (lists: (string[] | undefined)[]): string[] | undefined =>
    lists.some((l) => l === undefined) ? undefined : lists.flatMap((l) => l ?? []);
  const merged: NsxSelection = { edgeOnly: all.every((s) => s.edgeOnly) };
  const hosts = merge(all.map((s) => s.hostClusterIds));
  const edges = merge(all.map((s) => s.edgeClusterIds));
  if (hosts) merged.hostClusterIds = hosts;
  if (edges) merged.edgeClusterIds = edges;
  return merged;
}

function parseResourceSpec(spec: BodyObject): ResourceSpec {
  spec.allowOnly("ResourceUpgradeSpec", RESOURCE_SPEC_KEYS);
  const resourceId = spec.string("resourceId", true);
  const upgradeNow = spec.boolean("upgradeNow");
  const scheduledMs = timestamp(spec, "scheduledTimestamp");
  spec.boolean("enableQuickboot");
  spec.boolean("evacuateOfflineVms");
  spec.boolean("shutdownVms");
  spec.string("toVersion");
  spec.object("customIsoSpec", "CustomISOSpec")?.allowOnly("CustomISOSpec", ["id"]).string("id", true);
  const personality = spec
    .object("personalitySpec", "PersonalitySpec")
    ?.allowOnly("PersonalitySpec", ["personalityId", "hardwareSupportSpecs"]);
  personality?.objects("hardwareSupportSpecs", "HardwareSupportSpec").forEach((h) => {
    h.allowOnly("HardwareSupportSpec", ["name", "packageSpec"]).string("name", true);
    h.object("packageSpec", "PackageSpec", true).allowOnly("PackageSpec", ["name", "version"]);
  });
  const options = spec
    .object("esxUpgradeOptionsSpec", "EsxUpgradeOptionsSpec")
    ?.allowOnly("EsxUpgradeOptionsSpec", ESX_OPTION_KEYS);
  const failure = options
    ?.object("esxUpgradeFailureAction", "EsxUpgradeFailureAction")
    ?.allowOnly("EsxUpgradeFailureAction", ["action", "retryCount", "retryDelay"]);
  options?.enumString("preRemediationPowerAction", [
    "POWER_OFF_VMS",
    "SUSPEND_VMS",
    "DO_NOT_CHANGE_VMS_POWER_STATE",
    "SUSPEND_VMS_TO_MEMORY",
  ] as const);
  if (failure) {
    const action = failure.enumString("action", ["FAIL", "RETRY"] as const, true);
    // The spec's schema requires retryCount and retryDelay with either action; its field notes give their ranges
    // for RETRY (and say they do not apply to FAIL: any whole number is taken then).
    const retry = action === "RETRY";
    requireInteger(failure, "retryCount", retry ? 3 : 0, retry ? 100 : Number.MAX_SAFE_INTEGER);
    requireInteger(failure, "retryDelay", retry ? 300 : 0, retry ? 3600 : Number.MAX_SAFE_INTEGER);
  }
  return {
    resourceId,
    upgradeNow,
    scheduledMs,
    personalityId: personality?.string("personalityId", true),
    path: spec.path,
  };
}

function parseVcenterSpec(spec: BodyObject): { resourceId?: string; input: VcenterInput } {
  spec.allowOnly("VcenterUpgradeUserInputSpec", [
    "resourceId",
    "upgradeMechanism",
    "startSwitchoverTimestamp",
    "temporaryNetwork",
  ]);
  const mechanism = spec.enumString("upgradeMechanism", ["InPlace", "ReducedDowntimeMigration"] as const);
  const switchoverMs = timestamp(spec, "startSwitchoverTimestamp");
  const reducedDowntime = mechanism === "ReducedDowntimeMigration";
  if (switchoverMs !== undefined && !reducedDowntime)
    throw badField(
      spec.fieldPath("startSwitchoverTimestamp"),
      "applies to the ReducedDowntimeMigration mechanism only",
      "Leave it out, or set upgradeMechanism to ReducedDowntimeMigration.",
    );
  const network = spec
    .object("temporaryNetwork", "TemporaryNetwork", true)
    .allowOnly("TemporaryNetwork", ["networkMode", "ipAddress", "subnetMask", "gateway"]);
  const mode = network.enumString("networkMode", ["STATIC", "AUTOMATIC"] as const, true);
  if (mode === "STATIC") {
    network.string("ipAddress", true);
    network.string("subnetMask", true);
    network.string("gateway", true);
  }
  return { resourceId: spec.string("resourceId"), input: { reducedDowntime, switchoverMs } };
}

export function parseCommitSpec(
  body: unknown,
  strict: boolean,
): { upgradeNow: boolean; scheduledMs?: number; cancel: boolean } {
  const root = BodyObject.root(body, "UpgradeCommitSpec", strict).allowOnly("UpgradeCommitSpec", [
    "scheduledTimestamp",
    "upgradeNow",
    "markForCancellation",
    "vcenterUpgradePatchSpecs",
  ]);
  root
    .objects("vcenterUpgradePatchSpecs", "VcenterUpgradePatchSpec")
    .forEach((p) => p.allowOnly("VcenterUpgradePatchSpec", ["resourceId", "startSwitchoverTimestamp"]));
  return {
    upgradeNow: root.boolean("upgradeNow") ?? false,
    scheduledMs: timestamp(root, "scheduledTimestamp"),
    cancel: root.boolean("markForCancellation") ?? false,
  };
}

function timestamp(obj: BodyObject, key: string): number | undefined {
  const text = obj.string(key);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw badField(obj.fieldPath(key), `'${text}' is not an ISO-8601 date-time`, "Use e.g. 2024-11-05T02:00:00Z.");
  return ms;
}

function requireInteger(obj: BodyObject, key: string, min: number, max: number): void {
  if (obj.integer(key, min, max) === undefined)
    throw badField(
      obj.fieldPath(key),
      `is required (an integer from ${min} to ${max})`,
      `Add '${obj.fieldPath(key)}'.`,
    );
}
