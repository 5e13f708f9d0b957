import { BundleService } from "./bundles";
import { isoAt } from "./clock";
import { attemptFails, SimContext } from "./context";
import { componentKindsOf, sddcManagerReady, targetSteps, UpgradeStep } from "./domain-steps";
import { ApiError, badField, ErrorBody, notFound } from "./errors";
import { BundleDef, findDomainById, findRelease, PUBLIC_NAMES, SimCluster, SimDomain } from "./inventory";
import { findPersonality } from "./personalities";
import { evaluatePlan, PlanStep, PlanView, stepWindow } from "./plan";
import { describe, normalize, planSubTasks, TaskBody } from "./tasks";
import { ComponentKind } from "./types";
import { parseCommitSpec, parseUpgradeSpec, ParsedUpgradeSpec } from "./upgrade-spec";
import { SDDC_OUTAGE_STEP, upgradeFailure, upgradePlan } from "./upgrade-plans";

/** POST /v1/upgrades and the component-upgrade state machine, including SDDC Manager's own outage (§6). */

interface Attempt {
  startMs: number;
  steps: PlanStep[];
  fails: boolean;
  failure?: ErrorBody;
  /** Effects already applied (versions), so later upgrades are never reverted. */
  applied: Set<string>;
}

export interface UpgradeRecord {
  id: string;
  domain: SimDomain;
  bundle: BundleDef;
  kind: ComponentKind;
  spec: ParsedUpgradeSpec;
  clusters: SimCluster[];
  createdMs: number;
  draft: boolean;
  cancelled: boolean;
  scheduledMs?: number;
  attempts: Attempt[];
}

export type UpgradeState = "DRAFT" | "SCHEDULED" | "INPROGRESS" | "COMPLETED_WITH_SUCCESS" | "COMPLETED_WITH_FAILURE" | "CANCELLED";

const ACTIVE: readonly UpgradeState[] = ["DRAFT", "SCHEDULED", "INPROGRESS"];

export class UpgradeService {
  private readonly records: UpgradeRecord[] = [];
  private referenceCounter = 0;

  constructor(private readonly ctx: SimContext, private readonly bundles: BundleService) {}

  start(body: unknown): TaskBody {
    const spec = parseUpgradeSpec(body, this.ctx.strict);
    const bundle = this.bundles.find(spec.bundleId);
    if (!bundle) throw badField("bundleId", `bundle ${spec.bundleId} does not exist`, "Take the bundleId from GET /v1/upgradables/domains/{domainId}.");
    const domain = this.resolveDomain(spec, bundle);
    const step = this.availableStep(domain, bundle);
    const clusters = this.resolveClusters(spec, domain, step);
    this.checkUserInputs(spec, domain, bundle);
    if (this.bundles.status(bundle.id) !== "SUCCESSFUL") {
      throw new ApiError(424, "BUNDLE_NOT_DOWNLOADED", `Bundle ${bundle.id} is not downloaded (downloadStatus ${this.bundles.status(bundle.id)})`, "Download the bundle (PATCH /v1/bundles/{id}) and wait for SUCCESSFUL before upgrading.", [bundle.id]);
    }
    const now = this.ctx.clock.nowMs();
    const scheduled = spec.resources[0]?.upgradeNow ? undefined : spec.resources[0]?.scheduledMs;
    const record: UpgradeRecord = {
      id: this.ctx.ids.next("upgrade"),
      domain,
      bundle,
      kind: bundle.kind,
      spec,
      clusters,
      createdMs: now,
      draft: spec.draftMode,
      cancelled: false,
      scheduledMs: scheduled,
      attempts: [],
    };
    if (!record.draft) this.launch(record, Math.max(now, scheduled ?? now));
    this.records.push(record);
    this.ctx.tasks.register(record.id, { render: () => this.renderTask(record), retry: () => this.launch(record, this.ctx.clock.nowMs()) });
    return this.renderTask(record);
  }

  get(id: string): unknown {
    return this.render(this.require(id));
  }

  list(filter: { status?: string; bundleId?: string; bundleType?: string }): unknown[] {
    return this.records
      .filter((r) => !filter.status || statusKey(this.state(r)) === statusKey(filter.status))
      .filter((r) => !filter.bundleId || r.bundle.id === filter.bundleId)
      .filter((r) => !filter.bundleType || bundleType(r.bundle) === filter.bundleType)
      .map((r) => this.render(r));
  }

