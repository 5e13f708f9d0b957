import type {
  NsxtResources, Personality, ResourceUpgradeSpec, Upgradable, UpgradablesClusterResource, UpgradeSpec,
} from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { EngineError } from "../errors";
import { compareVersions } from "../releases";
import { httpStatusOf } from "../remote-errors";
import type { PhaseContext } from "../run-handle";

/** What an upgradable upgrades, decided from its software component types (never by substring). */
export type ComponentKind = "SDDC_MANAGER" | "NSX_T_MANAGER" | "VCENTER" | "ESX_HOST";

const KIND_BY_TYPE: Readonly<Record<string, ComponentKind>> = {
  SDDC_MANAGER: "SDDC_MANAGER",
  SDDC_MANAGER_VCF: "SDDC_MANAGER",
  NSX_T_MANAGER: "NSX_T_MANAGER",
  VCENTER: "VCENTER",
  HOST: "ESX_HOST",
  ESX_HOST: "ESX_HOST",
};

export const KIND_LABELS: Readonly<Record<ComponentKind, string>> = {
  SDDC_MANAGER: "SDDC Manager",
  NSX_T_MANAGER: "NSX",
  VCENTER: "vCenter",
  ESX_HOST: "ESXi",
};

/** Classifies by every component type; unknown or mixed types are an error, never skipped. */
export function classifyComponents(bundleId: string, types: (string | undefined)[]): ComponentKind {
  const names = [...new Set(types.map((t) => normalizeStatus(t)).filter((t) => t !== ""))];
  if (names.length === 0) {
    throw new EngineError("REMOTE_FAILURE", `The upgradable for bundle ${bundleId} names no component type`, {
      fix: "Upgrade this component in the SDDC Manager UI, then start the run again",
    });
  }
  const unknown = names.filter((n) => !KIND_BY_TYPE[n]);
  if (unknown.length > 0) {
    throw new EngineError("REMOTE_FAILURE", `Bundle ${bundleId} upgrades a component type this node does not know: ${unknown.join(", ")}`, {
      fix: "Upgrade this component in the SDDC Manager UI, then start the run again",
    });
  }
  const kinds = [...new Set(names.map((n) => KIND_BY_TYPE[n] as ComponentKind))];
  if (kinds.length > 1) {
    throw new EngineError("REMOTE_FAILURE", `Bundle ${bundleId} mixes component types (${names.join(", ")})`, {
      fix: "Upgrade this bundle in the SDDC Manager UI, then start the run again",
    });
  }
  return kinds[0] as ComponentKind;
}

export function upgradableTypes(u: Upgradable): (string | undefined)[] {
  return (u.softwareComponents ?? []).map((c) => c.type);
}

function domainScope(bundleId: string, domainId: string): UpgradeSpec {
  return { bundleId, resourceType: "DOMAIN", resourceUpgradeSpecs: [{ resourceId: domainId, upgradeNow: true }] };
}

/** NSX: every edge cluster and every host cluster, so the whole NSX footprint (and its managers) is upgraded. */
async function nsxSpec(ctx: PhaseContext, bundleId: string): Promise<UpgradeSpec> {
  const spec = domainScope(bundleId, ctx.run.domainId);
  let nsx: NsxtResources;
  try {
    nsx = await ctx.client.getNsxtResources(ctx.run.domainId, bundleId, ctx.opts);
  } catch (err) {
    if (httpStatusOf(err) !== 404) throw err;
    await ctx.handle.log("info", "No NSX resource details; upgrading every NSX cluster with the default options");
    return spec;
  }
  const hostClusters = (nsx.nsxtHostClusters ?? []).filter((c) => c.id);
  const edgeClusters = (nsx.nsxtEdgeClusters ?? []).filter((c) => c.id);
  if (!nsx.nsxtManagerCluster?.id || (hostClusters.length === 0 && edgeClusters.length === 0)) return spec;
  spec.nsxtUpgradeUserInputSpecs = [{
    nsxtId: nsx.nsxtManagerCluster.id,
    nsxtUpgradeOptions: { isEdgeOnlyUpgrade: false, isHostClustersUpgradeParallel: true, isEdgeClustersUpgradeParallel: true },
    nsxtEdgeClusterUpgradeSpecs: edgeClusters.map((c) => ({ edgeClusterId: c.id as string, edgeParallelUpgrade: true })),
    nsxtHostClusterUpgradeSpecs: hostClusters.map((c) => ({ hostClusterId: c.id as string, hostParallelUpgrade: false, liveUpgrade: false })),
  }];
  return spec;
}

