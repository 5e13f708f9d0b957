import { strict as assert } from "node:assert";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { RequestLog, REQUEST_LOG_LIMIT } from "../../nodes/sim/request-log";
import { call, elements, getJson, login } from "../support/sim-http";
import type { QueryResult } from "./sim-flow";
import { Flow } from "./sim-flow";

async function outcome(
  sim: RunningSimulator,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<number> {
  try {
    return (await call(sim, method, path, { token, body })).status;
  } catch {
    return 0; // connection dropped
  }
}

describe("simulator: faults, scenarios and introspection", function () {
  let sim: RunningSimulator;
  afterEach(async () => sim.stop());

  it("flaky: fails about the configured share of GETs with 502, 503 or dropped connections, never a POST or PATCH", async () => {
    sim = await startSimulator({ scenario: "flaky", faults: { flakyRate: 0.5 } });
    const token = await login(sim);
    const gets: number[] = [];
    for (let i = 0; i < 80; i += 1) gets.push(await outcome(sim, "GET", "/v1/domains", token));
    const failed = gets.filter((s) => s !== 200);
    assert.ok(failed.length > 20 && failed.length < 60, `about half failed: ${failed.length}`);
    assert.deepEqual([...new Set(failed)].sort(), [0, 502, 503]);
    const writes: number[] = [];
    for (let i = 0; i < 40; i += 1) writes.push(await outcome(sim, "POST", "/v1/tokens", token, sim.credentials));
    const domainId = ((await sim.state()) as { domains: { id: string }[] }).domains[0]?.id;
    for (let i = 0; i < 20; i += 1)
      writes.push(await outcome(sim, "PATCH", `/v1/releases/domains/${domainId}`, token, { targetVersion: "5.2.1.0" }));
    assert.deepEqual([...new Set(writes)], [200]);
  });

  it("the flaky scenario defaults to a 20 % rate, and setFaults turns it off", async () => {
    sim = await startSimulator({ scenario: "flaky" });
    assert.equal((sim.state() as { faults: { flakyRate: number } }).faults.flakyRate, 0.2);
    sim.setFaults({ flakyRate: 0 });
    const token = await login(sim);
    for (let i = 0; i < 30; i += 1) assert.equal(await outcome(sim, "GET", "/v1/domains", token), 200);
  });

  it("many-domains: one management domain plus N VI domains (default 5)", async () => {
    sim = await startSimulator({ scenario: "many-domains", domains: 3 });
    let token = await login(sim);
    const domains = await elements<{ type: string; name: string }>(sim, "/v1/domains", token);
    assert.deepEqual(
      domains.map((d) => d.type),
      ["MANAGEMENT", "VI", "VI", "VI"],
    );
    assert.equal(new Set(domains.map((d) => d.name)).size, 4);
    await sim.stop();
    sim = await startSimulator({ scenario: "many-domains" });
    token = await login(sim);
    assert.equal((await elements(sim, "/v1/domains", token)).length, 6);
  });

  it("serves /sim/ introspection: state, counts per endpoint template, requests, clock, scenario switch, faults", async () => {
    sim = await startSimulator();
    const token = await login(sim);
    const domainId = (await elements<{ id: string }>(sim, "/v1/domains", token))[0]?.id ?? "";
    await call(sim, "GET", `/v1/domains/${domainId}`, { token });
    await call(sim, "GET", `/v1/domains/${domainId}`, { token });
    const counts = (await call(sim, "GET", "/sim/counts")).json as Record<string, number>;
    assert.deepEqual(counts, { "GET /v1/domains": 1, "GET /v1/domains/{id}": 2, "POST /v1/tokens": 1 });
    const requests = (await call(sim, "GET", "/sim/requests")).json as {
      method: string;
      path: string;
      status: number;
    }[];
    assert.deepEqual(requests.map((r) => `${r.method} ${r.path} ${r.status}`)[0], "POST /v1/tokens 200");

    const before = Date.parse(((await call(sim, "GET", "/sim/state")).json as { simulatedTime: string }).simulatedTime);
    assert.equal((await call(sim, "POST", "/sim/clock/advance", { body: { seconds: 7200 } })).status, 200);
    const after = Date.parse(((await call(sim, "GET", "/sim/state")).json as { simulatedTime: string }).simulatedTime);
    assert.ok(after - before >= 7200 * 1000);
    assert.equal((await call(sim, "GET", "/v1/domains", { token })).status, 401, "the clock jump expired the token");

    const switched = await call(sim, "POST", "/sim/scenario", { body: { name: "many-domains" } });
    assert.equal((switched.json as { domains: unknown[] }).domains.length, 6);
    const bad = await call(sim, "POST", "/sim/scenario", { body: { name: "nope" } });
    assert.equal(bad.status, 400);
    assert.match((bad.json as { message: string }).message, /'name'/);
    assert.equal((await call(sim, "POST", "/sim/reset", { body: {} })).status, 200);

    const faults = await call(sim, "POST", "/sim/faults", {
      body: { flakyRate: 0.1, durations: { checkSetRunSeconds: 5 } },
    });
    assert.deepEqual(
      [
        (faults.json as { flakyRate: number }).flakyRate,
        (faults.json as { durations: { checkSetRunSeconds: number; nsxUpgradeSeconds: number } }).durations
          .checkSetRunSeconds,
      ],
      [0.1, 5],
    );
    const badFault = await call(sim, "POST", "/sim/faults", { body: { flakyRate: 2 } });
    assert.equal(badFault.status, 400);
    assert.match((badFault.json as { message: string }).message, /flakyRate/);
    assert.equal((await call(sim, "GET", "/sim/nope")).status, 404);
    assert.ok(!sim.requestLog().some((e) => e.path.startsWith("/sim")), "/sim/ calls are not logged");
  });

  it("dropResponseOf: the POST is performed but its answer is lost; the upgrade and the check-set run can be found, a blind repeat is refused", async () => {
    sim = await startSimulator({ faults: { dropResponseOf: ["POST /v1/upgrades", "POST /v1/system/check-sets"] } });
    const flow = new Flow(sim);
    await flow.login();
    const domainId = (await flow.domain()).id;
    await flow.setTarget(domainId);
    const sddc = (await flow.upgradables(domainId))[0];
    const body = {
      bundleId: sddc?.bundleId,
      resourceType: "DOMAIN",
      resourceUpgradeSpecs: [{ resourceId: domainId, upgradeNow: true }],
    };
    assert.equal(
      await outcome(sim, "POST", "/v1/upgrades", flow.token, body),
      424,
      "a refused request is answered: nothing was done",
    );
    await flow.downloadAll(domainId);

    assert.equal(await outcome(sim, "POST", "/v1/upgrades", flow.token, body), 0);
    const started = await getJson<{ elements: { id: string; status: string; taskId: string }[] }>(
      sim,
      `/v1/upgrades?bundleId=${sddc?.bundleId}`,
      flow.token,
    );
    assert.deepEqual(
      started.elements.map((u) => u.status),
      ["INPROGRESS"],
    );
    assert.equal(
      (await getJson<{ id: string }>(sim, `/v1/tasks/${started.elements[0]?.taskId}`, flow.token)).id,
      started.elements[0]?.id,
    );
    assert.equal(
      await outcome(sim, "POST", "/v1/upgrades", flow.token, body),
      403,
      "POSTing again does not start a second upgrade",
    );

    const query = await flow.post<QueryResult>(
      "/v1/system/check-sets/queries",
      { checkSetType: "UPGRADE", domains: [{ domainId }] },
      200,
    );
    const resource = query.resources[0];
    const run = {
      queryId: query.queryId,
      resources: [
        {
          resourceType: resource?.resourceType,
          resourceId: resource?.resourceId,
          resourceName: resource?.resourceName,
          checkSets: [{ checkSetId: resource?.checkSets[0]?.checkSetId }],
        },
      ],
    };
    assert.equal(await outcome(sim, "POST", "/v1/system/check-sets", flow.token, run), 0);
    assert.equal((await getJson<unknown[]>(sim, `/v1/system/check-sets?domainId=${domainId}`, flow.token)).length, 1);
    assert.deepEqual(
      sim
        .requestLog()
        .filter((e) => e.method === "POST" && e.path !== "/v1/tokens")
        .map((e) => e.status),
      [424, 0, 403, 200, 0],
    );
  });

  it("/sim/faults accepts the new fault settings and names a bad entry", async () => {
    sim = await startSimulator();
    const patch = {
      precheckFindings: "critical",
      splitDomainSummary: true,
      recallBundleOf: ["ESX_HOST"],
      emptyPatchBundles: true,
      keepCompletedUpgradables: true,
      dropResponseOf: ["PATCH /v1/bundles/{id}"],
    };
    const set = await call(sim, "POST", "/sim/faults", { body: patch });
    assert.equal(set.status, 200, set.text);
    const faults = set.json as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(patch).map((k) => faults[k]),
      Object.values(patch),
    );
    const badEndpoint = await call(sim, "POST", "/sim/faults", { body: { dropResponseOf: ["GET /v1/domains"] } });
    assert.equal(badEndpoint.status, 400);
    assert.match((badEndpoint.json as { message: string }).message, /dropResponseOf\[0\]/);
    const badKind = await call(sim, "POST", "/sim/faults", { body: { recallBundleOf: ["NSX"] } });
    assert.match((badKind.json as { message: string }).message, /recallBundleOf\[0\]/);
  });

  it("answers unknown /v1 routes with a 404 Error body", async () => {
    sim = await startSimulator();
    const token = await login(sim);
    const res = await call(sim, "GET", "/v1/no-such-thing", { token });
    assert.equal(res.status, 404);
    assert.equal((res.json as { errorCode: string }).errorCode, "NOT_FOUND");
  });

  it("keeps only the last exchanges in the request log", () => {
    const log = new RequestLog();
    for (let i = 0; i < REQUEST_LOG_LIMIT + 10; i += 1)
      log.record(
        { method: "GET", path: "/v1/domains", query: {}, status: 200, apiGeneration: "5.2" },
        "GET /v1/domains",
      );
    const entries = log.list();
    assert.equal(entries.length, REQUEST_LOG_LIMIT);
    assert.equal(entries[0]?.seq, 11);
    assert.equal(log.countsByEndpoint()["GET /v1/domains"], REQUEST_LOG_LIMIT + 10);
  });
});
