import { isoAt } from "./clock";
import type { SimContext } from "./context";
import { attemptFails } from "./context";
import type { ErrorBody } from "./errors";
import { ApiError, errorBody, notFound } from "./errors";
import type { BundleDef } from "./inventory";
import { BUNDLE_COMPONENT_TYPES, findRelease } from "./inventory";
import type { PlanStep, PlanView } from "./plan";
import { evaluatePlan } from "./plan";
import { BodyObject } from "./request-body";
import type { TaskBody } from "./tasks";
import { describe, planSubTasks } from "./tasks";

/** Bundles in the depot and their download state machine (UPGRADE-API.md §3). */

export type DownloadStatus = "PENDING" | "SCHEDULED" | "IN_PROGRESS" | "SUCCESSFUL" | "FAILED" | "RECALLED";

interface DownloadAttempt {
  taskId: string;
  requestedMs: number;
  startMs: number;
  fails: boolean;
  cancelledMs?: number;
  /** Reads of the bundle left that still show the earlier attempt's FAILED (fault staleFailedReads). */
  staleReads: number;
}

interface BundleState {
  def: BundleDef;
  attempts: DownloadAttempt[];
}

export class BundleService {
  private readonly bundles = new Map<string, BundleState>();

  constructor(private readonly ctx: SimContext) {
    for (const def of ctx.inventory.bundles) this.bundles.set(def.id, { def, attempts: [] });
  }

  find(id: string): BundleDef | undefined {
    return this.bundles.get(id)?.def;
  }

  require(id: string): BundleState {
    const state = this.bundles.get(id);
    if (!state) throw notFound("Bundle", id, "BUNDLE_NOT_FOUND", "Use GET /v1/bundles to list the bundle ids.");
    return state;
  }

  /** GET /v1/bundles; every simulated bundle belongs to product type VCF. */
  list(filter: { productType?: string; bundleType?: string }): unknown[] {
    if (filter.productType && filter.productType !== "VCF") return [];
    return [...this.bundles.values()]
      .filter((b) => !filter.bundleType || bundleType(b.def) === filter.bundleType)
      .map((b) => this.render(b));
  }

  get(id: string): unknown {
    return this.render(this.require(id));
  }

  /** GET /v1/bundles/{id}: the bundle, and the read uses up one stale FAILED of the latest attempt. */
  read(id: string): unknown {
    const state = this.require(id);
    const body = this.render(state);
    const attempt = state.attempts.at(-1);
    if (attempt && attempt.staleReads > 0) attempt.staleReads -= 1;
    return body;
  }

  status(id: string): DownloadStatus {
    return this.statusOf(this.require(id));
  }

  /** 9.0: GET /v1/bundles/download-status, every bundle's download in one list (filters as the spec names them). */
  downloadStatus(filter: { releaseVersion?: string; bundleId?: string; imageType?: string }): unknown[] {
    if (filter.imageType && filter.imageType !== "PATCH") return [];
    return [...this.bundles.values()]
      .filter((b) => !filter.releaseVersion || b.def.releaseVersion === filter.releaseVersion)
      .filter((b) => !filter.bundleId || b.def.id === filter.bundleId)
      .map((b) => {
        const status = this.statusOf(b);
        const attempt = b.attempts.at(-1);
        return {
          componentType: BUNDLE_COMPONENT_TYPES[b.def.kind],
          version: b.def.toVersion,
          bundleId: b.def.id,
          ...(attempt ? { downloadId: attempt.taskId, downloadStartTime: attempt.startMs } : {}),
          downloadStatus: status,
          downloadScheduledTime: attempt?.requestedMs ?? 0,
          isDownloadCancellable: status === "SCHEDULED" || status === "IN_PROGRESS",
          isDownloadable: status !== "RECALLED",
        };
      });
  }

