/**
 * Contract check: every recorded request and response against the official OpenAPI file of the API generation the
 * simulator spoke at that moment (VCF 5.2.1 or 9.0.2, the exchange's apiGeneration), read from ../shared at test
 * time (never copied into the repo). Objects are checked CLOSED (a key the
 * schema does not name is a violation), so a wrong body such as a flat {"downloadNow":true} cannot pass.
 * Differences are accepted only from contract-deviations.ts.
 */
import fs from "node:fs";
import path from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import {
  EXTRA_PROPERTIES,
  EXTRA_STATUSES,
  FREE_FORM_MAPS,
  NULLABLE_PROPERTIES,
  REQUEST_BODY_FORMS,
  STATUS_ALIASES,
  UNDOCUMENTED_ROUTES,
} from "./contract-deviations";

/** The parts of a simulator exchange (SimExchange) that the check reads. */
export interface CheckedExchange {
  seq?: number;
  method: string;
  path: string;
  /** The query parameters sent (name to value). */
  query?: Record<string, string>;
  requestContentType?: string;
  requestBody?: unknown;
  /** 0 when the connection was dropped without an answer */
  status: number;
  responseContentType?: string;
  responseBody?: unknown;
  /** The API the simulator spoke when it answered; absent: 5.2. */
  apiGeneration?: ApiGeneration;
}

/** The API generations with a spec in ../shared/vcf-api. */
export type ApiGeneration = "5.2" | "9.0";

export interface ContractViolation {
  seq?: number;
  method: string;
  path: string;
  status?: number;
  where: "route" | "request" | "response";
  message: string;
}

export interface ContractReport {
  exchanges: number;
  requestsValidated: number;
  responsesValidated: number;
  violations: ContractViolation[];
}

type Json = Record<string, unknown>;

export interface OpenApiSpec {
  file: string;
  document: Json;
}

const SPEC_DIR = ["..", "shared", "vcf-api"];
const SPEC_FILES: Record<ApiGeneration, string> = {
  "5.2": "vcf-5.2.1-openapi.json",
  "9.0": "vcf-9.0.2-openapi.json",
};
const SPEC_ID = "vcf-openapi";
const COMPONENT_REF = "#/components/schemas/";
/** OpenAPI keywords that are not JSON Schema, dropped during conversion. */
const DROPPED_KEYWORDS = new Set([
  "example",
  "examples",
  "discriminator",
  "xml",
  "externalDocs",
  "nullable",
  "deprecated",
]);

/** The repository root: the nearest folder above this file that holds package.json. */
export function repoRoot(start: string = __dirname): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/** Where a generation's spec is looked for: ../shared/vcf-api/vcf-<version>-openapi.json next to the repository. */
export function specLocation(generation: ApiGeneration = "5.2"): string {
  return path.resolve(repoRoot(), ...SPEC_DIR, SPEC_FILES[generation]);
}

const cachedSpecs = new Map<string, OpenApiSpec>();

/** The parsed spec of a generation, or undefined when it is absent from ../shared. */
export function loadSpec(generation: ApiGeneration = "5.2"): OpenApiSpec | undefined {
  const file = specLocation(generation);
  const cached = cachedSpecs.get(file);
  if (cached) return cached;
  if (!fs.existsSync(file)) return undefined;
  const spec = { file, document: JSON.parse(fs.readFileSync(file, "utf8")) as Json };
  cachedSpecs.set(file, spec);
  return spec;
}

/** The violations among `exchanges` (specs required: call loadSpec() first and skip when one is absent). */
export function checkExchanges(exchanges: readonly CheckedExchange[]): ContractViolation[] {
  return checkContract(exchanges).violations;
}

/**
 * Violations plus how many request and response bodies were validated against a schema. Each exchange is checked
 * against the spec of its own generation, or all against `spec` when one is given.
 */
