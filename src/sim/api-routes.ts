import { api90Routes, systemUpgradables } from "./api90-routes";
import { ApiError } from "./errors";
import { listPersonalities } from "./personalities";
import { accepted, ok, page } from "./replies";
import type { ApiReply, ApiRequest, Route } from "./router";
import type { SimState } from "./state";
import type { AuthService } from "./auth";
import { targetSteps } from "./domain-steps";
import { renderCluster, renderDomain, renderSddcManager } from "./render-domains";
import type { TaskBody } from "./tasks";

/** The /v1 route table: every endpoint of UPGRADE-API.md §1-§8 the upgrade uses. */

export function apiRoutes(state: () => SimState, auth: AuthService, strict: boolean): Route[] {
  const s = state;
  return [
    { method: "POST", template: "/v1/tokens", public: true, handle: (r) => ok(auth.login(r.body, strict)) },
    {
      method: "PATCH",
      template: "/v1/tokens/access-token/refresh",
      public: true,
      handle: (r) => ok(auth.refresh(r.rawBody)),
    },
    {
      method: "DELETE",
      template: "/v1/tokens/refresh-token",
      public: true,
      handle: (r) => (auth.revoke(r.rawBody), { status: 204 }),
    },

    {
      method: "GET",
      template: "/v1/domains",
      handle: (r) =>
        page(
          s()
            .inventory.domains.filter((d) => !r.query.type || d.type === r.query.type)
            .map((d) => renderDomain(s(), d)),
        ),
    },
    {
      method: "GET",
      template: "/v1/domains/{id}",
      handle: (r) => ok(renderDomain(s(), s().releases.requireDomain(param(r, "id")))),
    },
    {
      method: "GET",
      template: "/v1/clusters",
      handle: (r) =>
        page(
          s()
            .inventory.domains.filter((d) => !r.query.domainId || d.id === r.query.domainId)
            .flatMap((d) => d.clusters.map((c) => renderCluster(d, c))),
        ),
    },
    { method: "GET", template: "/v1/sddc-managers", handle: () => page([renderSddcManager(s())]) },
    { method: "GET", template: "/v1/sddc-managers/{id}", handle: (r) => ok(sddcManagerById(s(), param(r, "id"))) },

    { method: "GET", template: "/v1/releases", handle: (r) => page(s().releases.list(r.query)) },
    { method: "GET", template: "/v1/releases/system", handle: () => ok(s().releases.system()) },
    {
      method: "GET",
      template: "/v1/releases/domains/{domainId}/future-releases",
      handle: (r) => page(s().releases.futureReleases(param(r, "domainId"))),
    },
    {
      method: "GET",
      template: "/v1/releases/domains",
      handle: () => page(s().inventory.domains.map((d) => s().releases.view(d.id))),
    },
    {
      method: "GET",
      template: "/v1/releases/domains/{domainId}",
      handle: (r) => ok(s().releases.view(param(r, "domainId"))),
    },
    {
      method: "PATCH",
      template: "/v1/releases/domains/{domainId}",
      handle: (r) => (s().releases.setTarget(param(r, "domainId"), r.body), { status: 200 }),
    },
    {
      method: "DELETE",
      template: "/v1/releases/domains/{domainId}",
      handle: (r) => (s().releases.clearTarget(param(r, "domainId")), { status: 200 }),
    },
    {
      method: "POST",
      template: "/v1/releases/domains/{domainId}/validations",
      handle: (r) => ({
        status: 202,
        json: s().validations.start(s().releases.requireDomain(param(r, "domainId")), r.body),
      }),
    },
    {
      method: "GET",
      template: "/v1/releases/domains/validations/{validationId}",
      handle: (r) => ok(s().validations.get(param(r, "validationId"))),
    },

    {
      method: "GET",
      template: "/v1/bundles",
      handle: (r) => page(s().bundles.list({ productType: r.query.productType, bundleType: r.query.bundleType })),
    },
    { method: "GET", template: "/v1/bundles/domains/{id}", handle: (r) => page(bundlesForDomain(s(), param(r, "id"))) },
    { method: "GET", template: "/v1/bundles/{id}", handle: (r) => ok(s().bundles.read(param(r, "id"))) },
    {
      method: "PATCH",
      template: "/v1/bundles/{id}",
      handle: (r) => accepted(s().bundles.update(param(r, "id"), r.body)),
    },

    { method: "POST", template: "/v1/system/check-sets/queries", handle: (r) => ok(s().checkSets.query(r.body)) },
    { method: "POST", template: "/v1/system/check-sets", handle: (r) => accepted(s().checkSets.start(r.body)) },
    { method: "GET", template: "/v1/system/check-sets", handle: (r) => ok(s().checkSets.list(r.query.domainId)) },
    {
      method: "GET",
      template: "/v1/system/check-sets/{runId}",
      handle: (r) => ok(s().checkSets.get(param(r, "runId"))),
    },

    {
      method: "GET",
      template: "/v1/upgradables/domains/{domainId}",
      handle: (r) => page(s().upgradables.forDomain(s().releases.requireDomain(param(r, "domainId")))),
    },
    { method: "GET", template: "/v1/system/upgradables", handle: () => systemUpgradables(s()) },
    {
      method: "GET",
      template: "/v1/upgradables/domains/{domainId}/nsxt",
      handle: (r) => ok(s().upgradables.nsxt(s().releases.requireDomain(param(r, "domainId")), r.query.bundleId)),
    },
    {
      method: "GET",
      template: "/v1/upgradables/domains/{domainId}/clusters",
      handle: (r) => page(s().upgradables.clusters(s().releases.requireDomain(param(r, "domainId")))),
    },
    {
      method: "GET",
      template: "/v1/personalities",
      handle: (r) =>
        page(listPersonalities({ baseOSVersion: r.query.baseOSVersion, personalityName: r.query.personalityName })),
    },

    { method: "POST", template: "/v1/upgrades", handle: (r) => accepted(s().upgrades.start(r.body)) },
    {
      method: "GET",
      template: "/v1/upgrades",
      handle: (r) =>
        page(s().upgrades.list({ status: r.query.status, bundleId: r.query.bundleId, bundleType: r.query.bundleType })),
    },
    { method: "GET", template: "/v1/upgrades/{upgradeId}", handle: (r) => ok(s().upgrades.get(param(r, "upgradeId"))) },
    {
      method: "PATCH",
      template: "/v1/upgrades/{upgradeId}",
      handle: (r) => ok(s().upgrades.commit(param(r, "upgradeId"), r.body)),
    },

    ...readinessRoutes(s),
    ...api90Routes(s),

    { method: "GET", template: "/v1/tasks", handle: (r) => taskPage(s().tasks.all(), r.query) },
    { method: "GET", template: "/v1/tasks/{id}", handle: (r) => ok(s().tasks.get(param(r, "id"))) },
    { method: "PATCH", template: "/v1/tasks/{id}", handle: (r) => (s().tasks.retry(param(r, "id")), { status: 200 }) },
  ];
}

