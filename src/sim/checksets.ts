import { isoAt } from "./clock";
import type { QueryRecord, QueryResource } from "./checkset-query";
import { renderQuery, runQuery } from "./checkset-query";
import type { SimContext } from "./context";
import { ApiError, badField, notFound } from "./errors";
import type { Check } from "./findings";
import { buildChecks, validationTree } from "./findings";
import { float } from "./float-json";
import { BodyObject } from "./request-body";
import type { TaskBody } from "./tasks";
import { describe } from "./tasks";

/** Check-set (precheck) runs: POST /v1/system/check-sets, GET .../{runId}, GET ?domainId= (§5.2-5.4). */

interface RunRecord {
  id: string;
  createdMs: number;
  resources: QueryResource[];
  targetVersion: string;
  checks: Check[];
  /** splitDomainSummary as it was when the run started. */
  splitSummary: boolean;
}

const GENERAL_READINESS = "General Upgrade Readiness";

export class CheckSetService {
  private readonly queries = new Map<string, QueryRecord>();
  private readonly runs: RunRecord[] = [];

  constructor(private readonly ctx: SimContext) {}

  query(body: unknown): unknown {
    const record = runQuery(this.ctx, body);
    this.queries.set(record.queryId, record);
    return renderQuery(record);
  }

  start(body: unknown): TaskBody {
    const root = BodyObject.root(body, "CheckSetRunInput", this.ctx.strict).allowOnly("CheckSetRunInput", [
      "queryId",
      "resources",
      "metadata",
    ]);
    const queryId = root.string("queryId", true);
    const query = this.queries.get(queryId);
    if (
      !query ||
      query.used ||
      this.ctx.clock.nowMs() - query.createdMs > this.ctx.faults().checkSetQueryTtlSeconds * 1000
    ) {
      throw new ApiError(
        400,
        "CHECKSET_QUERY_NOT_FOUND",
        `Check-set query ${queryId} was not found, has expired or was already used`,
        "Query the check-sets again (POST /v1/system/check-sets/queries) and submit the new queryId.",
        [queryId],
      );
    }
    const selected = root.objects("resources", "CheckSetResourceSelection", 1).map((r) => this.readSelection(r, query));
    const metadata = root.object("metadata", "metadata");
    const explicitTarget = metadata?.string("targetVersion");
    query.used = true;
    const run: RunRecord = {
      id: this.ctx.ids.next("checkset-run"),
      createdMs: this.ctx.clock.nowMs(),
      resources: selected,
      targetVersion: explicitTarget ?? (selected.some((r) => r.targetVersion) ? "" : GENERAL_READINESS),
      checks: buildChecks(selected, this.ctx.faults().precheckFindings),
      splitSummary: this.ctx.faults().splitDomainSummary,
    };
    this.runs.push(run);
    this.ctx.tasks.register(run.id, { render: () => this.renderTask(run) });
    return this.renderTask(run);
  }

  get(runId: string): unknown {
    return this.render(this.require(runId));
  }

  list(domainId: string | undefined): unknown[] {
    return this.runs
      .filter((r) => !domainId || r.resources.some((res) => res.domain.domainId === domainId))
      .map((r) => {
        const done = this.finishedAt(r);
        const info: Record<string, unknown> = {
          id: r.id,
          state: this.status(r),
          timestamp: r.createdMs,
          domainInputs: domainsOf(r),
          metadata: {
            targetVersion: r.targetVersion,
            resources: r.resources.map((res) => ({
              type: res.resourceType,
              id: res.resourceId,
              name: res.resourceName,
              domainId: res.domain.domainId,
              targetVersion: res.targetVersion,
            })),
          },
        };
        if (done !== undefined) info.completionTimestamp = done;
        return info;
      });
  }

  snapshot(): unknown[] {
    return this.runs.map((r) => ({
      id: r.id,
      status: this.status(r),
      resources: r.resources.length,
      findings: r.checks.filter((c) => !c.passed).length,
    }));
  }

  private readSelection(r: BodyObject, query: QueryRecord): QueryResource {
    r.allowOnly("CheckSetResourceSelection", ["resourceType", "resourceId", "resourceName", "domain", "checkSets"]);
    const resourceType = r.string("resourceType", true);
    const resourceId = r.string("resourceId", true);
    r.string("resourceName", true);
    r.object("domain", "DomainInfo")
      ?.allowOnly("DomainInfo", ["domainId", "domainName", "domainType"])
      .enumString("domainType", ["MANAGEMENT", "VI"] as const);
    const offered = query.resources.find((q) => q.resourceId === resourceId && q.resourceType === resourceType);
    if (!offered)
      throw badField(
        r.fieldPath("resourceId"),
        `${resourceType} ${resourceId} is not in the result of query ${query.queryId}`,
        "Send the resources exactly as the query returned them.",
      );
    r.objects("checkSets", "SelectedCheckSetCandidate", 1).forEach((c) => {
      c.allowOnly("SelectedCheckSetCandidate", ["checkSetId"]);
      const id = c.string("checkSetId", true);
      if (!offered.checkSets.some((s) => s.checkSetId === id)) {
        throw badField(
          c.fieldPath("checkSetId"),
          `'${id}' is not offered for ${offered.resourceName}`,
          `Use a checkSetId from the query result: ${offered.checkSets.map((s) => s.checkSetId).join(", ")}.`,
        );
      }
    });
    return offered;
  }

  private require(runId: string): RunRecord {
    const run = this.runs.find((r) => r.id === runId);
    if (!run)
      throw notFound(
        "Check-set run",
        runId,
        "ASSESSMENT_NOT_FOUND",
        "Use the id of the Task returned by POST /v1/system/check-sets.",
      );
    return run;
  }

