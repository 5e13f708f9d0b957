// What an upgrade would do, computed before anything changes (see plan/compute.ts).
import type { ApiIdentity } from "../../vcf/generation";
import type { ComponentKind } from "../steps/upgrade-specs";
import type { Finding, LogLevel, ReadinessCheck } from "../types";

/** A component's estimated duration: the default from the settings, or the mean of this config node's measurements. */
export interface DurationEstimate {
  ms: number;
  source: "default" | "measured";
  /** "measured": how many earlier runs the measurements come from. */
  runs?: number;
}

export interface PlanBundle {
  bundleId: string;
  description?: string;
  sizeMB?: number;
  /** SDDC Manager's download state (SUCCESSFUL: nothing left to download). */
  downloadStatus: string;
}

/** One step of the upgrade, in SDDC Manager's order; ESXi has one per cluster. */
export interface PlanComponent {
  kind: ComponentKind;
  /** "SDDC Manager", "NSX", "vCenter", "ESXi cluster-01". */
  name: string;
  fromVersion?: string;
  toVersion?: string;
  bundle: PlanBundle;
  /** ESXi: the cluster, its host count, and the image it is remediated with (image-based) or "baseline". */
  cluster?: { id: string; name?: string; hosts?: number; image?: { id: string; name?: string }; baseline?: true };
  /** NSX: the host clusters (by name, else id) and edge clusters (by id) still to upgrade. */
  nsx?: { hostClusters: string[]; edgeClusters: string[] };
  estimate: DurationEstimate;
}

export interface PlanNote {
  level: LogLevel;
  text: string;
}

export interface UpgradePlan {
  domainId: string;
  domainName: string;
  domainType?: string;
  sourceVersion: string;
  targetVersion: string;
  /** Why this target: as requested, the target already selected, or the oldest applicable release. */
  targetReason: string;
  createdAt: string;
  components: PlanComponent[];
  /** Every bundle the run would download (the release's), and which are still to download. */
  bundles: PlanBundle[];
  downloads: { needed: number; totalMB: number };
  /** Sum of the component estimates (they run one after another); downloads, prechecks and backup not included. */
  estimate: { totalMs: number; measured: number; defaults: number };
  /** The readiness findings, the check-set findings when asked for, and what kept a component from being planned. */
  findings: Finding[];
  readiness: { ran: ReadinessCheck[]; off: ReadinessCheck[] };
  /** The check-set run made for this plan (option "run prechecks"), or undefined. */
  precheckRunId?: string;
  /** What the engine noted while planning (e.g. an image chosen by its add-on, the management domain first). */
  notes: PlanNote[];
  /** The API SDDC Manager speaks now (5.2 or 9.0) and its version. */
  api: ApiIdentity;
  /** What the release needs upgraded outside this API before the run's components (VCF Operations, ...). */
  outsideWork: string[];
}

export interface PlanRequest {
  /** Domain id or name. */
  domain: string;
  targetVersion?: string;
  clusterImages?: Record<string, string>;
  /** Also run SDDC Manager's check-sets for the target (reads only; takes minutes). */
  runPrechecks?: boolean;
}