export function checkContract(exchanges: readonly CheckedExchange[], spec?: OpenApiSpec): ContractReport {
  if (spec) return contractFor(spec).check(exchanges);
  const report: ContractReport = { exchanges: 0, requestsValidated: 0, responsesValidated: 0, violations: [] };
  for (const generation of Object.keys(SPEC_FILES) as ApiGeneration[]) {
    const own = exchanges.filter((e) => (e.apiGeneration ?? "5.2") === generation);
    if (own.length === 0) continue;
    const genSpec = loadSpec(generation);
    if (!genSpec) throw new Error(`OpenAPI spec absent: looked for ${specLocation(generation)}`);
    const part = contractFor(genSpec).check(own);
    report.exchanges += part.exchanges;
    report.requestsValidated += part.requestsValidated;
    report.responsesValidated += part.responsesValidated;
    report.violations.push(...part.violations);
  }
  return report;
}

// ---------------------------------------------------------------------------------------------------------

interface ResponseSpec {
  /** undefined: the spec declares no body for this status */
  schema?: Json;
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  /** The query parameters the spec declares, with their schemas (converted). */
  queryParams: Map<string, Json>;
  requestSchema?: Json;
  requestRequired: boolean;
  responses: Map<number, ResponseSpec>;
}

const checkers = new WeakMap<OpenApiSpec, ContractChecker>();

function contractFor(spec: OpenApiSpec): ContractChecker {
  let checker = checkers.get(spec);
  if (!checker) {
    checker = new ContractChecker(spec.document);
    checkers.set(spec, checker);
  }
  return checker;
}

class ContractChecker {
  private readonly ajv: Ajv;
  private readonly operations: Operation[];
  private readonly validators = new Map<Json, ValidateFunction>();

  constructor(document: Json) {
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
    for (const format of formatsIn(document)) if (!this.ajv.formats[format]) this.ajv.addFormat(format, true);
    const components = asRecord(document.components);
    this.ajv.addSchema({ $id: SPEC_ID, components: { schemas: convertComponents(asRecord(components.schemas)) } });
    this.operations = readOperations(asRecord(document.paths));
  }

  check(exchanges: readonly CheckedExchange[]): ContractReport {
    const report: ContractReport = { exchanges: 0, requestsValidated: 0, responsesValidated: 0, violations: [] };
    for (const exchange of exchanges) {
      if (UNDOCUMENTED_ROUTES.some((route) => exchange.path.startsWith(route.pathPrefix))) continue;
      report.exchanges++;
      const found = this.operationFor(exchange);
      if (typeof found === "string") {
        report.violations.push(violation(exchange, "route", found));
        continue;
      }
      this.checkQuery(found, exchange, report);
      this.checkRequest(found, exchange, report);
      this.checkResponse(found, exchange, report);
    }
    return report;
  }

  private operationFor(exchange: CheckedExchange): Operation | string {
    const method = exchange.method.toUpperCase();
    const byPath = this.operations.filter((op) => op.pattern.test(exchange.path));
    if (byPath.length === 0) return "path not in the spec";
    const withMethod = byPath
      .filter((op) => op.method === method)
      .sort((a, b) => b.literalSegments - a.literalSegments);
    return withMethod[0] ?? `method ${method} not in the spec for ${byPath.map((op) => op.template).join(", ")}`;
  }

  /** Every query parameter sent is one the spec declares for the operation, with a value its schema accepts. */
  private checkQuery(op: Operation, exchange: CheckedExchange, report: ContractReport): void {
    for (const [name, raw] of Object.entries(exchange.query ?? {})) {
      const schema = op.queryParams.get(name);
      if (!schema) {
        const declared = [...op.queryParams.keys()].join(", ") || "none";
        report.violations.push(
          violation(exchange, "request", `query parameter "${name}" is not in the spec (${declared})`),
        );
        continue;
      }
      for (const message of this.validate(schema, queryValue(raw, schema)))
        report.violations.push(violation(exchange, "request", `query parameter "${name}"=${raw}: ${message}`));
    }
  }