  private finishedAt(run: RunRecord): number | undefined {
    const faults = this.ctx.faults();
    const end = run.createdMs + faults.durations.checkSetRunSeconds * 1000;
    return !faults.precheckNeverFinishes && this.ctx.clock.nowMs() >= end ? end : undefined;
  }

  private status(run: RunRecord): string {
    if (this.finishedAt(run) === undefined) return "IN_PROGRESS";
    // Only ERROR validations fail the run; a CRITICAL gap leaves it COMPLETED_WITH_SUCCESS (§5.3: never decide from status alone).
    return run.checks.some((c) => !c.passed && c.severity === "ERROR")
      ? "COMPLETED_WITH_FAILURE"
      : "COMPLETED_WITH_SUCCESS";
  }

  private render(run: RunRecord): unknown {
    const done = this.finishedAt(run);
    const base = { timestamp: isoAt(run.createdMs), inputValidationErrors: [] };
    if (done === undefined) {
      const total = this.ctx.faults().durations.checkSetRunSeconds * 1000 || 1;
      const percent = Math.min(99, Math.floor(((this.ctx.clock.nowMs() - run.createdMs) / total) * 100));
      const ran = Math.floor((run.checks.length * percent) / 100);
      return {
        ...base,
        status: "IN_PROGRESS",
        discoveryProgress: {
          percentageComplete: percent,
          progressMessages: [`Running validations ${ran} of ${run.checks.length}`],
        },
        presentedArtifactsMap: {},
      };
    }
    return {
      ...base,
      status: this.status(run),
      completionTimestamp: isoAt(done),
      discoveryProgress: { percentageComplete: 100, progressMessages: [] },
      presentedArtifactsMap: { "validation-domain-summary": domainsOf(run).flatMap((d) => summariesOf(run, d)) },
      validationResult: validationTree(run.checks),
      physicalPresentedData: inventoryTree(run),
    };
  }

  private renderTask(run: RunRecord): TaskBody {
    const status = this.status(run);
    const gaps = run.checks.some((c) => !c.passed);
    const names = domainsOf(run)
      .map((d) => d.domainName)
      .join(", ");
    const name = `Upgrade prechecks for ${names}`;
    const taskStatus =
      status === "IN_PROGRESS"
        ? "IN_PROGRESS"
        : status === "COMPLETED_WITH_FAILURE"
          ? "FAILED"
          : gaps
            ? "COMPLETED_WITH_WARNING"
            : "SUCCESSFUL";
    const task: TaskBody = {
      id: run.id,
      name,
      localizableDescriptionPack: describe(name, "assessment"),
      type: "ASSESSMENT",
      status: taskStatus,
      creationTimestamp: isoAt(run.createdMs),
      resources: domainsOf(run).map((d) => ({ resourceId: d.domainId, type: "DOMAIN", name: d.domainName })),
      subTasks: [],
      errors: [],
      isCancellable: false,
      isRetryable: false,
    };
    const done = this.finishedAt(run);
    if (done !== undefined) task.completionTimestamp = isoAt(done);
    return task;
  }
}

function domainsOf(run: RunRecord): QueryResource["domain"][] {
  return [...new Map(run.resources.map((r) => [r.domain.domainId, r.domain])).values()];
}

/** One entry per assessed domain (§5.3); split in two (passed checks, then gaps) when the run asked for it. */
function summariesOf(run: RunRecord, domain: QueryResource["domain"]): Record<string, unknown>[] {
  const own = run.checks.filter((c) => c.resource.domain.domainId === domain.domainId);
  if (!run.splitSummary) return [domainSummary(domain.domainName, own)];
  return [
    domainSummary(
      domain.domainName,
      own.filter((c) => c.passed),
    ),
    domainSummary(
      domain.domainName,
      own.filter((c) => !c.passed),
    ),
  ];
}

/** Counts come back as floats (`0.0`) from the real server (§0). */
function domainSummary(domainName: string, checks: Check[]): Record<string, unknown> {
  const failed = (severity: string): number => checks.filter((c) => !c.passed && c.severity === severity).length;
  return {
    domainName,
    warningGapsCount: float(failed("WARNING")),
    criticalGapsCount: float(failed("CRITICAL")),
    optionalGapsCount: float(0),
    validationsRunCount: float(checks.length),
    successfulValidationsCount: float(checks.filter((c) => c.passed).length),
    silencedValidationsCount: float(0),
    errorValidationsCount: float(failed("ERROR")),
    internalErrorValidationsCount: float(0),
  };
}

function inventoryTree(run: RunRecord): unknown {
  return {
    id: "00000000-0000-4000-8000-00000000a001",
    type: "Vsphere",
    name: "vSphere",
    properties: {},
    childEntities: domainsOf(run).map((d) => ({
      id: d.domainId,
      type: "domain",
      name: d.domainName,
      properties: { domainId: d.domainId },
      classifications: [
        {
          type: "domainType",
          value: d.domainType === "MANAGEMENT" ? "MGMT_DOMAIN" : "VI_DOMAIN",
          description: `${d.domainType} domain`,
          source: "CLASSIFIER",
        },
      ],
      childEntities: run.resources
        .filter((r) => r.domain.domainId === d.domainId)
        .map((r) => ({
          id: r.resourceId,
          type: r.resourceType.toLowerCase(),
          name: r.resourceName,
          properties: { version: r.resourceVersion },
          childEntities: [],
        })),
    })),
  };
}
