import type { SimContext } from "./context";
import type { UpgradeStep } from "./domain-steps";
import { sddcManagerReady, targetSteps } from "./domain-steps";
import { ApiError, badField } from "./errors";
import type { BundleDef, SimCluster, SimDomain } from "./inventory";
import { findDomainById, findRelease } from "./inventory";
import { findPersonality } from "./personalities";
import type { ParsedUpgradeSpec } from "./upgrade-spec";

/** Preconditions of POST /v1/upgrades: which domain and clusters, 403 unless AVAILABLE, user-input checks. */

export function resolveDomain(ctx: SimContext, spec: ParsedUpgradeSpec, bundle: BundleDef): SimDomain {
  const first = spec.resources[0];
  if (!first) throw badField("resourceUpgradeSpecs", "must have at least 1 item", "Add one resource upgrade spec.");
  if (spec.resourceType === "UNASSIGNED_HOST") {
    throw badField(
      "resourceType",
      "UNASSIGNED_HOST upgrades are not offered: the simulated estate has no unassigned hosts",
      "Use DOMAIN (or CLUSTER for ESXi).",
    );
  }
  if (spec.resourceType === "DOMAIN") {
    if (spec.resources.length !== 1)
      throw badField(
        "resourceUpgradeSpecs",
        "must hold exactly one entry for resourceType DOMAIN",
        "Send one entry whose resourceId is the domain id.",
      );
    const domain = findDomainById(ctx.inventory, first.resourceId);
    if (!domain)
      throw badField(
        `${first.path}.resourceId`,
        `${first.resourceId} is not a domain id`,
        "Use a domain id from GET /v1/domains.",
      );
    return domain;
  }
  if (bundle.kind !== "ESX_HOST")
    throw badField(
      "resourceType",
      `CLUSTER is only valid for ESXi bundles, bundle ${bundle.id} is ${bundle.kind}`,
      "Use resourceType DOMAIN with the domain id.",
    );
  const domain = ctx.inventory.domains.find((d) => d.clusters.some((c) => c.id === first.resourceId));
  if (!domain)
    throw badField(
      `${first.path}.resourceId`,
      `${first.resourceId} is not a cluster id`,
      "Use cluster ids from GET /v1/domains (clusters[].id).",
    );
  return domain;
}

/** The upgradable for this bundle must exist and be AVAILABLE (403 otherwise, like the real server). */
export function availableStep(ctx: SimContext, domain: SimDomain, bundle: BundleDef, busy: boolean): UpgradeStep {
  const steps = targetSteps(ctx.inventory, domain);
  const step = steps.find((s) => s.bundle.id === bundle.id);
  if (!step) {
    const why = domain.targetVersion
      ? `bundle ${bundle.id} is not an upgradable of domain ${domain.name} for target ${domain.targetVersion}`
      : `domain ${domain.name} has no target version selected`;
    throw new ApiError(
      403,
      "UPGRADE_NOT_ALLOWED",
      `Operation not allowed: ${why}`,
      "Set the target version (PATCH /v1/releases/domains/{id}) and use a bundle listed AVAILABLE in GET /v1/upgradables/domains/{id}.",
      [bundle.id],
    );
  }
  if (busy) {
    throw new ApiError(
      403,
      "UPGRADE_IN_PROGRESS",
      `Operation not allowed: another upgrade is running on domain ${domain.name} or on SDDC Manager`,
      "Wait for the running upgrade (GET /v1/upgrades?status=INPROGRESS) to finish.",
      [domain.id],
    );
  }
  const release = findRelease(domain.targetVersion);
  if (steps[0] !== step || !release || !sddcManagerReady(ctx.inventory, domain, release)) {
    throw new ApiError(
      403,
      "UPGRADE_NOT_AVAILABLE",
      `Operation not allowed: the upgradable for bundle ${bundle.id} is PENDING, an earlier component must be upgraded first`,
      "Upgrade in the order of GET /v1/upgradables/domains/{id}: start only the AVAILABLE element (management domain first).",
      [bundle.id],
    );
  }
  return step;
}

/**
 * The clusters an ESXi upgrade remediates. DOMAIN scope takes every cluster still below the target (VMware's
 * minimal body, §6.5). CLUSTER scope: image-based (vLCM) clusters need a cluster image of the target version,
 * and baseline and image clusters may share one request only with parallelUpgrade true (§6.5, [S]).
 */
