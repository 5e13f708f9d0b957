import type { Bundle } from "../../vcf/types";
import { speaks90 } from "../../vcf/generation";
import { normalizeStatus } from "../../vcf/status";
import { capText, NAME_CAP } from "../../vcf/text-cap";
import { engineText } from "../catalog";
import { EngineError, fixOr } from "../errors";
import { describeApiErrors, httpStatusOf, type FailureText } from "../remote-errors";
import { depotGate } from "../readiness/depot-gate";
import { PhaseContext } from "../run-handle";
import { sharedBundle } from "../shared-reads";
import type { BundleRecord } from "../types";
import { neededBundles } from "../steps/bundle-choice";
import { collectTaskErrors } from "../steps/task-errors";
import { kindOfType } from "../steps/upgrade-specs";

const IN_FLIGHT = new Set(["PENDING", "SCHEDULED", "IN_PROGRESS", "VALIDATING"]);
/** How a download task ends when it did not download the bundle. */
const TASK_FAILED = new Set(["FAILED", "CANCELLED"]);

/** The bundle's downloadStatus; `stale`: a FAILED still left from an earlier attempt while our request's task goes on. */
interface DownloadReading {
  bundle: Bundle;
  status: string;
  stale: boolean;
}

function bundleName(b: Pick<BundleRecord, "bundleId" | "description">): string {
  return b.description ? `${b.description} (${b.bundleId})` : b.bundleId;
}

/** Progress of the download phase: 5..25 % of the whole run. */
async function reportProgress(ctx: PhaseContext): Promise<void> {
  const records = Object.values(ctx.run.remote.bundles);
  const done = records.filter((b) => normalizeStatus(b.downloadStatus) === "SUCCESSFUL").length;
  await ctx.handle.step(
    `Downloading bundles: ${done} of ${records.length} ready`,
    5 + (20 * done) / Math.max(1, records.length),
  );
}

/** SDDC Manager's error for the download: its task's errors, else the status. */
async function failureDetail(ctx: PhaseContext, record: BundleRecord, status: string): Promise<FailureText> {
  const fallback = { message: `download status ${status}` };
  if (!record.taskId) return fallback;
  const task = await ctx.client.getTask(record.taskId, ctx.opts).catch(() => undefined);
  return task ? describeApiErrors(collectTaskErrors(task), fallback.message) : fallback;
}

async function failureText(ctx: PhaseContext, record: BundleRecord, status: string): Promise<EngineError> {
  const detail = await failureDetail(ctx, record, status);
  const params = { bundle: bundleName(record), error: detail.message };
  return status === "RECALLED"
    ? new EngineError("REMOTE_FAILURE", engineText("bundleRecalled", params), { fix: engineText("bundleRecalledFix") })
    : new EngineError("REMOTE_FAILURE", engineText("bundleDownloadFailed", params), {
        fix: fixOr(detail.remediation, engineText("bundleDownloadFailedFix")),
      });
}

/** Asks SDDC Manager to download the bundle, once; a 409 means it was already requested. */
async function requestDownload(ctx: PhaseContext, record: BundleRecord): Promise<void> {
  try {
    const task = await ctx.client.requestBundleDownload(record.bundleId, ctx.opts);
    await ctx.handle.update(() => {
      record.requested = true;
      record.taskId = task.id;
    });
    await ctx.handle.log("info", `Requested download of bundle ${bundleName(record)}`, { taskId: task.id });
  } catch (err) {
    if (httpStatusOf(err) !== 409) throw err;
    await ctx.handle.update(() => {
      record.requested = true;
    });
    await ctx.handle.log("info", `Download of bundle ${bundleName(record)} was already requested (409); following it`);
  }
}

/**
 * A download of ours that ended FAILED: requested again while attempts are left (downloadRetries), each failure logged
 * with SDDC Manager's error; after the last attempt the run fails naming the bundle, the attempts and the error.
 */
