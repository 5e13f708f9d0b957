// What a run has started in SDDC Manager that is still going on there; cancelling a run here does not stop it.
import { normalizeStatus } from "../vcf/status";
import type { UpgradeRun } from "./types";

const DOWNLOAD_ENDED = new Set(["SUCCESSFUL", "FAILED"]);

/** Remote operations of the run that may still be running, each with its id. */
function remoteWorkUnderway(run: UpgradeRun): string[] {
  const { remote, completedPhases } = run;
  const work: string[] = [];
  for (const b of Object.values(remote.bundles)) {
    if (b.requested && !DOWNLOAD_ENDED.has(normalizeStatus(b.downloadStatus)))
      work.push(`download of bundle ${b.bundleId}${b.taskId ? ` (task ${b.taskId})` : ""}`);
  }
  if (remote.validationId && !remote.validationResult) work.push(`target validation ${remote.validationId}`);
  if (remote.checkSetRunId && !completedPhases.includes("prechecks")) work.push(`precheck run ${remote.checkSetRunId}`);
  else if (remote.checkSetRunRequestedAt && !remote.checkSetRunId)
    work.push(`precheck run requested at ${remote.checkSetRunRequestedAt} (answer not received)`);
  for (const u of Object.values(remote.upgrades)) {
    if (!u.finishedAt) work.push(`upgrade ${u.upgradeId} of ${u.componentType} (bundle ${u.bundleId})`);
  }
  if (remote.upgradeRequest) {
    work.push(
      `upgrade of ${remote.upgradeRequest.componentType} (bundle ${remote.upgradeRequest.bundleId}) requested at ${remote.upgradeRequest.requestedAt} (answer not received)`,
    );
  }
  if (remote.retryRequest) {
    work.push(
      `retry of task ${remote.retryRequest.taskId} (upgrade ${remote.retryRequest.upgradeId}) requested at ${remote.retryRequest.requestedAt} (answer not received)`,
    );
  }
  if (remote.backup?.taskId && !remote.backup.status) work.push(`SDDC Manager backup (task ${remote.backup.taskId})`);
  if (remote.finalValidationId && !completedPhases.includes("upgrade"))
    work.push(`final validation ${remote.finalValidationId}`);
  return work;
}

/** The warning to log and show when a run is cancelled while remote work goes on; undefined when none does. */
export function remoteWorkWarning(run: UpgradeRun): string | undefined {
  const work = remoteWorkUnderway(run);
  if (work.length === 0) return undefined;
  return `Cancelled here only: remote work already started continues in SDDC Manager (${work.join(", ")}); follow or stop it there`;
}
