import type { SimContext } from "./context";
import { componentKindsOf, remainingSteps, targetSteps } from "./domain-steps";
import { ApiError, notFound } from "./errors";
import type { ReleaseDef, SimDomain } from "./inventory";
import {
  BOM_NAMES,
  BUNDLES,
  findDomainById,
  findRelease,
  FIRST_VCF9_VERSION,
  PUBLIC_NAMES,
  RELEASES,
} from "./inventory";
import { speaks90 } from "./generation";
import { BodyObject } from "./request-body";
import type { ComponentKind } from "./types";
import { COMPONENT_KINDS } from "./types";
import type { UpgradeService } from "./upgrades";
import { compareVersions } from "./versions";

/** Releases, future releases and the per-domain target version (UPGRADE-API.md §2 and §4). */

export class ReleaseService {
  /** Number of component steps when the target was selected, for Domain.upgradeStatus. */
  private readonly stepTotals = new Map<string, number>();

  constructor(
    private readonly ctx: SimContext,
    private readonly upgrades: UpgradeService,
  ) {}

  requireDomain(id: string): SimDomain {
    const domain = findDomainById(this.ctx.inventory, id);
    if (!domain) throw notFound("Domain", id, "DOMAIN_NOT_FOUND", "Use GET /v1/domains to find a valid domain id.");
    return domain;
  }

  /** GET /v1/releases with its filters. */
  list(query: Record<string, string>): unknown[] {
    if (query.domainId !== undefined) {
      const domain = this.requireDomain(query.domainId);
      const current = findRelease(domain.vcfVersion);
      return current ? [this.render(current, domain)] : [];
    }
    return RELEASES.filter((r) => query.versionEq === undefined || r.version === query.versionEq)
      .filter((r) => query.versionGt === undefined || compareVersions(r.version, query.versionGt) > 0)
      .filter(
        (r) =>
          query.applicableForVersion === undefined ||
          (applicableFrom(r, query.applicableForVersion) && compareVersions(r.version, query.applicableForVersion) > 0),
      )
      .map((r) => this.render(r, undefined));
  }

  /** GET /v1/releases/system: the lowest release deployed in any domain. */
  system(): unknown {
    const lowest = [...this.ctx.inventory.domains].sort((a, b) => compareVersions(a.vcfVersion, b.vcfVersion))[0];
    const release = lowest ? findRelease(lowest.vcfVersion) : undefined;
    if (!release) throw new ApiError(500, "INTERNAL_SERVER_ERROR", "No deployed release", "Retry later.");
    return this.render(release, undefined);
  }

  futureReleases(domainId: string): unknown[] {
    const domain = this.requireDomain(domainId);
    return RELEASES.filter((r) => r.version !== domain.vcfVersion).map((r) => {
      const reason = notApplicableReason(r, domain);
      const body: Record<string, unknown> = {
        ...this.render(r, domain),
        applicabilityStatus: reason ? "NOT_APPLICABLE" : "APPLICABLE",
        isApplicable: !reason,
        warnings: [],
        reasonsNotApplicable: reason ? [reason] : [],
      };
      if (reason) body.reasonNotApplicable = reason;
      return body;
    });
  }

  view(domainId: string): unknown {
    const domain = this.requireDomain(domainId);
    return { domainId: domain.id, targetVersion: domain.targetVersion, patches: [], isCustomizedBom: false };
  }

