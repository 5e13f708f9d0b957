import type { UpgradeRun } from "../engine/types";

/** Where runs live between restarts. Implementations keep a copy: callers may mutate the run afterwards. */
export interface RunStore {
  /** Every stored run, oldest first. */
  load(): Promise<UpgradeRun[]>;
  /** Insert or replace the run with this id; resolves once it is durable. */
  save(run: UpgradeRun): Promise<void>;
  /** Forget a run (old finished runs are pruned by the engine). */
  remove(id: string): Promise<void>;
  /** The stored entries that could not be read as runs (after load); they are kept, never deleted by a save. */
  unreadableRuns?(): UnreadableRun[];
}

/** A stored entry that fails the run shape check (a hand edit, a newer version's status, a truncated file). */
export interface UnreadableRun {
  file: string;
  /** Its position in the file's runs list when it was read (1-based). */
  position: number;
  runId?: string;
  domainId?: string;
  domainName?: string;
  /** What the check found, e.g. status "paused" is not a status this version knows. */
  problem: string;
}

/** One sentence naming the entry, its file and what is wrong with it. */
export function describeUnreadableRun(u: UnreadableRun): string {
  const what = u.runId ? `the upgrade run ${u.runId}` : `entry ${u.position} of the runs list`;
  const domain = u.domainName ?? u.domainId;
  return `The run file ${u.file} holds ${what}${domain ? ` of domain ${domain}` : ""}, which cannot be read: ${u.problem}`;
}
