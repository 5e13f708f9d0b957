// A fresh SDDC Manager backup before the first component of the run (UPGRADE-API.md §14.1), once per run. The task id
// is recorded like every remote operation: a restart follows the same task and never takes a second backup.
import { normalizeStatus } from "../../vcf/status";
import type { BackupTask, Task } from "../../vcf/types";
import { engineText, englishText, type EngineText } from "../catalog";
import { EngineError, errorParam, errorText, fixOr, isAbort } from "../errors";
import { describeApiErrors, isRefusal, remediationOf } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { BackupOptions, BackupRecord } from "../types";
import { sharedRead } from "../shared-reads";
import { listBackupTasks, sharedBackupTasks } from "../steps/backup-tasks";
import { findLostWork, outcomeUnknown } from "../steps/lost-answer";
import { collectTaskErrors } from "../steps/task-errors";

const RUNNING = new Set(["PENDING", "IN_PROGRESS", ""]);
const PASSED = new Set(["SUCCESSFUL", "COMPLETED_WITH_WARNING"]);

const created = (t: Task): number => Date.parse(t.creationTimestamp ?? "") || 0;
const isRunning = (t: Task): boolean => ["PENDING", "IN_PROGRESS"].includes(normalizeStatus(t.status));
const newest = (list: Task[]): Task | undefined => list.sort((a, b) => created(b) - created(a))[0];

/** SDDC Manager's backup tasks created (on its clock) after `after`, oldest first. */
async function backupTasksAfter(ctx: PhaseContext, after: number, signal: AbortSignal | undefined): Promise<Task[]> {
  const tasks = await listBackupTasks(ctx.client, signal);
  return tasks
    .filter((t) => Date.parse(t.creationTimestamp ?? "") > after)
    .sort((a, b) => Date.parse(a.creationTimestamp ?? "") - Date.parse(b.creationTimestamp ?? ""));
}

/**
 * The backup our unanswered POST started: a backup task newer than every one listed before it. None, although SDDC
 * Manager answered the look (a request dropped on the way, as while SDDC Manager upgrades itself): a backup only
 * copies, so it is sent again ("again"), once; a second loss leaves the outcome unknown.
 */
async function adoptLostBackup(ctx: PhaseContext, record: BackupRecord, cause: unknown): Promise<"adopted" | "again"> {
  const requestedAt = record.requestedAt ?? "";
  const found = await findLostWork(ctx, engineText("lostBackup"), `backup:${requestedAt}`, async (signal) => {
    return (await backupTasksAfter(ctx, record.tasksBefore ?? 0, signal))[0]?.id;
  });
  if (found) {
    await ctx.handle.update(() => {
      record.taskId = found;
    });
    await ctx.handle.log("info", `Following the SDDC Manager backup task ${found}, started by the unanswered request`);
    return "adopted";
  }
  if (record.sentAgain) {
    throw outcomeUnknown(engineText("backupRequest"), requestedAt, cause, engineText("checkBackups"));
  }
  await ctx.handle.update(() => {
    delete record.requestedAt;
    delete record.tasksBefore;
    record.sentAgain = true;
  });
  await ctx.handle.log(
    "warning",
    `The SDDC Manager backup request sent at ${requestedAt} never reached SDDC Manager (it lists no backup task since); a backup only copies, so it is sent again, once`,
  );
  return "again";
}

/**
 * The backup that kept ours from starting: the newest backup task still running (a scheduled one, one started by
 * hand or by another run), else the newest one created since our request was prepared (it may have ended between the
 * refusal and this look).
 */
async function concurrentBackupTask(ctx: PhaseContext, record: BackupRecord): Promise<Task | undefined> {
  const tasks = await listBackupTasks(ctx.client, ctx.signal);
  return newest(tasks.filter(isRunning)) ?? newest(tasks.filter((t) => created(t) > (record.tasksBefore ?? 0)));
}