  /** PATCH /v1/releases/domains/{id}: answers 200 with an empty body. */
  setTarget(domainId: string, body: unknown): void {
    const domain = this.requireDomain(domainId);
    const version = readDomainRelease(body, this.ctx.strict, speaks90(this.ctx.inventory));
    if (version === domain.vcfVersion) {
      throw new ApiError(
        400,
        "SAME_SOURCE_AND_TARGET_VCF_VERSION",
        `Source and target VCF versions are the same (${version})`,
        "Choose a newer target version from GET /v1/releases/domains/{id}/future-releases.",
        [version],
      );
    }
    const release = findRelease(version);
    // A real 5.2 lab answers 500 (not 404) for versions that do not exist or do not apply (UPGRADE-API.md §4).
    if (!release || notApplicableReason(release, domain) || compareVersions(version, domain.vcfVersion) < 0) {
      throw new ApiError(
        500,
        "VCF_RELEASE_NOT_APPLICABLE",
        `VCF release ${version} is not an applicable target for domain ${domain.name} at ${domain.vcfVersion}`,
        "Pick an APPLICABLE, newer release from GET /v1/releases/domains/{id}/future-releases.",
        [version],
      );
    }
    this.refuseWhileUpgrading(domain);
    domain.targetVersion = version;
    this.stepTotals.set(domain.id, remainingSteps(this.ctx.inventory, domain, release).length);
  }

  clearTarget(domainId: string): void {
    const domain = this.requireDomain(domainId);
    this.refuseWhileUpgrading(domain);
    domain.targetVersion = "";
    this.stepTotals.delete(domain.id);
  }

  /** The domain's version becomes the target once its last component is upgraded. */
  tick(): void {
    for (const domain of this.ctx.inventory.domains) {
      if (
        domain.targetVersion &&
        domain.vcfVersion !== domain.targetVersion &&
        targetSteps(this.ctx.inventory, domain).length === 0
      ) {
        domain.vcfVersion = domain.targetVersion;
      }
    }
  }

  upgradeStatus(
    domain: SimDomain,
    allDownloaded: (bundleIds: string[]) => boolean,
  ): { status: string; completedResources: number; totalResources: number } {
    if (!domain.targetVersion) {
      const next = oldestApplicableNewer(domain);
      const total = next ? remainingSteps(this.ctx.inventory, domain, next).length : 0;
      return { status: total > 0 ? "AVAILABLE" : "UP_TO_DATE", completedResources: 0, totalResources: total };
    }
    const remaining = targetSteps(this.ctx.inventory, domain);
    const total = this.stepTotals.get(domain.id) ?? remaining.length;
    const completed = Math.max(0, total - remaining.length);
    const active = this.upgrades.activeOn(domain.id);
    let status = "AVAILABLE";
    if (remaining.length === 0) status = "UP_TO_DATE";
    else if (active) status = this.upgrades.state(active) === "INPROGRESS" ? "IN_PROGRESS" : "SCHEDULED";
    else if (allDownloaded(remaining.map((s) => s.bundle.id))) status = "READY";
    return { status, completedResources: completed, totalResources: total };
  }

  /** emptyPatchBundles hides the release's bundle list, as some real releases have none (UPGRADE-API.md §3). */
  private render(release: ReleaseDef, domain: SimDomain | undefined): Record<string, unknown> {
    return renderRelease(release, domain, !this.ctx.faults().emptyPatchBundles, speaks90(this.ctx.inventory));
  }

  private refuseWhileUpgrading(domain: SimDomain): void {
    if (this.upgrades.activeOn(domain.id)) {
      throw new ApiError(
        500,
        "TARGET_VERSION_CHANGE_NOT_ALLOWED",
        `The target version of domain ${domain.name} cannot change while an upgrade is running`,
        "Wait for the running upgrade to finish.",
        [domain.id],
      );
    }
  }
}

/**
 * DomainRelease body: only targetVersion is needed; extra keys with empty values are refused (§4). 9.0 (`api90`)
 * has no targetVxRailVersion: sending it is refused there.
 */
export function readDomainRelease(body: unknown, strict: boolean, api90: boolean): string {
  const keys = ["targetVersion", "targetSddcManagerVersion", "patches", ...(api90 ? [] : ["targetVxRailVersion"])];
  const root = BodyObject.root(body, "DomainRelease", strict).allowOnly("DomainRelease", keys);
  const version = root.string("targetVersion", true);
  root.string("targetSddcManagerVersion");
  if (!api90) root.string("targetVxRailVersion");
  root.objects("patches", "TargetProductVersion").forEach((p) => {
    p.allowOnly("TargetProductVersion", ["productType", "version"]);
    p.string("productType", true);
    p.string("version", true);
  });
  return version;
}

