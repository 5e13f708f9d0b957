import { normalizeStatus } from "../../vcf/status";
import { engineText } from "../catalog";
import { EngineError, asEngineError, isAbort } from "../errors";
import type { PhaseContext } from "../run-handle";
import { sameVersion } from "../versions";
import { WARNING_RESULTS, describeFindings, validateTarget, validationFindings } from "./validation";

async function confirmVersion(ctx: PhaseContext): Promise<void> {
  const { run, client } = ctx;
  try {
    await ctx.wait({
      what: engineText("waitDomainVersion", { domain: run.domainName, version: run.targetVersion }),
      deadlineKey: "final-version",
      deadlineMs: ctx.settings.validationDeadlineMs,
      poll: (signal) => client.getCurrentRelease(run.domainId, { signal }),
      until: (r) => sameVersion(r?.version, run.targetVersion),
    });
  } catch (err) {
    if (!(err instanceof EngineError) || err.code !== "DEADLINE") throw err;
    const current = await client.getCurrentRelease(run.domainId, ctx.opts);
    const view = await client.getDomainReleaseView(run.domainId, ctx.opts);
    throw new EngineError(
      "REMOTE_FAILURE",
      engineText("versionNotReached", {
        domain: run.domainName,
        version: current?.version ?? engineText("unknownVersion"),
        target: run.targetVersion,
        selected: String(view.targetVersion),
      }),
      { fix: engineText("versionNotReachedFix") },
    );
  }
}

/** The validation call after the upgrade: SAME_SOURCE_AND_TARGET... means SDDC Manager confirms the version. */
async function validateAtTarget(ctx: PhaseContext): Promise<void> {
  const { run } = ctx;
  const outcome = await validateTarget(ctx, {
    idKey: "finalValidationId",
    what: engineText("waitFinalValidation"),
    deadlineKey: "final-validation",
  });
  if ("alreadyAtTarget" in outcome) {
    await ctx.handle.log(
      "success",
      `SDDC Manager confirms the domain is at ${run.targetVersion} (${outcome.alreadyAtTarget})`,
    );
    return;
  }
  const v = outcome.validation;
  const result = normalizeStatus(v.resultStatus);
  if (normalizeStatus(v.executionStatus) === "COMPLETED" && result === "SUCCEEDED") {
    await ctx.handle.log("success", "The final validation succeeded");
    return;
  }
  const findings = validationFindings(v);
  const { text, fix } = describeFindings(findings, `${normalizeStatus(v.executionStatus)}/${result}`);
  // Passed with warnings (9.0: WARNING, 5.2.1: FAILED_WITH_WARNINGS), or failed checks that are all warnings.
  const warningsOnly = findings.every((f) => f.severity === "WARNING");
  if (warningsOnly && (findings.length > 0 || WARNING_RESULTS.has(result))) {
    await ctx.handle.log("warning", `The final validation reported warnings: ${text}`, { findings });
    return;
  }
  throw new EngineError("REMOTE_FAILURE", engineText("finalValidationFailed", { error: text }), fix ? { fix } : {});
}

/**
 * Something that only reports on a domain already confirmed at the target: a problem is a warning, never a
 * failure of the finished upgrade.
 */
async function reportOnly(ctx: PhaseContext, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
    const e = asEngineError(err);
    await ctx.handle.log(
      "warning",
      `${what} did not succeed (${e.message})${e.fix ? `. Remediation: ${e.fix}` : ""}. ` +
        `The domain reports ${ctx.run.targetVersion}, so the upgrade counts as done; check the domain in SDDC Manager`,
    );
  }
}

/** The domain runs the target (this decides), no upgradable is left (checked by the loop), and SDDC Manager agrees. */
export async function finalValidation(ctx: PhaseContext): Promise<void> {
  await ctx.handle.step("Final validation", 96);
  await confirmVersion(ctx);
  await reportOnly(ctx, "The final validation", () => validateAtTarget(ctx));
  await reportOnly(ctx, "Reading the domain's state", async () => {
    const domain = await ctx.client.getDomain(ctx.run.domainId, ctx.opts);
    await ctx.handle.log(
      "info",
      `Domain ${domain.name} is ${domain.status ?? "in an unknown state"}${domain.upgradeStatus?.status ? `, upgrade status ${domain.upgradeStatus.status}` : ""}`,
    );
  });
  await ctx.handle.to(
    "successfully_completed",
    `Domain ${ctx.run.domainName} is at ${ctx.run.targetVersion}`,
    "success",
  );
}
