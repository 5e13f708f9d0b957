import type {
  AssessmentOutput,
  CheckSetQueryResourceResult,
  CheckSetResourceSelection,
  CheckSetQueryResource,
  Task,
} from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { engineText } from "../catalog";
import { EngineError, errorText, fixOr, isAbort } from "../errors";
import { evaluateAssessment } from "../findings";
import { errorCodeOf, httpStatusOf, isRefusal } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { Finding } from "../types";
import { readinessStep, type ReadinessOptions } from "../readiness/prechecks-step";
import { findLostWork, outcomeUnknown } from "../steps/lost-answer";
import { setTargetVersion } from "../steps/target";
import { TARGET_VALIDATION_CODE } from "../steps/validation";
import { longWorkFirstPollMs } from "../wait";
import { withVersions } from "../versions";

/** Check-set resource type -> BOM entry name of the component in the release. */
const BOM_NAME_BY_RESOURCE: Readonly<Record<string, string>> = {
  SDDC_MANAGER: "SDDC_MANAGER_VCF",
  VCENTER: "VCENTER",
  NSX_T_MANAGER: "NSX_T_MANAGER",
  CLUSTER: "ESX_HOST",
};

const FINISHED = new Set(["COMPLETED_WITH_SUCCESS", "COMPLETED_WITH_FAILURE"]);

function resourceKey(r: CheckSetQueryResourceResult): string {
  return r.resourceId ?? `${r.resourceType ?? ""}:${r.resourceName ?? ""}`;
}

export function bomVersionFor(resourceType: string, bom: { name: string; version: string }[]): string | undefined {
  const name = BOM_NAME_BY_RESOURCE[resourceType] ?? resourceType;
  return bom.find((e) => e.name === name)?.version;
}

/** Query 2 asks for every resource of query 1 (by id, never keyed by type) with its target BOM version. */
export function detailedQueryResources(
  first: CheckSetQueryResourceResult[],
  bom: { name: string; version: string }[],
): CheckSetQueryResource[] {
  return first
    .filter((r) => r.resourceType)
    .map((r) => {
      const q: CheckSetQueryResource = { resourceType: r.resourceType as string };
      if (r.resourceId) q.resourceId = r.resourceId;
      const version = bomVersionFor(r.resourceType as string, bom);
      if (version) q.resourceTargetVersion = version;
      return q;
    });
}

/**
 * The run's resources: every resource of both answers; check-sets from the detailed answer, or from the
 * first one when the detailed answer lost them.
 */
export function runSelection(
  first: CheckSetQueryResourceResult[],
  detailed: CheckSetQueryResourceResult[],
): { selection: CheckSetResourceSelection[]; skipped: string[] } {
  const byKey = new Map(detailed.map((r) => [resourceKey(r), r]));
  const merged = first.map((r) => {
    const d = byKey.get(resourceKey(r));
    byKey.delete(resourceKey(r));
    return d && (d.checkSets?.length ?? 0) > 0 ? { ...r, ...d } : { ...d, ...r };
  });
  merged.push(...byKey.values());
  const selection: CheckSetResourceSelection[] = [];
  const skipped: string[] = [];
  for (const r of merged) {
    const checkSets = (r.checkSets ?? []).map((c) => c.checkSetId).filter((id): id is string => !!id);
    if (!r.resourceType || !r.resourceId || !r.resourceName || checkSets.length === 0) {
      skipped.push(r.resourceName ?? r.resourceId ?? r.resourceType ?? "unnamed resource");
      continue;
    }
    const s: CheckSetResourceSelection = {
      resourceType: r.resourceType,
      resourceId: r.resourceId,
      resourceName: r.resourceName,
      checkSets: checkSets.map((checkSetId) => ({ checkSetId })),
    };
    if (r.domain) s.domain = r.domain;
    selection.push(s);
  }
  return { selection, skipped };
}

/**
 * The check-set run our POST started: one of the domain's runs newer (SDDC Manager's clock) than every run
 * listed just before the POST, for this target. Never an older run with the same target (e.g. last week's).
 */
async function findStartedRun(ctx: PhaseContext, signal: AbortSignal | undefined): Promise<string | undefined> {
  const before = ctx.run.remote.checkSetRunsBefore;
  if (before === undefined) return undefined;
  const runs = await ctx.client.listCheckSetRuns(ctx.run.domainId, { signal });
  const target = ctx.run.targetVersion;
  return runs
    .filter(
      (r) => r.id && (r.timestamp ?? 0) > before && (!r.metadata?.targetVersion || r.metadata.targetVersion === target),
    )
    .sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0))[0]?.id;
}

/** The newest timestamp among the domain's check-set runs (0 when there are none). */
async function newestRunTimestamp(ctx: PhaseContext): Promise<number> {
  const runs = await ctx.client.listCheckSetRuns(ctx.run.domainId, ctx.opts);
  return runs.reduce((max, r) => Math.max(max, r.timestamp ?? 0), 0);
}