  /** PATCH /v1/upgrades/{id}: commit a draft, reschedule, or cancel. */
  commit(id: string, body: unknown): unknown {
    const record = this.require(id);
    const spec = parseCommitSpec(body, this.ctx.strict);
    const state = this.state(record);
    const now = this.ctx.clock.nowMs();
    if (spec.cancel) {
      if (state !== "DRAFT" && state !== "SCHEDULED") throw new ApiError(400, "UPGRADE_NOT_CANCELLABLE", `Upgrade ${id} is ${state} and can no longer be cancelled`, "Only DRAFT or SCHEDULED upgrades can be cancelled.", [id]);
      record.cancelled = true;
    } else if (state === "DRAFT" || state === "SCHEDULED") {
      record.draft = false;
      record.attempts = [];
      this.launch(record, spec.upgradeNow || spec.scheduledMs === undefined ? now : Math.max(now, spec.scheduledMs));
    }
    return this.render(record);
  }

  /** Applies finished work (component versions) up to now; idempotent. */
  tick(): void {
    const now = this.ctx.clock.nowMs();
    for (const record of this.records) {
      const attempt = record.attempts.at(-1);
      if (!attempt || record.cancelled) continue;
      const plan = this.plan(attempt, now);
      this.applyEffects(record, attempt, plan);
    }
  }

  /** "drop" or "html" while SDDC Manager's services are down for its own upgrade. */
  outageAt(nowMs: number): "drop" | "html" | undefined {
    for (const window of this.outageWindows()) {
      if (nowMs >= window.startMs && nowMs < window.endMs) {
        const dropUntil = window.startMs + (window.endMs - window.startMs) * this.ctx.faults().outageDropShare;
        return nowMs < dropUntil ? "drop" : "html";
      }
    }
    return undefined;
  }

  /** Sessions (tokens) issued before this time died with the SDDC Manager restart. */
  sessionsInvalidatedBefore(nowMs: number): number {
    return Math.max(0, ...this.outageWindows().filter((w) => w.endMs <= nowMs).map((w) => w.endMs));
  }

  activeOn(domainId: string): UpgradeRecord | undefined {
    return this.records.find((r) => r.domain.id === domainId && ACTIVE.includes(this.state(r)));
  }

  activeFor(domainId: string, bundleId: string): UpgradeRecord | undefined {
    return this.records.find((r) => r.domain.id === domainId && r.bundle.id === bundleId && ACTIVE.includes(this.state(r)));
  }

  lastFailureFor(domainId: string, bundleId: string): ErrorBody | undefined {
    const last = this.records.filter((r) => r.domain.id === domainId && r.bundle.id === bundleId).at(-1);
    return last && this.state(last) === "COMPLETED_WITH_FAILURE" ? last.attempts.at(-1)?.failure : undefined;
  }

  sddcManagerUpgradeRunning(): boolean {
    return this.records.some((r) => r.kind === "SDDC_MANAGER" && this.state(r) === "INPROGRESS");
  }

  state(record: UpgradeRecord): UpgradeState {
    if (record.cancelled) return "CANCELLED";
    if (record.draft) return "DRAFT";
    const attempt = record.attempts.at(-1);
    if (!attempt) return "DRAFT";
    const now = this.ctx.clock.nowMs();
    if (now < attempt.startMs) return "SCHEDULED";
    const plan = this.plan(attempt, now);
    if (plan.state === "RUNNING") return "INPROGRESS";
    return plan.state === "FAILED" ? "COMPLETED_WITH_FAILURE" : "COMPLETED_WITH_SUCCESS";
  }

  snapshot(): unknown[] {
    return this.records.map((r) => ({ id: r.id, domainId: r.domain.id, bundleId: r.bundle.id, component: r.kind, status: this.state(r), attempts: r.attempts.length }));
  }

  private require(id: string): UpgradeRecord {
    const record = this.records.find((r) => r.id === id);
    if (!record) throw notFound("Upgrade", id, "UPGRADE_NOT_FOUND", "Use the Task id returned by POST /v1/upgrades (or GET /v1/upgrades).");
    return record;
  }