/** UPGRADE-API.md §14.1 and §14.2: backups, password and certificate expiry, the depot. */
function readinessRoutes(s: () => SimState): Route[] {
  return [
    {
      method: "GET",
      template: "/v1/system/backup-configuration",
      handle: () => ok(s().readiness.backupConfiguration()),
    },
    {
      method: "POST",
      template: "/v1/backups/tasks",
      handle: (r) => {
        const task = s().readiness.startBackup(r.body);
        return { status: 202, json: task, headers: { Location: `/v1/tasks/${task.id}` } };
      },
    },
    {
      method: "POST",
      template: "/v1/credentials/expirations",
      handle: (r) => ({ status: 202, json: s().readiness.startExpiryQuery(r.body) }),
    },
    {
      method: "GET",
      template: "/v1/credentials/expirations/{id}",
      handle: (r) => ok(s().readiness.expiryQuery(param(r, "id"))),
    },
    {
      method: "GET",
      template: "/v1/domains/{id}/certificates",
      handle: (r) => page(s().readiness.certificates(s().releases.requireDomain(param(r, "id")))),
    },
    { method: "GET", template: "/v1/system/settings/depot", handle: () => ok(s().readiness.depotSettings()) },
  ];
}

function param(r: ApiRequest, name: string): string {
  return r.params[name] ?? "";
}

/** The bundles a domain needs from its version to its selected target (none without a target). */
function bundlesForDomain(state: SimState, domainId: string): unknown[] {
  const domain = state.releases.requireDomain(domainId);
  return targetSteps(state.inventory, domain).map((step) => state.bundles.get(step.bundle.id));
}

function sddcManagerById(state: SimState, id: string): unknown {
  if (id !== state.inventory.sddcManager.id)
    throw new ApiError(
      404,
      "SDDC_MANAGER_NOT_FOUND",
      `SDDC Manager with id ${id} not found`,
      "Use GET /v1/sddc-managers.",
      [id],
    );
  return renderSddcManager(state);
}

/** GET /v1/tasks: filters and paging (pageNumber from 0, pageSize at most 100). */
function taskPage(tasks: TaskBody[], q: Record<string, string>): ApiReply {
  const pageSize = intParam(q, "pageSize", 20, 1, 100);
  const pageNumber = intParam(q, "pageNumber", 0, 0, Number.MAX_SAFE_INTEGER);
  const norm = (v: string): string => v.toUpperCase().replace(/ /g, "_");
  const completedAfter = q.completedAfter !== undefined ? Number(q.completedAfter) : undefined;
  const filtered = tasks
    .filter((t) => !q.taskStatus || norm(t.status) === norm(q.taskStatus))
    .filter((t) => !q.taskType || t.type === q.taskType)
    .filter((t) => !q.taskName || t.name.includes(q.taskName))
    .filter((t) => !q.resourceId || t.resources.some((r) => r.resourceId === q.resourceId))
    .filter((t) => !q.resourceType || t.resources.some((r) => r.type === q.resourceType))
    .filter(
      (t) =>
        completedAfter === undefined ||
        (t.completionTimestamp !== undefined && Date.parse(t.completionTimestamp) > completedAfter),
    )
    .sort((a, b) => b.creationTimestamp.localeCompare(a.creationTimestamp));
  const elements = filtered.slice(pageNumber * pageSize, (pageNumber + 1) * pageSize);
  return ok({
    elements,
    pageMetadata: {
      pageNumber,
      pageSize,
      totalElements: filtered.length,
      totalPages: Math.ceil(filtered.length / pageSize),
    },
  });
}

function intParam(q: Record<string, string>, name: string, fallback: number, min: number, max: number): number {
  const raw = q[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ApiError(
      400,
      "INVALID_QUERY_PARAMETER",
      `Query parameter '${name}' must be an integer from ${min} to ${max}, got '${raw}'`,
      `Fix '${name}'.`,
      [name],
    );
  }
  return n;
}
