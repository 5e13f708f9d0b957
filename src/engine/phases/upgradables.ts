// The domain's upgradables as the component loop sees them: its own elements (domain- or cluster-scoped), open ones only.
import type { Upgradable } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { errorText, isAbort } from "../errors";
import { httpStatusOf } from "../remote-errors";
import type { PhaseContext } from "../run-handle";

/** Statuses of an upgradable that is done; some servers keep these listed while the target stays selected. */
const FINISHED = new Set(["COMPLETED", "COMPLETED_WITH_SUCCESS", "SUCCESSFUL"]);
/** An upgrade exists for it and is running or planned. */
const UNDERWAY = new Set(["IN_PROGRESS", "SCHEDULED"]);

export function isUnderway(u: Upgradable): boolean {
  return UNDERWAY.has(normalizeStatus(u.status));
}

export function isAvailable(u: Upgradable): boolean {
  return normalizeStatus(u.status) === "AVAILABLE";
}

/** The domain's id and its clusters' ids: upgradables and upgrades are scoped to either. */
async function domainResourceIds(ctx: PhaseContext): Promise<Set<string>> {
  const domain = await ctx.client.getDomain(ctx.run.domainId, ctx.opts);
  return new Set([domain.id, ...(domain.clusters ?? []).map((c) => c.id)]);
}

/** Which upgradables belong to the run's domain; the system list's failure is logged once per scope. */
export interface DomainScope {
  resourceIds: ReadonlySet<string>;
  systemListFailed?: boolean;
}

export async function domainScope(ctx: PhaseContext): Promise<DomainScope> {
  return { resourceIds: await domainResourceIds(ctx) };
}

/** Elements of `list` for the domain (its id or one of its clusters'). */
export function ofDomain(list: readonly Upgradable[], resourceIds: ReadonlySet<string>): Upgradable[] {
  return list.filter((u) => u.resource?.resourceId !== undefined && resourceIds.has(u.resource.resourceId));
}

/**
 * The domain's open upgradables (finished ones dropped): from the system-wide list, else the per-domain call.
 * An empty result means nothing is AVAILABLE, PENDING, SCHEDULED or in progress.
 */
export async function openUpgradables(ctx: PhaseContext, scope: DomainScope): Promise<Upgradable[]> {
  const { client, run } = ctx;
  let mine: Upgradable[] = [];
  let systemAnswered = false;
  try {
    mine = ofDomain(await client.getSystemUpgradables(ctx.opts), scope.resourceIds);
    systemAnswered = true;
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
    if (!scope.systemListFailed) {
      scope.systemListFailed = true;
      await ctx.handle.log("warning", `GET /v1/system/upgradables failed (${errorText(err)}); using the domain's own upgradables list`);
    }
  }
  if (mine.length === 0) {
    try {
      mine = await client.getUpgradables(run.domainId, run.targetVersion, ctx.opts);
    } catch (err) {
      // The per-domain call is deprecated (kept for the management domain): its 404 adds nothing to a system list that answered.
      if (!systemAnswered || httpStatusOf(err) !== 404) throw err;
    }
  }
  return mine.filter((u) => !FINISHED.has(normalizeStatus(u.status)));
}