/** Records `running` as the run's fresh backup: a restart follows it as well. */
async function followRunning(ctx: PhaseContext, record: BackupRecord, running: Task, text: string): Promise<void> {
  await ctx.handle.update(() => {
    record.taskId = running.id;
    record.alreadyRunning = true;
  });
  await ctx.handle.log("info", text, { taskId: running.id });
}

/**
 * SDDC Manager refuses a backup while another one runs (the spec documents only a 400 for the refusal, no code):
 * that backup is followed as the fresh backup, recorded like our own, so a restart follows it as well.
 */
async function adoptRunningBackup(ctx: PhaseContext, record: BackupRecord, refusal: unknown): Promise<boolean> {
  const running = await concurrentBackupTask(ctx, record);
  if (!running) return false;
  await followRunning(
    ctx,
    record,
    running,
    `SDDC Manager refused a new backup (${errorText(refusal)}) while its backup task ${running.id} ran; following that backup as the fresh backup`,
  );
  return true;
}

/**
 * Starts the backup: a backup already running (scheduled, started by hand or by another run of this SDDC Manager) is
 * followed as the fresh backup, since SDDC Manager would refuse a second one; else the backup is POSTed (recorded
 * before and after). False when it was refused (the failure is handled).
 */
async function startBackup(ctx: PhaseContext, record: BackupRecord): Promise<boolean> {
  if (record.requestedAt) {
    await ctx.handle.log("info", "The SDDC Manager backup was requested without a recorded answer; looking for it");
    if ((await adoptLostBackup(ctx, record, undefined)) === "adopted") return true;
  }
  for (;;) {
    // Another run's read within the longest poll interval serves: a backup started since then is refused and followed.
    const tasks = await sharedBackupTasks(ctx.client, ctx.settings.maxPollIntervalMs, ctx.signal);
    const running = newest(tasks.filter(isRunning));
    if (running) {
      await followRunning(
        ctx,
        record,
        running,
        `SDDC Manager's backup task ${running.id} is running; following that backup as the fresh backup instead of asking for a second one`,
      );
      return true;
    }
    await ctx.handle.update(() => {
      record.requestedAt = new Date().toISOString();
      record.tasksBefore = tasks.reduce((max, t) => Math.max(max, created(t)), 0);
    });
    let task: BackupTask;
    try {
      task = await ctx.client.startSddcManagerBackup(ctx.opts);
    } catch (err) {
      if (isRefusal(err)) {
        if (await adoptRunningBackup(ctx, record, err)) return true;
        await backupFailed(ctx, record, undefined, {
          message: engineText("backupRefused", { error: errorParam(err) }),
          remediation: remediationOf(err),
        });
        return false;
      }
      if (isAbort(err, ctx.signal)) throw err;
      await ctx.handle.log(
        "warning",
        `No answer to the SDDC Manager backup request (${errorText(err)}); looking for it`,
      );
      if ((await adoptLostBackup(ctx, record, err)) === "adopted") return true;
      continue;
    }
    await ctx.handle.update(() => {
      record.taskId = task.id;
    });
    await ctx.handle.log("info", `Taking a fresh SDDC Manager backup before the first component (task ${task.id})`, {
      taskId: task.id,
    });
    return true;
  }
}

/** SDDC Manager's error (or the engine's words for it) and remediation. */
interface BackupFailure {
  message: string | EngineText;
  remediation?: string;
}

function backupFailure(record: BackupRecord, detail: BackupFailure): EngineError {
  const taskId = record.taskId;
  const task = !taskId
    ? ""
    : record.alreadyRunning
      ? engineText("backupTaskRunning", { taskId })
      : engineText("backupTask", { taskId });
  const text = engineText("backupFailed", { task, error: detail.message });
  return new EngineError("REMOTE_FAILURE", text, { fix: fixOr(detail.remediation, engineText("backupFailedFix")) });
}

