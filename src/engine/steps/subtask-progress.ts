// While a component upgrades, its task tells which sub-task runs (GET /v1/tasks/{id}, UPGRADE-API.md §8): each
// sub-task is logged once when it ends (one entry each, so hundreds of host steps do not push older history out of
// the log), and the current one goes into the run's step.
import type { SubTask, Task, Upgrade } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { capText, NAME_CAP } from "../../vcf/text-cap";
import { errorText, isAbort } from "../errors";
import type { PhaseContext } from "../run-handle";
import type { LogLevel, UpgradeRecord } from "../types";
import { componentName, upgradeEnded } from "./upgrade-status";

/** The statuses that end a sub-task, with the level its log entry gets. */
const ENDED: ReadonlyMap<string, LogLevel> = new Map<string, LogLevel>([
  ["SUCCESSFUL", "success"],
  ["COMPLETED_WITH_WARNING", "warning"],
  ["NOT_APPLICABLE", "info"],
  ["SKIPPED", "info"],
  ["FAILED", "error"],
  ["CANCELLED", "error"],
]);

/** The current sub-task as step text ("step 3 of 5: NSX host cluster cl01") and the share of sub-tasks ended (0..1). */
export interface SubTaskSummary {
  text: string;
  share: number;
}

/** What is read of a sub-task. */
type SubTaskView = Pick<SubTask, "name" | "status"> & { description?: string };

interface Entry {
  /** The name, made unique among its siblings (" #2" for a repeated name). */
  key: string;
  status: string;
}

function entriesOf(subTasks: readonly SubTaskView[]): Entry[] {
  const seen = new Map<string, number>();
  return subTasks.map((sub, index) => {
    const name = capText(sub.name || sub.description || `sub-task ${index + 1}`, NAME_CAP);
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return { key: n > 1 ? `${name} #${n}` : name, status: normalizeStatus(sub.status) };
  });
}

/** The running sub-task, else the failed one, else the next pending one, else the last; undefined without sub-tasks. */
export function summarize(subTasks: readonly SubTaskView[]): SubTaskSummary | undefined {
  const entries = entriesOf(subTasks);
  const current =
    entries.find((e) => e.status === "IN_PROGRESS") ??
    entries.find((e) => e.status === "FAILED") ??
    entries.find((e) => !ENDED.has(e.status)) ??
    entries.at(-1);
  if (!current) return undefined;
  const index = entries.indexOf(current);
  const ended = entries.filter((e) => ENDED.has(e.status)).length;
  return {
    text: `step ${index + 1} of ${entries.length}: ${current.key} (${current.status})`,
    share: ended / entries.length,
  };
}

/** Task statuses of work still going on; any other status lets the upgrade's own poll decide. */
const TASK_RUNNING = new Set(["PENDING", "IN_PROGRESS"]);

/** Polls one upgrade; the look-up of the upgrade itself (see `follow`). */
export type UpgradePoll = (signal: AbortSignal | undefined) => Promise<Upgrade>;

/**
 * Follows one upgrade's task. Reading it is best effort: a failed read keeps the last picture and the upgrade poll
 * goes on; the first failure is logged (once per upgrade).
 */
export class SubTaskTracker {
  private polls = 0;
  private lastUpgrade: Upgrade | undefined;
  /** A task read by the poll and not yet looked at by `observe`. */
  private unseen: Task | undefined;
  private failure: unknown;
  private failureLogged = false;
  private latest: SubTaskSummary | undefined;
  /** The task as read once the upgrade ended (its errors explain a failure). */
  lastTask: Task | undefined;

  /**
   * `instead`: on every Nth poll (`taskPollEvery`) the task is read instead of the upgrade, so a poll costs one
   * request; while the task runs, the upgrade's last answer stands for that poll. Without it (SDDC Manager's own
   * upgrade, whose poll also rides out its outage) the task is read beside the upgrade on every Nth poll.
   */
  constructor(
    private readonly ctx: PhaseContext,
    private readonly record: UpgradeRecord,
    private readonly instead: boolean,
  ) {}

  /** The upgrade's poll with the task read every Nth poll and once the upgrade ended (for its last sub-tasks). */
  follow(pollUpgrade: UpgradePoll): UpgradePoll {
    return async (signal) => {
      this.polls += 1;
      const due = this.polls % this.ctx.settings.taskPollEvery === 0;
      let task: Task | undefined;
      if (due && this.instead && this.lastUpgrade) {
        task = await this.readTask(signal);
        if (task && TASK_RUNNING.has(normalizeStatus(task.status))) return this.lastUpgrade;
      }
      const upgrade = await pollUpgrade(signal);
      this.lastUpgrade = upgrade;
      const ended = upgradeEnded(upgrade);
      if (task === undefined && (ended || (due && !this.instead))) task = await this.readTask(signal);
      if (ended) this.lastTask = task;
      return upgrade;
    };
  }

  private async readTask(signal: AbortSignal | undefined): Promise<Task | undefined> {
    try {
      this.unseen = await this.ctx.client.getTask(this.taskId(this.lastUpgrade), { signal });
      return this.unseen;
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      this.failure = err;
      return undefined;
    }
  }

  private taskId(upgrade: Upgrade | undefined): string {
    return upgrade?.taskId || upgrade?.id || this.record.upgradeId;
  }

  /** Called with every polled Upgrade: logs the sub-tasks of a task the poll read, and returns the current one. */
  async observe(upgrade: Upgrade): Promise<SubTaskSummary | undefined> {
    if (this.failure !== undefined && !this.failureLogged) {
      this.failureLogged = true;
      await this.ctx.handle.log(
        "warning",
        `${componentName(this.record)}: could not read task ${this.taskId(upgrade)} for its sub-tasks (${errorText(this.failure)}); following the upgrade without them`,
        { upgradeId: this.record.upgradeId },
      );
    }
    const task = this.unseen;
    if (!task) return this.latest;
    this.unseen = undefined;
    const subTasks = task.subTasks ?? [];
    const entries = entriesOf(subTasks);
    for (const [index, entry] of entries.entries()) await this.logChange(entry, `${index + 1} of ${entries.length}`);
    this.latest = summarize(subTasks) ?? this.latest;
    return this.latest;
  }

  /** One log entry when a sub-task ends (a failure included); running and pending ones and repeats are not logged. */
  private async logChange(entry: Entry, position: string): Promise<void> {
    const level = ENDED.get(entry.status);
    if (!level || this.record.subTaskStatus?.[entry.key] === entry.status) return;
    // Recorded in the run, then stored by the log call's commit: a restart does not log the same change again.
    this.record.subTaskStatus = { ...this.record.subTaskStatus, [entry.key]: entry.status };
    await this.ctx.handle.log(level, `${componentName(this.record)}: step ${position} ${entry.status}: ${entry.key}`, {
      upgradeId: this.record.upgradeId,
      subTask: entry.key,
      status: entry.status,
    });
  }
}
