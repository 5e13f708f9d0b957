// VCF 9 upgrades its management components (VCF Operations, its fleet management) through VCF Operations, not
// through SDDC Manager's API (UPGRADE-API.md §15). A release that needs them first is named at the start of a run
// and in its plan, before anything changes, and the run waits at the acknowledgement gate until the user says so.
import type { ApiIdentity } from "../vcf/generation";
import { normalizeStatus } from "../vcf/status";
import { capText, LINE_CAP } from "../vcf/text-cap";
import { describeApi } from "./api-generation";
import { appendLog } from "./transitions";
import type { TargetRelease, UpgradeRun } from "./types";
import { compareVersions, sameVersion } from "./versions";

/** The first VCF 9 release: going there from 5.x needs VCF Operations and its fleet management at 9 first. */
const FIRST_VCF9 = "9.0.0.0";
/** ProductVersion.lifecycleManagedBy of what SDDC Manager upgrades itself (9.0 spec). */
const BY_SDDC_MANAGER = "SDDC_MANAGER_VCF";

type BomEntry = TargetRelease["bom"][number];

function changes(entry: BomEntry, current: readonly BomEntry[]): boolean {
  const now = current.find((e) => e.name === entry.name);
  if (!now) return true;
  return now.version === undefined || entry.version === undefined
    ? now.version !== entry.version
    : !sameVersion(now.version, entry.version);
}

/**
 * What must be upgraded outside this API before the run's components: VCF Operations and its fleet management on
 * the way from 5.x to 9.x, and (a 9.0 SDDC Manager tells) every product of the target release that changes and
 * whose lifecycle another product manages. Empty when nothing is.
 */
export function workOutsideThisApi(
  sourceVersion: string,
  target: Pick<TargetRelease, "version" | "bom">,
  currentBom: readonly BomEntry[],
): string[] {
  const work: string[] = [];
  if (compareVersions(sourceVersion, FIRST_VCF9) < 0 && compareVersions(target.version, FIRST_VCF9) >= 0) {
    work.push(`VCF Operations and VCF Operations fleet management to ${target.version} (through VCF Operations)`);
  }
  for (const entry of target.bom) {
    const by = entry.lifecycleManagedBy;
    if (!by || normalizeStatus(by) === BY_SDDC_MANAGER || !changes(entry, currentBom)) continue;
    const name = entry.publicName ?? entry.name;
    // names and versions come from SDDC Manager: each line is capped before it is stored or shown
    work.push(capText(`${name}${entry.version ? ` to ${entry.version}` : ""} (upgraded by ${by})`, LINE_CAP));
  }
  return work;
}

/** The gate's wait reason for such work (English run-log text, like the gate's other reasons). */
export function outsideWorkReason(work: readonly string[]): string {
  return `Upgrade first, outside this package: ${work.join("; ")}. Then acknowledge: SDDC Manager's API does not upgrade them`;
}

/**
 * A new run (or a plan's draft) records the API SDDC Manager speaks and the work outside this API, and logs both
 * before anything changes in SDDC Manager.
 */
export function recordApiAndOutsideWork(run: UpgradeRun, choice: { api: ApiIdentity; outsideWork: string[] }): void {
  run.api = choice.api;
  appendLog(run, "info", "run", describeApi(choice.api));
  if (choice.outsideWork.length === 0) return;
  run.outsideWork = [...choice.outsideWork];
  appendLog(
    run,
    "warning",
    "run",
    `${run.targetVersion} needs work this package cannot do through SDDC Manager's API: ${choice.outsideWork.join("; ")}. ` +
      "The run waits for acknowledgement before its first component upgrade",
  );
}
