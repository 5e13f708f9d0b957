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

/** Name and description of each fixed step, as the task's subTasks show them. */
const STEP_TEXTS = {
  SDDC_MANAGER_STAGE: ["Stage the SDDC Manager bundle", "Copy and verify the downloaded bundle on SDDC Manager"],
  SDDC_MANAGER_BACKUP: ["Back up SDDC Manager", "Back up the SDDC Manager appliance before the upgrade"],
  SDDC_MANAGER_UPGRADE: [
    "Apply the upgrade and restart SDDC Manager",
    "Upgrade and restart the SDDC Manager services (API unavailable)",
  ],
  SDDC_MANAGER_POST_UPGRADE: ["SDDC Manager post-upgrade", "Reconcile the inventory after the upgrade"],
  VCENTER_PRECHECK: ["vCenter pre-upgrade checks", "Check the vCenter appliance"],
  VCENTER_STAGE: ["Stage the vCenter patch", "Copy the patch to the vCenter appliance and verify it"],
  VCENTER_INSTALL: [
    "Install the vCenter patch",
    "Install the patch and restart the vCenter services (vCenter unavailable)",
  ],
  VCENTER_RDU_REPLICATE: [
    "Replicate vCenter data",
    "Copy configuration and data to the target appliance while the source keeps serving",
  ],
  VCENTER_RDU_WAIT: [
    "Wait for the switchover time",
    "The target appliance is ready; the switchover starts at the time set",
  ],
  VCENTER_RDU_SWITCHOVER: [
    "Switch over to the target vCenter",
    "Stop the source appliance and take over its identity (vCenter unavailable)",
  ],
  VCENTER_POST_UPGRADE: ["vCenter post-upgrade", "Reconnect services to vCenter"],
  NSXT_UC_UPGRADE: ["NSX Upgrade Coordinator", "Upgrade the NSX upgrade coordinator"],
  NSXT_EDGE_UPGRADE: ["NSX Edge clusters", "Upgrade NSX edge clusters"],
  NSXT_MANAGER_UPGRADE: ["NSX Manager cluster", "Upgrade NSX managers"],
} as const satisfies Record<string, readonly [string, string]>;

/** A fixed step with its texts from STEP_TEXTS. */
function step(
  type: keyof typeof STEP_TEXTS,
  seconds: number,
  extra?: Pick<PlanStep, "fails" | "resourceId" | "unavailable">,
): PlanStep {
  const [name, description] = STEP_TEXTS[type];
  return { name, type, description, seconds, ...extra };
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
        step("SDDC_MANAGER_STAGE", d.sddcManagerBeforeOutageSeconds * 0.6),
        step("SDDC_MANAGER_BACKUP", d.sddcManagerBeforeOutageSeconds * 0.4),
        step("SDDC_MANAGER_UPGRADE", outageSeconds),
        step("SDDC_MANAGER_POST_UPGRADE", d.sddcManagerAfterOutageSeconds, { fails }),
      ];
    case "NSX_T_MANAGER":
      if (!nsx) throw new Error("an NSX upgrade plan needs its NsxWork");
      return nsxPlan(d.nsxUpgradeSeconds, fails, nsx);
    case "VCENTER":
      if (reduced) return reducedDowntimePlan(d.vcenterUpgradeSeconds, fails, reduced);
      return [
        step("VCENTER_PRECHECK", d.vcenterUpgradeSeconds * 0.1),
        step("VCENTER_STAGE", d.vcenterUpgradeSeconds * 0.25),
        step("VCENTER_INSTALL", d.vcenterUpgradeSeconds * 0.55, { fails, unavailable: true }),
        step("VCENTER_POST_UPGRADE", d.vcenterUpgradeSeconds * 0.1),
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

/**
 * A second appliance is deployed on the temporary network and takes the data over while the old one serves; only
 * the switchover (a tenth of an in-place upgrade's time) leaves vCenter unavailable.
 */
function reducedDowntimePlan(seconds: number, fails: boolean, reduced: ReducedDowntime): PlanStep[] {
  return [
    step("VCENTER_PRECHECK", seconds * 0.1),
    {
      name: "Deploy the target vCenter appliance",
      type: "VCENTER_RDU_DEPLOY",
      description: `Deploy the patched appliance on the temporary network (${reduced.network})`,
      seconds: seconds * 0.45,
      fails,
    },
    step("VCENTER_RDU_REPLICATE", seconds * 0.25),
    ...(reduced.switchoverWaitSeconds > 0 ? [step("VCENTER_RDU_WAIT", reduced.switchoverWaitSeconds)] : []),
    step("VCENTER_RDU_SWITCHOVER", seconds * 0.055, { unavailable: true }),
    step("VCENTER_POST_UPGRADE", seconds * 0.1),
  ];
}

/** Coordinator, edges, each host cluster, then the managers; a failing attempt fails at its first host cluster. */
function nsxPlan(seconds: number, fails: boolean, work: NsxWork): PlanStep[] {
  const steps: PlanStep[] = [step("NSXT_UC_UPGRADE", seconds * 0.1)];
  if (work.edge) steps.push(step("NSXT_EDGE_UPGRADE", seconds * 0.3, { resourceId: work.nsx.edgeClusterId }));
  for (const c of work.hostClusters) {
    steps.push({
      name: `NSX host cluster ${c.name}`,
      type: "NSXT_HOST_CLUSTER_UPGRADE",
      description: `Upgrade the NSX host transport nodes of ${c.name}`,
      seconds: seconds * 0.25,
      resourceId: c.id,
    });
  }
  if (work.managers) steps.push(step("NSXT_MANAGER_UPGRADE", seconds * 0.1, { resourceId: work.nsx.id }));
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
