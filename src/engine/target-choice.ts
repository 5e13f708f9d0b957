// What a run would upgrade: the domain, its current version and the release chosen for it. A start and a plan make
// this choice with the same code, so a plan shows the target the run then takes.
import type { VcfClient } from "../vcf/client";
import { normalizeStatus } from "../vcf/status";
import type { Domain, DomainFutureRelease, Release } from "../vcf/types";
import { engineText } from "./catalog";
import { EngineError } from "./errors";
import { lookupDomain } from "./discovery";
import { checkManagementFirst } from "./management-first";
import { readApiIdentity } from "./api-generation";
import { workOutsideThisApi } from "./outside-work";
import type { ApiIdentity } from "../vcf/generation";
import { applicableReleases, chooseRelease, selectedTarget } from "./releases";
import { checkClusterImages } from "./steps/cluster-images";
import type { UpgradeRun } from "./types";
import { sameVersion } from "./versions";

/** Busy domain statuses (wait) and unhealthy ones (needs a user), from UPGRADE-API.md §10. */
const BUSY_DOMAIN = new Set(["ACTIVATING", "CREATING", "EXPANDING", "SHRINKING", "DEACTIVATING", "UPGRADING"]);

export interface TargetRequest {
  domain: string;
  targetVersion?: string;
  clusterImages?: Record<string, string>;
}

export interface TargetChoice {
  domain: Domain;
  sourceVersion: string;
  /** The domain's current release, as read for the choice. */
  currentRelease: Release;
  release: DomainFutureRelease;
  /** Why this release: as requested, the target already selected, or the oldest applicable one. */
  reason: string;
  /** A VI domain behind its management domain: the note for the log, and the management run it waits for. */
  waitsFor?: { note: string; managementRunId?: string };
  clusterImages?: Record<string, string>;
  /** The API SDDC Manager speaks now. */
  api: ApiIdentity;
  /** What the release needs upgraded outside this API first (see outside-work.ts); empty: nothing. */
  outsideWork: string[];
}

export interface TargetChoiceDeps {
  client: VcfClient;
  /** The engine's active run of a domain (the management domain's run a VI run may wait for). */
  activeRunOf: (domainId: string) => UpgradeRun | undefined;
  /** Checks the found domain before anything else is read (a start refuses a domain it already upgrades). */
  admit?: (domain: Domain) => void;
  /** How old a read another start made may be: the domain list, the management domain's release (default 0). */
  shareMs?: number;
}

/** The request's fields that a start and a plan share, checked: the error names the field and the fix. */
function checkRequest(req: TargetRequest): void {
  if (typeof req !== "object" || req === null) {
    throw new EngineError("BAD_INPUT", engineText("startRequestMissing"), {
      field: "domain",
      fix: engineText("startRequestMissingFix"),
    });
  }
  if (req.targetVersion !== undefined && (typeof req.targetVersion !== "string" || req.targetVersion.trim() === "")) {
    throw new EngineError("BAD_INPUT", engineText("targetNotText"), {
      field: "targetVersion",
      fix: engineText("targetNotTextFix"),
    });
  }
}

function checkActive(domain: Domain): void {
  const status = normalizeStatus(domain.status);
  if (status === "ACTIVE") return;
  const params = { domain: domain.name, status: domain.status ?? engineText("unknownState") };
  throw BUSY_DOMAIN.has(status)
    ? new EngineError("DOMAIN_NOT_READY", engineText("domainBusyOperation", params), {
        field: "domain",
        fix: engineText("domainBusyOperationFix"),
      })
    : new EngineError("DOMAIN_NOT_READY", engineText("domainUnhealthy", params), {
        field: "domain",
        fix: engineText("domainUnhealthyFix"),
      });
}

/** Every image named in clusterImages must exist in SDDC Manager (checked before anything starts). */
async function checkImagesExist(
  client: VcfClient,
  clusterImages: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  const personalities = await client.getPersonalities(undefined, { signal });
  for (const [cluster, id] of Object.entries(clusterImages)) {
    if (personalities.some((p) => p.personalityId === id)) continue;
    throw new EngineError("BAD_INPUT", engineText("clusterImageIdUnknown", { cluster, image: id }), {
      field: "clusterImages",
      fix: engineText("clusterImageIdUnknownFix", {
        images:
          personalities.map((p) => `${p.personalityName} = ${p.personalityId}`).join(", ") ||
          engineText("noClusterImages"),
      }),
    });
  }
}

/** The domain, its version and the release a run takes it to; reads only. */
export async function chooseTarget(
  deps: TargetChoiceDeps,
  req: TargetRequest,
  signal: AbortSignal,
): Promise<TargetChoice> {
  checkRequest(req);
  const { client } = deps;
  const { domain, domains } = await lookupDomain(client, req.domain, signal, deps.shareMs);
  deps.admit?.(domain);
  const clusterImages = checkClusterImages(req.clusterImages, domain.clusters ?? [], domain.name);
  checkActive(domain);
  const current = await client.getCurrentRelease(domain.id, { signal });
  if (!current?.version) {
    throw new EngineError("REMOTE_FAILURE", engineText("noCurrentRelease", { domain: domain.name }));
  }
  const futures = await client.getFutureReleases(domain.id, { signal });
  // The target already selected decides only between several applicable releases.
  const selected =
    req.targetVersion || applicableReleases(current.version, futures).length < 2
      ? undefined
      : await selectedTarget(client, domain.id, signal);
  const release = chooseRelease(current.version, futures, req.targetVersion?.trim(), selected);
  if (!release) {
    throw new EngineError("NO_UPDATE", engineText("noUpdate", { domain: domain.name, version: current.version }), {
      fix: engineText("noUpdateFix"),
    });
  }
  const waitsFor = await checkManagementFirst(
    client,
    domain,
    domains,
    release.version,
    deps.activeRunOf,
    signal,
    deps.shareMs,
  );
  if (clusterImages) await checkImagesExist(client, clusterImages, signal);
  const api = await readApiIdentity(client, signal, deps.shareMs);
  const outsideWork = workOutsideThisApi(
    current.version,
    { version: release.version, bom: release.bom ?? [] },
    current.bom ?? [],
  );
  const reason = req.targetVersion
    ? "as requested"
    : selected && sameVersion(selected, release.version)
      ? "the target already selected for the domain: continuing its upgrade"
      : "the oldest applicable future release";
  return {
    domain,
    sourceVersion: current.version,
    currentRelease: current,
    release,
    reason,
    api,
    outsideWork,
    ...(waitsFor ? { waitsFor } : {}),
    ...(clusterImages ? { clusterImages } : {}),
  };
}
