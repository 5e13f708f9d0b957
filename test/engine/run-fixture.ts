import type { UpgradeRun } from "../../nodes/engine";
import { newRun } from "../../nodes/engine/new-run";

/** A plain run in the given status, for tests that do not need a simulator. */
export function makeRun(overrides: Partial<UpgradeRun> = {}): UpgradeRun {
  const now = "2024-11-04T10:00:00.000Z";
  return {
    ...newRun({ id: "dom-1", name: "sfo-m01" }, "5.2.0.0", { version: "5.2.1.0" }),
    id: "run-1",
    status: "update_process_started",
    step: "Update process started",
    progress: 2,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}