  private launch(record: UpgradeRecord, startMs: number): void {
    const faults = this.ctx.faults();
    const fails = attemptFails(faults.failUpgradeOf.includes(record.kind), record.attempts.length + 1, faults.failAttempts);
    const clusters = record.kind === "ESX_HOST" ? record.clusters.filter((c) => c.esxVersion !== record.bundle.toVersion) : record.clusters;
    this.referenceCounter += 1;
    record.attempts.push({
      startMs,
      steps: upgradePlan(record.kind, faults.durations, faults.outageSeconds, clusters, fails),
      fails,
      failure: fails ? upgradeFailure(record.kind, record.domain, `SIM${String(this.referenceCounter).padStart(3, "0")}`) : undefined,
      applied: new Set(),
    });
  }

  private plan(attempt: Attempt, nowMs: number): PlanView {
    return evaluatePlan(attempt.steps, attempt.startMs, nowMs, this.ctx.faults().upgradeNeverFinishes);
  }

  private applyEffects(record: UpgradeRecord, attempt: Attempt, plan: PlanView): void {
    const to = record.bundle.toVersion;
    const once = (key: string, effect: () => void): void => {
      if (!attempt.applied.has(key)) {
        attempt.applied.add(key);
        effect();
      }
    };
    switch (record.kind) {
      case "SDDC_MANAGER":
        if (!attempt.fails && plan.steps[SDDC_OUTAGE_STEP]?.status === "SUCCESSFUL") once("sddc", () => (this.ctx.inventory.sddcManager.version = to));
        break;
      case "ESX_HOST":
        plan.steps.forEach((view, i) => {
          const cluster = record.clusters.find((c) => view.step.name.endsWith(` ${c.name}`)) ?? record.clusters[i];
          if (view.status === "SUCCESSFUL" && cluster) once(`esx:${cluster.id}`, () => (cluster.esxVersion = to));
        });
        break;
      case "NSX_T_MANAGER":
        if (plan.state === "SUCCEEDED") once("nsx", () => (record.domain.nsx.version = to));
        break;
      case "VCENTER":
        if (plan.state === "SUCCEEDED") once("vcenter", () => (record.domain.vcenter.version = to));
        break;
    }
  }

  private outageWindows(): { startMs: number; endMs: number }[] {
    return this.records
      .filter((r) => r.kind === "SDDC_MANAGER" && !r.cancelled && !r.draft)
      .flatMap((r) => r.attempts.map((a) => stepWindow(a.steps, SDDC_OUTAGE_STEP, a.startMs)));
  }

  private resolveDomain(spec: ParsedUpgradeSpec, bundle: BundleDef): SimDomain {
    const first = spec.resources[0];
    if (!first) throw badField("resourceUpgradeSpecs", "must have at least 1 item", "Add one resource upgrade spec.");
    if (spec.resourceType === "UNASSIGNED_HOST") {
      throw badField("resourceType", "UNASSIGNED_HOST upgrades are not offered: the simulated estate has no unassigned hosts", "Use DOMAIN (or CLUSTER for ESXi).");
    }
    if (spec.resourceType === "DOMAIN") {
      if (spec.resources.length !== 1) throw badField("resourceUpgradeSpecs", "must hold exactly one entry for resourceType DOMAIN", "Send one entry whose resourceId is the domain id.");
      const domain = findDomainById(this.ctx.inventory, first.resourceId);
      if (!domain) throw badField(`${first.path}.resourceId`, `${first.resourceId} is not a domain id`, "Use a domain id from GET /v1/domains.");
      return domain;
    }
    if (bundle.kind !== "ESX_HOST") throw badField("resourceType", `CLUSTER is only valid for ESXi bundles, bundle ${bundle.id} is ${bundle.kind}`, "Use resourceType DOMAIN with the domain id.");
    const domain = this.ctx.inventory.domains.find((d) => d.clusters.some((c) => c.id === first.resourceId));
    if (!domain) throw badField(`${first.path}.resourceId`, `${first.resourceId} is not a cluster id`, "Use cluster ids from GET /v1/domains (clusters[].id).");
    return domain;
  }

