import type { SimContext } from "./context";
import { componentVersion } from "./domain-steps";
import { ApiError, badField } from "./errors";
import type { SimDomain } from "./inventory";
import { findDomainById, RELEASES } from "./inventory";
import { BodyObject } from "./request-body";
import type { ComponentKind } from "./types";

/** POST /v1/system/check-sets/queries: the two-step query of UPGRADE-API.md §5.1. */

export type CheckResourceType = "SDDC_MANAGER" | "NSX_T_MANAGER" | "VCENTER" | "CLUSTER";
const RESOURCE_TYPES: readonly CheckResourceType[] = ["SDDC_MANAGER", "NSX_T_MANAGER", "VCENTER", "CLUSTER"];
const BOM_KIND: Record<CheckResourceType, ComponentKind> = {
  SDDC_MANAGER: "SDDC_MANAGER",
  NSX_T_MANAGER: "NSX_T_MANAGER",
  VCENTER: "VCENTER",
  CLUSTER: "ESX_HOST",
};
const CHECKSET_PREFIX: Record<CheckResourceType, string> = {
  SDDC_MANAGER: "sddc-manager",
  NSX_T_MANAGER: "nsx",
  VCENTER: "vcenter",
  CLUSTER: "esx-cluster",
};
const CHECKSET_LABEL: Record<CheckResourceType, string> = {
  SDDC_MANAGER: "SDDC Manager",
  NSX_T_MANAGER: "NSX",
  VCENTER: "vCenter",
  CLUSTER: "ESXi cluster",
};

export interface QueryResource {
  resourceName: string;
  resourceId: string;
  resourceType: CheckResourceType;
  resourceVersion: string;
  domain: { domainId: string; domainName: string; domainType: "MANAGEMENT" | "VI" };
  checkSets: { checkSetId: string; checkSetName: string; checkSetType: string }[];
  extraContext: Record<string, unknown>;
  /** Not rendered: the component target version asked for, if any. */
  targetVersion?: string;
}

export interface QueryRecord {
  queryId: string;
  createdMs: number;
  resources: QueryResource[];
  used: boolean;
}

export function runQuery(ctx: SimContext, body: unknown): QueryRecord {
  const root = BodyObject.root(body, "CheckSetQueryInput", ctx.strict).allowOnly("CheckSetQueryInput", [
    "checkSetType",
    "domains",
  ]);
  const type = root.string("checkSetType", true);
  if (type !== "UPGRADE")
    throw badField(
      "checkSetType",
      `'${type}' is not supported; upgrade prechecks use UPGRADE`,
      'Send "checkSetType": "UPGRADE".',
    );
  const resources = root.objects("domains", "CheckSetQueryDomainResources", 1).flatMap((d) => {
    d.allowOnly("CheckSetQueryDomainResources", ["domainId", "resources"]);
    const domainId = d.string("domainId", true);
    const domain = findDomainById(ctx.inventory, domainId);
    if (!domain)
      throw badField(
        d.fieldPath("domainId"),
        `domain ${domainId} does not exist`,
        "Use a domain id from GET /v1/domains.",
      );
    const wanted = d.objects("resources", "CheckSetQueryResource").map((r) => readWanted(r));
    return resourcesOf(ctx, domain, wanted);
  });
  return { queryId: ctx.ids.next("checkset-query"), createdMs: ctx.clock.nowMs(), resources, used: false };
}

interface Wanted {
  resourceType: CheckResourceType;
  resourceId?: string;
  targetVersion?: string;
}

function readWanted(r: BodyObject): Wanted {
  r.allowOnly("CheckSetQueryResource", ["resourceType", "resourceId", "resourceTargetVersion"]);
  const resourceType = r.enumString("resourceType", RESOURCE_TYPES, true);
  const targetVersion = r.string("resourceTargetVersion");
  if (targetVersion !== undefined) {
    const kind = BOM_KIND[resourceType];
    const known = RELEASES.map((rel) => rel.bom[kind]);
    if (!known.includes(targetVersion)) {
      throw badField(
        r.fieldPath("resourceTargetVersion"),
        `'${targetVersion}' is not a ${kind} version of any release`,
        `Use the ${kind} BOM version of the target release (GET /v1/releases/domains/{id}/future-releases, bom[]), e.g. ${known[2] ?? known[0]}.`,
      );
    }
  }
  return { resourceType, resourceId: r.string("resourceId"), targetVersion };
}

function resourcesOf(ctx: SimContext, domain: SimDomain, wanted: Wanted[]): QueryResource[] {
  const all = allResources(ctx, domain);
  if (wanted.length === 0) return all.map((r) => withCheckSets(r, undefined));
  return wanted.flatMap((w) => {
    const matches = all.filter(
      (r) => r.resourceType === w.resourceType && (!w.resourceId || r.resourceId === w.resourceId),
    );
    if (w.resourceId && matches.length === 0)
      throw new ApiError(
        400,
        "RESOURCE_NOT_FOUND",
        `Resource ${w.resourceId} of type ${w.resourceType} is not in domain ${domain.name}`,
        "Query with the domain alone first to list its resources.",
        [w.resourceId],
      );
    return matches.map((r) => withCheckSets(r, w.targetVersion));
  });
}

function allResources(ctx: SimContext, domain: SimDomain): Omit<QueryResource, "checkSets">[] {
  const inv = ctx.inventory;
  const ref = { domainId: domain.id, domainName: domain.name, domainType: domain.type };
  const list: Omit<QueryResource, "checkSets">[] = [];
  if (domain.type === "MANAGEMENT") {
    list.push({
      resourceName: inv.sddcManager.fqdn,
      resourceId: inv.sddcManager.id,
      resourceType: "SDDC_MANAGER",
      resourceVersion: inv.sddcManager.version,
      domain: ref,
      extraContext: {},
    });
  }
  list.push({
    resourceName: domain.nsx.vipFqdn,
    resourceId: domain.nsx.id,
    resourceType: "NSX_T_MANAGER",
    resourceVersion: componentVersion(inv, domain, "NSX_T_MANAGER"),
    domain: ref,
    extraContext: {},
  });
  list.push({
    resourceName: domain.vcenter.fqdn,
    resourceId: domain.vcenter.id,
    resourceType: "VCENTER",
    resourceVersion: domain.vcenter.version,
    domain: ref,
    extraContext: {},
  });
  for (const c of domain.clusters) {
    list.push({
      resourceName: c.name,
      resourceId: c.id,
      resourceType: "CLUSTER",
      resourceVersion: c.esxVersion,
      domain: ref,
      extraContext: {},
    });
  }
  return list;
}

/** Without a target version a resource gets its default (health) check-set; with one, the upgrade check-set. */
function withCheckSets(r: Omit<QueryResource, "checkSets">, targetVersion: string | undefined): QueryResource {
  const prefix = CHECKSET_PREFIX[r.resourceType];
  const label = CHECKSET_LABEL[r.resourceType];
  const checkSet = targetVersion
    ? {
        checkSetId: `${prefix}-upgrade-perspective-VCF_5x`,
        checkSetName: `${label} upgrade prechecks`,
        checkSetType: "UPGRADE",
      }
    : {
        checkSetId: `${prefix}-general-perspective-VCF_5x`,
        checkSetName: `${label} general upgrade readiness`,
        checkSetType: "UPGRADE",
      };
  return { ...r, checkSets: [checkSet], targetVersion };
}

export function renderQuery(q: QueryRecord): unknown {
  return { queryId: q.queryId, resources: q.resources.map(({ targetVersion: _t, ...rest }) => rest) };
}
