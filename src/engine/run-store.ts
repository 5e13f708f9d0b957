import type { UpgradeRun } from "./types";
import type { UnreadableRun } from "./unreadable-run";

/**
 * Where the engine keeps its runs between restarts; the engine states what it needs, a store (src/store/) provides
 * it. A store may read the run it was handed later, when it writes it (to encode a run once for several saves): so a
 * caller changes a saved run only when it saves it again (as the engine does), and a write holds the run as saved or
 * newer. A store keeps no reference a caller could change through load().
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
