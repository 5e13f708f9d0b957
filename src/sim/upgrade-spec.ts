import { badField } from "./errors";
import { BodyObject } from "./strict";

/** Parsing and shape checks of UpgradeSpec (POST /v1/upgrades) and UpgradeCommitSpec (PATCH /v1/upgrades/{id}). */

export interface ResourceSpec {
  resourceId: string;
  upgradeNow?: boolean;
  scheduledMs?: number;
  personalityId?: string;
  path: string;
}

export interface ParsedUpgradeSpec {
  bundleId: string;
  resourceType: "DOMAIN" | "CLUSTER" | "UNASSIGNED_HOST";
  parallelUpgrade?: boolean;
  draftMode: boolean;
  resources: ResourceSpec[];
  nsxtIds: string[];
  nsxtHostClusterIds: string[];
  nsxtEdgeClusterIds: string[];
  vcenterIds: string[];
  /** The body as sent, echoed in the Upgrade (secrets never appear in it). */
  raw: Record<string, unknown>;
}

const UPGRADE_SPEC_KEYS = ["bundleId", "resourceType", "parallelUpgrade", "draftMode", "resourceUpgradeSpecs", "nsxtUpgradeUserInputSpecs", "vcenterUpgradeUserInputSpecs"];
const RESOURCE_SPEC_KEYS = ["resourceId", "shutdownVms", "toVersion", "scheduledTimestamp", "upgradeNow", "personalitySpec", "customIsoSpec", "enableQuickboot", "evacuateOfflineVms", "esxUpgradeOptionsSpec"];
const ESX_OPTION_KEYS = ["esxUpgradeFailureAction", "enforceHclValidation", "enableQuickPatch", "enableQuickboot", "evacuateOfflineVms", "disableHac", "disableDpm", "preRemediationPowerAction"];

export function parseUpgradeSpec(body: unknown, strict: boolean): ParsedUpgradeSpec {
  const root = BodyObject.root(body, "UpgradeSpec", strict).allowOnly("UpgradeSpec", UPGRADE_SPEC_KEYS);
  const bundleId = root.string("bundleId", true);
  const resourceType = root.enumString("resourceType", ["DOMAIN", "CLUSTER", "UNASSIGNED_HOST"] as const, true);
  const parallelUpgrade = root.boolean("parallelUpgrade");
  const draftMode = root.boolean("draftMode") ?? false;
  const resources = root.objects("resourceUpgradeSpecs", "ResourceUpgradeSpec", 1).map(parseResourceSpec);
  const nsxt = root.objects("nsxtUpgradeUserInputSpecs", "NsxtUpgradeUserInputSpec").map((spec) => {
    spec.allowOnly("NsxtUpgradeUserInputSpec", ["nsxtId", "nsxtUpgradeOptions", "nsxtEdgeClusterUpgradeSpecs", "nsxtHostClusterUpgradeSpecs"]);
    spec.object("nsxtUpgradeOptions", "NsxtUpgradeOptions")?.allowOnly("NsxtUpgradeOptions", ["isEdgeOnlyUpgrade", "isHostClustersUpgradeParallel", "isEdgeClustersUpgradeParallel"]);
    const hosts = spec.objects("nsxtHostClusterUpgradeSpecs", "NsxtHostClusterUpgradeSpec").map((h) => h.allowOnly("NsxtHostClusterUpgradeSpec", ["hostClusterId", "hostParallelUpgrade", "liveUpgrade"]).string("hostClusterId", true));
    const edges = spec.objects("nsxtEdgeClusterUpgradeSpecs", "NsxtEdgeClusterUpgradeSpec").map((e) => e.allowOnly("NsxtEdgeClusterUpgradeSpec", ["edgeClusterId", "edgeParallelUpgrade"]).string("edgeClusterId", true));
    return { nsxtId: spec.string("nsxtId"), hosts, edges };
  });
  const vcenterIds = root.objects("vcenterUpgradeUserInputSpecs", "VcenterUpgradeUserInputSpec").map(parseVcenterSpec);
  return {
    bundleId,
    resourceType,
    parallelUpgrade,
    draftMode,
    resources,
    nsxtIds: nsxt.flatMap((n) => (n.nsxtId ? [n.nsxtId] : [])),
    nsxtHostClusterIds: nsxt.flatMap((n) => n.hosts),
    nsxtEdgeClusterIds: nsxt.flatMap((n) => n.edges),
    vcenterIds: vcenterIds.flatMap((id) => (id ? [id] : [])),
    raw: root.value,
  };
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
  const personality = spec.object("personalitySpec", "PersonalitySpec")?.allowOnly("PersonalitySpec", ["personalityId", "hardwareSupportSpecs"]);
  personality?.objects("hardwareSupportSpecs", "HardwareSupportSpec").forEach((h) => {
    h.allowOnly("HardwareSupportSpec", ["name", "packageSpec"]).string("name", true);
    h.object("packageSpec", "PackageSpec", true).allowOnly("PackageSpec", ["name", "version"]);
  });
  const options = spec.object("esxUpgradeOptionsSpec", "EsxUpgradeOptionsSpec")?.allowOnly("EsxUpgradeOptionsSpec", ESX_OPTION_KEYS);
  const failure = options?.object("esxUpgradeFailureAction", "EsxUpgradeFailureAction")?.allowOnly("EsxUpgradeFailureAction", ["action", "retryCount", "retryDelay"]);
  if (failure) {
    failure.enumString("action", ["FAIL", "RETRY"] as const, true);
    requireInteger(failure, "retryCount", 3, 100);
    requireInteger(failure, "retryDelay", 300, 3600);
  }
  return { resourceId, upgradeNow, scheduledMs, personalityId: personality?.string("personalityId", true), path: spec.path };
}

