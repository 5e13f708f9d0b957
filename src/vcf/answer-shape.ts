// The shape checks of SDDC Manager's answers that the engine relies on: a list answer that is not a list, or a
// domain without an id or a name, is an error naming the request and the field, never an empty list or a crash.
import { VcfApiError } from "./errors";
import { isRecord } from "./http/body";
import type { Domain } from "./types";

const NOT_THE_API =
  "The answer does not look like SDDC Manager's API: check the URL in the vcf-config node (https://<sddc-manager-fqdn>, no path) and any proxy in between";

function shapeError(method: string, path: string, message: string, remediationMessage = NOT_THE_API): VcfApiError {
  return new VcfApiError({ kind: "http", method, path, status: 200, retryable: false, message, remediationMessage });
}

function describeValue(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}

/** The `elements` of a page answer; an answer that is not an object with an `elements` list is an error. */
export function pageElements<T>(page: unknown, method: string, path: string): T[] {
  if (!isRecord(page))
    throw shapeError(method, path, `the answer is ${describeValue(page)}, not a page with an "elements" list`);
  if (!Array.isArray(page.elements))
    throw shapeError(method, path, `the answer's "elements" is ${describeValue(page.elements)}, not a list`);
  return page.elements as T[];
}

/** Each domain has a non-empty id and name (the engine names domains by them); `what` says where it was found. */
export function checkDomain(domain: unknown, method: string, path: string, what = "the domain"): Domain {
  const id = isRecord(domain) && typeof domain.id === "string" && domain.id.trim() !== "" ? domain.id : undefined;
  const name =
    isRecord(domain) && typeof domain.name === "string" && domain.name.trim() !== "" ? domain.name : undefined;
  if (id && name) return domain as Domain;
  const missing = !isRecord(domain)
    ? `is ${describeValue(domain)}, not a domain`
    : !id
      ? "has no id"
      : `(id ${id}) has no name`;
  throw shapeError(
    method,
    path,
    `${what} ${missing}`,
    "SDDC Manager (or a proxy in between) sent a domain without its id or name: look at the domain in SDDC Manager (GET /v1/domains) and at the URL in the vcf-config node",
  );
}
