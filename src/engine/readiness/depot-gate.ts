// The depot check where it matters in a run: at the start of the download phase, before the first download request.
// (The prechecks phase comes after the downloads, so its depot check finds bundles to download only in a plan.)
import { engineText } from "../catalog";
import { EngineError, isAbort } from "../errors";
import { isApiAway } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { Finding } from "../types";
import { checkFailed, depotFinding, depotProblem, namedBundles } from "./checks";

async function recordFinding(ctx: PhaseContext, finding: Finding): Promise<void> {
  await ctx.handle.update((r) => {
    r.findings = [...r.findings.filter((f) => f.code !== finding.code), finding];
  });
}

/**
 * Fails the phase when the depot account is not connected and `stillToDownload` (read only then) names bundles; the
 * finding joins the run's findings. Switched off (readinessDepot), it is skipped and the log says so; a depot read
 * that fails is a warning finding and the downloads go ahead (they fail with SDDC Manager's own error if they must).
 */
export async function depotGate(ctx: PhaseContext, stillToDownload: () => Promise<string[]>): Promise<void> {
  if (ctx.settings.readinessChecksOff.includes("depot")) {
    await ctx.handle.log(
      "info",
      "Depot connection check before the downloads: switched off in the connection settings",
    );
    return;
  }
  let problem;
  try {
    problem = await depotProblem(ctx.client, ctx.settings, ctx.signal);
  } catch (err) {
    if (isAbort(err, ctx.signal) || isApiAway(err)) throw err;
    const finding = checkFailed("depot", err);
    await recordFinding(ctx, finding);
    await ctx.handle.log("warning", `${finding.description}; downloading anyway`, { finding });
    return;
  }
  if (!problem) return;
  const bundles = await stillToDownload();
  if (bundles.length === 0) return;
  const finding = depotFinding(problem, bundles);
  await recordFinding(ctx, finding);
  throw new EngineError(
    "REMOTE_FAILURE",
    engineText("depotNotConnected", {
      status: problem.status,
      message: problem.message ?? problem.status,
      total: bundles.length,
      bundles: namedBundles(bundles),
    }),
    { fix: engineText("depotNotConnectedFix") },
  );
}
