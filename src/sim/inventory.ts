import { stableUuid } from "./ids";
import type { ComponentKind } from "./types";
import { COMPONENT_KINDS } from "./types";

/** The simulated estate: releases, domains with their components, and the depot's bundles. */

export interface ReleaseDef {
  version: string;
  minCompatibleVcfVersion: string;
  releaseDate: string;
  description: string;
  bom: Record<ComponentKind, string>;
}

export const START_VERSION = "5.2.0.0";

/**
 * Sorted by version. 5.1.1.0 is older than the domains, 5.2.1.0 is the oldest applicable newer release. 9.0.x is
 * reached with the same calls: SDDC Manager upgrades itself first, then speaks the 9.0 API (UPGRADE-API.md §15).
 * Columns: version, oldest VCF version that may upgrade to it, release date, SDDC Manager build, NSX, vCenter, ESXi.
 */
export const RELEASES: readonly ReleaseDef[] = [
  release("5.1.1.0", "5.0.0.0", "2024-02-13", 23480823, "4.1.2.3.0-23382408", "8.0.2.00300-23504390", "8.0.2-23305546"),
  release("5.2.0.0", "5.1.0.0", "2024-07-23", 24108943, "4.2.0.0-24105817", "8.0.3.00100-24091160", "8.0.3-24022510"),
  release("5.2.1.0", "5.1.0.0", "2024-10-09", 24307856, "4.2.1.0-24304122", "8.0.3.00300-24305161", "8.0.3-24280767"),
  release("5.2.1.1", "5.2.1.0", "2024-12-17", 24397777, "4.2.1.0-24304122", "8.0.3.00400-24322831", "8.0.3-24280767"),
  release("5.2.2.0", "5.1.0.0", "2025-05-13", 24936865, "4.2.2.0-24765122", "8.0.3.00500-24674346", "8.0.3-24674464"),
  release("9.0.0.0", "5.2.0.0", "2025-06-17", 24703748, "9.0.0.0-24733065", "9.0.0.0-24755230", "9.0.0-24755229"),
  release("9.0.1.0", "5.2.0.0", "2025-09-29", 24962180, "9.0.1.0-24952111", "9.0.1.0-24957454", "9.0.1-24957456"),
];

/** The first 9.x release: a domain below it that goes to it or beyond crosses into the 9.0 API. */
export const FIRST_VCF9_VERSION = "9.0.0.0";

/** SDDC Manager carries the release's own version. */
function release(
  version: string,
  min: string,
  date: string,
  sddcManagerBuild: number,
  nsx: string,
  vcenter: string,
  esx: string,
): ReleaseDef {
  return {
    version,
    minCompatibleVcfVersion: min,
    releaseDate: `${date}T00:00:00.000Z`,
    description: `VMware Cloud Foundation ${releaseName(version)}`,
    bom: { SDDC_MANAGER: `${version}-${sddcManagerBuild}`, NSX_T_MANAGER: nsx, VCENTER: vcenter, ESX_HOST: esx },
  };
}

/** How VMware names a release: 5.2.0.0 is "5.2", 5.2.1.0 is "5.2.1", 5.2.1.1 stays "5.2.1.1". */
function releaseName(version: string): string {
  const parts = version.split(".");
  while (parts.length > 2 && parts.at(-1) === "0") parts.pop();
  return parts.join(".");
}

export function findRelease(version: string): ReleaseDef | undefined {
  return RELEASES.find((r) => r.version === version);
}

/** BOM entry names used by releases (UPGRADE-API.md §2). */
export const BOM_NAMES: Record<ComponentKind, string> = {
  SDDC_MANAGER: "SDDC_MANAGER_VCF",
  NSX_T_MANAGER: "NSX_T_MANAGER",
  VCENTER: "VCENTER",
  ESX_HOST: "ESX_HOST",
};

export const PUBLIC_NAMES: Record<ComponentKind, string> = {
  SDDC_MANAGER: "SDDC Manager",
  NSX_T_MANAGER: "VMware NSX",
  VCENTER: "VMware vCenter",
  ESX_HOST: "VMware ESXi",
};

/** Bundle component type: VMware's scripts check `HOST` for ESXi (UPGRADE-API.md §3). */
export const BUNDLE_COMPONENT_TYPES: Record<ComponentKind, string> = {
  SDDC_MANAGER: "SDDC_MANAGER",
  NSX_T_MANAGER: "NSX_T_MANAGER",
  VCENTER: "VCENTER",
  ESX_HOST: "HOST",
};

export interface SimCluster {
  id: string;
  name: string;
  vlcmEnabled: boolean;
  primary: boolean;
  hostCount: number;
  esxVersion: string;
  /** NSX version of the cluster's host transport nodes. */
  nsxVersion: string;
}

export interface SimNsx {
  id: string;
  vipFqdn: string;
  vip: string;
  /** The NSX Manager cluster's version: moves only once the edge cluster and every host cluster are upgraded. */
  version: string;
  edgeClusterId: string;
  edgeClusterName: string;
  edgeVersion: string;
}

export interface SimDomain {
  id: string;
  name: string;
  type: "MANAGEMENT" | "VI";
  vcfVersion: string;
  /** "" while no target is selected (as GET /v1/releases/domains/{id} shows it). */
  targetVersion: string;
  ssoId: string;
  nsx: SimNsx;
  vcenter: { id: string; fqdn: string; version: string };
  clusters: SimCluster[];
}

