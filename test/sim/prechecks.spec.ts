import { strict as assert } from "node:assert";
import type { RunningSimulator, ScenarioName } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { call, getJson } from "../support/sim-http";
import type { QueryResult } from "./sim-flow";
import { assertContract, Flow } from "./sim-flow";

interface Node {
  errorCode: string;
  message: string;
  remediationMessage?: string;
  context?: Record<string, string>;
  nestedErrors?: Node[];
}
interface Assessment {
  status: string;
  discoveryProgress: { percentageComplete: number };
  presentedArtifactsMap: Record<string, (Record<string, number> & { domainName?: string })[]>;
  validationResult?: Node;
}

const GAP_COUNTS = [
  "warningGapsCount",
  "criticalGapsCount",
  "errorValidationsCount",
  "validationsRunCount",
  "successfulValidationsCount",
];

/** The summary entries' counts, each entry as [domainName, ...GAP_COUNTS]. */
function summaryRows(a: Assessment): (string | number | undefined)[][] {
  return (a.presentedArtifactsMap["validation-domain-summary"] ?? []).map((e) => [
    e.domainName,
    ...GAP_COUNTS.map((k) => e[k]),
  ]);
}

function checks(node: Node | undefined): Node[] {
  if (!node) return [];
  const own = node.context?.validationName ? [node] : [];
  return [...own, ...(node.nestedErrors ?? []).flatMap(checks)];
}

