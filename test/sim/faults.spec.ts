import { strict as assert } from "node:assert";
import { RunningSimulator, startSimulator } from "../../nodes/sim/index";
import { RequestLog, REQUEST_LOG_LIMIT } from "../../nodes/sim/request-log";
import { call, elements, login } from "../support/sim-http";

async function outcome(sim: RunningSimulator, method: string, path: string, token: string, body?: unknown): Promise<number> {
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
    const domainId = (await sim.state() as { domains: { id: string }[] }).domains[0]?.id;
    for (let i = 0; i < 20; i += 1) writes.push(await outcome(sim, "PATCH", `/v1/releases/domains/${domainId}`, token, { targetVersion: "5.2.1.0" }));
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
    assert.deepEqual(domains.map((d) => d.type), ["MANAGEMENT", "VI", "VI", "VI"]);
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
    const requests = (await call(sim, "GET", "/sim/requests")).json as { method: string; path: string; status: number }[];
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

    const faults = await call(sim, "POST", "/sim/faults", { body: { flakyRate: 0.1, durations: { checkSetRunSeconds: 5 } } });
    assert.deepEqual([(faults.json as { flakyRate: number }).flakyRate, (faults.json as { durations: { checkSetRunSeconds: number; nsxUpgradeSeconds: number } }).durations.checkSetRunSeconds], [0.1, 5]);
    const badFault = await call(sim, "POST", "/sim/faults", { body: { flakyRate: 2 } });
    assert.equal(badFault.status, 400);
    assert.match((badFault.json as { message: string }).message, /flakyRate/);
    assert.equal((await call(sim, "GET", "/sim/nope")).status, 404);
    assert.ok(!sim.requestLog().some((e) => e.path.startsWith("/sim")), "/sim/ calls are not logged");
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
    for (let i = 0; i < REQUEST_LOG_LIMIT + 10; i += 1) log.record({ method: "GET", path: "/v1/domains", query: {}, status: 200 }, "GET /v1/domains");
    const entries = log.list();
    assert.equal(entries.length, REQUEST_LOG_LIMIT);
    assert.equal(entries[0]?.seq, 11);
    assert.equal(log.countsByEndpoint()["GET /v1/domains"], REQUEST_LOG_LIMIT + 10);
  });
});
