import type { UpgradeRun } from "./types";
import type { UnreadableRun } from "./unreadable-run";

/**
 * Where the engine keeps its runs between restarts; the engine states what it needs, a store (src/store/) provides
 * it. Implementations keep a copy: callers may mutate the run afterwards.
 */
export interface RunStore {
  /** Every stored run, oldest first. */
  load(): Promise<UpgradeRun[]>;
  /** Insert or replace the run with this id; resolves once it is durable. */
  save(run: UpgradeRun): Promise<void>;
  /**
   * Like save, for a change of step text and progress only: it may reach the disk later (with the run's next save,
   * or after a while), so a crash may lose it. Without it, the engine saves such changes with save().
   */
  saveLater?(run: UpgradeRun): void;
  /** Writes what saveLater left waiting; resolves once every write so far has landed. */
  flush?(): Promise<void>;
  /** Forget a run (old finished runs are pruned by the engine). */
  remove(id: string): Promise<void>;
  /** The stored entries that could not be read as runs (after load); they are kept, never deleted by a save. */
  unreadableRuns?(): UnreadableRun[];
}
