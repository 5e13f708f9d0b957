import type { ErrorBody } from "./errors";
import { errorBody } from "./errors";
import type { SimCluster, SimDomain, SimNsx } from "./inventory";
import type { PlanStep } from "./plan";
import type { ComponentKind, PhaseDurations } from "./types";

/** The steps (Task subTasks) of each component upgrade, and the error a failing one reports. */

/** The index of the SDDC Manager step during which its API is down. */
export const SDDC_OUTAGE_STEP = 2;

/** The NSX parts one upgrade attempt still has to do; managers only once nothing else is left (§6.3). */
export interface NsxWork {
  nsx: SimNsx;
  edge: boolean;
  hostClusters: SimCluster[];
  managers: boolean;
}

/** A reduced-downtime vCenter migration: its temporary network, and how long the switchover waits for its time. */
export interface ReducedDowntime {
  network: string;
  switchoverWaitSeconds: number;
}

/**
 * `clusters`: the ESXi clusters to remediate; `nsx`: the NSX parts (NSX bundles only); `reduced`: a vCenter upgrade
 * by reduced-downtime migration (else in place).
 */
export function upgradePlan(
  kind: ComponentKind,
  d: PhaseDurations,
  outageSeconds: number,
  clusters: SimCluster[],
  fails: boolean,
  nsx?: NsxWork,
  reduced?: ReducedDowntime,
): PlanStep[] {
  switch (kind) {
    case "SDDC_MANAGER":
      return [
        {
          name: "Stage the SDDC Manager bundle",
          type: "SDDC_MANAGER_STAGE",
          description: "Copy and verify the downloaded bundle on SDDC Manager",
          seconds: d.sddcManagerBeforeOutageSeconds * 0.6,
        },
        {
          name: "Back up SDDC Manager",
          type: "SDDC_MANAGER_BACKUP",
          description: "Back up the SDDC Manager appliance before the upgrade",
          seconds: d.sddcManagerBeforeOutageSeconds * 0.4,
        },
        {
          name: "Apply the upgrade and restart SDDC Manager",
          type: "SDDC_MANAGER_UPGRADE",
          description: "Upgrade and restart the SDDC Manager services (API unavailable)",
          seconds: outageSeconds,
        },
        {
          name: "SDDC Manager post-upgrade",
          type: "SDDC_MANAGER_POST_UPGRADE",
          description: "Reconcile the inventory after the upgrade",
          seconds: d.sddcManagerAfterOutageSeconds,
          fails,
        },
      ];
    case "NSX_T_MANAGER":
      if (!nsx) throw new Error("an NSX upgrade plan needs its NsxWork");
      return nsxPlan(d.nsxUpgradeSeconds, fails, nsx);
    case "VCENTER":
      if (reduced) return reducedDowntimePlan(d.vcenterUpgradeSeconds, fails, reduced);
      return [
        vcenterBookend("pre", d.vcenterUpgradeSeconds),
        {
          name: "Stage the vCenter patch",
          type: "VCENTER_STAGE",
          description: "Copy the patch to the vCenter appliance and verify it",
          seconds: d.vcenterUpgradeSeconds * 0.25,
        },
        {
          name: "Install the vCenter patch",
          type: "VCENTER_INSTALL",
          description: "Install the patch and restart the vCenter services (vCenter unavailable)",
          seconds: d.vcenterUpgradeSeconds * 0.55,
          fails,
          unavailable: true,
        },
        vcenterBookend("post", d.vcenterUpgradeSeconds),
      ];
    case "ESX_HOST":
      return clusters.flatMap((c, i) =>
        Array.from({ length: c.hostCount }, (_, h) => ({
          name: `ESXi host ${hostName(c, h + 1)}`,
          type: "ESX_HOST_UPGRADE",
          description: `Enter maintenance mode, remediate (${c.vlcmEnabled ? "vLCM image" : "baseline"}) and reboot host ${h + 1} of ${c.hostCount} in cluster ${c.name}`,
          seconds: d.esxHostUpgradeSeconds,
          fails: fails && i === 0 && h === 0,
          resourceId: c.id,
        })),
      );
  }
}

/** The first and last stage of every vCenter upgrade, a tenth of its time each. */
const VCENTER_BOOKENDS = {
  pre: { name: "vCenter pre-upgrade checks", type: "VCENTER_PRECHECK", description: "Check the vCenter appliance" },
  post: { name: "vCenter post-upgrade", type: "VCENTER_POST_UPGRADE", description: "Reconnect services to vCenter" },
} as const;

function vcenterBookend(which: keyof typeof VCENTER_BOOKENDS, seconds: number): PlanStep {
  return { ...VCENTER_BOOKENDS[which], seconds: seconds * 0.1 };
}

/**
 * A second appliance is deployed on the temporary network and takes the data over while the old one serves; only
 * the switchover (a tenth of an in-place upgrade's time) leaves vCenter unavailable.
 */
