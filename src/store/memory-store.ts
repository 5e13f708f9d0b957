import type { UpgradeRun } from "../engine/types";
import type { RunStore } from "../engine/run-store";

/** Keeps runs in memory only (tests, or a deliberately non-persistent setup). */
export class MemoryRunStore implements RunStore {
  private readonly runs = new Map<string, UpgradeRun>();

  constructor(initial: UpgradeRun[] = []) {
    for (const run of initial) this.runs.set(run.id, structuredClone(run));
  }

  async load(): Promise<UpgradeRun[]> {
    return [...this.runs.values()].map((r) => structuredClone(r));
  }

  async save(run: UpgradeRun): Promise<void> {
    this.runs.set(run.id, structuredClone(run));
  }

  async remove(id: string): Promise<void> {
    this.runs.delete(id);
  }
}
