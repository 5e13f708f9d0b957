import { normalizeStatus } from "../../vcf/status";
import { engineText } from "../catalog";
import { EngineError, errorParam, fixOr, isAbort } from "../errors";
import { isApiAway, remediationOf } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { Finding } from "../types";
import { sameVersion } from "../versions";
import {
  TARGET_VALIDATION_CODE,
  WARNING_RESULTS,
  describeFindings,
  validateTarget,
  validationFindings,
} from "./validation";

/** POST the validation of the candidate target (or follow the recorded one) and poll it to its end. */
async function validateCandidate(ctx: PhaseContext): Promise<void> {
  const { run } = ctx;
  if (run.remote.validationResult) return;
  const outcome = await validateTarget(ctx, {
    idKey: "validationId",
    what: engineText("waitValidation", { version: run.targetVersion }),
    deadlineKey: "validation",
    started: (id) => ctx.handle.log("info", `Validating target version ${run.targetVersion}`, { validationId: id }),
  });
  if ("alreadyAtTarget" in outcome) {
    throw new EngineError(
      "BAD_INPUT",
      engineText("alreadyAtTarget", { domain: run.domainName, version: run.targetVersion }),
      { field: "targetVersion", fix: engineText("alreadyAtTargetFix") },
    );
  }
  const v = outcome.validation;
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
    (execution === "COMPLETED" && (WARNING_RESULTS.has(result) || result === "UNKNOWN")) ||
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
  const { text, fix } = describeFindings(shown, `${execution}/${result}`);
  throw new EngineError(
    "REMOTE_FAILURE",
    engineText("targetValidationFailed", { version: run.targetVersion, error: text }),
    fix ? { fix } : {},
  );
}

/** Validate the candidate, then set it as the domain's target and read it back, unless the domain has it already. */
export async function setTargetVersion(ctx: PhaseContext): Promise<void> {
  const { run, client } = ctx;
  await validateCandidate(ctx);
  const view = await client.getDomainReleaseView(run.domainId, ctx.opts);
  if (sameVersion(view.targetVersion, run.targetVersion)) {
    await ctx.handle.log("success", `Target version ${run.targetVersion} is already set`);
    return;
  }
  try {
    await client.setTargetVersion(run.domainId, { targetVersion: run.targetVersion }, ctx.opts);
  } catch (err) {
    // SDDC Manager away (dropped, 503, timeout): the PATCH may or may not have landed. The error goes up unwrapped,
    // so the phase waits for the API (api-away.ts) and comes back here, where the release view above tells which.
    // Should the PATCH have landed after all while the view lagged, sending it again sets the same target once
    // more, which is harmless.
    if (isAbort(err, ctx.signal) || isApiAway(err)) throw err;
    throw new EngineError(
      "REMOTE_FAILURE",
      engineText("setTargetFailed", { version: run.targetVersion, error: errorParam(err) }),
      { fix: fixOr(remediationOf(err), engineText("setTargetFailedFix")) },
    );
  }
  const confirmed = await client.getDomainReleaseView(run.domainId, ctx.opts);
  if (!sameVersion(confirmed.targetVersion, run.targetVersion)) {
    throw new EngineError(
      "REMOTE_FAILURE",
      engineText("targetNotConfirmed", { reported: String(confirmed.targetVersion), version: run.targetVersion }),
      { fix: engineText("targetNotConfirmedFix") },
    );
  }
  await ctx.handle.log("success", `Target version ${run.targetVersion} is set and confirmed`);
}