  /** PATCH /v1/bundles/{id} with a BundleUpdateSpec. */
  update(id: string, body: unknown): TaskBody {
    const state = this.require(id);
    const spec = this.readUpdateSpec(body);
    const now = this.ctx.clock.nowMs();
    const current = this.statusOf(state);
    const attempt = state.attempts.at(-1);
    if (spec.cancelNow) {
      if (!attempt || (current !== "SCHEDULED" && current !== "IN_PROGRESS")) {
        throw new ApiError(
          400,
          "BUNDLE_DOWNLOAD_NOT_IN_PROGRESS",
          `No download of bundle ${id} is scheduled or running`,
          "Cancel only a SCHEDULED or IN_PROGRESS download.",
          [id],
        );
      }
      attempt.cancelledMs = now;
      return this.renderTask(state, attempt);
    }
    if (current === "RECALLED") {
      throw new ApiError(
        409,
        "BUNDLE_RECALLED",
        `Bundle ${id} was recalled by VMware and can no longer be downloaded`,
        "Do not download or apply a recalled bundle; wait for its replacement in GET /v1/bundles or ask VMware support.",
        [id],
      );
    }
    if (current === "SCHEDULED" || current === "IN_PROGRESS" || current === "SUCCESSFUL") {
      throw new ApiError(
        409,
        "BUNDLE_DOWNLOAD_ALREADY_TRIGGERED",
        `A download has already been triggered for bundle ${id} (status ${current})`,
        "Only one download can be triggered for a bundle; GET /v1/bundles/{id} and follow its downloadStatus.",
        [id],
      );
    }
    const startMs =
      spec.scheduledMs !== undefined && !spec.downloadNow
        ? Math.max(now, spec.scheduledMs)
        : now + this.ctx.faults().durations.downloadQueueSeconds * 1000;
    const faults = this.ctx.faults();
    const next: DownloadAttempt = {
      staleReads: current === "FAILED" ? faults.staleFailedReads : 0,
      taskId: this.ctx.ids.next("download-task"),
      requestedMs: now,
      startMs,
      fails: attemptFails(
        faults.failDownloadOf.includes(state.def.kind),
        state.attempts.length + 1,
        faults.failAttempts,
      ),
    };
    state.attempts.push(next);
    this.ctx.tasks.register(next.taskId, { render: () => this.renderTask(state, next) });
    return this.renderTask(state, next);
  }

  snapshot(): Record<string, DownloadStatus> {
    return Object.fromEntries([...this.bundles.values()].map((b) => [b.def.id, this.statusOf(b)]));
  }

  private readUpdateSpec(body: unknown): { downloadNow: boolean; cancelNow: boolean; scheduledMs?: number } {
    const root = BodyObject.root(body, "BundleUpdateSpec", this.ctx.strict);
    if (!this.ctx.strict && root.value.downloadNow === true && root.value.bundleDownloadSpec === undefined) {
      return { downloadNow: true, cancelNow: false };
    }
    root.allowOnly("BundleUpdateSpec", ["bundleDownloadSpec", "compatibilitySetsFilePath"]);
    const spec = root
      .object("bundleDownloadSpec", "BundleDownloadSpec", true)
      .allowOnly("BundleDownloadSpec", ["downloadNow", "scheduledTimestamp", "cancelNow"]);
    const downloadNow = spec.boolean("downloadNow") ?? false;
    const cancelNow = spec.boolean("cancelNow") ?? false;
    const scheduled = spec.string("scheduledTimestamp");
    let scheduledMs: number | undefined;
    if (scheduled !== undefined) {
      scheduledMs = Date.parse(scheduled);
      if (Number.isNaN(scheduledMs)) {
        throw new ApiError(
          400,
          "INVALID_REQUEST_BODY",
          "Invalid field 'bundleDownloadSpec.scheduledTimestamp': not an ISO-8601 date-time",
          "Use e.g. 2024-11-05T02:00:00Z.",
          ["bundleDownloadSpec.scheduledTimestamp"],
        );
      }
    }
    if (!downloadNow && !cancelNow && scheduledMs === undefined) {
      throw new ApiError(
        400,
        "INVALID_REQUEST_BODY",
        "Invalid field 'bundleDownloadSpec': set downloadNow, scheduledTimestamp or cancelNow",
        'Send {"bundleDownloadSpec":{"downloadNow":true}}.',
        ["bundleDownloadSpec"],
      );
    }
    return { downloadNow, cancelNow, scheduledMs };
  }

  private plan(state: BundleState, attempt: DownloadAttempt): PlanView {
    const d = this.ctx.faults().durations;
    const steps: PlanStep[] = [
      {
        name: "Download bundle",
        type: "BUNDLE_DOWNLOAD",
        description: `Download ${state.def.sizeMB} MB`,
        seconds: state.def.sizeMB / d.downloadMegabytesPerSecond,
      },
      {
        name: "Validate bundle",
        type: "BUNDLE_VALIDATING",
        description: "Validate the bundle checksum and signature",
        seconds: d.bundleValidationSeconds,
        fails: attempt.fails,
      },
    ];
    const now = attempt.cancelledMs ?? this.ctx.clock.nowMs();
    return evaluatePlan(steps, attempt.startMs, now, this.ctx.faults().downloadNeverFinishes);
  }

