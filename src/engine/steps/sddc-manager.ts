// SDDC Manager upgrades itself: its API vanishes, comes back, may flap, and then refuses the old session.
import type { Bundle, Upgrade } from "../../vcf/types";
import { noteApiAfterUpgrade } from "../api-generation";
import { normalizeStatus } from "../../vcf/status";
import { engineText } from "../catalog";
import { EngineError, errorText, isAbort } from "../errors";
import { isTransientError } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { UpgradeRecord } from "../types";
import { sameVersion } from "../versions";
import { delay, describeDuration } from "../wait";
import { forgetNotOffered } from "./not-offered";
import { failureOf, upgradeEnded, upgradeSucceeded } from "./upgrade-status";

/**
 * Polls SDDC Manager's own upgrade. The first error starts an outage clock (recorded, so it survives restarts)
 * that runs until the upgrade reports a terminal status: a flapping API does not get a fresh budget each time.
 * Each time the API answers after errors: wait the settle time, then log in afresh.
 */
export function sddcPoller(
  ctx: PhaseContext,
  record: UpgradeRecord,
): (signal: AbortSignal | undefined) => Promise<Upgrade> {
  const outageKey = `sddc-outage:${record.upgradeId}`;
  let settled = false;
  return async (signal) => {
    const outageUntil = ctx.run.deadlines[outageKey];
    try {
      if (outageUntil !== undefined && !settled) {
        await ctx.client.getDomains({ signal });
        await ctx.handle.log(
          "info",
          `SDDC Manager answers again; waiting ${describeDuration(ctx.settings.sddcSettleMs)} for its services to settle`,
        );
        await delay(ctx.settings.sddcSettleMs, signal);
        ctx.client.invalidateSession();
        await ctx.client.login({ signal });
        settled = true;
        await ctx.handle.log("info", "Logged in to SDDC Manager afresh after its restart");
      }
      const upgrade = await ctx.client.getUpgrade(record.upgradeId, { signal });
      if (outageUntil !== undefined && upgradeEnded(upgrade))
        await ctx.handle.update((r) => {
          delete r.deadlines[outageKey];
        });
      return upgrade;
    } catch (err) {
      if (isAbort(err, signal) || err instanceof EngineError) throw err;
      settled = false;
      if (outageUntil === undefined) {
        const budget = ctx.settings.sddcOutageBudgetMs;
        await ctx.handle.update((r) => {
          r.deadlines[outageKey] = new Date(Date.now() + budget).toISOString();
        });
        await ctx.handle.log(
          "warning",
          `SDDC Manager's API is unavailable while it upgrades itself (${errorText(err)}); waiting up to ${describeDuration(budget)}`,
        );
      } else if (Date.now() > Date.parse(outageUntil)) {
        throw new EngineError(
          "DEADLINE",
          engineText("sddcOutageTooLong", { budget: describeDuration(ctx.settings.sddcOutageBudgetMs) }),
          { fix: engineText("sddcOutageTooLongFix") },
        );
      }
      throw err;
    }
  };
}

/** The version the SDDC Manager bundle installs, else the release's SDDC Manager BOM entry. */
function expectedVersion(ctx: PhaseContext, bundle: Bundle): string | undefined {
  return (
    bundle.components?.find((c) => normalizeStatus(c.type).startsWith("SDDC_MANAGER"))?.toVersion ??
    ctx.run.targetRelease.bom.find((e) => e.name === "SDDC_MANAGER_VCF")?.version
  );
}

/**
 * After SDDC Manager's upgrade: a fresh session, the terminal status re-read and the new version reported. Its
 * services may still answer 503 or 401 for a while, so every read is polled through transient errors.
 */
export async function confirmSddcManager(ctx: PhaseContext, record: UpgradeRecord): Promise<void> {
  ctx.client.invalidateSession();
  const { upgrade, bundle } = await ctx.wait({
    what: engineText("waitSddcRead"),
    deadlineKey: `sddc-confirm:${record.upgradeId}`,
    deadlineMs: ctx.settings.validationDeadlineMs,
    expectOutage: true,
    retryOn: isTransientError,
    // The client logs in afresh (POST /v1/tokens) on the first call after invalidateSession().
    poll: async (signal) => ({
      upgrade: await ctx.client.getUpgrade(record.upgradeId, { signal }),
      bundle: await ctx.client.getBundle(record.bundleId, { signal }),
    }),
    until: () => true,
  });
  if (!upgradeSucceeded(upgrade)) throw await failureOf(ctx, record, upgrade);
  forgetNotOffered(ctx.client);
  const expected = expectedVersion(ctx, bundle);
  if (!expected) return;
  const managers = await ctx.wait({
    what: engineText("waitSddcVersion", { version: expected }),
    deadlineKey: `sddc-version:${record.upgradeId}`,
    deadlineMs: ctx.settings.validationDeadlineMs,
    expectOutage: true,
    poll: (signal) => ctx.client.getSddcManagers({ signal }),
    until: (list) => list.some((m) => sameVersion(m.version, expected)),
  });
  const version = managers.find((m) => m.version)?.version ?? expected;
  await ctx.handle.log("success", `SDDC Manager now runs ${version}`);
  await noteApiAfterUpgrade(ctx, managers);
}
