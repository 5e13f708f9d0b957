// VCF upgrades the management domain first: SDDC Manager (part of it) must run the target release before a VI
// domain's components are offered. Without this check a VI run would wait silently until its component deadline.
import type { VcfClient } from "../vcf/client";
import { normalizeStatus } from "../vcf/status";
import type { Domain } from "../vcf/types";
import { engineText } from "./catalog";
import { EngineError } from "./errors";
import { sharedRead } from "./shared-reads";
import { compareVersions } from "./versions";
import type { UpgradeRun } from "./types";
import type { RunLookup } from "./run-handle";

export function isManagementDomain(domain: Pick<Domain, "type">): boolean {
  return normalizeStatus(domain.type) === "MANAGEMENT";
}

/**
 * May a run take VI domain `domain` to `targetVersion` now? Yes when the management domain is at that version
 * or higher, or when its active run (`activeRunOf`) goes there (the VI run then waits for that run: `note` says
 * so, for the run's log, and `managementRunId` names it). Otherwise MANAGEMENT_DOMAIN_FIRST. Reads only (GET); a
 * read of the management domain's release another start made at most `shareMs` ago serves.
 */
export async function checkManagementFirst(
  client: VcfClient,
  domain: Domain,
  domains: readonly Domain[],
  targetVersion: string,
  activeRunOf: (domainId: string) => UpgradeRun | undefined,
  signal?: AbortSignal,
  shareMs = 0,
): Promise<{ note: string; managementRunId?: string } | undefined> {
  const management = domains.find(isManagementDomain);
  if (isManagementDomain(domain) || !management) return undefined;
  const release = await sharedRead(
    client,
    `management-release:${management.id}`,
    () => client.getCurrentRelease(management.id),
    { maxAgeMs: shareMs, signal },
  );
  const current = release?.version;
  if (!current)
    return {
      note: `The version of the management domain ${management.name} is unknown; if it is below ${targetVersion}, this domain's component upgrades wait for it`,
    };
  if (compareVersions(current, targetVersion) >= 0) return undefined;
  const active = activeRunOf(management.id);
  if (active && compareVersions(active.targetVersion, targetVersion) >= 0) {
    return {
      note:
        `The management domain ${management.name} is at ${current}; its upgrade run ${active.id} to ${active.targetVersion} is active ` +
        `(${active.status}). This domain's component upgrades wait for the management domain (SDDC Manager first)`,
      managementRunId: active.id,
    };
  }
  const running = active ? engineText("managementRunTooLow", { runId: active.id, version: active.targetVersion }) : "";
  throw new EngineError(
    "MANAGEMENT_DOMAIN_FIRST",
    engineText("managementFirst", {
      domain: domain.name,
      target: targetVersion,
      management: management.name,
      version: current,
      running,
    }),
    { field: "domain", fix: engineText("managementFirstFix", { management: management.name, target: targetVersion }) },
  );
}

/**
 * A VI run started behind the management domain's run (`managementRunId`) can never get its components once that
 * run has failed or was cancelled: the error it fails with, naming that run; undefined while that run is not failed.
 */
export function managementRunFailure(run: UpgradeRun, runById: RunLookup): EngineError | undefined {
  const management = run.managementRunId ? runById(run.managementRunId) : undefined;
  if (management?.status !== "failed") return undefined;
  const params = {
    runId: management.id,
    management: management.domainName,
    target: management.targetVersion,
    reason: management.failureReason ?? engineText("unknownReason"),
    domain: run.domainName,
  };
  return new EngineError(
    "MANAGEMENT_DOMAIN_FIRST",
    management.failureCode === "CANCELLED"
      ? engineText("managementRunCancelled", params)
      : engineText("managementRunFailed", params),
    { fix: engineText("managementRunFailedFix", params) },
  );
}