/** Fails the run with SDDC Manager's error and remediation, or (option "warn") logs it and goes on. */
async function backupFailed(
  ctx: PhaseContext,
  record: BackupRecord,
  status: string | undefined,
  detail: BackupFailure,
): Promise<void> {
  const failure = backupFailure(record, detail);
  await ctx.handle.update(() => {
    record.status = status ?? "FAILED";
    record.finishedAt = new Date().toISOString();
  });
  if (record.options.onFailure === "fail") throw failure;
  const text = failure.text;
  const fix = failure.fixText ?? engineText("backupFailedFix");
  await ctx.handle.log(
    "warning",
    `${englishText(text)}. Remediation: ${englishText(fix)}. Upgrading without it (backup failure only warns)`,
  );
}

async function followBackup(ctx: PhaseContext, record: BackupRecord, justStarted: boolean): Promise<void> {
  const id = record.taskId as string;
  await ctx.handle.step(`Backing up SDDC Manager (task ${id})`);
  let task;
  try {
    task = await ctx.wait({
      what: engineText("waitBackup", { taskId: id }),
      deadlineKey: "backup",
      deadlineMs: ctx.settings.backupDeadlineMs,
      // The runs of one SDDC Manager that follow the same backup share their reads of it.
      poll: (signal, look) =>
        sharedRead(ctx.client, `task:${id}`, () => ctx.client.getTask(id), { maxAgeMs: look.maxAgeMs, signal }),
      until: (t) => !RUNNING.has(normalizeStatus(t.status)),
      justLooked: justStarted,
    });
  } catch (err) {
    // A backup past its deadline is a failed backup: the option decides, as for any other failure.
    if (!(err instanceof EngineError) || err.code !== "DEADLINE") throw err;
    await backupFailed(ctx, record, "TIMED_OUT", { message: err.text });
    return;
  }
  const status = normalizeStatus(task.status);
  if (!PASSED.has(status)) {
    await backupFailed(ctx, record, status, describeApiErrors(collectTaskErrors(task), `the task ended ${status}`));
    return;
  }
  await ctx.handle.update(() => {
    record.status = status;
    record.finishedAt = new Date().toISOString();
  });
  const adopted = record.alreadyRunning
    ? "; it was running when the upgrade asked for its backup and serves as the fresh backup"
    : "";
  await ctx.handle.log(
    "success",
    `SDDC Manager backup ${id} finished (${status})${adopted}; starting the component upgrades`,
  );
}

/** Before the first component: the backup (or a logged skip), decided once per run with the options it started with. */
export async function takeFreshBackup(ctx: PhaseContext, options: BackupOptions): Promise<void> {
  // With a maintenance window the backup comes right before the first component, and the run stays in
  // alerts_were_acknowledged until that component starts (see phases/upgrades.ts).
  if (ctx.run.status === "alerts_were_acknowledged" && !ctx.run.window)
    await ctx.handle.to("starting_upgrades", "Starting the component upgrades");
  const remote = ctx.run.remote;
  // A run stored by an older version may have upgraded components already: the first component is long past.
  if (!remote.backup && (Object.keys(remote.upgrades).length > 0 || remote.upgradeRequest)) return;
  if (!remote.backup) {
    await ctx.handle.update((r) => {
      r.remote.backup = { options: { ...options } };
    });
  }
  const record = ctx.run.remote.backup as BackupRecord;
  if (record.status) {
    // A backup recorded as failed whose option fails the run: a restart between that record and the failed run must
    // not upgrade without the backup.
    const failed = record.status !== "SKIPPED" && !PASSED.has(record.status);
    if (failed && record.options.onFailure === "fail")
      throw backupFailure(record, { message: engineText("backupEndedStatus", { status: record.status }) });
    return;
  }
  if (!record.options.freshBackup) {
    await ctx.handle.update(() => {
      record.status = "SKIPPED";
    });
    await ctx.handle.log("info", "No fresh SDDC Manager backup before the upgrade: the option is off");
    return;
  }
  const justStarted = !record.taskId && !record.requestedAt;
  if (!record.taskId && !(await startBackup(ctx, record))) return;
  await followBackup(ctx, record, justStarted);
}
