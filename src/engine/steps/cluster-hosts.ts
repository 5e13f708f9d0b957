// How many hosts the clusters of an ESXi upgrade have: the duration of an ESXi upgrade grows with them, so a run
// records the count with its measured duration, and a plan scales its estimate by it.
import type { UpgradeSpec } from "../../vcf/types";
import { errorText, isAbort } from "../errors";
import type { PhaseContext } from "../run-handle";

/** Cluster id -> host count, from GET /v1/clusters?domainId= (one read for the whole domain). */
export async function clusterHostCounts(ctx: PhaseContext): Promise<Map<string, number>> {
  const clusters = await ctx.client.getClusters(ctx.run.domainId, ctx.opts);
  return new Map(clusters.map((c) => [c.id, c.hosts?.length ?? 0]));
}

/**
 * The hosts an ESXi upgrade spec remediates (its clusters' hosts; the whole domain's for a domain-scoped spec), or
 * undefined when they cannot be counted. Only an estimate rests on it, so a failed read is logged, never thrown.
 */
export async function hostsOfSpec(ctx: PhaseContext, spec: UpgradeSpec): Promise<number | undefined> {
  let counts: Map<string, number>;
  try {
    counts = await clusterHostCounts(ctx);
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
    await ctx.handle.log("info", `Could not count the hosts for the duration estimates (${errorText(err)})`);
    return undefined;
  }
  const ids = spec.resourceType === "CLUSTER" ? spec.resourceUpgradeSpecs.map((r) => r.resourceId) : [...counts.keys()];
  const known = ids.map((id) => counts.get(id));
  if (known.some((n) => !n)) return undefined;
  return known.reduce<number>((sum, n) => sum + (n ?? 0), 0);
}
