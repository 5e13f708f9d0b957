// What a run has started in SDDC Manager that is still going on there; cancelling a run here does not stop it.
import { normalizeStatus } from "../vcf/status";
import { engineText, type EngineText } from "./catalog";
import type { UpgradeRun } from "./types";

const DOWNLOAD_ENDED = new Set(["SUCCESSFUL", "FAILED"]);

/** Remote operations of the run that may still be running, each with its id. */
function remoteWorkUnderway(run: UpgradeRun): EngineText[] {
  const { remote, completedPhases } = run;
  const work: EngineText[] = [];
  for (const b of Object.values(remote.bundles)) {
    if (b.requested && !DOWNLOAD_ENDED.has(normalizeStatus(b.downloadStatus)))
      work.push(
        b.taskId
          ? engineText("workDownloadTask", { bundleId: b.bundleId, taskId: b.taskId })
          : engineText("workDownload", { bundleId: b.bundleId }),
      );
  }
  if (remote.validationId && !remote.validationResult)
    work.push(engineText("workValidation", { id: remote.validationId }));
  if (remote.checkSetRunId && !completedPhases.includes("prechecks"))
    work.push(engineText("workPrecheck", { id: remote.checkSetRunId }));
  else if (remote.checkSetRunRequestedAt && !remote.checkSetRunId)
    work.push(engineText("workPrecheckRequested", { requestedAt: remote.checkSetRunRequestedAt }));
  for (const u of Object.values(remote.upgrades)) {
    if (!u.finishedAt)
      work.push(
        engineText("workUpgrade", { upgradeId: u.upgradeId, component: u.componentType, bundleId: u.bundleId }),
      );
  }
  if (remote.upgradeRequest) {
    const { componentType, bundleId, requestedAt } = remote.upgradeRequest;
    work.push(engineText("workUpgradeRequested", { component: componentType, bundleId, requestedAt }));
  }
  if (remote.retryRequest) {
    const { taskId, upgradeId, requestedAt } = remote.retryRequest;
    work.push(engineText("workRetryRequested", { taskId, upgradeId, requestedAt }));
  }
  if (remote.backup?.taskId && !remote.backup.status)
    work.push(engineText("workBackup", { taskId: remote.backup.taskId }));
  if (remote.finalValidationId && !completedPhases.includes("upgrade"))
    work.push(engineText("workFinalValidation", { id: remote.finalValidationId }));
  return work;
}

/** The warning to log and show when a run is cancelled while remote work goes on; undefined when none does. */
export function remoteWorkWarning(run: UpgradeRun): EngineText | undefined {
  const work = remoteWorkUnderway(run);
  if (work.length === 0) return undefined;
  return engineText("remoteWorkContinues", { work });
}
