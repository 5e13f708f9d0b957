import type {
  Bundle,
  NsxtResourceState,
  NsxtResources,
  NsxtUpgradeUserInputSpec,
  Personality,
  ResourceUpgradeSpec,
  Upgradable,
  UpgradablesClusterResource,
  UpgradeSpec,
} from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { engineText } from "../catalog";
import { EngineError } from "../errors";
import { httpStatusOf } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import { sameVersion } from "../versions";
import { chooseClusterImage } from "./cluster-images";
import type { DomainScope } from "./upgradables";
import { esxClusterEntry, esxDomainEntry, esxParallel, nsxOptions, vcenterInput } from "./upgrade-option-specs";

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

/** The component's entry name in a release's bill of materials. */
export const BOM_NAMES: Readonly<Record<ComponentKind, string>> = {
  SDDC_MANAGER: "SDDC_MANAGER_VCF",
  NSX_T_MANAGER: "NSX_T_MANAGER",
  VCENTER: "VCENTER",
  ESX_HOST: "ESX_HOST",
};

/** The kind of a bundle or software component type (exact names only, never by substring). */
export function kindOfType(type: string | undefined): ComponentKind | undefined {
  return KIND_BY_TYPE[normalizeStatus(type)];
}

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
    throw new EngineError("REMOTE_FAILURE", engineText("noComponentType", { bundleId }), {
      fix: engineText("upgradeInSddcManagerUi"),
    });
  }
  const kinds = new Set<ComponentKind>();
  const unknown: string[] = [];
  for (const name of names) {
    const kind = KIND_BY_TYPE[name];
    if (kind) kinds.add(kind);
    else unknown.push(name);
  }
  if (unknown.length > 0) {
    throw new EngineError(
      "REMOTE_FAILURE",
      engineText("unknownComponentType", { bundleId, types: unknown.join(", ") }),
      { fix: engineText("upgradeInSddcManagerUi") },
    );
  }
  const [kind] = kinds;
  if (kind === undefined || kinds.size > 1) {
    throw new EngineError("REMOTE_FAILURE", engineText("mixedComponentTypes", { bundleId, types: names.join(", ") }), {
      fix: engineText("upgradeBundleInSddcManagerUi"),
    });
  }
  return kind;
}

export function upgradableTypes(u: Upgradable): (string | undefined)[] {
  return (u.softwareComponents ?? []).map((c) => c.type);
}

function domainScope(bundleId: string, domainId: string): UpgradeSpec {
  return { bundleId, resourceType: "DOMAIN", resourceUpgradeSpecs: [{ resourceId: domainId, upgradeNow: true }] };
}

const DONE = new Set(["COMPLETED", "COMPLETED_WITH_SUCCESS", "SUCCESSFUL"]);

/** An NSX part already at the bundle's version (SDDC Manager re-offers NSX for the parts left over). */
function nsxPartDone(part: NsxtResourceState, toVersion: string | undefined): boolean {
  return DONE.has(normalizeStatus(part.upgradeStatus)) || sameVersion(part.version, toVersion);
}

/**
 * NSX: the edge and host clusters not yet upgraded (all of them the first time), so the whole footprint and
 * then its managers are upgraded; undefined when every part already runs the bundle's version.
 */
async function nsxSpec(ctx: PhaseContext, bundle: Bundle): Promise<UpgradeSpec | undefined> {
  const spec = domainScope(bundle.id, ctx.run.domainId);
  const chosen = nsxOptions(ctx.run.upgradeOptions?.nsx);
  // Without the explicit selection below, the options chosen still go with the minimal body (it covers every part).
  const minimal = (nsxtId?: string): UpgradeSpec =>
    chosen
      ? { ...spec, nsxtUpgradeUserInputSpecs: [{ ...(nsxtId ? { nsxtId } : {}), nsxtUpgradeOptions: chosen }] }
      : spec;
  let nsx: NsxtResources;
  try {
    nsx = await ctx.client.getNsxtResources(ctx.run.domainId, bundle.id, ctx.opts);
  } catch (err) {
    if (httpStatusOf(err) !== 404) throw err;
    await ctx.handle.log("info", "No NSX resource details; upgrading every NSX cluster");
    return minimal();
  }
  const toVersion = bundle.components?.find((c) => normalizeStatus(c.type) === "NSX_T_MANAGER")?.toVersion;
  const hosts = (nsx.nsxtHostClusters ?? []).filter((c) => c.id);
  const edges = (nsx.nsxtEdgeClusters ?? []).filter((c) => c.id);
  const hostsLeft = hosts.filter((c) => !nsxPartDone(c, toVersion));
  const edgesLeft = edges.filter((c) => !nsxPartDone(c, toVersion));
  const managerDone = nsx.nsxtManagerCluster !== undefined && nsxPartDone(nsx.nsxtManagerCluster, toVersion);
  if (managerDone && hostsLeft.length === 0 && edgesLeft.length === 0) return undefined;
  const doneHosts = hosts.filter((c) => !hostsLeft.includes(c));
  if (doneHosts.length > 0) {
    await ctx.handle.log(
      "info",
      `NSX host cluster(s) ${doneHosts.map((c) => c.name ?? c.id).join(", ")} already run ${toVersion ?? "the bundle's version"}; upgrading the rest`,
    );
  }
  if (!nsx.nsxtManagerCluster?.id || (hostsLeft.length === 0 && edgesLeft.length === 0))
    return minimal(nsx.nsxtManagerCluster?.id);
  const input: NsxtUpgradeUserInputSpec = {
    nsxtId: nsx.nsxtManagerCluster.id,
    nsxtUpgradeOptions: { isEdgeOnlyUpgrade: false, ...chosen },
  };
  if (edgesLeft.length > 0)
    input.nsxtEdgeClusterUpgradeSpecs = edgesLeft.map((c) => ({
      edgeClusterId: c.id as string,
      edgeParallelUpgrade: true,
    }));
  if (hostsLeft.length > 0)
    input.nsxtHostClusterUpgradeSpecs = hostsLeft.map((c) => ({
      hostClusterId: c.id as string,
      hostParallelUpgrade: false,
      liveUpgrade: false,
    }));
  spec.nsxtUpgradeUserInputSpecs = [input];
  return spec;
}

