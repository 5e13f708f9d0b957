// A new run meets the domain's last upgrade of a bundle FAILED (an earlier run failed there and the operator has
// fixed the cause). When its task says isRetryable, SDDC Manager's own retry (PATCH /v1/tasks/{id}, UPGRADE-API.md
// §8) resumes that upgrade from the failed sub-task; otherwise, or when SDDC Manager refuses, the caller POSTs a new
// upgrade. The run's log says which way was taken.
import type { Upgrade } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { EngineError, isAbort } from "../errors";
import { isRefusal } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { UpgradeRecord } from "../types";
import { findLostWork, outcomeUnknown } from "./lost-answer";
import { adopt } from "./upgrade-records";
import { label, upgradeFailed } from "./upgrade-status";

/** The latest of the domain's upgrades of a bundle: by end time, else the list's order. */
function latest(upgrades: readonly Upgrade[]): Upgrade | undefined {
  return [...upgrades].sort((a, b) => (a.endTime ?? 0) - (b.endTime ?? 0)).at(-1);
}

/**
 * Retries the failed task of the latest upgrade in `upgrades` (none of them running) and returns that upgrade,
 * recorded as this run's; undefined when there is nothing to retry and a new upgrade is to be POSTed.
 */
export async function retryFailedUpgrade(ctx: PhaseContext, upgrades: readonly Upgrade[], bundleId: string, kind: string): Promise<UpgradeRecord | undefined> {
  const last = latest(upgrades);
  if (!last || !upgradeFailed(last)) return undefined;
  const what = label({ componentType: kind, bundleId });
  const taskId = last.taskId || last.id;
  // A task SDDC Manager no longer knows (404) cannot be retried either.
  const task = await ctx.client.getTask(taskId, ctx.opts).catch((err: unknown) => {
    if (isRefusal(err)) return undefined;
    throw err;
  });
  const taskStatus = task ? normalizeStatus(task.status) : "unknown";
  if (task?.isRetryable !== true || taskStatus !== "FAILED") {
    await ctx.handle.log("info", `The earlier upgrade ${last.id} of ${what} ended ${normalizeStatus(last.status)}; its task ${taskId} is ${taskStatus} and not retryable, so a new upgrade is started`);
    return undefined;
  }
  await ctx.handle.log("info", `The earlier upgrade ${last.id} of ${what} failed and its task is retryable: retrying task ${taskId} in SDDC Manager (it resumes from the failed step) instead of starting a new upgrade`);
  const requestedAt = new Date().toISOString();
  let lost: unknown;
  try {
    await ctx.client.retryTask(taskId, ctx.opts);
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
    if (!isRefusal(err)) {
      lost = err;
      await ctx.handle.log("warning", `No answer to the retry of task ${taskId} (${(err as Error).message}); looking at the upgrade instead of retrying again`);
    } else if (upgradeFailed(await ctx.client.getUpgrade(last.id, ctx.opts))) {
      await ctx.handle.log("warning", `SDDC Manager refused to retry task ${taskId} (${(err as Error).message}); starting a new upgrade instead`);
      return undefined;
    }
    // Refused because it is failed no more: someone retried it meanwhile, so it is followed like our own retry.
  }
  // SDDC Manager may still show the old failure for a moment after the retry: wait until the upgrade moves on.
  const resumed = await findLostWork(ctx, `the retried upgrade ${last.id} of ${what}`, `retry:${taskId}:${requestedAt}`,
    async (signal) => {
      const upgrade = await ctx.client.getUpgrade(last.id, { signal: signal ?? ctx.signal });
      return upgradeFailed(upgrade) ? undefined : upgrade;
    });
  if (!resumed) {
    if (lost !== undefined) throw outcomeUnknown(`the retry of task ${taskId}`, requestedAt, lost, `the task ${taskId} (Lifecycle Management > Upgrades)`);
    throw new EngineError("REMOTE_FAILURE", `SDDC Manager accepted the retry of task ${taskId}, but the upgrade ${last.id} of ${what} still reads failed`, {
      fix: "Look at the task in SDDC Manager; retry it there or start a new run",
    });
  }
  return adopt(ctx, resumed.id, bundleId, kind, resumed.status);
}
