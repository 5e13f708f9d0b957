// Reads what a vcf-plan message asks for: the domain and target like the phase nodes, msg.clusterImages like
// vcf-download-bundles, and msg.runPrechecks over the node's checkbox.
import type { PlanRequest } from "../engine";
import { describeType, readClusterImages, readPhaseRequest, requireDomain } from "./domain-ref";
import { InputError } from "./errors";
import { t } from "./i18n";
import type { NodeMessage } from "./node-red-types";

export interface PlanNodeSettings {
  domain?: string;
  targetVersion?: string;
  runPrechecks?: boolean;
}

export function readPlanRequest(msg: NodeMessage, node: PlanNodeSettings): PlanRequest {
  const request = readPhaseRequest(msg, node);
  const clusterImages = readClusterImages(msg);
  return {
    domain: requireDomain(request),
    ...(request.targetVersion ? { targetVersion: request.targetVersion } : {}),
    ...(clusterImages ? { clusterImages } : {}),
    runPrechecks: readRunPrechecks(msg.runPrechecks, node.runPrechecks === true),
  };
}

function readRunPrechecks(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") {
    throw new InputError(
      "msg.runPrechecks",
      t("vcf-plan.errors.runPrechecks", { value: describeType(value), label: t("vcf-plan.label.runPrechecks") }),
    );
  }
  return value;
}

/** Two requests for the same plan: a message that asks for one already being made gets that plan too. */
export function samePlanRequest(a: PlanRequest, b: PlanRequest): boolean {
  return (
    a.domain.toLowerCase() === b.domain.toLowerCase() &&
    a.targetVersion === b.targetVersion &&
    a.runPrechecks === b.runPrechecks &&
    JSON.stringify(a.clusterImages ?? {}) === JSON.stringify(b.clusterImages ?? {})
  );
}