/**
 * ESXi: one entry per cluster not yet at the target; image-based (vLCM) clusters each get the image chosen for
 * them. Undefined when every cluster already runs the target (the component loop then waits for the list to clear).
 */
async function esxSpec(
  ctx: PhaseContext,
  bundleId: string,
  clusterNames: DomainScope["clusterNames"],
): Promise<UpgradeSpec | undefined> {
  const { run } = ctx;
  const options = run.upgradeOptions?.esx ?? {};
  const esxVersion = run.targetRelease.bom.find((e) => e.name === "ESX_HOST")?.version;
  const all: UpgradablesClusterResource[] = await ctx.client.getUpgradableClusters(run.domainId, ctx.opts);
  if (all.length === 0) {
    await ctx.handle.log(
      "info",
      "SDDC Manager lists no clusters for the ESXi upgrade; upgrading the ESXi hosts of the whole domain",
    );
    const spec = domainScope(bundleId, run.domainId);
    spec.resourceUpgradeSpecs = spec.resourceUpgradeSpecs.map((entry) => esxDomainEntry(entry, options));
    if (options.clusters) spec.parallelUpgrade = options.clusters === "parallel";
    return spec;
  }
  const clusters = all.filter((c) => !esxVersion || !sameVersion(c.softwareInfo?.baseImage?.version, esxVersion));
  if (clusters.length === 0) {
    await ctx.handle.log(
      "info",
      `Every cluster of ${run.domainName} already runs ESXi ${esxVersion ?? ""}; nothing to start for bundle ${bundleId}`,
    );
    return undefined;
  }
  const imageClusters = clusters.filter((c) => c.vlcmEnabled);
  const personalities: Personality[] =
    imageClusters.length > 0
      ? await ctx.once("personalities", () => ctx.client.getPersonalities(undefined, ctx.opts))
      : [];
  const specs: ResourceUpgradeSpec[] = [];
  for (const c of clusters) {
    const entry: ResourceUpgradeSpec = { resourceId: c.resourceId, upgradeNow: true };
    if (c.vlcmEnabled) {
      const choice = chooseClusterImage(
        c,
        clusterNames.get(c.resourceId),
        personalities,
        esxVersion,
        run.clusterImages,
      );
      if (choice.warning) await ctx.handle.log("warning", choice.warning);
      entry.personalitySpec = { personalityId: choice.personality.personalityId };
    }
    specs.push(await esxClusterEntry(ctx, entry, c.vlcmEnabled === true, clusterNames.get(c.resourceId)));
  }
  const spec: UpgradeSpec = { bundleId, resourceType: "CLUSTER", resourceUpgradeSpecs: specs };
  const parallel = esxParallel(options.clusters, imageClusters.length > 0 && imageClusters.length < clusters.length);
  if (parallel !== undefined) spec.parallelUpgrade = parallel;
  return spec;
}

/**
 * The POST /v1/upgrades body each component type needs, with the run's upgrade options (ctx.run.upgradeOptions; an
 * option not chosen is not sent); undefined when nothing is left to upgrade.
 */
export async function buildUpgradeSpec(
  ctx: PhaseContext,
  kind: ComponentKind,
  bundle: Bundle,
  scope: DomainScope,
): Promise<UpgradeSpec | undefined> {
  switch (kind) {
    case "NSX_T_MANAGER":
      return nsxSpec(ctx, bundle);
    case "ESX_HOST":
      return esxSpec(ctx, bundle.id, scope.clusterNames);
    case "VCENTER": {
      const spec = domainScope(bundle.id, ctx.run.domainId);
      const input = await vcenterInput(ctx, ctx.run.upgradeOptions?.vcenter);
      if (input) spec.vcenterUpgradeUserInputSpecs = [input];
      return spec;
    }
    case "SDDC_MANAGER":
      return domainScope(bundle.id, ctx.run.domainId);
  }
}
