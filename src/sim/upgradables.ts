import type { BundleService } from "./bundles";
import type { SimContext } from "./context";
import { componentKindsOf, sddcManagerReady, targetSteps } from "./domain-steps";
import { badField } from "./errors";
import type { Inventory, SimDomain } from "./inventory";
import { BUNDLE_COMPONENT_TYPES, findRelease } from "./inventory";
import { baseImage } from "./personalities";
import type { ComponentKind } from "./types";
import { COMPONENT_KINDS } from "./types";
import type { UpgradeService } from "./upgrades";

/**
 * GET /v1/upgradables/... : one AVAILABLE element at a time, in the order SDDC Manager, NSX, vCenter, ESXi (§6.1).
 * Finished elements drop out, unless keepCompletedUpgradables lists them as COMPLETED.
 */

export class UpgradablesView {
  constructor(
    private readonly ctx: SimContext,
    private readonly upgrades: UpgradeService,
    private readonly bundles: BundleService,
  ) {}

  forDomain(domain: SimDomain): unknown[] {
    const release = domain.targetVersion ? findRelease(domain.targetVersion) : undefined;
    if (!release) return [];
    const inv = this.ctx.inventory;
    const blocked =
      !sddcManagerReady(inv, domain, release) ||
      this.upgrades.activeOn(domain.id) !== undefined ||
      this.upgrades.sddcManagerUpgradeRunning();
    let availableGiven = false;
    const open = targetSteps(inv, domain).map((step) => {
      const running = this.upgrades.activeFor(domain.id, step.bundle.id);
      let status = "PENDING";
      if (running) status = this.upgrades.state(running) === "SCHEDULED" ? "SCHEDULED" : "INPROGRESS";
      else if (!availableGiven && !blocked) status = "AVAILABLE";
      availableGiven = true;
      const failure = running ? undefined : this.upgrades.lastFailureFor(domain.id, step.bundle.id);
      const components =
        step.kind === "ESX_HOST" ? step.clusters.map((c) => c.id) : [componentId(inv, domain, step.kind)];
      return {
        kind: step.kind,
        body: element(domain, step.kind, step.bundle.id, components, status, failure ? [failure] : null),
      };
    });
    if (!this.ctx.faults().keepCompletedUpgradables) return open.map((e) => e.body);
    const completed = componentKindsOf(domain).flatMap((kind) => {
      const bundle = inv.bundles.find((b) => b.kind === kind && b.toVersion === release.bom[kind]);
      if (!bundle || open.some((e) => e.kind === kind) || !this.upgrades.succeededFor(domain.id, bundle.id)) return [];
      const components = kind === "ESX_HOST" ? domain.clusters.map((c) => c.id) : [componentId(inv, domain, kind)];
      return [{ kind, body: element(domain, kind, bundle.id, components, "COMPLETED", null) }];
    });
    return [...completed, ...open]
      .sort((a, b) => COMPONENT_KINDS.indexOf(a.kind) - COMPONENT_KINDS.indexOf(b.kind))
      .map((e) => e.body);
  }

  system(): unknown[] {
    return this.ctx.inventory.domains.flatMap((d) => this.forDomain(d));
  }

  /** SDDC Manager version whose start the unseeded reads count from, and how many reads it has had. */
  private seeding = { version: "", reads: 0 };

  /**
   * 9.0: while SDDC Manager's inventory cache is not seeded after it (re)started, the system list answers 409 and
   * 408 in turn (fault unseededUpgradableReads); undefined once it is seeded.
   */
  notSeeded(): 408 | 409 | undefined {
    const version = this.ctx.inventory.sddcManager.version;
    if (this.seeding.version !== version) this.seeding = { version, reads: 0 };
    if (this.seeding.reads >= this.ctx.faults().unseededUpgradableReads) return undefined;
    this.seeding.reads += 1;
    return this.seeding.reads % 2 === 1 ? 409 : 408;
  }

