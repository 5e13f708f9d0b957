import type { SimCluster, SimDomain } from "./inventory";
import type { SimState } from "./state";

/** Domain and SDDC Manager bodies (UPGRADE-API.md §2). */

export function renderDomain(state: SimState, d: SimDomain): unknown {
  const allDownloaded = (ids: string[]): boolean => ids.every((id) => state.bundles.status(id) === "SUCCESSFUL");
  return {
    id: d.id,
    name: d.name,
    orgName: "Simulated Lab",
    status: "ACTIVE",
    type: d.type,
    upgradeStatus: state.releases.upgradeStatus(d, allDownloaded),
    vcenters: [{ id: d.vcenter.id, fqdn: d.vcenter.fqdn }],
    clusters: d.clusters.map((c) => ({ id: c.id, name: c.name })),
    nsxtCluster: { id: d.nsx.id, vipFqdn: d.nsx.vipFqdn, vip: d.nsx.vip },
    ssoId: d.ssoId,
    ssoName: "vsphere.local",
    isManagementSsoDomain: true,
    lifecycleManagementMode: "BASELINES_AND_IMAGES",
    isPrimaryDomainForNsx: true,
  };
}

/** A cluster as GET /v1/clusters lists it: its hosts (ids and FQDNs) and whether it is image-based. */
export function renderCluster(d: SimDomain, c: SimCluster): unknown {
  return {
    id: c.id,
    name: c.name,
    domain: { id: d.id },
    status: "ACTIVE",
    isDefault: c.primary,
    isImageBased: c.vlcmEnabled,
    hosts: clusterHosts(c),
  };
}

/** The cluster's hosts; the first of the primary cluster is the one readiness faults pick. */
export function clusterHosts(c: SimCluster): { id: string; fqdn: string }[] {
  return Array.from({ length: c.hostCount }, (_, i) => ({
    id: `${c.id}-host-${i + 1}`,
    fqdn: `esx-${c.name}-${i + 1}.example.test`,
  }));
}

export function renderSddcManager(state: SimState): unknown {
  const m = state.inventory.sddcManager;
  const domain = state.inventory.domains.find((d) => d.id === m.domainId);
  return {
    id: m.id,
    fqdn: m.fqdn,
    version: m.version,
    ipAddress: m.ipAddress,
    domain: { id: m.domainId, name: domain?.name ?? "", type: "MANAGEMENT" },
  };
}
