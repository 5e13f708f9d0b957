// Readers of the simulator's request log shared by the engine and node tests: what was asked, how often, and with which body.
import type { SimExchange } from "../../nodes/sim/index";

type RequestLog = readonly SimExchange[];

/** The requests with `method` whose path is `path` (or matches it). */
export function requestsTo(log: RequestLog, method: string, path: string | RegExp): SimExchange[] {
  return log.filter((e) => e.method === method && (typeof path === "string" ? e.path === path : path.test(e.path)));
}

/** How many requests with `method` went to `path` (or a path matching it). */
export function countRequests(log: RequestLog, method: string, path: string | RegExp): number {
  return requestsTo(log, method, path).length;
}

/** How often each path with `method` matching `path` was requested. */
export function countPerPath(log: RequestLog, method: string, path: RegExp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of requestsTo(log, method, path)) counts.set(e.path, (counts.get(e.path) ?? 0) + 1);
  return counts;
}

/** The bodies of the POSTs to `path`. */
export function postBodies(log: RequestLog, path: string): unknown[] {
  return requestsTo(log, "POST", path).map((e) => e.requestBody);
}

/** Requests that change something on SDDC Manager (logins excepted). */
export function mutatingRequests(log: RequestLog): SimExchange[] {
  return log.filter(
    (e) => (e.method === "POST" || e.method === "PATCH" || e.method === "DELETE") && !e.path.startsWith("/v1/tokens"),
  );
}

/**
 * POST /v1/upgrades per bundle id, refused ones included: a repeated request is a repeat even when SDDC Manager
 * turned it down, so "one per component" stays strict.
 */
export function upgradePostsPerBundle(log: RequestLog): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of requestsTo(log, "POST", "/v1/upgrades")) {
    const bundleId = String((e.requestBody as { bundleId?: unknown } | undefined)?.bundleId);
    counts.set(bundleId, (counts.get(bundleId) ?? 0) + 1);
  }
  return counts;
}
