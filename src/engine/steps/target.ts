import type { Validation } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { EngineError, errorText } from "../errors";
import { capFinding } from "../findings";
import { errorCodeOf, httpStatusOf, remediationOf } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { Finding } from "../types";
import { sameVersion } from "../versions";

export const TARGET_VALIDATION_CODE = "TARGET_VALIDATION";

const RUNNING = new Set(["IN_PROGRESS", "CANCELLATION_IN_PROGRESS", ""]);

export function validationEnded(v: Validation): boolean {
  return !RUNNING.has(normalizeStatus(v.executionStatus));
}

/** The checks of a validation that did not pass, as findings. */
export function validationFindings(v: Validation): Finding[] {
  return (v.validationChecks ?? [])
    .filter((c) => ["FAILED", "WARNING", "FAILED_WITH_WARNINGS"].includes(normalizeStatus(c.resultStatus)))
    .map((c) => {
      const f: Finding = {
        name: c.description || "Target validation check",
        severity: normalizeStatus(c.severity) === "ERROR" ? "ERROR" : "WARNING",
        description: c.errorResponse?.message ?? c.description ?? "",
        code: TARGET_VALIDATION_CODE,
      };
      if (c.errorResponse?.remediationMessage) f.remediation = c.errorResponse.remediationMessage;
      return capFinding(f);
    });
}

/** POST the validation of the candidate target (or follow the recorded one) and poll it to its end. */
async function validateCandidate(ctx: PhaseContext): Promise<void> {
  const { run, client } = ctx;
  if (run.remote.validationResult) return;
  const justStarted = !run.remote.validationId;
  if (justStarted) {
    let started: Validation;
    try {
      started = await client.startValidation(run.domainId, { targetVersion: run.targetVersion }, ctx.opts);
    } catch (err) {
      if (httpStatusOf(err) === 400 && (errorCodeOf(err) ?? "").startsWith("SAME_SOURCE_AND_TARGET")) {
        throw new EngineError("BAD_INPUT", `Domain ${run.domainName} is already at ${run.targetVersion}`, {
          field: "targetVersion",
          fix: "Choose a newer release, or leave targetVersion empty",
        });
      }
      throw err;
    }
    await ctx.handle.update((r) => {
      r.remote.validationId = started.id;
    });
    await ctx.handle.log("info", `Validating target version ${run.targetVersion}`, { validationId: started.id });
  }
  const id = run.remote.validationId as string;
  const v = await ctx.wait({
    what: `Validation of target ${run.targetVersion}`,
    deadlineKey: "validation",
    deadlineMs: ctx.settings.validationDeadlineMs,
    poll: (signal) => client.getValidation(id, { signal }),
    until: validationEnded,
    justLooked: justStarted,
  });
  const execution = normalizeStatus(v.executionStatus);
  const result = normalizeStatus(v.resultStatus);
  const findings = validationFindings(v);
  if (execution === "COMPLETED" && result === "SUCCEEDED") {
    await ctx.handle.update((r) => {
      r.remote.validationResult = result;
    });
    await ctx.handle.log("success", `Target version ${run.targetVersion} passed validation`);
    return;
  }
  // Warnings, and a validation that did not really run, go to the user through the acknowledgement gate.
  const needsUser =
    (execution === "COMPLETED" && ["FAILED_WITH_WARNINGS", "WARNING", "UNKNOWN"].includes(result)) ||
    execution === "UNKNOWN" ||
    execution === "SKIPPED";
  if (needsUser) {
    const extra: Finding[] =
      findings.length > 0
        ? findings
        : [
            {
              name: "Target validation",
              severity: "WARNING",
              code: TARGET_VALIDATION_CODE,
              description: `The validation of ${run.targetVersion} ended with ${execution}/${result}`,
            },
          ];
    await ctx.handle.update((r) => {
      r.remote.validationResult = result;
      r.findings = [...r.findings.filter((f) => f.code !== TARGET_VALIDATION_CODE), ...extra];
    });
    await ctx.handle.log(
      "warning",
      `Target validation ended with ${result}: ${extra.map((f) => f.description).join("; ")}`,
      { findings: extra },
    );
    return;
  }
  const failed = findings.filter((f) => f.severity === "ERROR");
  const shown = failed.length > 0 ? failed : findings;
  const message = shown.map((f) => `${f.name}: ${f.description}`).join("; ") || `${execution}/${result}`;
  const fix = shown
    .map((f) => f.remediation)
    .filter(Boolean)
    .join("; ");
  throw new EngineError(
    "REMOTE_FAILURE",
    `Target version ${run.targetVersion} failed validation: ${message}`,
    fix ? { fix } : {},
  );
}

/** Validate the candidate, set it as the domain's target unless it already is, then read it back. */
export async function setTargetVersion(ctx: PhaseContext): Promise<void> {
  const { run, client } = ctx;
  await validateCandidate(ctx);
  const view = await client.getDomainReleaseView(run.domainId, ctx.opts);
  if (sameVersion(view.targetVersion, run.targetVersion)) {
    await ctx.handle.log("info", `Target version ${run.targetVersion} is already set`);
  } else {
    try {
      await client.setTargetVersion(run.domainId, { targetVersion: run.targetVersion }, ctx.opts);
    } catch (err) {
      throw new EngineError("REMOTE_FAILURE", `Setting target version ${run.targetVersion} failed: ${errorText(err)}`, {
        fix: remediationOf(err) ?? "Check the release in SDDC Manager (Lifecycle Management > Release Versions)",
      });
    }
  }
  const confirmed = await client.getDomainReleaseView(run.domainId, ctx.opts);
  if (!sameVersion(confirmed.targetVersion, run.targetVersion)) {
    throw new EngineError(
      "REMOTE_FAILURE",
      `Target version not confirmed: SDDC Manager reports "${confirmed.targetVersion}" instead of ${run.targetVersion}`,
      { fix: "Set the target version in SDDC Manager, or start the run again" },
    );
  }
  await ctx.handle.log("success", `Target version ${run.targetVersion} is set and confirmed`);
}
