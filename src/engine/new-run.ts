import { randomUUID } from "node:crypto";
import type { Domain, DomainFutureRelease } from "../vcf/types";
import type { UpgradeRun } from "./types";

/** A run about to start (or a plan's draft of one): nothing done yet, the target release recorded. */
export function newRun(
  domain: Pick<Domain, "id" | "name">,
  sourceVersion: string,
  release: Pick<DomainFutureRelease, "version"> & Partial<Pick<DomainFutureRelease, "bom" | "patchBundles">>,
  owner?: string,
): UpgradeRun {
  const now = new Date().toISOString();
  const run: UpgradeRun = {
    id: randomUUID(),
    domainId: domain.id,
    domainName: domain.name,
    sourceVersion,
    targetVersion: release.version,
    targetRelease: {
      version: release.version,
      bom: (release.bom ?? []).map((e) => ({
        name: e.name,
        version: e.version,
        ...(e.publicName ? { publicName: e.publicName } : {}),
        ...(e.lifecycleManagedBy ? { lifecycleManagedBy: e.lifecycleManagedBy } : {}),
      })),
      patchBundleIds: (release.patchBundles ?? []).map((b) => b.bundleId).filter(Boolean),
    },
    status: "waiting_for_initiation",
    step: "",
    progress: 0,
    phase: "download",
    completedPhases: [],
    remote: { bundles: {}, upgrades: {} },
    deadlines: {},
    findings: [],
    acknowledged: false,
    createdAt: now,
    updatedAt: now,
    log: [],
  };
  if (owner) run.ownerNodeId = owner;
  return run;
}