/**
 * A run POST without a recorded answer (lost, or the engine stopped): find the run and follow it. When SDDC Manager
 * answers that the request started no run (none newer than before it), it never arrived, and since a precheck run only
 * reads, it may be sent again: once ("again"). A second loss, or a lookup without an answer, leaves the outcome unknown.
 */
async function adoptLostRun(ctx: PhaseContext, cause: unknown): Promise<"adopted" | "again"> {
  const requestedAt = ctx.run.remote.checkSetRunRequestedAt ?? "";
  const found = await findLostWork(ctx, engineText("lostPrecheckRun"), `checkset:${requestedAt}`, (signal) =>
    findStartedRun(ctx, signal),
  );
  if (found) {
    await ctx.handle.update((r) => {
      r.remote.checkSetRunId = found;
    });
    await ctx.handle.log(
      "info",
      `Following the precheck run ${found}, started by the request whose answer was not recorded`,
    );
    return "adopted";
  }
  if (ctx.run.remote.checkSetRunSentAgain) {
    throw outcomeUnknown(
      engineText("precheckRunRequest", { domain: ctx.run.domainName }),
      requestedAt,
      cause,
      engineText("checkPrecheckRuns", { domainId: ctx.run.domainId }),
    );
  }
  await ctx.handle.update((r) => {
    delete r.remote.checkSetRunRequestedAt;
    delete r.remote.checkSetRunsBefore;
    r.remote.checkSetRunSentAgain = true;
  });
  await ctx.handle.log(
    "warning",
    `The precheck run request sent at ${requestedAt} never reached SDDC Manager (it lists no precheck run of ${ctx.run.domainName} from it); a precheck run only reads, so it is sent again, once`,
  );
  return "again";
}

/** SDDC Manager rejected the run because its query is stale or unknown (400 naming the query). */
function isStaleQuery(err: unknown, queryId: string): boolean {
  if (httpStatusOf(err) !== 400) return false;
  return /QUERY/i.test(errorCodeOf(err) ?? "") || errorText(err).includes(queryId);
}

/** The two-query pattern: the domain alone, then every resource with its target BOM version. */
async function queryCheckSets(ctx: PhaseContext): Promise<{ queryId: string; selection: CheckSetResourceSelection[] }> {
  const { run, client } = ctx;
  const first = await client.queryCheckSets(
    { checkSetType: "UPGRADE", domains: [{ domainId: run.domainId }] },
    ctx.opts,
  );
  if (first.resources.length === 0) {
    throw new EngineError("REMOTE_FAILURE", engineText("checkSetQueryEmpty", { domain: run.domainName }));
  }
  const resources = detailedQueryResources(first.resources, withVersions(run.targetRelease.bom));
  const detailed = await client.queryCheckSets(
    { checkSetType: "UPGRADE", domains: [{ domainId: run.domainId, resources }] },
    ctx.opts,
  );
  const { selection, skipped } = runSelection(first.resources, detailed.resources);
  if (skipped.length > 0) await ctx.handle.log("info", `No check-sets for: ${skipped.join(", ")}`);
  if (selection.length === 0) {
    throw new EngineError("REMOTE_FAILURE", engineText("checkSetsNoneOffered", { domain: run.domainName }));
  }
  return { queryId: detailed.queryId, selection };
}

/**
 * A check-set query expires (SDDC Manager keeps it a limited time): on a busy SDDC Manager or Node-RED the run's POST
 * can come too late. The query is run again, up to this many times; then the refusal fails the phase.
 */
const STALE_QUERY_RETRIES = 5;

/**
 * Queries, then starts the run once; its id is recorded at once. An expired query is queried again (see
 * STALE_QUERY_RETRIES). True when the run's POST answered now (false: recorded before, or found by looking).
 */
async function startCheckSetRun(ctx: PhaseContext): Promise<boolean> {
  const { run, client } = ctx;
  if (run.remote.checkSetRunId) return false;
  if (run.remote.checkSetRunRequestedAt) {
    await ctx.handle.log(
      "info",
      "The precheck run was requested without a recorded answer (before a restart, or while SDDC Manager was away); looking for it",
    );
    if ((await adoptLostRun(ctx, undefined)) === "adopted") return false;
  }
  for (let stale = 0; ;) {
    // Read before the queries: between the query and the run's POST nothing else waits, so the query is fresh.
    const before = await newestRunTimestamp(ctx);
    const { queryId, selection } = await queryCheckSets(ctx);
    await ctx.handle.update((r) => {
      r.remote.checkSetQueryId = queryId;
      r.remote.checkSetRunRequestedAt = new Date().toISOString();
      r.remote.checkSetRunsBefore = before;
    });
    let task: Task;
    try {
      task = await client.startCheckSetRun(
        { queryId, resources: selection, metadata: { targetVersion: run.targetVersion } },
        ctx.opts,
      );
    } catch (err) {
      if (isRefusal(err)) {
        await ctx.handle.update((r) => {
          delete r.remote.checkSetRunRequestedAt;
          delete r.remote.checkSetRunsBefore;
        });
        if (stale < STALE_QUERY_RETRIES && isStaleQuery(err, queryId)) {
          stale += 1;
          await ctx.handle.log(
            "info",
            `SDDC Manager rejected check-set query ${queryId} as stale (${errorText(err)}); querying again (${stale} of at most ${STALE_QUERY_RETRIES} times)`,
          );
          continue;
        }
        throw err;
      }
      if (isAbort(err, ctx.signal)) throw err;
      await ctx.handle.log(
        "warning",
        `No answer to the precheck run request (${errorText(err)}); looking for the run in SDDC Manager before anything else`,
      );
      if ((await adoptLostRun(ctx, err)) === "adopted") return false;
      continue;
    }
    await ctx.handle.update((r) => {
      r.remote.checkSetRunId = task.id;
    });
    await ctx.handle.log("info", `Started prechecks on ${selection.length} resource(s)`, {
      runId: task.id,
      resources: selection.map((s) => `${s.resourceType} ${s.resourceName}`),
    });
    return true;
  }
}

