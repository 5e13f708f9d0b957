// A new run meets the domain's last upgrade of a bundle FAILED (an earlier run failed there and the operator has
// fixed the cause). The upgrade's status may lag behind its task, so the TASK decides (UPGRADE-API.md §8):
// running again (someone retried it) -> followed; FAILED and isRetryable -> retried with PATCH /v1/tasks/{id}
// (it resumes from the failed sub-task); unknown to SDDC Manager (404), or failed and not retryable -> the caller
// POSTs a new upgrade. Never a second upgrade of a bundle while one runs: anything unclear fails the run instead.
import type { Task, Upgrade } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { engineText, englishText, type EngineText } from "../catalog";
import { EngineError, errorParam, errorText, isAbort } from "../errors";
import { httpStatusOf, isRefusal } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { RetryRequest, UpgradeRecord } from "../types";
import { findLostWork, outcomeUnknown } from "./lost-answer";
import { adopt } from "./upgrade-records";
import { label, labelText, upgradeFailed } from "./upgrade-status";

const TASK_RUNNING = new Set(["PENDING", "IN_PROGRESS"]);
/** Task statuses after which SDDC Manager does no more work on the upgrade: a new one may be started. */
const TASK_FAILED = new Set(["FAILED", "CANCELLED", "CANCELED", "SKIPPED"]);

const CHECK_TASK = engineText("checkTask");

/** The latest of the domain's upgrades of a bundle: by end time, else the list's order. */
function latest(upgrades: readonly Upgrade[]): Upgrade | undefined {
  return [...upgrades].sort((a, b) => (a.endTime ?? 0) - (b.endTime ?? 0)).at(-1);
}

function whatOf(request: Pick<RetryRequest, "upgradeId" | "componentType" | "bundleId">): EngineText {
  return engineText("upgradeOf", { upgradeId: request.upgradeId, what: labelText(request) });
}

/** The task, or undefined when SDDC Manager does not know it (404); any other error fails the run (nothing is POSTed). */
async function readTask(ctx: PhaseContext, taskId: string, what: EngineText): Promise<Task | undefined> {
  try {
    return await ctx.client.getTask(taskId, ctx.opts);
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
    if (httpStatusOf(err) === 404) return undefined;
    throw new EngineError("REMOTE_FAILURE", engineText("taskUnreadable", { taskId, what, error: errorParam(err) }), {
      fix: engineText("taskUnreadableFix", { taskId, checkTask: CHECK_TASK }),
    });
  }
}

/**
 * Waits until the retried (or otherwise resumed) upgrade reads failed no more and records it as this run's.
 * SDDC Manager may show the old failure for a moment after the retry. Used after our own PATCH, after a restart
 * with a retry recorded but not resolved, and when the task was found running already. Never POSTs.
 * `lost`: the PATCH's answer never arrived (`cause` undefined: the engine stopped before recording it).
 */
export async function resolveRetry(
  ctx: PhaseContext,
  request: RetryRequest,
  lost?: { cause: unknown },
): Promise<UpgradeRecord> {
  const what = whatOf(request);
  const resumed = await findLostWork(
    ctx,
    engineText("lostRetry", { what }),
    `retry:${request.taskId}:${request.requestedAt}`,
    async (signal) => {
      const upgrade = await ctx.client.getUpgrade(request.upgradeId, { signal });
      return upgradeFailed(upgrade) ? undefined : upgrade;
    },
  );
  if (!resumed) {
    if (lost)
      throw outcomeUnknown(
        engineText("taskRetryRequest", { taskId: request.taskId }),
        request.requestedAt,
        lost.cause,
        engineText("checkRetriedTask", { taskId: request.taskId }),
      );
    throw new EngineError("REMOTE_FAILURE", engineText("retriedStillFailed", { taskId: request.taskId, what }), {
      fix: CHECK_TASK,
    });
  }
  await ctx.handle.log(
    "info",
    `Following ${englishText(what)} (status ${normalizeStatus(resumed.status)}), resumed by the retry of its task ${request.taskId}`,
  );
  const record = await adopt(ctx, resumed.id, request.bundleId, request.componentType, resumed.status);
  if (record.retriedTaskId === undefined)
    await ctx.handle.update(() => {
      record.retriedTaskId = request.taskId;
    });
  return record;
}

