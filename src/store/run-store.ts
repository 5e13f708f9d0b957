import type { UpgradeRun } from "../engine/types";

/** Where runs live between restarts. Implementations keep a copy: callers may mutate the run afterwards. */
export interface RunStore {
  /** Every stored run, oldest first. */
  load(): Promise<UpgradeRun[]>;
  /** Insert or replace the run with this id; resolves once it is durable. */
  save(run: UpgradeRun): Promise<void>;
  /** Forget a run (old finished runs are pruned by the engine). */
  remove(id: string): Promise<void>;
}
