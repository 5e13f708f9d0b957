// The domain's upgradables as the component loop sees them: its own elements (domain- or cluster-scoped), open ones only.
import type { Upgradable } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { errorText, isAbort } from "../errors";
import { isApiAway } from "../remote-errors";
import { sddcManagerUpgrading } from "../api-away";
import type { PhaseContext } from "../run-handle";
import { sharedRead } from "../shared-reads";
import type { PollLook } from "../wait";
import { isOffered, rememberIfNotOffered } from "./not-offered";

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

/** Which upgradables belong to the run's domain; not using the system list is logged once per scope. */
export interface DomainScope {
  /** The domain's id and its clusters' ids: upgradables and upgrades are scoped to either. */
  resourceIds: ReadonlySet<string>;
  /** Cluster id -> name. */
  clusterNames: ReadonlyMap<string, string | undefined>;
  systemListFailed?: boolean;
}

export async function domainScope(ctx: PhaseContext): Promise<DomainScope> {
  const domain = await ctx.once("domain", () => ctx.client.getDomain(ctx.run.domainId, ctx.opts));
  const clusters = domain.clusters ?? [];
  return {
    resourceIds: new Set([domain.id, ...clusters.map((c) => c.id)]),
    clusterNames: new Map(clusters.map((c) => [c.id, c.name])),
  };
}

/** Elements of `list` for the domain (its id or one of its clusters'). */
function ofDomain(list: readonly Upgradable[], resourceIds: ReadonlySet<string>): Upgradable[] {
  return list.filter((u) => u.resource?.resourceId !== undefined && resourceIds.has(u.resource.resourceId));
}

const SYSTEM_LIST = "/v1/system/upgradables";

/** Says once per scope why the domain's own list is used instead of the system-wide one. */
async function noteSystemListUnused(ctx: PhaseContext, scope: DomainScope, why: string): Promise<void> {
  if (scope.systemListFailed) return;
  scope.systemListFailed = true;
  await ctx.handle.log("warning", `GET ${SYSTEM_LIST} ${why}; using the domain's own upgradables list`);
}

/**
 * The system-wide list's elements for the domain; undefined when SDDC Manager does not offer it or it failed (but
 * not while SDDC Manager upgrades itself and its API is away: that failure is thrown for the caller's wait). The
 * list is the same for every domain: the runs of one SDDC Manager share a read as old as `look` allows.
 */
async function fromSystemList(
  ctx: PhaseContext,
  scope: DomainScope,
  look: PollLook,
): Promise<Upgradable[] | undefined> {
  if (!isOffered(ctx.client, SYSTEM_LIST)) {
    await noteSystemListUnused(ctx, scope, "is not offered by this SDDC Manager (it answered 404 before)");
    return undefined;
  }
  try {
    const list = await sharedRead(ctx.client, SYSTEM_LIST, () => ctx.client.getSystemUpgradables(), {
      ...look,
      signal: ctx.signal,
    });
    return ofDomain(list, scope.resourceIds);
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
    // SDDC Manager is upgrading itself and its API is away: the domain's own list is away too, asking it adds nothing.
    if (isApiAway(err) && sddcManagerUpgrading(ctx)) throw err;
    rememberIfNotOffered(ctx.client, SYSTEM_LIST, err);
    await noteSystemListUnused(ctx, scope, `failed (${errorText(err)})`);
    return undefined;
  }
}

/**
 * The domain's open upgradables (finished ones dropped): from the system-wide list, else the per-domain call.
 * An empty result means nothing is AVAILABLE, PENDING, SCHEDULED or in progress. `look`: a wait's poll (default: a
 * fresh read).
 */
export async function openUpgradables(
  ctx: PhaseContext,
  scope: DomainScope,
  look: PollLook = { maxAgeMs: 0 },
): Promise<Upgradable[]> {
  const { client, run } = ctx;
  const system = await fromSystemList(ctx, scope, look);
  let mine = system ?? [];
  const own = `/v1/upgradables/domains/${run.domainId}`;
  if (mine.length === 0 && (system === undefined || isOffered(client, own))) {
    try {
      mine = await client.getUpgradables(run.domainId, run.targetVersion, ctx.opts);
    } catch (err) {
      // The per-domain call is deprecated (kept for the management domain): its 404 adds nothing to a system list that answered.
      if (system === undefined || !rememberIfNotOffered(client, own, err)) throw err;
    }
  }
  return mine.filter((u) => !FINISHED.has(normalizeStatus(u.status)));
}
