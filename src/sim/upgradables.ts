import { BundleService } from "./bundles";
import { SimContext } from "./context";
import { sddcManagerReady, targetSteps } from "./domain-steps";
import { badField } from "./errors";
import { BUNDLE_COMPONENT_TYPES, findRelease, Inventory, SimDomain } from "./inventory";
import { baseImage } from "./personalities";
import { UpgradeService } from "./upgrades";

/** GET /v1/upgradables/... : one AVAILABLE element at a time, in the order SDDC Manager, NSX, vCenter, ESXi (§6.1). */

export class UpgradablesView {
  constructor(private readonly ctx: SimContext, private readonly upgrades: UpgradeService, private readonly bundles: BundleService) {}

  forDomain(domain: SimDomain): unknown[] {
    const release = domain.targetVersion ? findRelease(domain.targetVersion) : undefined;
    if (!release) return [];
    const inv = this.ctx.inventory;
    const blocked = !sddcManagerReady(inv, domain, release) || this.upgrades.activeOn(domain.id) !== undefined || this.upgrades.sddcManagerUpgradeRunning();
    let availableGiven = false;
    return targetSteps(inv, domain).map((step) => {
      const running = this.upgrades.activeFor(domain.id, step.bundle.id);
      let status = "PENDING";
      if (running) status = this.upgrades.state(running) === "SCHEDULED" ? "SCHEDULED" : "INPROGRESS";
      else if (!availableGiven && !blocked) status = "AVAILABLE";
      availableGiven = true;
      const failure = running ? undefined : this.upgrades.lastFailureFor(domain.id, step.bundle.id);
      const components = step.kind === "ESX_HOST" ? step.clusters.map((c) => c.id) : [componentId(inv, domain, step.kind)];
      return {
        bundleId: step.bundle.id,
        bundleType: step.kind === "SDDC_MANAGER" ? "SDDC_MANAGER" : "VMWARE_SOFTWARE",
        resource: { resourceId: domain.id, type: "DOMAIN", name: domain.name },
        softwareComponents: components.map((id) => ({ id, type: BUNDLE_COMPONENT_TYPES[step.kind], isUserInputRequired: false })),
        status,
        errors: failure ? [failure] : null,
      };
    });
  }

  system(): unknown[] {
    return this.ctx.inventory.domains.flatMap((d) => this.forDomain(d));
  }

  nsxt(domain: SimDomain, bundleId: string | undefined): unknown {
    const bundle = bundleId ? this.bundles.find(bundleId) : undefined;
    if (bundleId && (!bundle || bundle.kind !== "NSX_T_MANAGER")) {
      throw badField("bundleId", `${bundleId} is not an NSX bundle`, "Use the bundleId of the NSX_T_MANAGER upgradable.");
    }
    const running = bundle ? this.upgrades.activeFor(domain.id, bundle.id) : undefined;
    const nsxStatus = running ? "IN_PROGRESS" : bundle && domain.nsx.version === bundle.toVersion ? "COMPLETED" : "NOT_STARTED";
    return {
      bundleId: bundleId ?? "",
      domainId: domain.id,
      nsxtManagerCluster: { id: domain.nsx.id, name: domain.nsx.vipFqdn, upgradeStatus: nsxStatus, resourceHealth: "STABLE", version: domain.nsx.version },
      nsxtUpgradeCoordinator: { id: `uc-${domain.nsx.id.slice(0, 8)}`, upgradeStatus: nsxStatus, resourceHealth: "STABLE", version: domain.nsx.version, enabledOn: domain.nsx.vip },
      nsxtEdgeClusters: [{ id: domain.nsx.edgeClusterId, name: domain.nsx.edgeClusterName, upgradeStatus: nsxStatus, resourceHealth: "UP", version: domain.nsx.version }],
      nsxtHostClusters: domain.clusters.map((c) => ({
        id: c.id,
        name: c.name,
        upgradeStatus: nsxStatus,
        resourceHealth: "UP",
        upgradedUnits: nsxStatus === "COMPLETED" ? c.hostCount : 0,
        totalUnits: c.hostCount,
        domainId: domain.id,
        version: domain.nsx.version,
        primaryCluster: c.primary,
        vLcmEnabled: c.vlcmEnabled,
        nsxtComponentId: `domain-c${8 + domain.clusters.indexOf(c)}:${domain.vcenter.id.slice(0, 8)}`,
        configuredHardwareSupportManagers: [],
        availableHardwareSupportManagers: [],
      })),
    };
  }

  clusters(domain: SimDomain): unknown[] {
    return domain.clusters.map((c) => ({
      resourceId: c.id,
      resourceType: "CLUSTER",
      primaryCluster: c.primary,
      vlcmEnabled: c.vlcmEnabled,
      softwareInfo: { baseImage: baseImage(c.esxVersion), components: {}, hardwareSupport: { packages: {} } },
      configuredHardwareSupportManagers: [],
      availableHardwareSupportManagers: [],
    }));
  }
}

function componentId(inv: Inventory, domain: SimDomain, kind: string): string {
  if (kind === "SDDC_MANAGER") return inv.sddcManager.id;
  if (kind === "NSX_T_MANAGER") return domain.nsx.id;
  return domain.vcenter.id;
}