/** `justStarted`: the run's POST answered a moment ago, so the first poll can wait. */
async function waitForRun(ctx: PhaseContext, justStarted: boolean): Promise<AssessmentOutput> {
  const runId = ctx.run.remote.checkSetRunId as string;
  return ctx.wait({
    what: engineText("waitPrecheckRun", { runId }),
    deadlineKey: "prechecks",
    deadlineMs: ctx.settings.precheckDeadlineMs,
    poll: (signal) => ctx.client.getCheckSetRun(runId, { signal }),
    until: (a) => FINISHED.has(normalizeStatus(a.status)),
    justLooked: justStarted,
    firstPollAfterMs: longWorkFirstPollMs(ctx.settings),
    onValue: async (a) => {
      const pct = Math.max(0, Math.min(100, Number(a.discoveryProgress?.percentageComplete ?? 0) || 0));
      await ctx.handle.step(`Prechecks running: ${Math.round(pct)} %`, 32 + (13 * pct) / 100);
    },
  });
}

function describeFinding(f: Finding): string {
  const where = f.resource ? ` on ${f.resource}` : "";
  const fix = f.remediation ? ` Remediation: ${f.remediation}` : "";
  return `${f.severity} ${f.name}${where}: ${f.description}${fix}`;
}

/** `finished`: the run's result as the wait last read it (read here when resuming in evaluating_prechecks). */
async function evaluate(ctx: PhaseContext, finished: AssessmentOutput | undefined): Promise<void> {
  const runId = ctx.run.remote.checkSetRunId as string;
  const assessment = finished ?? (await ctx.client.getCheckSetRun(runId, ctx.opts));
  const result = evaluateAssessment(assessment);
  if (result.runFailure) {
    throw new EngineError("REMOTE_FAILURE", engineText("precheckRunFailed", { error: result.runFailure.message }), {
      fix: fixOr(result.runFailure.remediation, engineText("precheckRunFailedFix")),
    });
  }
  await ctx.handle.update((r) => {
    r.findings = [
      ...r.findings.filter((f) => f.code === TARGET_VALIDATION_CODE || f.source === "readiness"),
      ...result.findings,
    ];
    r.findingCounts = result.counts;
  });
  for (const f of result.findings)
    await ctx.handle.log(f.severity === "ERROR" ? "error" : "warning", describeFinding(f), { finding: f });
}

function summary(findings: Finding[]): { text: string; level: "success" | "warning" | "error" } {
  const errors = findings.filter((f) => f.severity === "ERROR").length;
  const warnings = findings.length - errors;
  if (findings.length === 0) return { text: "Prechecks done: no findings", level: "success" };
  return {
    text: `Prechecks done: ${errors} error(s), ${warnings} warning(s)`,
    level: errors > 0 ? "error" : "warning",
  };
}

/** Readiness checks, target version, then the check-set prechecks; each status step continues recorded remote work. */
export async function runPrechecks(ctx: PhaseContext, readiness: ReadinessOptions): Promise<void> {
  const h = ctx.handle;
  if (ctx.run.status === "downloading_bundles") {
    await readinessStep(ctx, readiness);
    await h.to("setting_new_vcf_version_target", `Setting the target version ${ctx.run.targetVersion}`);
  }
  if (ctx.run.status === "setting_new_vcf_version_target") {
    await setTargetVersion(ctx);
    await h.to("initializing_prechecks", "Initializing prechecks");
  }
  let justStarted = false;
  if (ctx.run.status === "initializing_prechecks") {
    justStarted = await startCheckSetRun(ctx);
    await h.to("running_prechecks", `Running prechecks (run ${ctx.run.remote.checkSetRunId})`);
  }
  let finished: AssessmentOutput | undefined;
  if (ctx.run.status === "running_prechecks") {
    finished = await waitForRun(ctx, justStarted);
    await h.to("evaluating_prechecks", "Evaluating precheck results");
  }
  if (ctx.run.status === "evaluating_prechecks") {
    await evaluate(ctx, finished);
    const s = summary(ctx.run.findings);
    await h.to("prechecks_done", s.text, s.level);
  }
}
