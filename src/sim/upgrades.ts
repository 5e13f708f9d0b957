import type { BundleService } from "./bundles";
import { isoAt } from "./clock";
import type { SimContext } from "./context";
import { attemptFails } from "./context";
import type { ErrorBody } from "./errors";
import { ApiError, badField, notFound } from "./errors";
import type { BundleDef, SimCluster, SimDomain } from "./inventory";
import { PUBLIC_NAMES } from "./inventory";
import type { PlanStep, PlanView } from "./plan";
import { evaluatePlan, stepWindow } from "./plan";
import { speaks90 } from "./generation";
import type { SubTaskBody, TaskBody } from "./tasks";
import { describe, normalize, planSubTasks, subTasks90 } from "./tasks";
import type { ComponentKind } from "./types";
import type { NsxScope } from "./upgrade-admission";
import { availableStep, checkUserInputs, resolveClusters, resolveDomain, resolveNsxScope } from "./upgrade-admission";
import type { ParsedUpgradeSpec } from "./upgrade-spec";
import { parseCommitSpec, parseUpgradeSpec } from "./upgrade-spec";
import type { NsxWork } from "./upgrade-plans";
import type { ReducedDowntime } from "./upgrade-plans";
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
  /** NSX bundles: the host and edge clusters the request selected. */
  nsxScope?: NsxScope;
  createdMs: number;
  draft: boolean;
  cancelled: boolean;
  /** A running upgrade marked for cancellation stops here: the end of the stage it was in (§6.6). */
  cancelAtMs?: number;
  scheduledMs?: number;
  attempts: Attempt[];
}

export type UpgradeState =
  "DRAFT" | "SCHEDULED" | "INPROGRESS" | "COMPLETED_WITH_SUCCESS" | "COMPLETED_WITH_FAILURE" | "CANCELLED";

const ACTIVE: readonly UpgradeState[] = ["DRAFT", "SCHEDULED", "INPROGRESS"];