function reducedDowntimePlan(seconds: number, fails: boolean, reduced: ReducedDowntime): PlanStep[] {
  const steps: PlanStep[] = [
    vcenterBookend("pre", seconds),
    {
      name: "Deploy the target vCenter appliance",
      type: "VCENTER_RDU_DEPLOY",
      description: `Deploy the patched appliance on the temporary network (${reduced.network})`,
      seconds: seconds * 0.45,
      fails,
    },
    {
      name: "Replicate vCenter data",
      type: "VCENTER_RDU_REPLICATE",
      description: "Copy configuration and data to the target appliance while the source keeps serving",
      seconds: seconds * 0.25,
    },
  ];
  if (reduced.switchoverWaitSeconds > 0)
    steps.push({
      name: "Wait for the switchover time",
      type: "VCENTER_RDU_WAIT",
      description: "The target appliance is ready; the switchover starts at the time set",
      seconds: reduced.switchoverWaitSeconds,
    });
  steps.push(
    {
      name: "Switch over to the target vCenter",
      type: "VCENTER_RDU_SWITCHOVER",
      description: "Stop the source appliance and take over its identity (vCenter unavailable)",
      seconds: seconds * 0.055,
      unavailable: true,
    },
    vcenterBookend("post", seconds),
  );
  return steps;
}

/** Coordinator, edges, each host cluster, then the managers; a failing attempt fails at its first host cluster. */
function nsxPlan(seconds: number, fails: boolean, work: NsxWork): PlanStep[] {
  const steps: PlanStep[] = [
    {
      name: "NSX Upgrade Coordinator",
      type: "NSXT_UC_UPGRADE",
      description: "Upgrade the NSX upgrade coordinator",
      seconds: seconds * 0.1,
    },
  ];
  if (work.edge)
    steps.push({
      name: "NSX Edge clusters",
      type: "NSXT_EDGE_UPGRADE",
      description: "Upgrade NSX edge clusters",
      seconds: seconds * 0.3,
      resourceId: work.nsx.edgeClusterId,
    });
  for (const c of work.hostClusters) {
    steps.push({
      name: `NSX host cluster ${c.name}`,
      type: "NSXT_HOST_CLUSTER_UPGRADE",
      description: `Upgrade the NSX host transport nodes of ${c.name}`,
      seconds: seconds * 0.25,
      resourceId: c.id,
    });
  }
  if (work.managers)
    steps.push({
      name: "NSX Manager cluster",
      type: "NSXT_MANAGER_UPGRADE",
      description: "Upgrade NSX managers",
      seconds: seconds * 0.1,
      resourceId: work.nsx.id,
    });
  const failing = steps.find((s) => s.type === "NSXT_HOST_CLUSTER_UPGRADE") ?? steps.at(-1);
  if (failing) failing.fails = fails;
  return steps;
}

/** The simulated FQDN of host `n` (from 1) of a cluster. */
export function hostName(cluster: Pick<SimCluster, "name">, n: number): string {
  return `${cluster.name}-esx${String(n).padStart(2, "0")}.vcf.sim.test`;
}

export function upgradeFailure(kind: ComponentKind, domain: SimDomain, reference: string): ErrorBody {
  const cluster = domain.clusters[0];
  const clusterName = cluster?.name ?? "cluster";
  const host = hostName(cluster ?? { name: domain.name }, 1);
  const common = { errorType: "ERROR", referenceToken: reference };
  switch (kind) {
    case "SDDC_MANAGER":
      return errorBody(
        "SDDC_MANAGER_UPGRADE_FAILED",
        "SDDC Manager post-upgrade reconciliation failed: the LCM service did not become healthy.",
        {
          ...common,
          remediationMessage: "Check /var/log/vmware/vcf/lcm/lcm-debug.log on SDDC Manager and retry the task.",
          causes: [
            { type: "com.vmware.evo.sddc.lcm.model.error.LcmException", message: "LCM service health check timed out" },
          ],
        },
      );
    case "NSX_T_MANAGER":
      return errorBody(
        "NSXT_UPGRADE_HOST_CLUSTER_FAILED",
        `NSX upgrade of host cluster ${clusterName} failed: host ${host} could not enter maintenance mode.`,
        {
          ...common,
          arguments: [clusterName],
          context: { component: "LCM", resourceId: cluster?.id ?? domain.id },
          remediationMessage: "Resolve the maintenance mode blocker (DRS rules, pinned VMs) and retry the task.",
          causes: [
            {
              type: "com.vmware.evo.sddc.lcm.model.error.LcmException",
              message: "Host entered maintenance mode timeout",
            },
          ],
        },
      );
    case "VCENTER":
      return errorBody(
        "VCENTER_UPGRADE_FAILED",
        `vCenter ${domain.vcenter.fqdn} patching failed: the /storage/log partition is full.`,
        {
          ...common,
          context: { component: "LCM", resourceId: domain.vcenter.id },
          remediationMessage: "Free space on the vCenter appliance (/storage/log) and retry the task.",
        },
      );
    case "ESX_HOST":
      return errorBody(
        "ESX_UPGRADE_REMEDIATION_FAILED",
        `Remediation of host ${host} in cluster ${clusterName} failed: the host did not reconnect after reboot.`,
        {
          ...common,
          context: { component: "LCM", resourceId: cluster?.id ?? domain.id },
          remediationMessage:
            "Check the host's management network and console, reconnect it in vCenter, then retry the task.",
        },
      );
  }
}