export function resolveClusters(spec: ParsedUpgradeSpec, domain: SimDomain, step: UpgradeStep): SimCluster[] {
  if (step.kind !== "ESX_HOST") return [];
  if (spec.resourceType === "DOMAIN") return step.clusters;
  const clusters = spec.resources.map((r) => {
    const cluster = step.clusters.find((c) => c.id === r.resourceId);
    if (!cluster)
      throw badField(
        `${r.path}.resourceId`,
        `${r.resourceId} is not a cluster of ${domain.name} that still needs this ESXi bundle`,
        "List clusters from the upgradable's softwareComponents.",
      );
    if (cluster.vlcmEnabled) {
      if (!r.personalityId)
        throw badField(
          `${r.path}.personalitySpec`,
          `cluster ${cluster.name} is vLCM image-based and needs personalitySpec.personalityId`,
          "Pick an image for the target ESXi version from GET /v1/personalities.",
        );
      const personality = findPersonality(r.personalityId);
      if (!personality || personality.esxVersion !== step.bundle.toVersion)
        throw badField(
          `${r.path}.personalitySpec.personalityId`,
          `${r.personalityId} is not a cluster image for ESXi ${step.bundle.toVersion}`,
          "Pick an image whose base OS version is the target ESXi version (GET /v1/personalities).",
        );
    }
    return cluster;
  });
  const mixed = clusters.some((c) => c.vlcmEnabled) && clusters.some((c) => !c.vlcmEnabled);
  if (mixed && spec.parallelUpgrade !== true) {
    throw badField(
      "parallelUpgrade",
      "must be true when one request mixes baseline (VUM) and image-based (vLCM) clusters",
      'Set "parallelUpgrade": true, or send the baseline and the image-based clusters in separate upgrades.',
    );
  }
  return clusters;
}

/** The parts of NSX one upgrade touches: listed (or all) host clusters and edge clusters (§6.3). */
export interface NsxScope {
  edge: boolean;
  hostClusters: SimCluster[];
}

export function resolveNsxScope(spec: ParsedUpgradeSpec, domain: SimDomain, bundle: BundleDef): NsxScope | undefined {
  if (bundle.kind !== "NSX_T_MANAGER") return undefined;
  const selection = spec.nsxt;
  if (!selection) return { edge: true, hostClusters: domain.clusters };
  const edge = selection.edgeClusterIds === undefined || selection.edgeClusterIds.includes(domain.nsx.edgeClusterId);
  if (selection.edgeOnly) return { edge, hostClusters: [] };
  const ids = selection.hostClusterIds;
  return {
    edge,
    hostClusters: ids === undefined ? domain.clusters : domain.clusters.filter((c) => ids.includes(c.id)),
  };
}

export function checkUserInputs(spec: ParsedUpgradeSpec, domain: SimDomain, bundle: BundleDef): void {
  if (spec.vcenterIds.length > 0 && bundle.kind !== "VCENTER")
    throw badField("vcenterUpgradeUserInputSpecs", "only applies to vCenter bundles", "Leave it out for this bundle.");
  spec.vcenterIds.forEach((id, i) => {
    if (id !== domain.vcenter.id)
      throw badField(
        `vcenterUpgradeUserInputSpecs[${i}].resourceId`,
        `${id} is not the vCenter of domain ${domain.name}`,
        `Use ${domain.vcenter.id}.`,
      );
  });
  if (spec.nsxt && bundle.kind !== "NSX_T_MANAGER")
    throw badField("nsxtUpgradeUserInputSpecs", "only applies to NSX bundles", "Leave it out for this bundle.");
  spec.nsxtIds.forEach((id) => {
    if (id !== domain.nsx.id)
      throw badField(
        "nsxtUpgradeUserInputSpecs[0].nsxtId",
        `${id} is not the NSX instance of domain ${domain.name}`,
        `Use nsxtManagerCluster.id from GET /v1/upgradables/domains/{id}/nsxt (${domain.nsx.id}).`,
      );
  });
  spec.nsxt?.hostClusterIds?.forEach((id) => {
    if (!domain.clusters.some((c) => c.id === id))
      throw badField(
        "nsxtUpgradeUserInputSpecs[0].nsxtHostClusterUpgradeSpecs",
        `${id} is not a host cluster of ${domain.name}`,
        "Use nsxtHostClusters[].id.",
      );
  });
  spec.nsxt?.edgeClusterIds?.forEach((id) => {
    if (id !== domain.nsx.edgeClusterId)
      throw badField(
        "nsxtUpgradeUserInputSpecs[0].nsxtEdgeClusterUpgradeSpecs",
        `${id} is not an edge cluster of ${domain.name}`,
        "Use nsxtEdgeClusters[].id.",
      );
  });
}
