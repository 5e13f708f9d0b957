// A validation of the run's target version (POST /v1/releases/domains/{id}/validations, UPGRADE-API.md §4): started
// once (its id recorded before the wait, so a restart follows it instead of starting another) and polled to its end.
// Used before the target is set and as the final validation after the upgrade.
import type { Validation, ValidationCheck } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { verbatimText, type EngineText } from "../catalog";
import { capFinding } from "../findings";
import { errorCodeOf, httpStatusOf } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { Finding } from "../types";

/** SDDC Manager's errorCode prefix when the domain already runs the version being validated. */
const SAME_VERSION_CODE = "SAME_SOURCE_AND_TARGET_VCF_VERSION";

export const TARGET_VALIDATION_CODE = "TARGET_VALIDATION";

const RUNNING = new Set(["IN_PROGRESS", "CANCELLATION_IN_PROGRESS", ""]);

export function validationEnded(v: Validation): boolean {
  return !RUNNING.has(normalizeStatus(v.executionStatus));
}

/** A validation's result that means "passed with warnings": 5.2.1 spells it FAILED_WITH_WARNINGS, 9.0 WARNING. */
export const WARNING_RESULTS: ReadonlySet<string> = new Set(["FAILED_WITH_WARNINGS", "WARNING"]);

/**
 * A check's severity; 9.0 may leave it out: then a WARNING check, or any check of a validation that passed with
 * warnings, is a warning, and any other failed check an error.
 */
function severityOf(check: ValidationCheck, v: Validation): Finding["severity"] {
  if (check.severity !== undefined) return normalizeStatus(check.severity) === "ERROR" ? "ERROR" : "WARNING";
  const warns =
    normalizeStatus(check.resultStatus) === "WARNING" || WARNING_RESULTS.has(normalizeStatus(v.resultStatus));
  return warns ? "WARNING" : "ERROR";
}

/** The checks of a validation that did not pass, as findings. */
export function validationFindings(v: Validation): Finding[] {
  return (v.validationChecks ?? [])
    .filter((c) => ["FAILED", ...WARNING_RESULTS].includes(normalizeStatus(c.resultStatus)))
    .map((c) => {
      const f: Finding = {
        name: c.description || "Target validation check",
        severity: severityOf(c, v),
        description: c.errorResponse?.message ?? c.description ?? "",
        code: TARGET_VALIDATION_CODE,
      };
      if (c.errorResponse?.remediationMessage) f.remediation = c.errorResponse.remediationMessage;
      return capFinding(f);
    });
}

export interface TargetValidation {
  /** Where the run records the validation's id. */
  idKey: "validationId" | "finalValidationId";
  /** Names the wait in errors and the log. */
  what: EngineText;
  deadlineKey: string;
  /** Told once a validation was started and recorded. */
  started?: (id: string) => Promise<void>;
}

/**
 * The ended validation, or the errorCode with which SDDC Manager refused to start it because the domain already runs
 * the target version.
 */
export type ValidationOutcome = { validation: Validation } | { alreadyAtTarget: string };

export async function validateTarget(ctx: PhaseContext, o: TargetValidation): Promise<ValidationOutcome> {
  const { run, client } = ctx;
  const justStarted = !run.remote[o.idKey];
  if (justStarted) {
    let started: Validation;
    try {
      started = await client.startValidation(run.domainId, { targetVersion: run.targetVersion }, ctx.opts);
    } catch (err) {
      const code = errorCodeOf(err) ?? "";
      if (httpStatusOf(err) === 400 && code.startsWith(SAME_VERSION_CODE)) return { alreadyAtTarget: code };
      throw err;
    }
    await ctx.handle.update((r) => {
      r.remote[o.idKey] = started.id;
    });
    await o.started?.(started.id);
  }
  const id = run.remote[o.idKey] as string;
  const validation = await ctx.wait({
    what: o.what,
    deadlineKey: o.deadlineKey,
    deadlineMs: ctx.settings.validationDeadlineMs,
    poll: (signal) => client.getValidation(id, { signal }),
    until: validationEnded,
    justLooked: justStarted,
  });
  return { validation };
}

/** The findings as one sentence ("name: description; ..."), else `fallback`, and their remediations as the fix. */
export function describeFindings(findings: readonly Finding[], fallback: string): { text: string; fix?: EngineText } {
  const text = findings.map((f) => `${f.name}: ${f.description}`).join("; ") || fallback;
  const fix = findings
    .map((f) => f.remediation)
    .filter(Boolean)
    .join("; ");
  return fix ? { text, fix: verbatimText(fix) } : { text };
}