  /** The upgradable for this bundle must exist and be AVAILABLE (403 otherwise, like the real server). */
  private availableStep(domain: SimDomain, bundle: BundleDef): UpgradeStep {
    const steps = targetSteps(this.ctx.inventory, domain);
    const step = steps.find((s) => s.bundle.id === bundle.id);
    if (!step) {
      const why = domain.targetVersion ? `bundle ${bundle.id} is not an upgradable of domain ${domain.name} for target ${domain.targetVersion}` : `domain ${domain.name} has no target version selected`;
      throw new ApiError(403, "UPGRADE_NOT_ALLOWED", `Operation not allowed: ${why}`, "Set the target version (PATCH /v1/releases/domains/{id}) and use a bundle listed AVAILABLE in GET /v1/upgradables/domains/{id}.", [bundle.id]);
    }
    if (this.activeOn(domain.id) || this.sddcManagerUpgradeRunning()) {
      throw new ApiError(403, "UPGRADE_IN_PROGRESS", `Operation not allowed: another upgrade is running on domain ${domain.name} or on SDDC Manager`, "Wait for the running upgrade (GET /v1/upgrades?status=INPROGRESS) to finish.", [domain.id]);
    }
    const release = findRelease(domain.targetVersion);
    if (steps[0] !== step || !release || !sddcManagerReady(this.ctx.inventory, domain, release)) {
      throw new ApiError(403, "UPGRADE_NOT_AVAILABLE", `Operation not allowed: the upgradable for bundle ${bundle.id} is PENDING, an earlier component must be upgraded first`, "Upgrade in the order of GET /v1/upgradables/domains/{id}: start only the AVAILABLE element (management domain first).", [bundle.id]);
    }
    if (!componentKindsOf(domain).includes(bundle.kind)) throw new ApiError(403, "UPGRADE_NOT_ALLOWED", "Operation not allowed for this domain", "Use the domain's upgradables.", [bundle.id]);
    return step;
  }

  private resolveClusters(spec: ParsedUpgradeSpec, domain: SimDomain, step: UpgradeStep): SimCluster[] {
    if (step.kind !== "ESX_HOST") return [];
    if (spec.resourceType === "DOMAIN") return step.clusters;
    return spec.resources.map((r) => {
      const cluster = step.clusters.find((c) => c.id === r.resourceId);
      if (!cluster) throw badField(`${r.path}.resourceId`, `${r.resourceId} is not a cluster of ${domain.name} that still needs this ESXi bundle`, "List clusters from the upgradable's softwareComponents.");
      if (cluster.vlcmEnabled && this.ctx.strict) {
        if (!r.personalityId) throw badField(`${r.path}.personalitySpec`, `cluster ${cluster.name} is vLCM image-based and needs personalitySpec.personalityId`, "Pick an image for the target ESXi version from GET /v1/personalities.");
        const personality = findPersonality(r.personalityId);
        if (!personality || personality.esxVersion !== step.bundle.toVersion) throw badField(`${r.path}.personalitySpec.personalityId`, `${r.personalityId} is not a cluster image for ESXi ${step.bundle.toVersion}`, "Pick an image whose base OS version is the target ESXi version (GET /v1/personalities).");
      }
      return cluster;
    });
  }

