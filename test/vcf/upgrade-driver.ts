/**
 * A domain upgrade driven by test code through the client, against the simulator, moving the simulated
 * clock instead of waiting: validate and set the target, download the bundles, run the prechecks (query x2,
 * run), then start the AVAILABLE upgradable until none is left. Used by the client and contract tests.
 */
import assert from "node:assert/strict";
import type { VcfClient } from "../../nodes/vcf/client";
import { VcfApiError } from "../../nodes/vcf/errors";
import { normalizeStatus } from "../../nodes/vcf/status";
import type { AssessmentOutput, CheckSetQueryResult, Domain, DomainFutureRelease } from "../../nodes/vcf/types";
import type { LinkedClock } from "./helpers";

export interface DriveOptions {
  client: VcfClient;
  clock: LinkedClock;
  /** default: the management domain */
  domainType?: "MANAGEMENT" | "VI";
  /** simulated seconds per poll */
  stepSeconds?: number;
  /** stop after this many component upgrades (default: all) */
  maxComponents?: number;
  /** the release to go to (default: the oldest applicable newer one) */
  targetVersion?: string;
}

export interface DriveResult {
  /** the first phase that did not succeed, e.g. "download 1a2b: FAILED"; undefined when all went well */
  failure?: string;
  domain: Domain;
  sourceVersion: string;
  targetVersion: string;
  /** softwareComponents[0].type of each upgradable started, in order */
  startedComponents: string[];
  upgradeIds: string[];
}

/** A check-set resource type -> the BOM entry holding its target version (UPGRADE-API.md §5.1). */
const BOM_NAME_OF_RESOURCE: Record<string, string> = {
  SDDC_MANAGER: "SDDC_MANAGER_VCF",
  NSX_T_MANAGER: "NSX_T_MANAGER",
  VCENTER: "VCENTER",
  CLUSTER: "ESX_HOST",
};
const MAX_POLLS = 400;
/** Upgradable states that mean "more to do" (a finished one drops out of the list or leaves these). */
const OPEN_UPGRADABLE = ["AVAILABLE", "PENDING", "SCHEDULED", "IN_PROGRESS"];

export async function driveUpgrade(options: DriveOptions): Promise<DriveResult> {
  const { client } = options;
  const domains = await client.getDomains();
  const domain = domains.find((d) => d.type === (options.domainType ?? "MANAGEMENT"));
  assert.ok(domain, `no ${options.domainType ?? "MANAGEMENT"} domain among ${domains.map((d) => d.name).join(", ")}`);
  const current = await client.getCurrentRelease(domain.id);
  assert.ok(current, "the domain has no current release");
  const futures = await client.getFutureReleases(domain.id);
  const target = options.targetVersion
    ? futures.find((r) => r.version === options.targetVersion)
    : oldestApplicableNewer(futures, current.version);
  assert.ok(target, `release ${options.targetVersion} is not offered`);
  const targetVersion = target.version;

  // target validation before the selection (§4, §7), then the selection
  const validation = await client.startValidation(domain.id, { targetVersion });
  const result: DriveResult = {
    domain,
    sourceVersion: current.version,
    targetVersion,
    startedComponents: [],
    upgradeIds: [],
  };
  const validated = await poll(
    options,
    () => client.getValidation(validation.id),
    (v) => !["IN_PROGRESS", "CANCELLATION_IN_PROGRESS"].includes(normalizeStatus(v.executionStatus)),
  );
  if (normalizeStatus(validated.resultStatus) !== "SUCCEEDED")
    return { ...result, failure: `validation: ${validated.resultStatus}` };
  await client.setTargetVersion(domain.id, { targetVersion });
  assert.equal((await client.getDomainReleaseView(domain.id)).targetVersion, targetVersion);

  // bundles: the target release's patch bundles plus whatever the upgradables name
  const upgradables = await client.getUpgradables(domain.id, targetVersion);
  const bundleIds = new Set([
    ...(target.patchBundles ?? []).map((b) => b.bundleId),
    ...upgradables.flatMap((u) => (u.bundleId ? [u.bundleId] : [])),
  ]);
  for (const bundleId of bundleIds) {
    const bundle = await client.getBundle(bundleId);
    if (normalizeStatus(bundle.downloadStatus) === "PENDING") await client.requestBundleDownload(bundleId);
  }
  for (const bundleId of bundleIds) {
    const done = await poll(
      options,
      () => client.getBundle(bundleId),
      (b) => ["SUCCESSFUL", "FAILED", "RECALLED"].includes(normalizeStatus(b.downloadStatus)),
    );
    if (normalizeStatus(done.downloadStatus) !== "SUCCESSFUL")
      return { ...result, failure: `download ${bundleId}: ${done.downloadStatus}` };
  }

  // prechecks: query the domain, query again with each resource's target BOM version, run, poll
  const first = await client.queryCheckSets({ checkSetType: "UPGRADE", domains: [{ domainId: domain.id }] });
  const second = await client.queryCheckSets({
    checkSetType: "UPGRADE",
    domains: [{ domainId: domain.id, resources: resourceTargets(first, target) }],
  });
  const run = await client.startCheckSetRun({
    queryId: second.queryId,
    resources: second.resources.map((r) => ({
      resourceType: String(r.resourceType),
      resourceId: String(r.resourceId),
      resourceName: String(r.resourceName),
      domain: r.domain,
      checkSets: (r.checkSets ?? []).map((c) => ({ checkSetId: String(c.checkSetId) })),
    })),
    metadata: { targetVersion },
  });
  const assessment = await poll(
    options,
    () => client.getCheckSetRun(run.id),
    (a) => normalizeStatus(a.status) !== "IN_PROGRESS",
  );
  if (!precheckClean(assessment)) return { ...result, failure: `prechecks: ${assessment.status} with findings` };

  // components: one AVAILABLE at a time, until none is left
  for (let round = 0; round < 20 && result.upgradeIds.length < (options.maxComponents ?? Infinity); round++) {
    const list = await poll(
      options,
      () => client.getUpgradables(domain.id, targetVersion),
      () => true,
    );
    const available = list.find((u) => normalizeStatus(u.status) === "AVAILABLE");
    if (!available) {
      if (!list.some((u) => OPEN_UPGRADABLE.includes(normalizeStatus(u.status)))) break;
      options.clock.advance(options.stepSeconds ?? 300);
      continue;
    }
    const task = await client.startUpgrade({
      bundleId: String(available.bundleId),
      resourceType: "DOMAIN",
      resourceUpgradeSpecs: [{ resourceId: domain.id, upgradeNow: true }],
    });
    result.startedComponents.push(String(available.softwareComponents?.[0]?.type));
    result.upgradeIds.push(task.id);
    const upgrade = await poll(
      options,
      () => client.getUpgrade(task.id),
      (u) => normalizeStatus(u.status).startsWith("COMPLETED_") || normalizeStatus(u.status) === "CANCELLED",
    );
    if (normalizeStatus(upgrade.status) !== "COMPLETED_WITH_SUCCESS") {
      return {
        ...result,
        failure: `upgrade of ${available.softwareComponents?.[0]?.type}: ${upgrade.status} (task ${upgrade.taskId})`,
      };
    }
  }
  return result;
}