  private statusOf(state: BundleState): DownloadStatus {
    if (this.ctx.faults().recallBundleOf.includes(state.def.kind)) return "RECALLED";
    const attempt = state.attempts.at(-1);
    if (!attempt || attempt.cancelledMs !== undefined) return "PENDING";
    if (attempt.staleReads > 0) return "FAILED";
    if (this.ctx.clock.nowMs() < attempt.startMs) return "SCHEDULED";
    const plan = this.plan(state, attempt);
    if (plan.state === "RUNNING") return "IN_PROGRESS";
    return plan.state === "FAILED" ? "FAILED" : "SUCCESSFUL";
  }

  private render(state: BundleState): unknown {
    const def = state.def;
    return {
      id: def.id,
      type: bundleType(def),
      description: def.description,
      version: def.releaseVersion,
      severity: "IMPORTANT",
      vendor: "VMware",
      releasedDate: releasedDate(def),
      isCumulative: true,
      isCompliant: true,
      sizeMB: def.sizeMB,
      downloadStatus: this.statusOf(state),
      components: [
        {
          description: def.description,
          vendor: "VMware",
          releasedDate: releasedDate(def),
          toVersion: def.toVersion,
          fromVersion: def.fromVersion,
          imageType: "PATCH",
          id: def.componentId,
          type: BUNDLE_COMPONENT_TYPES[def.kind],
        },
      ],
      applicabilityStatus: "AVAILABLE",
      applicabilityOrder: ["SDDC_MANAGER", "NSX_T_MANAGER", "VCENTER", "ESX_HOST"].indexOf(def.kind) + 1,
      isPartiallyUpgraded: false,
    };
  }

  /** Download tasks use the title-case status spellings (`In Progress`, `Successful`) the spec also allows. */
  private renderTask(state: BundleState, attempt: DownloadAttempt): TaskBody {
    const now = this.ctx.clock.nowMs();
    const plan = this.plan(state, attempt);
    const failure = attempt.fails ? downloadError(state.def) : undefined;
    let status = "In Progress";
    if (attempt.cancelledMs !== undefined) status = "Cancelled";
    else if (now < attempt.startMs) status = "Pending";
    else if (plan.state === "FAILED") status = "Failed";
    else if (plan.state === "SUCCEEDED") status = "Successful";
    const name = `Download bundle ${state.def.id}`;
    const task: TaskBody = {
      id: attempt.taskId,
      name,
      localizableDescriptionPack: describe(name, "bundle_download"),
      type: "BUNDLE_DOWNLOAD",
      status,
      creationTimestamp: isoAt(attempt.requestedMs),
      resources: [{ resourceId: state.def.id, type: "BUNDLE" }],
      subTasks: planSubTasks(plan, attempt.startMs, failure),
      errors: plan.state === "FAILED" && failure ? [failure] : [],
      isCancellable: status === "In Progress" || status === "Pending",
      isRetryable: false,
    };
    const subTask = task.subTasks[0];
    if (subTask && plan.steps[0])
      subTask.description = `Downloaded ${Math.round(state.def.sizeMB * plan.steps[0].progress)} of ${state.def.sizeMB} MB`;
    const end = attempt.cancelledMs ?? plan.endMs;
    if (status !== "In Progress" && status !== "Pending" && end !== undefined) task.completionTimestamp = isoAt(end);
    return task;
  }
}

function bundleType(def: BundleDef): string {
  return def.kind === "SDDC_MANAGER" ? "SDDC_MANAGER" : "VMWARE_SOFTWARE";
}

function releasedDate(def: BundleDef): string {
  return findRelease(def.releaseVersion)?.releaseDate ?? "2024-01-01T00:00:00.000Z";
}

function downloadError(def: BundleDef): ErrorBody {
  return errorBody(
    "BUNDLE_DOWNLOAD_FAILED",
    `downloadError: checksum validation of bundle ${def.id} failed after download (${def.description})`,
    {
      arguments: [def.id],
      remediationMessage: "Check the depot connection and proxy, then request the download again.",
      context: { bundleId: def.id },
    },
  );
}
