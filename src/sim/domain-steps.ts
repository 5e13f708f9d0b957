import type { BundleDef, Inventory, ReleaseDef, SimCluster, SimDomain } from "./inventory";
import { findRelease } from "./inventory";
import type { ComponentKind } from "./types";
import { COMPONENT_KINDS } from "./types";
import { compareVersions } from "./versions";

/** Which component upgrades a domain still needs to reach a release, in the server-enforced order. */

export interface UpgradeStep {
  kind: ComponentKind;
  bundle: BundleDef;
  /** ESXi only: clusters still below the target. */
  clusters: SimCluster[];
}

export function componentKindsOf(domain: SimDomain): ComponentKind[] {
  return COMPONENT_KINDS.filter((k) => k !== "SDDC_MANAGER" || domain.type === "MANAGEMENT");
}

export function isAtOrAbove(current: string, target: string): boolean {
  return compareVersions(current, target) >= 0;
}

export function remainingSteps(inv: Inventory, domain: SimDomain, release: ReleaseDef): UpgradeStep[] {
  const steps: UpgradeStep[] = [];
  for (const kind of componentKindsOf(domain)) {
    const target = release.bom[kind];
    const clusters = kind === "ESX_HOST" ? domain.clusters.filter((c) => !isAtOrAbove(c.esxVersion, target)) : [];
    const done = kind === "ESX_HOST" ? clusters.length === 0 : isAtOrAbove(componentVersion(inv, domain, kind), target);
    if (done) continue;
    const bundle = inv.bundles.find((b) => b.kind === kind && b.toVersion === target);
    if (bundle) steps.push({ kind, bundle, clusters });
  }
  return steps;
}

/** Steps toward the domain's selected target; empty when no target is selected. */
export function targetSteps(inv: Inventory, domain: SimDomain): UpgradeStep[] {
  const release = domain.targetVersion ? findRelease(domain.targetVersion) : undefined;
  return release ? remainingSteps(inv, domain, release) : [];
}

export function componentVersion(inv: Inventory, domain: SimDomain, kind: ComponentKind): string {
  switch (kind) {
    case "SDDC_MANAGER":
      return inv.sddcManager.version;
    case "NSX_T_MANAGER":
      return domain.nsx.version;
    case "VCENTER":
      return domain.vcenter.version;
    case "ESX_HOST":
      return domain.clusters.map((c) => c.esxVersion).sort(compareVersions)[0] ?? "";
  }
}

/** A VI domain can only move once SDDC Manager runs the target release's version (management domain first). */
export function sddcManagerReady(inv: Inventory, domain: SimDomain, release: ReleaseDef): boolean {
  return domain.type === "MANAGEMENT" || isAtOrAbove(inv.sddcManager.version, release.bom.SDDC_MANAGER);
}