  private checkRequest(op: Operation, exchange: CheckedExchange, report: ContractReport): void {
    const hasBody = exchange.requestBody !== undefined;
    if (!op.requestSchema) {
      if (hasBody) report.violations.push(violation(exchange, "request", "the spec declares no request body"));
      return;
    }
    if (!hasBody) {
      if (op.requestRequired)
        report.violations.push(violation(exchange, "request", "request body required by the spec is missing"));
      return;
    }
    const rawAllowed = REQUEST_BODY_FORMS.some(
      (form) => form.method === op.method && form.pathTemplate === op.template,
    );
    if (!rawAllowed && !/json/i.test(exchange.requestContentType ?? "")) {
      report.violations.push(
        violation(
          exchange,
          "request",
          `content type ${exchange.requestContentType ?? "(none)"} is not application/json`,
        ),
      );
    }
    report.requestsValidated++;
    for (const message of this.validate(op.requestSchema, exchange.requestBody)) {
      report.violations.push(violation(exchange, "request", message));
    }
  }

  private checkResponse(op: Operation, exchange: CheckedExchange, report: ContractReport): void {
    if (exchange.status === 0) return; // connection dropped on purpose: nothing was answered
    const alias = STATUS_ALIASES.find(
      (a) => a.method === op.method && a.pathTemplate === op.template && a.status === exchange.status,
    );
    const documented = op.responses.get(alias ? alias.validateAs : exchange.status);
    if (documented) {
      this.checkResponseBody(documented.schema, exchange, report);
      return;
    }
    const extra = EXTRA_STATUSES.find(
      (e) =>
        e.status === exchange.status &&
        (e.method === "*" || e.method === op.method) &&
        (e.pathTemplate === "*" || e.pathTemplate === op.template),
    );
    if (!extra) {
      const listed = [...op.responses.keys()].join(", ");
      report.violations.push(
        violation(
          exchange,
          "response",
          `status ${exchange.status} is not in the spec (${listed}) nor in contract-deviations.ts`,
        ),
      );
      return;
    }
    if (extra.body === "Error") this.checkResponseBody({ $ref: `${SPEC_ID}${COMPONENT_REF}Error` }, exchange, report);
  }

  private checkResponseBody(schema: Json | undefined, exchange: CheckedExchange, report: ContractReport): void {
    const body = exchange.responseBody;
    if (!schema) {
      if (body !== undefined && body !== "")
        report.violations.push(violation(exchange, "response", "the spec declares no response body, but one was sent"));
      return;
    }
    if (body === undefined) {
      report.violations.push(violation(exchange, "response", "empty body where the spec wants JSON"));
      return;
    }
    if (!/json/i.test(exchange.responseContentType ?? "")) {
      report.violations.push(
        violation(
          exchange,
          "response",
          `content type ${exchange.responseContentType ?? "(none)"} is not application/json`,
        ),
      );
    }
    report.responsesValidated++;
    for (const message of this.validate(schema, body)) report.violations.push(violation(exchange, "response", message));
  }

  private validate(schema: Json, value: unknown): string[] {
    let validator = this.validators.get(schema);
    if (!validator) {
      validator = this.ajv.compile(schema);
      this.validators.set(schema, validator);
    }
    return validator(value) ? [] : (validator.errors ?? []).map(describeError);
  }
}

/** A query string value as the type its schema declares (a value that is no such thing stays a string and fails). */
function queryValue(raw: string, schema: Json): unknown {
  if ((schema.type === "integer" || schema.type === "number") && raw.trim() !== "" && Number.isFinite(Number(raw)))
    return Number(raw);
  if (schema.type === "boolean" && (raw === "true" || raw === "false")) return raw === "true";
  return raw;
}

function violation(exchange: CheckedExchange, where: ContractViolation["where"], message: string): ContractViolation {
  return { seq: exchange.seq, method: exchange.method, path: exchange.path, status: exchange.status, where, message };
}

function describeError(error: ErrorObject): string {
  const at = error.instancePath || "(body)";
  const extra = error.keyword === "additionalProperties" ? ` "${String(error.params.additionalProperty)}"` : "";
  return `${at} ${error.message ?? error.keyword}${extra}`;
}

// ---- reading the spec ----

const METHODS = ["get", "post", "put", "patch", "delete"];