/** "8.0.3-0.0.24280767" and "8.0.3-24280767" are the same image: same base version, same build number. */
export function sameEsxVersion(a: string, b: string): boolean {
  if (compareVersions(a, b) !== 0) return false;
  const build = (v: string) => /(\d+)\s*$/.exec(v.split("-").slice(1).join("-"))?.[1];
  const ba = build(a);
  const bb = build(b);
  return ba === undefined || bb === undefined || ba === bb;
}

function personalityFor(personalities: Personality[], esxVersion: string): Personality | undefined {
  return personalities.find((p) => {
    const v = p.softwareInfo?.baseImage?.version ?? p.version;
    return v !== undefined && sameEsxVersion(v, esxVersion);
  });
}

/** ESXi: one entry per cluster; image-based (vLCM) clusters need the cluster image of the target version. */
async function esxSpec(ctx: PhaseContext, bundleId: string): Promise<UpgradeSpec> {
  const esxVersion = ctx.run.targetRelease.bom.find((e) => e.name === "ESX_HOST")?.version;
  const all: UpgradablesClusterResource[] = await ctx.client.getUpgradableClusters(ctx.run.domainId, ctx.opts);
  // Clusters whose image already is the target version have nothing to do.
  const clusters = all.filter((c) => {
    const image = c.softwareInfo?.baseImage?.version;
    return !esxVersion || !image || !sameEsxVersion(image, esxVersion);
  });
  if (clusters.length === 0) {
    await ctx.handle.log("info", "No per-cluster upgrade information; upgrading the ESXi hosts of the whole domain");
    return domainScope(bundleId, ctx.run.domainId);
  }
  const imageClusters = clusters.filter((c) => c.vlcmEnabled);
  let personality: Personality | undefined;
  if (imageClusters.length > 0) {
    personality = esxVersion ? personalityFor(await ctx.client.getPersonalities(undefined, ctx.opts), esxVersion) : undefined;
    if (!personality) {
      throw new EngineError("REMOTE_FAILURE",
        `No cluster image for ESXi ${esxVersion ?? "(target version unknown)"} is available for the image-based cluster(s) ${imageClusters.map((c) => c.resourceId).join(", ")}`,
        { fix: "Import or create the cluster image in SDDC Manager (Lifecycle Management > Image Management), then start the upgrade again" });
    }
  }
  const specs: ResourceUpgradeSpec[] = clusters.map((c) => {
    const entry: ResourceUpgradeSpec = { resourceId: c.resourceId, upgradeNow: true };
    if (c.vlcmEnabled && personality) entry.personalitySpec = { personalityId: personality.personalityId };
    return entry;
  });
  const spec: UpgradeSpec = { bundleId, resourceType: "CLUSTER", resourceUpgradeSpecs: specs };
  // A request may mix image-based and baseline clusters only when they run in parallel.
  if (imageClusters.length > 0 && imageClusters.length < clusters.length) spec.parallelUpgrade = true;
  return spec;
}

/** The POST /v1/upgrades body each component type needs. */
export async function buildUpgradeSpec(ctx: PhaseContext, kind: ComponentKind, bundleId: string): Promise<UpgradeSpec> {
  switch (kind) {
    case "NSX_T_MANAGER":
      return nsxSpec(ctx, bundleId);
    case "ESX_HOST":
      return esxSpec(ctx, bundleId);
    case "SDDC_MANAGER":
    case "VCENTER":
      // vCenter: the minimal body; vcenterUpgradeUserInputSpecs would require a temporaryNetwork.
      return domainScope(bundleId, ctx.run.domainId);
  }
}