  private checkUserInputs(spec: ParsedUpgradeSpec, domain: SimDomain, bundle: BundleDef): void {
    if (spec.vcenterIds.length > 0 && bundle.kind !== "VCENTER") throw badField("vcenterUpgradeUserInputSpecs", "only applies to vCenter bundles", "Leave it out for this bundle.");
    spec.vcenterIds.forEach((id, i) => {
      if (id !== domain.vcenter.id) throw badField(`vcenterUpgradeUserInputSpecs[${i}].resourceId`, `${id} is not the vCenter of domain ${domain.name}`, `Use ${domain.vcenter.id}.`);
    });
    const hasNsx = spec.nsxtIds.length + spec.nsxtHostClusterIds.length + spec.nsxtEdgeClusterIds.length > 0;
    if (hasNsx && bundle.kind !== "NSX_T_MANAGER") throw badField("nsxtUpgradeUserInputSpecs", "only applies to NSX bundles", "Leave it out for this bundle.");
    spec.nsxtIds.forEach((id) => {
      if (id !== domain.nsx.id) throw badField("nsxtUpgradeUserInputSpecs[0].nsxtId", `${id} is not the NSX instance of domain ${domain.name}`, `Use nsxtManagerCluster.id from GET /v1/upgradables/domains/{id}/nsxt (${domain.nsx.id}).`);
    });
    spec.nsxtHostClusterIds.forEach((id) => {
      if (!domain.clusters.some((c) => c.id === id)) throw badField("nsxtUpgradeUserInputSpecs[0].nsxtHostClusterUpgradeSpecs", `${id} is not a host cluster of ${domain.name}`, "Use nsxtHostClusters[].id.");
    });
    spec.nsxtEdgeClusterIds.forEach((id) => {
      if (id !== domain.nsx.edgeClusterId) throw badField("nsxtUpgradeUserInputSpecs[0].nsxtEdgeClusterUpgradeSpecs", `${id} is not an edge cluster of ${domain.name}`, "Use nsxtEdgeClusters[].id.");
    });
  }

  private render(record: UpgradeRecord): Record<string, unknown> {
    const body: Record<string, unknown> = {
      id: record.id,
      bundleId: record.bundle.id,
      resourceType: record.spec.resourceType,
      parallelUpgrade: record.spec.parallelUpgrade ?? true,
      resourceUpgradeSpecs: record.spec.raw.resourceUpgradeSpecs,
      status: this.state(record),
      taskId: record.id,
      bundle: this.bundles.get(record.bundle.id),
    };
    const nsxt = record.spec.raw.nsxtUpgradeUserInputSpecs;
    if (Array.isArray(nsxt) && nsxt[0] !== undefined) body.nsxtUpgradeUserInputSpec = nsxt[0];
    const vc = record.spec.raw.vcenterUpgradeUserInputSpecs;
    if (Array.isArray(vc) && vc[0] !== undefined) body.vcenterUpgradeUserInputSpec = vc[0];
    const attempt = record.attempts.at(-1);
    const end = attempt ? this.plan(attempt, this.ctx.clock.nowMs()).endMs : undefined;
    if (end !== undefined) body.endTime = end;
    return body;
  }

  private renderTask(record: UpgradeRecord): TaskBody {
    const state = this.state(record);
    const attempt = record.attempts.at(-1);
    const plan = attempt ? this.plan(attempt, this.ctx.clock.nowMs()) : undefined;
    const name = `Upgrade ${PUBLIC_NAMES[record.kind]} on domain ${record.domain.name}`;
    const statusByState: Record<UpgradeState, string> = {
      DRAFT: "PENDING",
      SCHEDULED: "PENDING",
      INPROGRESS: "IN_PROGRESS",
      COMPLETED_WITH_SUCCESS: "SUCCESSFUL",
      COMPLETED_WITH_FAILURE: "FAILED",
      CANCELLED: "CANCELLED",
    };
    const failed = state === "COMPLETED_WITH_FAILURE";
    const task: TaskBody = {
      id: record.id,
      name,
      localizableDescriptionPack: describe(name, "upgrade"),
      type: "UPGRADE",
      status: statusByState[state],
      creationTimestamp: isoAt(record.createdMs),
      resources: [{ resourceId: record.domain.id, type: "DOMAIN", name: record.domain.name }],
      subTasks: plan && attempt ? planSubTasks(plan, attempt.startMs, attempt.failure) : [],
      errors: failed && attempt?.failure ? [attempt.failure] : [],
      isCancellable: state === "SCHEDULED" || state === "DRAFT",
      isRetryable: failed,
    };
    if (failed) task.resolutionStatus = "UNRESOLVED";
    if (plan?.endMs !== undefined) task.completionTimestamp = isoAt(plan.endMs);
    return task;
  }
}

function bundleType(bundle: BundleDef): string {
  return bundle.kind === "SDDC_MANAGER" ? "SDDC_MANAGER" : "VMWARE_SOFTWARE";
}

/** Status filter comparison: INPROGRESS and IN_PROGRESS are the same state. */
function statusKey(value: string): string {
  return normalize(value).replace("INPROGRESS", "IN_PROGRESS");
}