function readOperations(paths: Json): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(paths)) {
    const segments = template.split("/");
    const pattern = new RegExp(`^${segments.map((s) => (/^\{.+\}$/.test(s) ? "[^/]+" : escapeRegExp(s))).join("/")}$`);
    const literalSegments = segments.filter((s) => s !== "" && !s.startsWith("{")).length;
    for (const [method, raw] of Object.entries(asRecord(item))) {
      if (!METHODS.includes(method)) continue;
      const op = asRecord(raw);
      const requestBody = asRecord(op.requestBody);
      const responses = new Map<number, ResponseSpec>();
      for (const [status, response] of Object.entries(asRecord(op.responses))) {
        if (/^\d{3}$/.test(status)) responses.set(Number(status), { schema: jsonSchemaOf(asRecord(response)) });
      }
      const queryParams = new Map<string, Json>();
      for (const raw of Array.isArray(op.parameters) ? op.parameters : []) {
        const param = asRecord(raw);
        if (param.in === "query" && typeof param.name === "string")
          queryParams.set(param.name, convertSchema(asRecord(param.schema)));
      }
      operations.push({
        method: method.toUpperCase(),
        template,
        pattern,
        literalSegments,
        queryParams,
        requestSchema: jsonSchemaOf(requestBody),
        requestRequired: requestBody.required === true,
        responses,
      });
    }
  }
  return operations;
}

/** The application/json schema of a requestBody or response object, converted; undefined when none. */
function jsonSchemaOf(holder: Json): Json | undefined {
  const media = asRecord(asRecord(holder.content)["application/json"]);
  return media.schema === undefined ? undefined : convertSchema(asRecord(media.schema));
}

/** Component schemas as closed JSON Schemas, with the documented extra and nullable properties added. */
function convertComponents(schemas: Json): Json {
  const converted: Json = {};
  for (const [name, schema] of Object.entries(schemas)) converted[name] = convertSchema(asRecord(schema));
  for (const extra of EXTRA_PROPERTIES) {
    propertiesOf(converted, extra.schema)[extra.property] = { type: extra.type };
  }
  for (const map of FREE_FORM_MAPS) {
    propertiesOf(converted, map.schema)[map.property] = { type: "object", additionalProperties: {} };
  }
  for (const nullable of NULLABLE_PROPERTIES) {
    const properties = propertiesOf(converted, nullable.schema);
    properties[nullable.property] = { anyOf: [properties[nullable.property] ?? {}, { type: "null" }] };
  }
  return converted;
}

function propertiesOf(converted: Json, schemaName: string): Json {
  const schema = converted[schemaName];
  if (!isRecord(schema) || !isRecord(schema.properties)) {
    throw new Error(
      `contract-deviations.ts names schema ${schemaName}, which the spec does not have (or has no properties)`,
    );
  }
  return schema.properties;
}

/** OpenAPI 3.0 schema object -> JSON Schema (draft 7) as ajv reads it. */
function convertSchema(schema: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith("x-")) continue;
    if (key === "$ref" && typeof value === "string")
      out.$ref = value.startsWith(COMPONENT_REF) ? `${SPEC_ID}${value}` : value;
    else if (key === "properties") out.properties = mapValues(asRecord(value), convertSchema);
    else if ((key === "items" || key === "additionalProperties" || key === "not") && isRecord(value))
      out[key] = convertSchema(value);
    else if ((key === "allOf" || key === "oneOf" || key === "anyOf") && Array.isArray(value))
      out[key] = value.map((s) => convertSchema(asRecord(s)));
    else out[key] = value;
  }
  // closed objects: an undeclared key is a contract violation unless contract-deviations.ts allows it
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  if (schema.nullable === true) return { anyOf: [out, { type: "null" }] };
  return out;
}

function formatsIn(node: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => formatsIn(item, found));
  else if (isRecord(node)) {
    if (typeof node.format === "string") found.add(node.format);
    Object.values(node).forEach((value) => formatsIn(value, found));
  }
  return found;
}

function mapValues(record: Json, fn: (value: Json) => Json): Json {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(asRecord(value))]));
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Json {
  return isRecord(value) ? value : {};
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