describe("simulator: check-set prechecks", function () {
  let sim: RunningSimulator;
  let flow: Flow;
  let domainId: string;
  afterEach(async () => sim.stop());

  async function start(scenario: ScenarioName = "happy", faults = {}): Promise<void> {
    sim = await startSimulator({ scenario, faults });
    flow = new Flow(sim);
    await flow.login();
    domainId = (await flow.domain()).id;
  }

  it("answers the two-step query: default check-sets for the domain alone, upgrade check-sets with target versions", async () => {
    await start();
    const first = await flow.post<QueryResult>(
      "/v1/system/check-sets/queries",
      { checkSetType: "UPGRADE", domains: [{ domainId }] },
      200,
    );
    assert.deepEqual(
      first.resources.map((r) => r.resourceType),
      ["SDDC_MANAGER", "NSX_T_MANAGER", "VCENTER", "CLUSTER", "CLUSTER"],
    );
    assert.ok(first.resources.every((r) => r.checkSets[0]?.checkSetId.includes("general")));
    const second = await flow.post<QueryResult>(
      "/v1/system/check-sets/queries",
      {
        checkSetType: "UPGRADE",
        domains: [
          {
            domainId,
            resources: [
              { resourceType: "VCENTER", resourceTargetVersion: "8.0.3.00300-24305161" },
              { resourceType: "CLUSTER", resourceTargetVersion: "8.0.3-24280767" },
            ],
          },
        ],
      },
      200,
    );
    assert.deepEqual(
      second.resources.map((r) => r.checkSets[0]?.checkSetId),
      [
        "vcenter-upgrade-perspective-VCF_5x",
        "esx-cluster-upgrade-perspective-VCF_5x",
        "esx-cluster-upgrade-perspective-VCF_5x",
      ],
    );
    assert.notEqual(first.queryId, second.queryId);
  });

  it("rejects a GET on the queries path (405), a VCF version as a component target, and unknown fields", async () => {
    await start();
    const get = await call(sim, "GET", "/v1/system/check-sets/queries", { token: flow.token });
    assert.equal(get.status, 405);
    const wrongVersion = await call(sim, "POST", "/v1/system/check-sets/queries", {
      token: flow.token,
      body: {
        checkSetType: "UPGRADE",
        domains: [{ domainId, resources: [{ resourceType: "VCENTER", resourceTargetVersion: "5.2.1.0" }] }],
      },
    });
    assert.equal(wrongVersion.status, 400);
    assert.match(
      (wrongVersion.json as { message: string }).message,
      /domains\[0\]\.resources\[0\]\.resourceTargetVersion/,
    );
    const typo = await call(sim, "POST", "/v1/system/check-sets/queries", {
      token: flow.token,
      body: { checkSetType: "UPGRADE", domains: [{ domainId, resources: [{ type: "VCENTER" }] }] },
    });
    assert.equal(typo.status, 400);
    assert.match((typo.json as { message: string }).message, /domains\[0\]\.resources\[0\]\.type/);
  });

  it("requires queryId and checkSets in the run, rejects an unknown or already used queryId, accepts metadata", async () => {
    await start();
    const noQuery = await call(sim, "POST", "/v1/system/check-sets", { token: flow.token, body: { resources: [] } });
    assert.equal(noQuery.status, 400);
    assert.match((noQuery.json as { message: string }).message, /queryId/);
    const unknown = await call(sim, "POST", "/v1/system/check-sets", {
      token: flow.token,
      body: {
        queryId: "nope",
        resources: [{ resourceType: "VCENTER", resourceId: "x", resourceName: "x", checkSets: [{ checkSetId: "x" }] }],
      },
    });
    assert.equal(unknown.status, 400);
    assert.equal((unknown.json as { errorCode: string }).errorCode, "CHECKSET_QUERY_NOT_FOUND");
    const query = await flow.post<QueryResult>(
      "/v1/system/check-sets/queries",
      { checkSetType: "UPGRADE", domains: [{ domainId }] },
      200,
    );
    const resource = query.resources[0];
    assert.ok(resource);
    const noCheckSets = await call(sim, "POST", "/v1/system/check-sets", {
      token: flow.token,
      body: {
        queryId: query.queryId,
        resources: [
          { resourceType: resource.resourceType, resourceId: resource.resourceId, resourceName: resource.resourceName },
        ],
      },
    });
    assert.equal(noCheckSets.status, 400);
    assert.match((noCheckSets.json as { message: string }).message, /resources\[0\]\.checkSets/);
    const body = {
      queryId: query.queryId,
      resources: [
        {
          resourceType: resource.resourceType,
          resourceId: resource.resourceId,
          resourceName: resource.resourceName,
          checkSets: [{ checkSetId: resource.checkSets[0]?.checkSetId }],
        },
      ],
      metadata: { targetVersion: "5.2.1.0" },
    };
    assert.equal((await call(sim, "POST", "/v1/system/check-sets", { token: flow.token, body })).status, 202);
    const reused = await call(sim, "POST", "/v1/system/check-sets", { token: flow.token, body });
    assert.equal(reused.status, 400, "a used queryId is stale");
  });

  it("happy: IN_PROGRESS with progress, then COMPLETED_WITH_SUCCESS without findings; the run is listed for the domain", async () => {
    await start();
    const runId = await flow.startPrechecks(domainId);
    sim.advanceClock(300);
    const running = await getJson<Assessment>(sim, `/v1/system/check-sets/${runId}`, flow.token);
    assert.equal(running.status, "IN_PROGRESS");
    assert.ok(running.discoveryProgress.percentageComplete > 0 && running.discoveryProgress.percentageComplete < 100);
    sim.advanceClock(700);
    const done = await getJson<Assessment>(sim, `/v1/system/check-sets/${runId}`, flow.token);
    assert.equal(done.status, "COMPLETED_WITH_SUCCESS");
    assert.equal(
      checks(done.validationResult).filter((c) => c.context?.validationStatus !== "VALIDATION_SUCCESSFUL").length,
      0,
    );
    const runs = await getJson<{ id: string; state: string; metadata: { targetVersion: string } }[]>(
      sim,
      `/v1/system/check-sets?domainId=${domainId}`,
      flow.token,
    );
    assert.deepEqual(
      runs.map((r) => [r.id, r.state, r.metadata.targetVersion]),
      [[runId, "COMPLETED_WITH_SUCCESS", "5.2.1.0"]],
    );
  });

  it("precheck-warnings: two WARNING findings with resource and remediation, counts written as floats", async () => {
    await start("precheck-warnings");
    const runId = await flow.startPrechecks(domainId);
    sim.advanceClock(1000);
    const raw = await call(sim, "GET", `/v1/system/check-sets/${runId}`, { token: flow.token });
    assert.match(raw.text, /"warningGapsCount":2\.0/);
    assert.match(raw.text, /"errorValidationsCount":0\.0/);
    const result = raw.json as Assessment;
    assert.equal(result.status, "COMPLETED_WITH_SUCCESS");
    const findings = checks(result.validationResult).filter((c) => c.context?.validationStatus === "VALIDATION_FAILED");
    assert.deepEqual(
      findings.map((f) => f.context?.severity),
      ["WARNING", "WARNING"],
    );
    for (const f of findings) {
      assert.ok(f.remediationMessage);
      assert.equal(f.context?.resourceType, "CLUSTER");
      assert.ok(f.context?.resourceName && f.context.resourceId);
    }
  });

  it("precheck-errors: one ERROR and two WARNINGs, COMPLETED_WITH_FAILURE, and a FAILED task", async () => {
    await start("precheck-errors");
    const runId = await flow.startPrechecks(domainId);
    sim.advanceClock(1000);
    const result = await getJson<Assessment>(sim, `/v1/system/check-sets/${runId}`, flow.token);
    assert.equal(result.status, "COMPLETED_WITH_FAILURE");
    const findings = checks(result.validationResult).filter((c) => c.context?.validationStatus === "VALIDATION_FAILED");
    assert.deepEqual(findings.map((f) => f.context?.severity).sort(), ["ERROR", "WARNING", "WARNING"]);
    const error = findings.find((f) => f.context?.severity === "ERROR");
    assert.equal(error?.context?.resourceType, "NSX_T_MANAGER");
    assert.equal(error?.errorCode, "BASELINER_CONSTRAINT_VALIDATION.error");
    const summary = result.presentedArtifactsMap["validation-domain-summary"]?.[0];
    assert.deepEqual([summary?.errorValidationsCount, summary?.warningGapsCount], [1, 2]);
    assert.equal((await getJson<{ status: string }>(sim, `/v1/tasks/${runId}`, flow.token)).status, "FAILED");
  });

  it("precheckNeverFinishes keeps a run IN_PROGRESS for a day", async () => {
    await start("happy", { precheckNeverFinishes: true });
    const runId = await flow.startPrechecks(domainId);
    await flow.advance(24 * 3600);
    assert.equal((await getJson<Assessment>(sim, `/v1/system/check-sets/${runId}`, flow.token)).status, "IN_PROGRESS");
  });

  it("precheckFindings critical: a gap counted only in criticalGapsCount, on the last domain of a run over two domains", async () => {
    await start("happy", { precheckFindings: "critical" });
    const vi = await flow.domain("VI");
    const query = await flow.post<QueryResult>(
      "/v1/system/check-sets/queries",
      { checkSetType: "UPGRADE", domains: [{ domainId }, { domainId: vi.id }] },
      200,
    );
    const task = await flow.post<{ id: string }>(
      "/v1/system/check-sets",
      {
        queryId: query.queryId,
        resources: query.resources.map((r) => ({
          resourceType: r.resourceType,
          resourceId: r.resourceId,
          resourceName: r.resourceName,
          domain: r.domain,
          checkSets: [{ checkSetId: r.checkSets[0]?.checkSetId }],
        })),
      },
      202,
    );
    sim.advanceClock(1000);
    const result = await getJson<Assessment>(sim, `/v1/system/check-sets/${task.id}`, flow.token);
    assert.equal(
      result.status,
      "COMPLETED_WITH_SUCCESS",
      "a critical gap alone does not fail the run: decide from the counts",
    );
    assert.deepEqual(summaryRows(result), [
      ["lab-m01", 0, 0, 0, 5, 5],
      ["lab-w01", 0, 1, 0, 5, 4],
    ]);
    const findings = checks(result.validationResult).filter((c) => c.context?.validationStatus === "VALIDATION_FAILED");
    assert.deepEqual(
      findings.map((f) => [f.context?.severity, f.context?.resourceType, f.errorCode]),
      [["CRITICAL", "VCENTER", "BASELINER_CONSTRAINT_VALIDATION.critical"]],
    );
    assert.match(findings[0]?.context?.resourceName ?? "", /^lab-w01-/);
    assert.ok(findings[0]?.remediationMessage);
    assert.equal(
      (await getJson<{ status: string }>(sim, `/v1/tasks/${task.id}`, flow.token)).status,
      "COMPLETED_WITH_WARNING",
    );
    assertContract(sim);
  });

  it("splitDomainSummary reports a domain in two entries, its gaps only in the second", async () => {
    await start("precheck-errors", { splitDomainSummary: true });
    const runId = await flow.startPrechecks(domainId);
    sim.advanceClock(1000);
    const result = await getJson<Assessment>(sim, `/v1/system/check-sets/${runId}`, flow.token);
    assert.deepEqual(summaryRows(result), [
      ["lab-m01", 0, 0, 0, 5, 5],
      ["lab-m01", 2, 0, 1, 3, 0],
    ]);
  });
});