export interface SimSddcManager {
  id: string;
  fqdn: string;
  ipAddress: string;
  version: string;
  domainId: string;
}

export interface BundleDef {
  id: string;
  releaseVersion: string;
  kind: ComponentKind;
  fromVersion: string;
  toVersion: string;
  sizeMB: number;
  description: string;
  componentId: string;
}

export interface Inventory {
  sddcManager: SimSddcManager;
  domains: SimDomain[];
  bundles: readonly BundleDef[];
}

const DNS = "vcf.sim.test";

/** The estate: every domain and SDDC Manager at release `startVersion` (START_VERSION unless a scenario says). */
export function buildInventory(viDomainCount: number, startVersion = START_VERSION): Inventory {
  const start = findRelease(startVersion);
  if (!start) throw new Error(`release ${startVersion} missing`);
  const management = buildDomain("m01", "MANAGEMENT", 0, start);
  const domains = [management, ...range(viDomainCount).map((i) => buildDomain(`w${pad(i + 1)}`, "VI", i + 1, start))];
  return {
    sddcManager: {
      id: stableUuid("sddc-manager"),
      fqdn: `lab-vcf01.${DNS}`,
      ipAddress: "10.0.10.5",
      version: start.bom.SDDC_MANAGER,
      domainId: management.id,
    },
    domains,
    bundles: BUNDLES,
  };
}

function buildDomain(suffix: string, type: "MANAGEMENT" | "VI", index: number, start: ReleaseDef): SimDomain {
  const name = `lab-${suffix}`;
  const net = 10 + index;
  const firstClusterHosts = type === "MANAGEMENT" ? 4 : 3;
  return {
    id: stableUuid(`domain:${name}`),
    name,
    type,
    vcfVersion: start.version,
    targetVersion: "",
    ssoId: stableUuid("sso:vsphere.local"),
    nsx: {
      id: stableUuid(`nsx:${name}`),
      vipFqdn: `${name}-nsx01.${DNS}`,
      vip: `10.0.${net}.20`,
      version: start.bom.NSX_T_MANAGER,
      edgeClusterId: stableUuid(`edge-cluster:${name}`),
      edgeClusterName: `${name}-ec01`,
      edgeVersion: start.bom.NSX_T_MANAGER,
    },
    vcenter: { id: stableUuid(`vcenter:${name}`), fqdn: `${name}-vc01.${DNS}`, version: start.bom.VCENTER },
    clusters: [
      {
        id: stableUuid(`cluster:${name}-cl01`),
        name: `${name}-cl01`,
        vlcmEnabled: true,
        primary: true,
        hostCount: firstClusterHosts,
        esxVersion: start.bom.ESX_HOST,
        nsxVersion: start.bom.NSX_T_MANAGER,
      },
      {
        id: stableUuid(`cluster:${name}-cl02`),
        name: `${name}-cl02`,
        vlcmEnabled: false,
        primary: false,
        hostCount: 2,
        esxVersion: start.bom.ESX_HOST,
        nsxVersion: start.bom.NSX_T_MANAGER,
      },
    ],
  };
}

const BUNDLE_SIZES_MB: Record<ComponentKind, number> = {
  SDDC_MANAGER: 2157.6,
  NSX_T_MANAGER: 12890.3,
  VCENTER: 10344.9,
  ESX_HOST: 612.2,
};

/** One bundle per component whose version changes from one release to the next, after the start release. */
export const BUNDLES: readonly BundleDef[] = buildBundles();

function buildBundles(): BundleDef[] {
  const bundles: BundleDef[] = [];
  const startIndex = RELEASES.findIndex((r) => r.version === START_VERSION);
  // Each release after the start one, beside the release before it.
  const steps = RELEASES.slice(startIndex + 1).map((rel, i) => ({ rel, previous: RELEASES[startIndex + i] }));
  for (const { rel, previous } of steps) {
    if (!previous) continue;
    for (const kind of COMPONENT_KINDS) {
      if (rel.bom[kind] === previous.bom[kind]) continue;
      bundles.push({
        id: stableUuid(`bundle:${rel.version}:${kind}`),
        releaseVersion: rel.version,
        kind,
        fromVersion: previous.bom[kind],
        toVersion: rel.bom[kind],
        sizeMB: BUNDLE_SIZES_MB[kind],
        description: bundleDescription(kind, rel.version, rel.bom[kind]),
        componentId: stableUuid(`bundle-component:${rel.version}:${kind}`),
      });
    }
  }
  return bundles;
}

function bundleDescription(kind: ComponentKind, vcf: string, to: string): string {
  const short = to.split("-")[0];
  switch (kind) {
    case "SDDC_MANAGER":
      return `VMware Cloud Foundation (${vcf}) upgrade bundle for SDDC Manager`;
    case "NSX_T_MANAGER":
      return `Update bundle for NSX ${short}`;
    case "VCENTER":
      return `Update bundle for vCenter Server ${short}`;
    case "ESX_HOST":
      return `Update bundle for ESXi ${to}`;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function findDomainById(inv: Inventory, id: string): SimDomain | undefined {
  return inv.domains.find((d) => d.id === id);
}
