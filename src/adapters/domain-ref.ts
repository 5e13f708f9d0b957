// Reads which domain, run and target version a message is about, from the message or the node's own settings.
// Message values win over node settings; malformed values are refused before anything reaches SDDC Manager.
import type { UpgradeRun } from "../engine";
import { InputError } from "./errors";
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
  const runId = optionalText(vcf?.runId, "msg.vcf.runId", "the run id sent by the previous VCF node");
  if (runId) request.runId = runId;
  const domain =
    optionalText(msg.domain, "msg.domain", "the domain's id or name") ??
    optionalText(vcf?.domainId, "msg.vcf.domainId", "the domain's id") ??
    optionalText(vcf?.domain, "msg.vcf.domain", "the domain's id or name") ??
    optionalText(node.domain, "Domain", "the domain's id or name");
  if (domain) request.domain = domain;
  const targetVersion =
    optionalVersion(msg.targetVersion, "msg.targetVersion") ?? optionalVersion(node.targetVersion, "Target version");
  if (targetVersion) request.targetVersion = targetVersion;
  return request;
}

const CLUSTER_IMAGES_FORM =
  'an object mapping each cluster\'s id or name to the id of its ESXi cluster image (a vLCM personality id from GET /v1/personalities), e.g. {"cl01": "<personality id>"}';

/** msg.clusterImages for a run-starting node: cluster id or name -> personality id; undefined when absent or empty. */
export function readClusterImages(msg: NodeMessage): Record<string, string> | undefined {
  const value = msg.clusterImages;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(
      "msg.clusterImages",
      `msg.clusterImages must be ${CLUSTER_IMAGES_FORM}, not ${describeType(value)}`,
    );
  }
  // Entries, not assignments: a "__proto__" key (JSON.parse makes it an own key) stays a key and is checked like any other.
  const images: [string, string][] = [];
  for (const [cluster, image] of Object.entries(value)) {
    if (cluster.trim() === "") {
      throw new InputError(
        "msg.clusterImages",
        `msg.clusterImages has an empty cluster name: it must be ${CLUSTER_IMAGES_FORM}`,
      );
    }
    if (typeof image !== "string" || image.trim() === "") {
      throw new InputError(
        "msg.clusterImages",
        `msg.clusterImages["${cluster}"] must be the personality id of the cluster's image as text, not ${describeType(image)}`,
      );
    }
    images.push([cluster.trim(), image.trim()]);
  }
  return images.length > 0 ? Object.fromEntries(images) : undefined;
}

/** The domain a run-starting node works on; required. */
export function requireDomain(request: PhaseRequest): string {
  if (!request.domain) {
    throw new InputError(
      "domain",
      "No domain given: set Domain in the node, or send msg.domain with the domain's id or name",
    );
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
    throw new InputError(
      "msg.vcf",
      `msg.vcf must be the object a VCF node sent (with runId and domainId), not ${describeType(vcf)}: remove it or pass the message on unchanged`,
    );
  }
  return vcf as Record<string, unknown>;
}

function optionalText(value: unknown, field: string, what: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    throw new InputError(field, `${field} must be ${what} as text, not ${describeType(value)}`);
  }
  return value.trim();
}

function optionalVersion(value: unknown, field: string): string | undefined {
  const text = optionalText(value, field, "a VCF version such as 5.2.1.0");
  if (text !== undefined && !VERSION_PATTERN.test(text)) {
    throw new InputError(
      field,
      `${field} "${text}" is not a VCF version: use four numbers such as 5.2.1.0, or leave it empty for the next release`,
    );
  }
  return text;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `"${value}"`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}