async function requestAgain(ctx: PhaseContext, record: BundleRecord): Promise<void> {
  const attempt = record.attempts ?? 1;
  const allowed = ctx.settings.downloadRetries + 1;
  const detail = await failureDetail(ctx, record, "FAILED");
  if (attempt >= allowed) {
    throw new EngineError(
      "REMOTE_FAILURE",
      engineText("bundleDownloadAttemptsFailed", {
        bundle: bundleName(record),
        attempts: attempt,
        error: detail.message,
      }),
      { fix: fixOr(detail.remediation, engineText("bundleDownloadFailedFix")) },
    );
  }
  await ctx.handle.log(
    "warning",
    `Download of bundle ${bundleName(record)} failed (attempt ${attempt} of ${allowed}): ${detail.message}; requesting it again`,
    { taskId: record.taskId },
  );
  // One change: a restart after it sees an unrequested FAILED bundle and requests it as this attempt.
  await ctx.handle.update((r) => {
    record.requested = false;
    record.attempts = attempt + 1;
    delete record.taskId;
    delete record.downloadStatus;
    delete r.deadlines[`download:${record.bundleId}`];
  });
  await requestDownload(ctx, record);
}

/**
 * Right after a download is requested (again), the bundle can still read FAILED from the earlier attempt: a FAILED
 * counts only once the task of our request has ended without the bundle. Without a task of ours (a 409 answered the
 * request) the bundle's word stands.
 */
async function readDownload(
  ctx: PhaseContext,
  record: BundleRecord,
  maxAgeMs: number,
  signal: AbortSignal | undefined,
): Promise<DownloadReading> {
  const bundle = await sharedBundle(ctx.client, record.bundleId, maxAgeMs, signal);
  const status = normalizeStatus(bundle.downloadStatus);
  if (status !== "FAILED" || !record.taskId || !record.requested) return { bundle, status, stale: false };
  const task = await ctx.client.getTask(record.taskId, { signal });
  return { bundle, status, stale: !TASK_FAILED.has(normalizeStatus(task.status)) };
}

/** The component the bundle upgrades, with its versions (capped), for the run's report. */
function componentOf(bundle: Bundle): BundleRecord["component"] {
  const c = bundle.components?.find((x) => kindOfType(x.type) !== undefined);
  if (!c?.type) return undefined;
  return {
    type: capText(c.type, NAME_CAP),
    ...(c.fromVersion ? { fromVersion: capText(c.fromVersion, NAME_CAP) } : {}),
    ...(c.toVersion ? { toVersion: capText(c.toVersion, NAME_CAP) } : {}),
  };
}

async function downloadOne(ctx: PhaseContext, record: BundleRecord): Promise<void> {
  // The domains of a fleet start their downloads together: a read as old as the base poll interval serves them all (a
  // download another run requested meanwhile answers 409 below, and is followed).
  const first = await readDownload(ctx, record, ctx.settings.pollIntervalMs, ctx.signal);
  const bundle = first.bundle;
  const component = record.component ? undefined : componentOf(bundle);
  if ((!record.description && bundle.description) || component)
    await ctx.handle.update(() => {
      if (bundle.description) record.description ??= capText(bundle.description, NAME_CAP);
      if (component) record.component = component;
    });
  // A stale FAILED (a restart right after our request) is followed like a download in flight.
  const status = first.stale ? "IN_PROGRESS" : first.status;
  if (status === "SUCCESSFUL") {
    await ctx.handle.update(() => {
      record.downloadStatus = status;
    });
    await ctx.handle.log("success", `Bundle ${bundleName(record)} is already downloaded`);
    return;
  }
  if (status === "RECALLED") throw await failureText(ctx, record, status);
  for (let end = status; ;) {
    if (end === "FAILED" && record.requested) await requestAgain(ctx, record);
    else if (!record.requested && (end === "PENDING" || end === "FAILED")) {
      if (end === "FAILED")
        await ctx.handle.log(
          "warning",
          `An earlier download of bundle ${bundleName(record)} failed; requesting it again`,
        );
      await requestDownload(ctx, record);
    }
    end = await followDownload(ctx, record);
    if (end === "SUCCESSFUL") return;
    if (end !== "FAILED") throw await failureText(ctx, record, end);
  }
}

