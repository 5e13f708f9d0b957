// SDDC Manager's API goes away for 20 minutes or more while it upgrades itself, and Node-RED may restart in the
// middle of that. A phase whose single call (not a poll: waits ride errors out themselves) meets the absent API waits
// for it within the outage budget and then runs again from the run's records, as after a restart.
import { engineText, englishText, type EngineText } from "./catalog";
import { EngineError, errorParam, errorText, isAbort } from "./errors";
import { outageBegins, outageEnds } from "./outage-record";
import { isApiAway } from "./remote-errors";
import { sharedRead } from "./shared-reads";
import type { PhaseContext } from "./run-handle";
import type { VcfClient } from "../vcf/client";
import type { EngineSettings, UpgradeRun } from "./types";
import { delay, describeDuration, waitUntil } from "./wait";

const AWAY_KEY = "api-away";

/** True when the run has started SDDC Manager's own upgrade and not seen it finish. */
export function upgradesSddcManager(run: UpgradeRun | undefined): boolean {
  return Object.values(run?.remote.upgrades ?? {}).some((u) => u.componentType === "SDDC_MANAGER" && !u.finishedAt);
}

/** True when this run or the management run it follows has SDDC Manager's own upgrade under way. */
export function sddcManagerUpgrading(ctx: PhaseContext): boolean {
  return (
    upgradesSddcManager(ctx.run) ||
    upgradesSddcManager(ctx.run.managementRunId ? ctx.runById(ctx.run.managementRunId) : undefined)
  );
}

/**
 * A start (there is no run yet) that finds the API away while a run of this engine follows SDDC Manager's own upgrade:
 * waits for the API (up to the outage budget), then starts. Otherwise a start fails at once, so that a wrong URL or a
 * stopped appliance is reported now, not after the outage budget.
 */
export async function startWhenApiBack<T>(
  start: () => Promise<T>,
  o: { upgrading: () => boolean; client: VcfClient; settings: EngineSettings; signal: AbortSignal },
): Promise<T> {
  const deadline = Date.now() + o.settings.sddcOutageBudgetMs;
  for (;;) {
    try {
      return await start();
    } catch (err) {
      if (!isApiAway(err) || !o.upgrading() || o.signal.aborted) throw err;
      await waitUntil({
        what: engineText("waitApiToStart"),
        poll: (signal) => o.client.getDomains({ signal }),
        until: () => true,
        deadline,
        intervalMs: o.settings.pollIntervalMs,
        maxIntervalMs: o.settings.maxPollIntervalMs,
        signal: o.signal,
      });
    }
  }
}

/**
 * Runs `work`, and again each time it fails because SDDC Manager's API is away, once the API answers. The budget
 * (sddcOutageBudgetMs) runs from the first failure of an outage, is recorded (a restart inside the outage keeps it),
 * and starts afresh once the work has changed the run again after an outage (it made progress).
 */
export async function rideOutApiAbsence(ctx: PhaseContext, what: EngineText, work: () => Promise<void>): Promise<void> {
  let progressMark: string | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      await work();
      if (ctx.run.deadlines[AWAY_KEY] !== undefined)
        await ctx.handle.update((r) => {
          delete r.deadlines[AWAY_KEY];
        });
      return;
    } catch (err) {
      if (!isApiAway(err) || isAbort(err, ctx.signal) || ctx.signal.aborted) throw err;
      if (progressMark !== undefined && progressMark !== ctx.run.updatedAt) delete ctx.run.deadlines[AWAY_KEY];
      await waitForApi(ctx, what, err);
      progressMark = ctx.run.updatedAt;
      // A server that answers the probe but keeps failing the work must not be asked in a tight loop.
      await delay(
        Math.min(ctx.settings.maxPollIntervalMs, ctx.settings.pollIntervalMs * 2 ** Math.min(attempt - 1, 10)),
        ctx.signal,
        what,
      );
    }
  }
}

async function waitForApi(ctx: PhaseContext, what: EngineText, err: unknown): Promise<void> {
  const budget = ctx.settings.sddcOutageBudgetMs;
  const upgrading = sddcManagerUpgrading(ctx);
  if (upgrading) await outageBegins(ctx.handle);
  const why = upgrading ? "SDDC Manager is upgrading itself" : "SDDC Manager may be restarting";
  if (ctx.run.deadlines[AWAY_KEY] === undefined) {
    await ctx.handle.log(
      "warning",
      `${englishText(what)}: no answer from SDDC Manager (${errorText(err)}); ${why}: waiting up to ${describeDuration(budget)} for its API, then continuing from the recorded state`,
    );
  }
  const stepBefore = ctx.run.step;
  await ctx.handle.step(`Waiting for SDDC Manager's API to answer again (${why}); then ${englishText(what)} continues`);
  try {
    await ctx.wait({
      what: engineText("waitApi", { what }),
      deadlineKey: AWAY_KEY,
      deadlineMs: budget,
      expectOutage: upgrading,
      // Any answer will do, so the runs of one SDDC Manager waiting for its API share their probes.
      poll: (signal, look) =>
        sharedRead(ctx.client, "api-probe", () => ctx.client.getDomain(ctx.run.domainId), {
          maxAgeMs: look.maxAgeMs,
          signal,
        }),
      until: () => true,
    });
  } catch (e) {
    if (!(e instanceof EngineError) || e.code !== "DEADLINE") throw e;
    throw new EngineError(
      "DEADLINE",
      engineText("apiAwayTooLong", { budget: describeDuration(budget), what, error: errorParam(err) }),
      { fix: engineText("apiAwayTooLongFix") },
    );
  }
  await outageEnds(ctx.handle);
  await ctx.handle.log("info", `SDDC Manager answers again: ${englishText(what)} continues from the recorded state`);
  await ctx.handle.step(stepBefore);
}