export class UpgradeService {
  private readonly records: UpgradeRecord[] = [];
  private referenceCounter = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly bundles: BundleService,
  ) {}

  start(body: unknown): TaskBody {
    const spec = parseUpgradeSpec(body, this.ctx.strict);
    const bundle = this.bundles.find(spec.bundleId);
    if (!bundle)
      throw badField(
        "bundleId",
        `bundle ${spec.bundleId} does not exist`,
        "Take the bundleId from GET /v1/upgradables/domains/{domainId}.",
      );
    const domain = resolveDomain(this.ctx, spec, bundle);
    const busy = this.activeOn(domain.id) !== undefined || this.sddcManagerUpgradeRunning();
    const step = availableStep(this.ctx, domain, bundle, busy);
    const clusters = resolveClusters(spec, domain, step);
    checkUserInputs(spec, domain, bundle);
    const downloadStatus = this.bundles.status(bundle.id);
    if (downloadStatus === "RECALLED") {
      throw new ApiError(
        424,
        "BUNDLE_RECALLED",
        `Bundle ${bundle.id} was recalled by VMware and cannot be applied`,
        "Do not apply a recalled bundle; wait for its replacement or ask VMware support.",
        [bundle.id],
      );
    }
    if (downloadStatus !== "SUCCESSFUL") {
      throw new ApiError(
        424,
        "BUNDLE_NOT_DOWNLOADED",
        `Bundle ${bundle.id} is not downloaded (downloadStatus ${downloadStatus})`,
        "Download the bundle (PATCH /v1/bundles/{id}) and wait for SUCCESSFUL before upgrading.",
        [bundle.id],
      );
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
      nsxScope: resolveNsxScope(spec, domain, bundle),
      createdMs: now,
      draft: spec.draftMode,
      cancelled: false,
      scheduledMs: scheduled,
      attempts: [],
    };
    if (!record.draft) this.launch(record, Math.max(now, scheduled ?? now));
    this.records.push(record);
    this.ctx.tasks.register(record.id, {
      render: () => this.renderTask(record),
      retry: () => this.launch(record, this.ctx.clock.nowMs()),
    });
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
      if (state === "INPROGRESS") record.cancelAtMs ??= this.stageEnd(record, now);
      else if (state === "DRAFT" || state === "SCHEDULED") record.cancelled = true;
      else
        throw new ApiError(
          400,
          "UPGRADE_NOT_CANCELLABLE",
          `Upgrade ${id} is ${state} and can no longer be cancelled`,
          "Only DRAFT, SCHEDULED or running upgrades can be cancelled.",
          [id],
        );
    } else if (state === "DRAFT" || state === "SCHEDULED") {
      record.draft = false;
      record.attempts = [];
      record.scheduledMs = spec.upgradeNow ? undefined : spec.scheduledMs;
      this.launch(record, record.scheduledMs === undefined ? now : Math.max(now, record.scheduledMs));
    } else {
      throw new ApiError(
        400,
        "UPGRADE_NOT_RESCHEDULABLE",
        `Upgrade ${id} is ${state}: only a DRAFT or SCHEDULED upgrade can be committed or rescheduled`,
        "Read the upgrade again (GET /v1/upgrades/{id}); a started upgrade can only be cancelled.",
        [id],
      );
    }
    return this.render(record);
  }

  /** The end of the stage (plan step) a running upgrade is in at `now`; `now` when none is running. */
  private stageEnd(record: UpgradeRecord, now: number): number {
    const attempt = record.attempts.at(-1);
    if (!attempt) return now;
    const running = this.plan(attempt, now).steps.find((v) => v.status === "IN_PROGRESS");
    return running?.startMs !== undefined ? running.startMs + running.step.seconds * 1000 : now;
  }

  /** The time the record's plan is looked at: now, or the stage boundary where a cancelled upgrade stopped. */
  private planTime(record: UpgradeRecord): number {
    return Math.min(this.ctx.clock.nowMs(), record.cancelAtMs ?? Infinity);
  }

  /** Applies finished work (component versions) up to now; idempotent. */
  tick(): void {
    for (const record of this.records) {
      const attempt = record.attempts.at(-1);
      if (!attempt || record.cancelled) continue;
      const plan = this.plan(attempt, this.planTime(record));
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
    return Math.max(
      0,
      ...this.outageWindows()
        .filter((w) => w.endMs <= nowMs)
        .map((w) => w.endMs),
    );
  }

  activeOn(domainId: string): UpgradeRecord | undefined {
    return this.records.find((r) => r.domain.id === domainId && ACTIVE.includes(this.state(r)));
  }

  activeFor(domainId: string, bundleId: string): UpgradeRecord | undefined {
    return this.records.find(
      (r) => r.domain.id === domainId && r.bundle.id === bundleId && ACTIVE.includes(this.state(r)),
    );
  }

  lastFailureFor(domainId: string, bundleId: string): ErrorBody | undefined {
    const last = this.records.filter((r) => r.domain.id === domainId && r.bundle.id === bundleId).at(-1);
    return last && this.state(last) === "COMPLETED_WITH_FAILURE" ? last.attempts.at(-1)?.failure : undefined;
  }

  /** Whether an upgrade with this bundle ended COMPLETED_WITH_SUCCESS on the domain. */
  succeededFor(domainId: string, bundleId: string): boolean {
    return this.records.some(
      (r) => r.domain.id === domainId && r.bundle.id === bundleId && this.state(r) === "COMPLETED_WITH_SUCCESS",
    );
  }

  /** Ids of the inventory objects a running upgrade is still working on (for per-part upgradeStatus). */
  resourcesInFlight(domainId: string, bundleId: string): Set<string> {
    const record = this.activeFor(domainId, bundleId);
    const attempt = record?.attempts.at(-1);
    if (!record || !attempt) return new Set();
    const steps = this.plan(attempt, this.planTime(record)).steps.filter((v) => v.status !== "SUCCESSFUL");
    return new Set(steps.flatMap((v) => (v.step.resourceId ? [v.step.resourceId] : [])));
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
    const plan = this.plan(attempt, this.planTime(record));
    if (record.cancelAtMs !== undefined && now >= record.cancelAtMs && plan.state === "RUNNING") return "CANCELLED";
    if (plan.state === "RUNNING") return "INPROGRESS";
    return plan.state === "FAILED" ? "COMPLETED_WITH_FAILURE" : "COMPLETED_WITH_SUCCESS";
  }

  snapshot(): unknown[] {
    return this.records.map((r) => ({
      id: r.id,
      domainId: r.domain.id,
      bundleId: r.bundle.id,
      component: r.kind,
      status: this.state(r),
      attempts: r.attempts.length,
      // how long the component was (or will be) unreachable: in-place vs reduced-downtime vCenter upgrades
      downtimeSeconds: (r.attempts.at(-1)?.steps ?? [])
        .filter((step) => step.unavailable)
        .reduce((sum, step) => sum + step.seconds, 0),
    }));
  }

  private require(id: string): UpgradeRecord {
    const record = this.records.find((r) => r.id === id);
    if (!record)
      throw notFound(
        "Upgrade",
        id,
        "UPGRADE_NOT_FOUND",
        "Use the Task id returned by POST /v1/upgrades (or GET /v1/upgrades).",
      );
    return record;
  }

  private launch(record: UpgradeRecord, startMs: number): void {
    const faults = this.ctx.faults();
    const fails = attemptFails(
      faults.failUpgradeOf.includes(record.kind),
      this.attemptsOf(record) + 1,
      faults.failAttempts,
    );
    const clusters =
      record.kind === "ESX_HOST"
        ? record.clusters.filter((c) => c.esxVersion !== record.bundle.toVersion)
        : record.clusters;
    this.referenceCounter += 1;
    record.attempts.push({
      startMs,
      steps: upgradePlan(
        record.kind,
        faults.durations,
        faults.outageSeconds,
        clusters,
        fails,
        this.nsxWork(record),
        this.reducedDowntime(record, startMs),
      ),
      fails,
      failure: fails
        ? upgradeFailure(record.kind, record.domain, `SIM${String(this.referenceCounter).padStart(3, "0")}`)
        : undefined,
      applied: new Set(),
    });
  }

  /** Attempts so far at this bundle on this domain: task retries and new upgrades alike (an operator's fix holds for both). */
  private attemptsOf(record: UpgradeRecord): number {
    const same = this.records.filter(
      (r) => r !== record && r.domain.id === record.domain.id && r.bundle.id === record.bundle.id,
    );
    return same.reduce((sum, r) => sum + r.attempts.length, record.attempts.length);
  }

  /** A reduced-downtime vCenter request: its network, and the wait from the ready appliance to the switchover time. */
  private reducedDowntime(record: UpgradeRecord, startMs: number): ReducedDowntime | undefined {
    const input = record.spec.vcenter;
    if (record.kind !== "VCENTER" || !input?.reducedDowntime) return undefined;
    const raw = record.spec.raw.vcenterUpgradeUserInputSpecs;
    const network = (Array.isArray(raw) ? (raw[0] as { temporaryNetwork?: Record<string, unknown> }) : undefined)
      ?.temporaryNetwork;
    const readyMs = startMs + this.ctx.faults().durations.vcenterUpgradeSeconds * 0.8 * 1000;
    return {
      network:
        network?.networkMode === "STATIC" ? `${String(network.ipAddress)}/${String(network.subnetMask)}` : "automatic",
      switchoverWaitSeconds: input.switchoverMs === undefined ? 0 : Math.max(0, (input.switchoverMs - readyMs) / 1000),
    };
  }

  /** What is left of the selected NSX parts; the managers go last, once every edge and host cluster is done. */
  private nsxWork(record: UpgradeRecord): NsxWork | undefined {
    const scope = record.nsxScope;
    if (!scope) return undefined;
    const to = record.bundle.toVersion;
    const nsx = record.domain.nsx;
    const edge = scope.edge && nsx.edgeVersion !== to;
    const hostClusters = scope.hostClusters.filter((c) => c.nsxVersion !== to);
    const everythingElseDone =
      (edge || nsx.edgeVersion === to) &&
      record.domain.clusters.every((c) => c.nsxVersion === to || hostClusters.includes(c));
    return { nsx, edge, hostClusters, managers: nsx.version !== to && everythingElseDone };
  }

  /** An upgrade task's sub-tasks as SDDC Manager lists them now (the 9.0 API lists them its own way). */
  private subTasks(list: SubTaskBody[], startMs: number): SubTaskBody[] {
    return speaks90(this.ctx.inventory) ? subTasks90(list, startMs) : list;
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
        if (!attempt.fails && plan.steps[SDDC_OUTAGE_STEP]?.status === "SUCCESSFUL")
          once("sddc", () => (this.ctx.inventory.sddcManager.version = to));
        break;
      case "ESX_HOST":
        // One step per host: a cluster runs the new version once its last host is done.
        for (const cluster of record.clusters) {
          const hosts = plan.steps.filter((v) => v.step.resourceId === cluster.id);
          if (hosts.length > 0 && hosts.every((v) => v.status === "SUCCESSFUL"))
            once(`esx:${cluster.id}`, () => (cluster.esxVersion = to));
        }
        break;
      case "NSX_T_MANAGER":
        for (const view of plan.steps) {
          const id = view.step.resourceId;
          if (view.status === "SUCCESSFUL" && id) once(`nsx:${id}`, () => setNsxVersion(record.domain, id, to));
        }
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

  private render(record: UpgradeRecord): Record<string, unknown> {
    const body: Record<string, unknown> = {
      id: record.id,
      bundleId: record.bundle.id,
      resourceType: record.spec.resourceType,
      parallelUpgrade: record.spec.parallelUpgrade ?? true,
      resourceUpgradeSpecs: this.resourceSpecs(record),
      status: this.state(record),
      // One id on purpose: the POST's Task.id is the upgrade id (§6.2), so the task and the upgrade share it.
      taskId: record.id,
      bundle: this.bundles.get(record.bundle.id),
    };
    const nsxt = record.spec.raw.nsxtUpgradeUserInputSpecs;
    if (Array.isArray(nsxt) && nsxt[0] !== undefined) body.nsxtUpgradeUserInputSpec = nsxt[0];
    const vc = record.spec.raw.vcenterUpgradeUserInputSpecs;
    if (Array.isArray(vc) && vc[0] !== undefined) body.vcenterUpgradeUserInputSpec = vc[0];
    const attempt = record.attempts.at(-1);
    const end = attempt ? this.plan(attempt, this.planTime(record)).endMs : undefined;
    if (end !== undefined) body.endTime = end;
    return body;
  }

  /** The request's resource specs, with the start time as it stands now (a PATCH may have moved or removed it). */
  private resourceSpecs(record: UpgradeRecord): unknown {
    const raw = record.spec.raw.resourceUpgradeSpecs;
    if (!Array.isArray(raw)) return raw;
    const scheduled = record.scheduledMs;
    return raw.map((r: unknown) => {
      if (typeof r !== "object" || r === null || !("scheduledTimestamp" in r || scheduled !== undefined)) return r;
      const { scheduledTimestamp: _old, ...rest } = r as Record<string, unknown>;
      return scheduled === undefined
        ? { ...rest, upgradeNow: true }
        : { ...rest, upgradeNow: false, scheduledTimestamp: isoAt(scheduled) };
    });
  }

  private renderTask(record: UpgradeRecord): TaskBody {
    const state = this.state(record);
    const attempt = record.attempts.at(-1);
    const plan = attempt ? this.plan(attempt, this.planTime(record)) : undefined;
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
      subTasks:
        plan && attempt ? this.subTasks(planSubTasks(plan, attempt.startMs, attempt.failure), attempt.startMs) : [],
      errors: failed && attempt?.failure ? [attempt.failure] : [],
      isCancellable: state === "SCHEDULED" || state === "DRAFT" || (state === "INPROGRESS" && !record.cancelAtMs),
      isRetryable: failed && !this.ctx.faults().upgradesNotRetryable,
    };
    if (failed) task.resolutionStatus = "UNRESOLVED";
    if (plan?.endMs !== undefined) task.completionTimestamp = isoAt(plan.endMs);
    return task;
  }
}

function setNsxVersion(domain: SimDomain, resourceId: string, version: string): void {
  const nsx = domain.nsx;
  if (resourceId === nsx.id) nsx.version = version;
  else if (resourceId === nsx.edgeClusterId) nsx.edgeVersion = version;
  const cluster = domain.clusters.find((c) => c.id === resourceId);
  if (cluster) cluster.nsxVersion = version;
}

function bundleType(bundle: BundleDef): string {
  return bundle.kind === "SDDC_MANAGER" ? "SDDC_MANAGER" : "VMWARE_SOFTWARE";
}

/** Status filter comparison: INPROGRESS and IN_PROGRESS are the same state. */
function statusKey(value: string): string {
  return normalize(value).replace("INPROGRESS", "IN_PROGRESS");
}
