// SDDC Manager's backup tasks, looked up with what the spec documents (UPGRADE-API.md §8, §14.1): GET /v1/tasks
// filtered by resourceType SDDC_MANAGER (the resource a BackupSpec backs up), then by the task's type. The spec gives
// no value for a backup's type, only the convention `<resource>_<operation>` (set by the task's producer), so the
// operation part must say BACKUP: a restore "from backup" or a change of the backup settings is no backup. Statuses
// are compared after normalizing, not with the taskStatus filter: the spec lists both spellings (SUCCESSFUL,
// Successful) and leaves open which one the filter matches.
import type { VcfClient } from "../../vcf/client";
import type { Task } from "../../vcf/types";
import { sharedRead } from "../shared-reads";

/** A backup task: its type's operation is BACKUP; only a task without a type is judged by its name. */
export function isBackupTask(t: Task): boolean {
  if (t.type) return /(^|_)BACKUP$/i.test(t.type);
  return /\bbackup\b/i.test(t.name ?? "") && !/\brestore\b/i.test(t.name ?? "");
}

/** Every SDDC Manager backup task on record, whatever its status. */
export async function listBackupTasks(client: VcfClient, signal: AbortSignal | undefined): Promise<Task[]> {
  const tasks = await client.listTasks({ resourceType: "SDDC_MANAGER" }, { signal });
  return tasks.filter(isBackupTask);
}

/** The backup tasks as listed now or, at most `maxAgeMs` ago, by another run of the same SDDC Manager. */
export function sharedBackupTasks(
  client: VcfClient,
  maxAgeMs: number,
  signal: AbortSignal | undefined,
): Promise<Task[]> {
  return sharedRead(client, "backup-tasks", () => listBackupTasks(client, undefined), { maxAgeMs, signal });
}