function applicableFrom(release: ReleaseDef, version: string): boolean {
  return compareVersions(version, release.minCompatibleVcfVersion) >= 0;
}

export function notApplicableReason(
  release: ReleaseDef,
  domain: SimDomain,
): { component: string; messageKey: string; arguments: string[]; message: string } | undefined {
  if (!applicableFrom(release, domain.vcfVersion)) {
    return {
      component: "LCM",
      messageKey: "release.min.compatible.version.not.met",
      arguments: [domain.vcfVersion, release.minCompatibleVcfVersion],
      message: `Current version ${domain.vcfVersion} is lower than the minimum compatible version ${release.minCompatibleVcfVersion}`,
    };
  }
  return undefined;
}

export function oldestApplicableNewer(domain: SimDomain): ReleaseDef | undefined {
  return RELEASES.find((r) => compareVersions(r.version, domain.vcfVersion) > 0 && !notApplicableReason(r, domain));
}

/**
 * Products of a 9.x release that VCF Operations upgrades, not SDDC Manager (as a 9.0 SDDC Manager lists them). The
 * fleet management entry has no version, which 9.0 allows.
 */
const MANAGED_BY_VCF_OPERATIONS = [
  { name: "VCF_OPS", publicName: "VCF Operations", version: "9.0.0.0-24695812", lifecycleManagedBy: "VCF_OPS" },
  { name: "VCF_OPS_FLEET_MANAGEMENT", publicName: "VCF Operations fleet management", lifecycleManagedBy: "VCF_OPS" },
];

/**
 * A Release body; for a domain, products it does not run (SDDC Manager on VI domains) are left out. `api90`: as a
 * 9.0 SDDC Manager answers: who upgrades each product, the installer version, no minimum VCF version on 9.x ones.
 */
function renderRelease(
  release: ReleaseDef,
  domain: SimDomain | undefined,
  withPatchBundles: boolean,
  api90: boolean,
): Record<string, unknown> {
  const kinds = domain ? componentKindsOf(domain) : COMPONENT_KINDS;
  const bundles = !withPatchBundles
    ? []
    : kinds.flatMap((kind) => {
        return findBundlesFor(release, kind).map((b) => ({
          bundleId: b,
          bundleType: kind === "SDDC_MANAGER" ? "SDDC_MANAGER" : "VMWARE_SOFTWARE",
          bundleElements: [BOM_NAMES[kind]],
          cumulativeFromVcfVersion: "5.1.0.0",
        }));
      });
  const bom = kinds.map((kind) => ({
    name: BOM_NAMES[kind],
    version: release.bom[kind],
    publicName: PUBLIC_NAMES[kind],
    ...(api90 ? { lifecycleManagedBy: "SDDC_MANAGER_VCF" } : {}),
  }));
  const vcf9 = compareVersions(release.version, FIRST_VCF9_VERSION) >= 0;
  const body: Record<string, unknown> = {
    product: "VCF",
    version: release.version,
    minCompatibleVcfVersion: release.minCompatibleVcfVersion,
    releaseDate: release.releaseDate,
    description: release.description,
    bom: api90 && vcf9 ? [...bom, ...MANAGED_BY_VCF_OPERATIONS] : bom,
    patchBundles: bundles,
    sku: [],
    updates: [],
  };
  if (api90 && vcf9) {
    delete body.minCompatibleVcfVersion;
    body.minInstallerVersion = release.version;
  }
  return body;
}

/** The release's patch bundles: those that bring a component to this release's BOM version. */
function findBundlesFor(release: ReleaseDef, kind: ComponentKind): string[] {
  return BUNDLES.filter((b) => b.kind === kind && b.toVersion === release.bom[kind]).map((b) => b.id);
}
