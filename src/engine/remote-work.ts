// What a run has started in SDDC Manager that is still going on there after a cancel: everything when the cancel
// stopped the run here only, else what SDDC Manager cannot cancel or did not (see remote-cancel.ts).
import { normalizeStatus } from "../vcf/status";
import { engineText, type EngineText } from "./catalog";
import type { BundleRecord, RemoteCancellation, UpgradeRun } from "./types";

const DOWNLOAD_ENDED = new Set(["SUCCESSFUL", "FAILED"]);

/** A download the run requested that has not ended (as far as the run knows). */
export function downloadUnderway(b: BundleRecord): boolean {
  return b.requested && !DOWNLOAD_ENDED.has(normalizeStatus(b.downloadStatus));
}

/** Whether SDDC Manager accepted the cancellation of this upgrade or download. */
function cancelledThere(run: UpgradeRun, kind: RemoteCancellation["kind"], id: string): boolean {
  return (run.remoteCancellations ?? []).some((c) => c.kind === kind && c.id === id && c.accepted);
}

/** Remote operations of the run that may still be running, each with its id. */
function remoteWorkUnderway(run: UpgradeRun): EngineText[] {
  const { remote, completedPhases } = run;
  const work: EngineText[] = [];
  for (const b of Object.values(remote.bundles)) {
    if (downloadUnderway(b) && !cancelledThere(run, "download", b.bundleId))
      work.push(
        b.taskId
          ? engineText("workDownloadTask", { bundleId: b.bundleId, taskId: b.taskId })
          : engineText("workDownload", { bundleId: b.bundleId }),
      );
  }
  if (remote.validationId && !remote.validationResult)
    work.push(engineText("workValidation", { id: remote.validationId }));
  if (remote.checkSetRunId && !completedPhases.includes("prechecks"))
    work.push(
      run.remoteCancellations
        ? engineText("workPrecheckNotCancellable", { id: remote.checkSetRunId })
        : engineText("workPrecheck", { id: remote.checkSetRunId }),
    );
  else if (remote.checkSetRunRequestedAt && !remote.checkSetRunId)
    work.push(engineText("workPrecheckRequested", { requestedAt: remote.checkSetRunRequestedAt }));
  for (const u of Object.values(remote.upgrades)) {
    if (!u.finishedAt && !cancelledThere(run, "upgrade", u.upgradeId))
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
  // remoteCancellations is set (also empty) when the cancel asked SDDC Manager to stop what it can
  return run.remoteCancellations
    ? engineText("remoteWorkGoesOn", { work })
    : engineText("remoteWorkContinues", { work });
}