/** A 409 on the retry says the task is not FAILED: read it again and follow it when it runs. */
async function afterConflict(
  ctx: PhaseContext,
  request: RetryRequest,
  err: unknown,
): Promise<UpgradeRecord | undefined> {
  const what = whatOf(request);
  const task = await readTask(ctx, request.taskId, what);
  const status = task ? normalizeStatus(task.status) : "unknown to SDDC Manager";
  if (task && TASK_RUNNING.has(status)) {
    await ctx.handle.log(
      "info",
      `SDDC Manager refused to retry task ${request.taskId} because it runs again (${status}): following ${englishText(what)}`,
    );
    return resolveRetry(ctx, request);
  }
  await ctx.handle.update((r) => {
    delete r.remote.retryRequest;
  });
  if (!task || (TASK_FAILED.has(status) && task.isRetryable !== true)) {
    await ctx.handle.log(
      "warning",
      `SDDC Manager refused to retry task ${request.taskId} (${errorText(err)}); it is ${status} and not retryable, so a new upgrade is started`,
    );
    return undefined;
  }
  throw new EngineError(
    "REMOTE_FAILURE",
    engineText("retryRefusedTaskStatus", { taskId: request.taskId, what, error: errorParam(err), status }),
    { fix: CHECK_TASK },
  );
}

/** Saves the retry request, then PATCHes the task; resolves to the resumed upgrade (undefined: POST a new one). */
async function retryTask(ctx: PhaseContext, request: RetryRequest): Promise<UpgradeRecord | undefined> {
  await ctx.handle.update((r) => {
    r.remote.retryRequest = request;
  });
  await ctx.handle.log(
    "info",
    `The earlier upgrade ${request.upgradeId} of ${label(request)} failed and its task is retryable: retrying task ${request.taskId} in SDDC Manager (it resumes from the failed step) instead of starting a new upgrade`,
  );
  try {
    await ctx.client.retryTask(request.taskId, ctx.opts);
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
    const status = httpStatusOf(err);
    if (status === 409) return afterConflict(ctx, request, err);
    if (status === 404) {
      await ctx.handle.update((r) => {
        delete r.remote.retryRequest;
      });
      await ctx.handle.log(
        "warning",
        `SDDC Manager no longer knows task ${request.taskId} (${errorText(err)}); a new upgrade is started`,
      );
      return undefined;
    }
    if (isRefusal(err)) {
      await ctx.handle.update((r) => {
        delete r.remote.retryRequest;
      });
      throw new EngineError(
        "REMOTE_FAILURE",
        engineText("retryRefused", { taskId: request.taskId, what: whatOf(request), error: errorParam(err) }),
        { fix: CHECK_TASK },
      );
    }
    await ctx.handle.log(
      "warning",
      `No answer to the retry of task ${request.taskId} (${errorText(err)}); looking at the upgrade instead of retrying again`,
    );
    return resolveRetry(ctx, request, { cause: err });
  }
  return resolveRetry(ctx, request);
}

/**
 * Continues the latest upgrade in `upgrades` (none of them reads running) when it failed: follows it when its task
 * runs again, else retries the task when it can. Undefined when a new upgrade is to be POSTed.
 */
export async function retryFailedUpgrade(
  ctx: PhaseContext,
  upgrades: readonly Upgrade[],
  bundleId: string,
  kind: string,
): Promise<UpgradeRecord | undefined> {
  const last = latest(upgrades);
  if (!last || !upgradeFailed(last)) return undefined;
  const request: RetryRequest = {
    taskId: last.taskId || last.id,
    upgradeId: last.id,
    bundleId,
    componentType: kind,
    requestedAt: new Date().toISOString(),
  };
  const what = whatOf(request);
  const upgradeStatus = normalizeStatus(last.status);
  const task = await readTask(ctx, request.taskId, what);
  if (!task) {
    await ctx.handle.log(
      "info",
      `The earlier upgrade ${last.id} of ${label(request)} ended ${upgradeStatus}; SDDC Manager no longer knows its task ${request.taskId}, so a new upgrade is started`,
    );
    return undefined;
  }
  const taskStatus = normalizeStatus(task.status);
  if (TASK_RUNNING.has(taskStatus)) {
    await ctx.handle.log(
      "info",
      `The earlier upgrade ${last.id} of ${label(request)} reads ${upgradeStatus}, but its task ${request.taskId} is ${taskStatus} (retried meanwhile): following it instead of starting a new upgrade`,
    );
    return resolveRetry(ctx, request);
  }
  if (taskStatus === "FAILED" && task.isRetryable === true) return retryTask(ctx, request);
  if (TASK_FAILED.has(taskStatus)) {
    await ctx.handle.log(
      "info",
      `The earlier upgrade ${last.id} of ${label(request)} ended ${upgradeStatus}; its task ${request.taskId} is ${taskStatus} and not retryable, so a new upgrade is started`,
    );
    return undefined;
  }
  throw new EngineError(
    "REMOTE_FAILURE",
    engineText("taskStatusUnclear", { what, upgradeStatus, taskId: request.taskId, taskStatus }),
    { fix: CHECK_TASK },
  );
}