/** No blocking or warning counts in any domain summary (UPGRADE-API.md §5.3: sum over all of them). */
function precheckClean(assessment: AssessmentOutput): boolean {
  if (normalizeStatus(assessment.status) !== "COMPLETED_WITH_SUCCESS") return false;
  const summaries = assessment.presentedArtifactsMap?.["validation-domain-summary"];
  const counts = ["criticalGapsCount", "errorValidationsCount", "internalErrorValidationsCount", "warningGapsCount"];
  return (Array.isArray(summaries) ? summaries : []).every((summary: Record<string, unknown>) =>
    counts.every((key) => !Number(summary[key] ?? 0)),
  );
}

function oldestApplicableNewer(releases: DomainFutureRelease[], current: string): DomainFutureRelease {
  const candidates = releases
    .filter((r) => normalizeStatus(r.applicabilityStatus) === "APPLICABLE")
    .filter((r) => compareVersions(r.version, current) > 0)
    // 9.0 may leave the minimum out
    .filter((r) => !r.minCompatibleVcfVersion || compareVersions(current, r.minCompatibleVcfVersion) >= 0)
    .sort((a, b) => compareVersions(a.version, b.version));
  assert.ok(candidates[0], `no applicable release newer than ${current}`);
  return candidates[0];
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function resourceTargets(
  query: CheckSetQueryResult,
  target: DomainFutureRelease,
): { resourceType: string; resourceId?: string; resourceTargetVersion?: string }[] {
  return query.resources.map((r) => {
    const bomName = BOM_NAME_OF_RESOURCE[String(r.resourceType)];
    const bom = target.bom.find((b) => b.name === bomName);
    return { resourceType: String(r.resourceType), resourceId: r.resourceId, resourceTargetVersion: bom?.version };
  });
}

/**
 * Calls `read` until `done` holds, moving the simulated clock between calls. Transient failures (the SDDC
 * Manager outage: dropped connections, 5xx) count as "not yet"; anything else fails the test.
 */
export async function poll<T>(options: DriveOptions, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < MAX_POLLS; i++) {
    try {
      const value = await read();
      if (done(value)) return value;
    } catch (error: unknown) {
      if (!(error instanceof VcfApiError) || !(error.retryable || error.kind === "network")) throw error;
    }
    options.clock.advance(options.stepSeconds ?? 300);
  }
  throw new Error(`still not done after ${MAX_POLLS} polls`);
}
