// Reads which domain, run and target version a message is about, from the message or the node's own settings.
// Message values win over node settings; malformed values are refused before anything reaches SDDC Manager.
import type { UpgradeRun } from "../engine";
import { InputError } from "./errors";
import { t } from "./i18n";
import type { NodeMessage } from "./node-red-types";

export interface PhaseRequest {
  /** Set when an upstream phase node sent msg.vcf.runId. */
  runId?: string;
  /** Domain id or name. */
  domain?: string;
  targetVersion?: string;
}

export interface NodeDomainSettings {
  domain?: string;
  targetVersion?: string;
}

const VERSION_PATTERN = /^\d+\.\d+\.\d+(\.\d+)?$/;

export function readPhaseRequest(msg: NodeMessage, node: NodeDomainSettings): PhaseRequest {
  const vcf = readVcfObject(msg);
  const request: PhaseRequest = {};
  const runId = optionalText(vcf?.runId, "msg.vcf.runId", "runId");
  if (runId) request.runId = runId;
  // The node's own fields are named by their form labels (the same in every phase node's catalog).
  const domain =
    optionalText(msg.domain, "msg.domain", "domainIdOrName") ??
    optionalText(vcf?.domainId, "msg.vcf.domainId", "domainId") ??
    optionalText(vcf?.domain, "msg.vcf.domain", "domainIdOrName") ??
    optionalText(node.domain, "Domain", "domainIdOrName", t("vcf-download-bundles.label.domain"));
  if (domain) request.domain = domain;
  const targetVersion =
    optionalVersion(msg.targetVersion, "msg.targetVersion") ??
    optionalVersion(node.targetVersion, "Target version", t("vcf-download-bundles.label.targetVersion"));
  if (targetVersion) request.targetVersion = targetVersion;
  return request;
}

/** msg.clusterImages for a run-starting node: cluster id or name -> personality id; undefined when absent or empty. */
export function readClusterImages(msg: NodeMessage): Record<string, string> | undefined {
  const value = msg.clusterImages;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InputError("msg.clusterImages", t("vcf-config.errors.clusterImages", { value: describeType(value) }));
  }
  // Entries, not assignments: a "__proto__" key (JSON.parse makes it an own key) stays a key and is checked like any other.
  const images: [string, string][] = [];
  for (const [cluster, image] of Object.entries(value)) {
    if (cluster.trim() === "") {
      throw new InputError("msg.clusterImages", t("vcf-config.errors.clusterImagesEmptyName"));
    }
    if (typeof image !== "string" || image.trim() === "") {
      throw new InputError(
        "msg.clusterImages",
        t("vcf-config.errors.clusterImage", { cluster, value: describeType(image) }),
      );
    }
    images.push([cluster.trim(), image.trim()]);
  }
  return images.length > 0 ? Object.fromEntries(images) : undefined;
}

/** The domain a run-starting node works on; required. */
export function requireDomain(request: PhaseRequest): string {
  if (!request.domain) {
    throw new InputError("domain", t("vcf-config.errors.noDomain", { label: t("vcf-download-bundles.label.domain") }));
  }
  return request.domain;
}

/** True when `ref` (an id or a name) names the run's domain; names compare case-insensitively. */
export function matchesDomain(run: Pick<UpgradeRun, "domainId" | "domainName">, ref: string): boolean {
  return run.domainId === ref || run.domainName.toLowerCase() === ref.toLowerCase();
}

function readVcfObject(msg: NodeMessage): Record<string, unknown> | undefined {
  const vcf = msg.vcf;
  if (vcf === undefined || vcf === null) return undefined;
  if (typeof vcf !== "object" || Array.isArray(vcf)) {
    throw new InputError("msg.vcf", t("vcf-config.errors.vcfObject", { value: describeType(vcf) }));
  }
  return vcf as Record<string, unknown>;
}

/**
 * @param what the catalog key (under vcf-config.expected) of what the field must hold
 * @param shownAs the field's name in the text: a node field's form label, else the message property
 */
function optionalText(value: unknown, field: string, what: string, shownAs = field): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new InputError(
      field,
      t("vcf-config.errors.notText", {
        field: shownAs,
        what: t(`vcf-config.expected.${what}`),
        value: describeType(value),
      }),
    );
  }
  return value.trim();
}

function optionalVersion(value: unknown, field: string, shownAs = field): string | undefined {
  const text = optionalText(value, field, "version", shownAs);
  if (text !== undefined && !VERSION_PATTERN.test(text)) {
    throw new InputError(field, t("vcf-config.errors.notVersion", { field: shownAs, value: text }));
  }
  return text;
}

/** How a wrong value is named in an error: a quoted text, "an array", "an object", or its type and value. */
export function describeType(value: unknown): string {
  if (Array.isArray(value)) return t("vcf-config.value.array");
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return t("vcf-config.value.object");
  return t("vcf-config.value.typed", { type: typeof value, value: String(value) });
}