  /** 9.0: GET /v1/upgrades/preview, the resources an upgrade of the bundle would touch in the domain. */
  preview(bundleId: string, domain: SimDomain | undefined): unknown {
    const bundle = this.bundles.require(bundleId).def;
    // The spec: the domain is ignored for SDDC Manager bundles.
    const target = bundle.kind === "SDDC_MANAGER" ? undefined : domain;
    const ids =
      bundle.kind === "SDDC_MANAGER"
        ? [this.ctx.inventory.sddcManager.id]
        : !target
          ? []
          : bundle.kind === "ESX_HOST"
            ? target.clusters.map((c) => c.id)
            : [componentId(this.ctx.inventory, target, bundle.kind)];
    return {
      bundle: { id: bundle.id },
      ...(target ? { domain: { id: target.id } } : {}),
      upgradeItems: ids.map((id) => ({
        resourceId: id,
        bundleComponentType: BUNDLE_COMPONENT_TYPES[bundle.kind],
        upgradeEligibility: { status: "ELIGIBLE", details: [] },
      })),
    };
  }

  /** Per-part NSX state: host clusters and edges move one by one, the managers last (§6.3). */
  nsxt(domain: SimDomain, bundleId: string | undefined): unknown {
    const bundle = bundleId ? this.bundles.find(bundleId) : undefined;
    if (bundleId && (!bundle || bundle.kind !== "NSX_T_MANAGER")) {
      throw badField(
        "bundleId",
        `${bundleId} is not an NSX bundle`,
        "Use the bundleId of the NSX_T_MANAGER upgradable.",
      );
    }
    const inFlight = bundle ? this.upgrades.resourcesInFlight(domain.id, bundle.id) : new Set<string>();
    const statusOf = (id: string, version: string): string => {
      if (bundle && version === bundle.toVersion) return "COMPLETED";
      return inFlight.has(id) ? "IN_PROGRESS" : "NOT_STARTED";
    };
    const nsx = domain.nsx;
    const managerStatus = statusOf(nsx.id, nsx.version);
    return {
      bundleId: bundleId ?? "",
      domainId: domain.id,
      nsxtManagerCluster: {
        id: nsx.id,
        name: nsx.vipFqdn,
        upgradeStatus: managerStatus,
        resourceHealth: "STABLE",
        version: nsx.version,
      },
      nsxtUpgradeCoordinator: {
        id: `uc-${nsx.id.slice(0, 8)}`,
        upgradeStatus: managerStatus,
        resourceHealth: "STABLE",
        version: nsx.version,
        enabledOn: nsx.vip,
      },
      nsxtEdgeClusters: [
        {
          id: nsx.edgeClusterId,
          name: nsx.edgeClusterName,
          upgradeStatus: statusOf(nsx.edgeClusterId, nsx.edgeVersion),
          resourceHealth: "UP",
          version: nsx.edgeVersion,
        },
      ],
      nsxtHostClusters: domain.clusters.map((c) => {
        const status = statusOf(c.id, c.nsxVersion);
        return {
          id: c.id,
          name: c.name,
          upgradeStatus: status,
          resourceHealth: "UP",
          upgradedUnits: status === "COMPLETED" ? c.hostCount : 0,
          totalUnits: c.hostCount,
          domainId: domain.id,
          version: c.nsxVersion,
          primaryCluster: c.primary,
          vLcmEnabled: c.vlcmEnabled,
          nsxtComponentId: `domain-c${8 + domain.clusters.indexOf(c)}:${domain.vcenter.id.slice(0, 8)}`,
          configuredHardwareSupportManagers: [],
          availableHardwareSupportManagers: [],
        };
      }),
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

function element(
  domain: SimDomain,
  kind: ComponentKind,
  bundleId: string,
  componentIds: string[],
  status: string,
  errors: unknown[] | null,
): unknown {
  return {
    bundleId,
    bundleType: kind === "SDDC_MANAGER" ? "SDDC_MANAGER" : "VMWARE_SOFTWARE",
    resource: { resourceId: domain.id, type: "DOMAIN", name: domain.name },
    softwareComponents: componentIds.map((id) => ({
      id,
      type: BUNDLE_COMPONENT_TYPES[kind],
      isUserInputRequired: false,
    })),
    status,
    errors,
  };
}

function componentId(inv: Inventory, domain: SimDomain, kind: ComponentKind): string {
  if (kind === "SDDC_MANAGER") return inv.sddcManager.id;
  if (kind === "NSX_T_MANAGER") return domain.nsx.id;
  return domain.vcenter.id;
}