/** Polls the bundle until the download of this attempt ends; its end status. */
async function followDownload(ctx: PhaseContext, record: BundleRecord): Promise<string> {
  const final = await ctx.wait({
    what: engineText("waitDownload", { bundle: bundleName(record) }),
    deadlineKey: `download:${record.bundleId}`,
    deadlineMs: ctx.settings.downloadDeadlineMs,
    // Every domain of the release waits for the same bundle: one read serves the runs polling it at about that time.
    poll: (signal, look) => readDownload(ctx, record, look.maxAgeMs, signal),
    until: (r) => !r.stale && !IN_FLIGHT.has(r.status) && r.status !== "",
    justLooked: true,
    onValue: async (r) => {
      const now = r.status;
      if (r.stale || now === record.downloadStatus) return;
      await ctx.handle.update(() => {
        record.downloadStatus = now;
      });
      await ctx.handle.log(now === "SUCCESSFUL" ? "success" : "info", `Bundle ${bundleName(record)}: ${now}`);
      await reportProgress(ctx);
    },
  });
  return final.status;
}

/**
 * The names of the bundles not downloaded yet, as SDDC Manager reads now. A 9.0 SDDC Manager tells every bundle of
 * the release in one read (GET /v1/bundles/download-status); a bundle it does not list there is read on its own.
 */
async function stillToDownload(ctx: PhaseContext, records: BundleRecord[]): Promise<string[]> {
  const listed = speaks90(ctx.run.api)
    ? new Map(
        (await ctx.client.getBundleDownloadStatus(ctx.run.targetVersion, ctx.opts)).map((s) => [
          s.bundleId,
          normalizeStatus(s.downloadStatus),
        ]),
      )
    : new Map<string | undefined, string>();
  const names: string[] = [];
  for (const record of records) {
    const status = listed.get(record.bundleId);
    if (status !== undefined) {
      if (status !== "SUCCESSFUL") names.push(record.description ?? record.bundleId);
      continue;
    }
    const bundle = await sharedBundle(ctx.client, record.bundleId, ctx.settings.pollIntervalMs, ctx.signal);
    if (normalizeStatus(bundle.downloadStatus) !== "SUCCESSFUL")
      names.push(bundle.description ? capText(bundle.description, NAME_CAP) : record.bundleId);
  }
  return names;
}

/** Runs `work` over `items` with at most `limit` at a time; the first failure aborts the others. */
async function eachLimited<T>(
  ctx: PhaseContext,
  items: T[],
  limit: number,
  work: (child: PhaseContext, item: T) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const child = new PhaseContext(
    ctx.client,
    ctx.settings,
    ctx.handle,
    AbortSignal.any([ctx.signal, stop.signal]),
    ctx.runById,
  );
  const queue = [...items];
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (queue.length > 0 && failure === undefined) {
      const item = queue.shift() as T;
      try {
        await work(child, item);
      } catch (err) {
        if (failure === undefined) {
          failure = err;
          stop.abort();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure;
}

/** The download phase: every bundle of the target release on disk, or a failure naming the bundle. */
export async function downloadBundles(ctx: PhaseContext): Promise<void> {
  if (ctx.run.status === "update_process_started") await ctx.handle.to("downloading_bundles", "Downloading bundles");
  if (Object.keys(ctx.run.remote.bundles).length === 0) {
    const ids = await neededBundles(ctx);
    if (ids.length === 0) {
      throw new EngineError("REMOTE_FAILURE", engineText("noBundles", { version: ctx.run.targetVersion }), {
        fix: engineText("noBundlesFix"),
      });
    }
    await ctx.handle.update((r) => {
      for (const id of ids) r.remote.bundles[id] = { bundleId: id, requested: false };
    });
    await ctx.handle.log("info", `The target release needs ${ids.length} bundle(s)`, { bundleIds: ids });
  }
  await reportProgress(ctx);
  const records = Object.values(ctx.run.remote.bundles);
  // Before the first download request of the run (a resumed phase has made its requests already).
  if (records.every((r) => !r.requested && !r.attempts)) await depotGate(ctx, () => stillToDownload(ctx, records));
  await eachLimited(ctx, records, ctx.settings.downloadConcurrency, downloadOne);
  await ctx.handle.step(`All ${records.length} bundle(s) downloaded`, 25);
  await ctx.handle.log("success", `All ${records.length} bundle(s) are downloaded`);
}
