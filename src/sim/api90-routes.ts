import { ApiError } from "./errors";
import { requireApi90, speaks90 } from "./generation";
import { ok, page } from "./replies";
import type { ApiReply, ApiRequest, Route } from "./router";
import type { SimState } from "./state";

/**
 * The calls only a 9.0 SDDC Manager has (UPGRADE-API.md §15): a 5.2 one answers 404 for them, as for any path it
 * does not know.
 */
export function api90Routes(s: () => SimState): Route[] {
  return [
    {
      method: "GET",
      template: "/v1/upgrades/preview",
      handle: (r) => only90(s(), r, () => ok(preview(s(), r.query))),
    },
    {
      method: "GET",
      template: "/v1/bundles/download-status",
      handle: (r) => only90(s(), r, () => page(s().bundles.downloadStatus(r.query))),
    },
    {
      method: "GET",
      template: "/v1/system/settings/depot/depot-sync-info",
      handle: (r) => only90(s(), r, () => ok(s().readiness.depotSyncInfo())),
    },
    {
      method: "GET",
      template: "/v1/system/appliance-info",
      handle: (r) => only90(s(), r, () => ok({ role: "SddcManager", version: s().inventory.sddcManager.version })),
    },
  ];
}

/**
 * GET /v1/system/upgradables; a 9.0 SDDC Manager whose inventory cache is not seeded yet answers 409 (an Error) or
 * 408 (an empty page) instead.
 */
export function systemUpgradables(state: SimState): ApiReply {
  const unseeded = speaks90(state.inventory) ? state.upgradables.notSeeded() : undefined;
  if (unseeded === 409) {
    throw new ApiError(
      409,
      "INVENTORY_CACHE_NOT_SEEDED",
      "The upgradables cannot be listed yet: the inventory cache is not seeded",
      "Wait a minute and ask again.",
    );
  }
  if (unseeded === 408) return page([], 408);
  return page(state.upgradables.system());
}

function only90(state: SimState, r: ApiRequest, answer: () => ApiReply): ApiReply {
  requireApi90(state.inventory, r.path);
  return answer();
}

function preview(state: SimState, query: Record<string, string>): unknown {
  if (!query.bundleId) {
    throw new ApiError(400, "BUNDLE_ID_REQUIRED", "Query parameter 'bundleId' is required", "Add ?bundleId=.", [
      "bundleId",
    ]);
  }
  const domain = query.domainId ? state.releases.requireDomain(query.domainId) : undefined;
  return state.upgradables.preview(query.bundleId, domain);
}
