/**
 * Every place where traffic may differ from vcf-5.2.1-openapi.json, each recorded in UPGRADE-API.md.
 * This is the ONLY list the contract checker (openapi-contract.ts) accepts differences from; anything
 * not listed here is a violation. Add an entry only with the UPGRADE-API.md section that records it.
 */

/** A route the spec does not have, skipped on purpose. */
export interface UndocumentedRoute {
  pathPrefix: string;
  reason: string;
  section: string;
}

/** A status the real server answers instead of the spec's one; the body is validated as `validateAs`. */
export interface StatusAlias {
  method: string;
  pathTemplate: string;
  status: number;
  validateAs: number;
  reason: string;
  section: string;
}

/** A status the spec does not list for an operation; `body` says how to check what comes with it. */
export interface ExtraStatus {
  /** "*" for any operation */
  method: string;
  pathTemplate: string;
  status: number;
  /** "Error": a JSON Error body; "any": HTML, text or empty bodies from a proxy are fine too */
  body: "Error" | "any";
  reason: string;
  section: string;
}

/** A property the spec's schema lacks but the real API sends or accepts. */
export interface ExtraProperty {
  schema: string;
  property: string;
  /** JSON schema the property's value must still satisfy */
  type: "boolean" | "object" | "string";
  reason: string;
  section: string;
}

/** A property the spec types as non-null that the real API sends as null. */
export interface NullableProperty {
  schema: string;
  property: string;
  reason: string;
  section: string;
}

/**
 * A map the spec types as "values are objects" (how a Java Map<String, Object> comes out of the generator)
 * where the real API puts arrays, strings and numbers in it; its values are accepted as any JSON.
 */
export interface FreeFormMap {
  schema: string;
  property: string;
  reason: string;
  section: string;
}

/** A request body whose on-wire form differs from its schema. */
export interface RequestBodyForm {
  method: string;
  pathTemplate: string;
  reason: string;
  section: string;
}

export const UNDOCUMENTED_ROUTES: readonly UndocumentedRoute[] = [
  {
    pathPrefix: "/sim/",
    reason: "the simulator's own introspection routes (request log, state, clock); never part of the product API",
    section: "UPGRADE-API.md §13 (simulator notes); team brief: introspection under /sim/ only",
  },
];

export const STATUS_ALIASES: readonly StatusAlias[] = [
  {
    method: "POST",
    pathTemplate: "/v1/tokens",
    status: 200,
    validateAs: 201,
    reason: "the spec lists 201 TokenPair, the portal samples and a real lab answer 200 with the same TokenPair",
    section: "UPGRADE-API.md §1 (POST /v1/tokens) and §13",
  },
];

export const EXTRA_STATUSES: readonly ExtraStatus[] = [
  {
    method: "*",
    pathTemplate: "*",
    status: 401,
    body: "Error",
    reason: "a missing, malformed or expired bearer token answers 401 with an Error body on every call",
    section: "UPGRADE-API.md §1 (401 behaviour) and §9 table, row 'Any call'",
  },
  ...[502, 503, 504].map((status): ExtraStatus => ({
    method: "*",
    pathTemplate: "*",
    status,
    body: "any",
    reason: "nginx answers 502/503 (HTML) while SDDC Manager restarts during its own upgrade, and flaky proxies do too",
    section: "UPGRADE-API.md §6.8 and §9 ('Non-JSON bodies happen', table row 'Any call')",
  })),
  {
    method: "PATCH",
    pathTemplate: "/v1/releases/domains/{domainId}",
    status: 400,
    body: "Error",
    reason: "400 SAME_SOURCE_AND_TARGET_VCF_VERSION when the target equals the current version (real lab)",
    section: "UPGRADE-API.md §4 (PATCH /v1/releases/domains/{domainId}) and §9 table",
  },
];

export const EXTRA_PROPERTIES: readonly ExtraProperty[] = [
  {
    schema: "CheckSetRunInput",
    property: "metadata",
    type: "object",
    reason:
      'the SDDC Manager UI sends "metadata":{"targetVersion":...}; runs without it count as target-less health checks',
    section: "UPGRADE-API.md §5.2",
  },
  {
    schema: "PageOfUpgradablesClusterResource",
    property: "pageMetadata",
    type: "object",
    reason: "every list answers {elements, pageMetadata}; this page schema alone omits pageMetadata in the 5.2.1 file",
    section: "UPGRADE-API.md §0 (lists come as elements + pageMetadata)",
  },
  {
    schema: "SoftwareComponent",
    property: "isUserInputRequired",
    type: "boolean",
    reason: "Broadcom's own upgradables samples carry softwareComponents[].isUserInputRequired",
    section: "UPGRADE-API.md §6.1",
  },
];

export const NULLABLE_PROPERTIES: readonly NullableProperty[] = [
  {
    schema: "Upgradable",
    property: "errors",
    reason: 'Broadcom\'s upgradables samples show "errors": null where the schema has an array',
    section: "UPGRADE-API.md §6.1",
  },
];

export const FREE_FORM_MAPS: readonly FreeFormMap[] = [
  {
    schema: "AssessmentOutput",
    property: "presentedArtifactsMap",
    reason: 'a real 5.2.0 lab answers "validation-domain-summary": [ {...} ] (an array) in this map',
    section: "UPGRADE-API.md §5.3 (AssessmentOutput: presentedArtifactsMap, a free-form map; the real-lab capture)",
  },
  {
    schema: "EntityRest",
    property: "properties",
    reason: 'the real-lab physicalPresentedData carries string values, e.g. "properties": { "domainId": "…" }',
    section: "UPGRADE-API.md §5.3 (physicalPresentedData in the real-lab capture)",
  },
];

export const REQUEST_BODY_FORMS: readonly RequestBodyForm[] = [
  {
    method: "PATCH",
    pathTemplate: "/v1/tokens/access-token/refresh",
    reason:
      "the refresh-token id goes out as the bare id (no JSON quotes) labelled application/json, as PowerVCF does; the log holds it as raw text, which is checked to be the schema's string",
    section: "UPGRADE-API.md §1 (PATCH /v1/tokens/access-token/refresh)",
  },
];
