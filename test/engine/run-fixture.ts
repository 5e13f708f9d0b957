import type { UpgradeRun } from "../../nodes/engine";

/** A plain run in the given status, for tests that do not need a simulator. */
export function makeRun(overrides: Partial<UpgradeRun> = {}): UpgradeRun {
  const now = "2024-11-04T10:00:00.000Z";
  return {
    id: "run-1",
    domainId: "dom-1",
    domainName: "sfo-m01",
    sourceVersion: "5.2.0.0",
    targetVersion: "5.2.1.0",
    targetRelease: { version: "5.2.1.0", bom: [], patchBundleIds: [] },
    status: "update_process_started",
    step: "Update process started",
    progress: 2,
    phase: "download",
    completedPhases: [],
    remote: { bundles: {}, upgrades: {} },
    deadlines: {},
    findings: [],
    acknowledged: false,
    createdAt: now,
    updatedAt: now,
    log: [],
    ...overrides,
  };
}
