// A cancelled run also stops what SDDC Manager can stop: its running upgrade (markForCancellation) and its running
// downloads (cancelNow). Check-set runs, validations and backups have no cancel in the API: they go on.
import type { VcfClient } from "../vcf/client";
import { normalizeStatus } from "../vcf/status";
import { capText, ENTRY_CAP } from "../vcf/text-cap";
import { engineText, type EngineText } from "./catalog";
import { errorText } from "./errors";
import { downloadUnderway } from "./remote-work";
import type { RemoteCancellation, UpgradeRun } from "./types";

async function answerOf<T>(
  request: Promise<T>,
  describe: (answer: T) => string,
): Promise<Pick<RemoteCancellation, "accepted" | "answer">> {
  try {
    return { accepted: true, answer: capText(describe(await request), ENTRY_CAP) };
  } catch (err) {
    return { accepted: false, answer: capText(errorText(err), ENTRY_CAP) };
  }
}

/**
 * Asks SDDC Manager to cancel the run's unfinished upgrades and downloads, one request each (never repeated: a
 * refusal or a lost answer is reported as it is). Resolves with what was asked and answered, in that order.
 */
export async function cancelInSddcManager(
  client: VcfClient,
  run: UpgradeRun,
  signal: AbortSignal,
): Promise<RemoteCancellation[]> {
  const done: RemoteCancellation[] = [];
  const at = (): string => new Date().toISOString();
  for (const u of Object.values(run.remote.upgrades)) {
    if (u.finishedAt) continue;
    const answer = await answerOf(
      client.cancelUpgrade(u.upgradeId, { signal }),
      (upgrade) => `status ${normalizeStatus(upgrade.status)}`,
    );
    done.push({ kind: "upgrade", id: u.upgradeId, component: u.componentType, ...answer, at: at() });
  }
  for (const b of Object.values(run.remote.bundles)) {
    if (!downloadUnderway(b)) continue;
    const answer = await answerOf(
      client.cancelBundleDownload(b.bundleId, { signal }),
      (task) => `task ${task.id} ${normalizeStatus(task.status)}`,
    );
    done.push({ kind: "download", id: b.bundleId, ...answer, at: at() });
  }
  return done;
}

/** One cancellation as the log and the node's warning say it. */
export function cancellationText(c: RemoteCancellation): EngineText {
  if (c.kind === "upgrade") {
    const params = { upgradeId: c.id, component: c.component ?? "", answer: c.answer };
    return c.accepted ? engineText("remoteUpgradeCancelled", params) : engineText("remoteUpgradeNotCancelled", params);
  }
  const params = { bundleId: c.id, answer: c.answer };
  return c.accepted ? engineText("remoteDownloadCancelled", params) : engineText("remoteDownloadNotCancelled", params);
}

/** What the cancel asked SDDC Manager to stop, with its answers; undefined when it asked nothing. */
export function remoteCancelReport(run: UpgradeRun): EngineText | undefined {
  const all = run.remoteCancellations ?? [];
  if (all.length === 0) return undefined;
  return engineText("remoteCancelReport", { items: all.map(cancellationText) });
}