function parseVcenterSpec(spec: BodyObject): string | undefined {
  spec.allowOnly("VcenterUpgradeUserInputSpec", ["resourceId", "upgradeMechanism", "startSwitchoverTimestamp", "temporaryNetwork"]);
  spec.enumString("upgradeMechanism", ["InPlace", "ReducedDowntimeMigration"] as const);
  timestamp(spec, "startSwitchoverTimestamp");
  const network = spec.object("temporaryNetwork", "TemporaryNetwork", true).allowOnly("TemporaryNetwork", ["networkMode", "ipAddress", "subnetMask", "gateway"]);
  const mode = network.enumString("networkMode", ["STATIC", "AUTOMATIC"] as const, true);
  if (mode === "STATIC") {
    network.string("ipAddress", true);
    network.string("subnetMask", true);
    network.string("gateway", true);
  }
  return spec.string("resourceId");
}

export function parseCommitSpec(body: unknown, strict: boolean): { upgradeNow: boolean; scheduledMs?: number; cancel: boolean } {
  const root = BodyObject.root(body, "UpgradeCommitSpec", strict).allowOnly("UpgradeCommitSpec", ["scheduledTimestamp", "upgradeNow", "markForCancellation", "vcenterUpgradePatchSpecs"]);
  root.objects("vcenterUpgradePatchSpecs", "VcenterUpgradePatchSpec").forEach((p) => p.allowOnly("VcenterUpgradePatchSpec", ["resourceId", "startSwitchoverTimestamp"]));
  return { upgradeNow: root.boolean("upgradeNow") ?? false, scheduledMs: timestamp(root, "scheduledTimestamp"), cancel: root.boolean("markForCancellation") ?? false };
}

function timestamp(obj: BodyObject, key: string): number | undefined {
  const text = obj.string(key);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw badField(obj.fieldPath(key), `'${text}' is not an ISO-8601 date-time`, "Use e.g. 2024-11-05T02:00:00Z.");
  return ms;
}

function requireInteger(obj: BodyObject, key: string, min: number, max: number): void {
  if (obj.integer(key, min, max) === undefined) throw badField(obj.fieldPath(key), `is required (an integer from ${min} to ${max})`, `Add '${obj.fieldPath(key)}'.`);
}
