// The component loop's wait when SDDC Manager offers nothing: said once in the run's log, not polled silently.
import type { Upgradable } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { isAbort } from "../errors";
import { isManagementDomain } from "../management-first";
import type { PhaseContext } from "../run-handle";
import { describeDuration } from "../wait";

/** True when every remaining upgradable is PENDING: nothing AVAILABLE, nothing in progress. */
export function onlyPending(list: readonly Upgradable[]): boolean {
  return list.length > 0 && list.every((u) => normalizeStatus(u.status) === "PENDING");
}

/** What the run waits for: for a VI domain usually the management domain (SDDC Manager first). */
export async function describePendingWait(ctx: PhaseContext, list: readonly Upgradable[]): Promise<string> {
  const { run, settings } = ctx;
  const what =
    `All ${list.length} remaining component upgrade(s) of ${run.domainName} are PENDING ` +
    `(bundles ${list.map((u) => u.bundleId).join(", ")}), none is available or in progress`;
  const limit = `for up to ${describeDuration(settings.componentDeadlineMs)}`;
  const managementRun = run.managementRunId ? ctx.runById(run.managementRunId) : undefined;
  if (managementRun) return firstManagement(ctx, what, limit, managementRun.domainName);
  try {
    const domains = await ctx.client.getDomains(ctx.opts);
    const self = domains.find((d) => d.id === run.domainId);
    const management = domains.find(isManagementDomain);
    if (self && management && !isManagementDomain(self)) return firstManagement(ctx, what, limit, management.name);
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
  }
  return `${what}: waiting ${limit} for SDDC Manager to offer the next one`;
}

function firstManagement(ctx: PhaseContext, what: string, limit: string, management: string): string {
  return `${what}: waiting ${limit} for the management domain ${management} to be upgraded to ${ctx.run.targetVersion} first (SDDC Manager before any VI domain)`;
}
