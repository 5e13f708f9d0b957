// The readiness checks as the first step of the prechecks phase, before the target version is set (the first change).
import { speaks90 } from "../../vcf/generation";
import { normalizeStatus } from "../../vcf/status";
import type { PhaseContext } from "../run-handle";
import type { Finding } from "../types";
import { CHECK_NAMES, type ReadinessContext } from "./checks";
import { runReadinessChecks } from "./run-checks";

export interface ReadinessOptions {
  /** The upgrade will take a fresh backup first (see engine.freshBackupExpected). */
  freshBackup: boolean;
}

function describe(f: Finding): string {
  const where = f.resource ? ` on ${f.resource}` : "";
  return `Readiness ${f.severity} ${f.name}${where}: ${f.description} Remediation: ${f.remediation ?? ""}`;
}

/** Runs once per run (recorded); the findings join the run's findings and pass the same gate. */
export async function readinessStep(ctx: PhaseContext, options: ReadinessOptions): Promise<void> {
  if (ctx.run.remote.readinessCheckedAt) return;
  await ctx.handle.step("Readiness checks: backup, passwords, certificates, failed tasks, depot");
  const c: ReadinessContext = {
    client: ctx.client,
    signal: ctx.signal,
    settings: ctx.settings,
    domainId: ctx.run.domainId,
    domainName: ctx.run.domainName,
    freshBackup: options.freshBackup,
    bundlesToDownload: Object.values(ctx.run.remote.bundles)
      .filter((b) => normalizeStatus(b.downloadStatus) !== "SUCCESSFUL")
      .map((b) => b.description ?? b.bundleId),
    api90: speaks90(ctx.run.api),
    now: Date.now,
    poll: (what, key, read, done) =>
      ctx.wait({
        what,
        deadlineKey: key,
        deadlineMs: ctx.settings.precheckDeadlineMs,
        poll: read,
        until: done,
        justLooked: true,
      }),
  };
  const result = await runReadinessChecks(c);
  const names = (list: readonly (keyof typeof CHECK_NAMES)[]) => list.map((k) => CHECK_NAMES[k]).join(", ") || "none";
  await ctx.handle.log("info", `Readiness checks run: ${names(result.ran)}; switched off: ${names(result.off)}`);
  await ctx.handle.update((r) => {
    r.findings = [...r.findings.filter((f) => f.source !== "readiness"), ...result.findings];
    r.remote.readinessCheckedAt = new Date().toISOString();
  });
  for (const f of result.findings)
    await ctx.handle.log(f.severity === "ERROR" ? "error" : "warning", describe(f), { finding: f });
  if (result.findings.length === 0) await ctx.handle.log("success", "Readiness checks passed");
}
