import type { ApiErrorBody, AssessmentOutput } from "../vcf/types";
import { normalizeStatus } from "../vcf/status";
import { capOptional, capText, NAME_CAP, TEXT_CAP } from "../vcf/text-cap";
import { describeApiErrors } from "./remote-errors";
import type { Finding } from "./types";

export interface PrecheckCounts {
  /** critical gaps + error validations + internal errors, summed over every domain entry */
  errors: number;
  warnings: number;
}

export interface PrecheckEvaluation {
  findings: Finding[];
  counts: PrecheckCounts;
  /** Set when the run itself failed (not a finding): input errors, or failure without any finding. */
  runFailure?: { message: string; remediation?: string };
}

function num(value: unknown): number {
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

function summaryEntries(a: AssessmentOutput): Record<string, unknown>[] {
  const raw = a.presentedArtifactsMap?.["validation-domain-summary"];
  const list = Array.isArray(raw) ? raw : raw !== undefined && raw !== null ? [raw] : [];
  return list.filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null);
}

export function countFindings(a: AssessmentOutput): PrecheckCounts {
  let errors = 0;
  let warnings = 0;
  for (const e of summaryEntries(a)) {
    errors += num(e.criticalGapsCount) + num(e.errorValidationsCount) + num(e.internalErrorValidationsCount);
    warnings += num(e.warningGapsCount);
  }
  return { errors, warnings };
}

function severityOf(value: string | undefined): Finding["severity"] | undefined {
  const s = normalizeStatus(value);
  if (s === "ERROR" || s === "CRITICAL") return "ERROR";
  if (s === "WARNING") return "WARNING";
  return undefined;
}

function resourceOf(node: ApiErrorBody): string | undefined {
  const c = node.context ?? {};
  return c.resourceName || c.resourceId || c.resourceType || undefined;
}

/** A finding with SDDC Manager's texts capped (names and codes NAME_CAP, description and remediation TEXT_CAP). */
export function capFinding(f: Finding): Finding {
  const out: Finding = {
    name: capText(f.name, NAME_CAP),
    severity: f.severity,
    description: capText(f.description, TEXT_CAP),
  };
  if (f.resource !== undefined) out.resource = capOptional(f.resource, NAME_CAP);
  if (f.remediation !== undefined) out.remediation = capOptional(f.remediation, TEXT_CAP);
  if (f.code !== undefined) out.code = capOptional(f.code, NAME_CAP);
  if (f.source !== undefined) out.source = f.source;
  return out;
}

/** Findings kept in a run at most: each is in the run file and its own log entry; beyond this the rest is counted. */
export const MAX_FINDINGS = 200;

/** At most MAX_FINDINGS findings, errors first; the rest counted in one last finding (an ERROR if any error was left out). */
function bounded(findings: Finding[]): Finding[] {
  if (findings.length <= MAX_FINDINGS) return findings;
  const ordered = [
    ...findings.filter((f) => f.severity === "ERROR"),
    ...findings.filter((f) => f.severity !== "ERROR"),
  ];
  const kept = ordered.slice(0, MAX_FINDINGS - 1);
  const left = ordered.slice(MAX_FINDINGS - 1);
  return [
    ...kept,
    {
      name: "More precheck findings",
      severity: left.some((f) => f.severity === "ERROR") ? "ERROR" : "WARNING",
      description: `${left.length} more finding(s) were not kept (a run keeps ${MAX_FINDINGS}).`,
      remediation: "Open the precheck details in the SDDC Manager UI.",
    },
  ];
}

/** Walks the validation tree; each node naming a check with a failing outcome and ERROR/WARNING severity. */
export function extractFindings(a: AssessmentOutput): Finding[] {
  const findings: Finding[] = [];
  const visit = (node: ApiErrorBody, inheritedResource: string | undefined, depth: number): void => {
    if (depth > 50) return;
    const resource = resourceOf(node) ?? inheritedResource;
    const c = node.context ?? {};
    const severity = severityOf(c.severity);
    const passed = normalizeStatus(c.validationStatus) === "VALIDATION_SUCCESSFUL";
    if (c.validationName && severity && !passed) {
      const f: Finding = { name: c.validationName, severity, description: node.message ?? "" };
      if (resource) f.resource = resource;
      if (node.remediationMessage) f.remediation = node.remediationMessage;
      if (node.errorCode) f.code = node.errorCode;
      findings.push(capFinding(f));
    }
    for (const child of node.nestedErrors ?? []) visit(child, resource, depth + 1);
  };
  if (a.validationResult) visit(a.validationResult, undefined, 0);
  return bounded(findings);
}

/** Findings, counts and run-level failure of a finished check-set run. */
export function evaluateAssessment(a: AssessmentOutput): PrecheckEvaluation {
  const findings = extractFindings(a);
  const counts = countFindings(a);
  if (a.inputValidationErrors && a.inputValidationErrors.length > 0) {
    return {
      findings,
      counts,
      runFailure: describeApiErrors(a.inputValidationErrors, "the precheck run rejected its input"),
    };
  }
  // The summary may count more problems than the tree names: never let those pass unseen.
  const named = { errors: findings.filter((f) => f.severity === "ERROR").length, warnings: 0 };
  named.warnings = findings.length - named.errors;
  if (counts.errors > named.errors) {
    findings.push({
      name: "Unlisted precheck errors",
      severity: "ERROR",
      description: `The precheck summary counts ${counts.errors} blocking issue(s) but the result names only ${named.errors}.`,
      remediation: "Open the precheck details in the SDDC Manager UI.",
    });
  }
  if (counts.warnings > named.warnings) {
    findings.push({
      name: "Unlisted precheck warnings",
      severity: "WARNING",
      description: `The precheck summary counts ${counts.warnings} warning(s) but the result names only ${named.warnings}.`,
      remediation: "Open the precheck details in the SDDC Manager UI.",
    });
  }
  if (normalizeStatus(a.status) === "COMPLETED_WITH_FAILURE" && findings.length === 0) {
    const top = a.validationResult ? [a.validationResult] : [];
    return {
      findings,
      counts,
      runFailure: describeApiErrors(top, "the precheck run completed with failure and reported no findings"),
    };
  }
  return { findings, counts };
}
