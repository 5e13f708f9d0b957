import type { VcfClient } from "../vcf/client";
import type { DomainFutureRelease } from "../vcf/types";
import { normalizeStatus } from "../vcf/status";
import { engineText } from "./catalog";
import { EngineError, isAbort } from "./errors";
import { compareVersions, isVersionString, sameVersion } from "./versions";

/** A release the domain can move to now: APPLICABLE, newer than current, and current >= its minimum. */
function isApplicableUpgrade(release: DomainFutureRelease, current: string): boolean {
  if (normalizeStatus(release.applicabilityStatus) !== "APPLICABLE") return false;
  if (compareVersions(release.version, current) <= 0) return false;
  return !release.minCompatibleVcfVersion || compareVersions(current, release.minCompatibleVcfVersion) >= 0;
}

/** The releases the domain can move to now, oldest first. */
export function applicableReleases(current: string, releases: readonly DomainFutureRelease[]): DomainFutureRelease[] {
  return releases.filter((r) => isApplicableUpgrade(r, current)).sort((a, b) => compareVersions(a.version, b.version));
}

/**
 * The release to upgrade to: the requested one (which must be an applicable future release), or else the target
 * already selected on the domain (`selected`: an earlier run stopped midway, some components may already run it)
 * when it is applicable, or else the oldest applicable one (upgrades are sequential). Undefined: no update.
 */
export function chooseRelease(
  current: string,
  releases: readonly DomainFutureRelease[],
  targetVersion?: string,
  selected?: string,
): DomainFutureRelease | undefined {
  const applicable = applicableReleases(current, releases);
  if (targetVersion === undefined) {
    return applicable.find((r) => sameVersion(r.version, selected)) ?? applicable[0];
  }
  if (!isVersionString(targetVersion)) {
    throw new EngineError("BAD_INPUT", engineText("targetNotVersion", { version: targetVersion }), {
      field: "targetVersion",
      fix: engineText("targetNotVersionFix"),
    });
  }
  const wanted = applicable.find((r) => sameVersion(r.version, targetVersion));
  if (wanted) return wanted;
  const choices = applicable.map((r) => r.version).join(", ") || engineText("none");
  const listed = releases.find((r) => sameVersion(r.version, targetVersion));
  const why = listed
    ? engineText("targetNotApplicable", { current })
    : compareVersions(targetVersion, current) <= 0
      ? engineText("targetAlreadyReached", { current })
      : engineText("targetNotOffered");
  throw new EngineError("BAD_INPUT", engineText("targetUnusable", { version: targetVersion, why }), {
    field: "targetVersion",
    fix: engineText("targetUnusableFix", { choices }),
  });
}

/** The domain's target version already selected in SDDC Manager, if any; only a preference, so a failed read is no error. */
export async function selectedTarget(
  client: VcfClient,
  domainId: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    return (await client.getDomainReleaseView(domainId, { signal })).targetVersion || undefined;
  } catch (err) {
    if (isAbort(err, signal)) throw err;
    return undefined;
  }
}
