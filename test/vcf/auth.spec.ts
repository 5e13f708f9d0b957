import assert from "node:assert/strict";
import type { RunningSimulator, SimExchange } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { VcfClient } from "../../nodes/vcf/client";
import { VcfApiError } from "../../nodes/vcf/errors";
import type { LogLine } from "./helpers";
import { countRequests, LinkedClock, rejectionOf, simClient } from "./helpers";

const REFRESH = "/v1/tokens/access-token/refresh";

function tokenCalls(log: readonly SimExchange[]): SimExchange[] {
  return log.filter((e) => e.path === "/v1/tokens" || e.path === REFRESH);
}

describe("client authentication against the simulator", function () {
  let sim: RunningSimulator;
  let clock: LinkedClock;
  let client: VcfClient;
  let logs: LogLine[];

  beforeEach(async function () {
    sim = await startSimulator({ tokenLifetimeSeconds: 3600 });
    clock = new LinkedClock(sim);
    ({ client, logs } = simClient(sim, { now: clock.now }));
  });
  afterEach(async function () {
    await sim.stop();
  });

  it("logs in with POST /v1/tokens (accepting 200) and uses the token", async function () {
    await client.login();
    const domains = await client.getDomains();
    assert.ok(domains.some((d) => d.type === "MANAGEMENT"));
    const log = sim.requestLog();
    const login = log.find((e) => e.path === "/v1/tokens");
    assert.equal(login?.method, "POST");
    assert.ok(login && login.status >= 200 && login.status < 300);
    assert.deepEqual(login?.requestBody, { username: sim.credentials.username, password: "***" });
    assert.equal(tokenCalls(log).length, 1, "one login serves later calls");
  });

  it("reports refused credentials as kind auth", async function () {
    const wrong = new VcfClient({ baseUrl: sim.url, username: sim.credentials.username, password: "wrong-password" });
    const error = await rejectionOf(wrong.getDomains());
    assert.ok(error instanceof VcfApiError);
    assert.equal(error.kind, "auth");
    assert.equal(error.path, "/v1/tokens");
    assert.ok(error.status === 400 || error.status === 401, `status ${error.status}`);
  });

  it("refreshes shortly before expiry (PATCH refresh, no 401)", async function () {
    await client.getDomains();
    clock.advance(3600 - 200); // past the refresh point (lifetime - 5 min), before expiry
    await client.getDomains();
    await client.getDomains();
    const log = sim.requestLog();
    assert.equal(countRequests(log, "PATCH", REFRESH), 1);
    assert.equal(log.find((e) => e.path === REFRESH)?.status, 200);
    assert.equal(log.filter((e) => e.status === 401).length, 0);
    assert.equal(countRequests(log, "POST", "/v1/tokens"), 1);
  });

  it("takes the lifetime from the JWT: a 60 s token is refreshed 30 s in", async function () {
    sim.setFaults({ tokenLifetimeSeconds: 60 });
    await client.login();
    clock.advance(20);
    await client.getDomains();
    assert.equal(countRequests(sim.requestLog(), "PATCH", REFRESH), 0);
    clock.advance(15);
    await client.getDomains();
    assert.equal(countRequests(sim.requestLog(), "PATCH", REFRESH), 1);
    assert.equal(sim.requestLog().filter((e) => e.status === 401).length, 0);
  });

  it("renews once after a 401 and replays the same request", async function () {
    await client.getDomains();
    clock.advanceServerOnly(3700); // the token expired without the client knowing
    const domains = await client.getDomains();
    assert.ok(domains.length > 0);
    const log = sim.requestLog();
    const gets = log.filter((e) => e.method === "GET" && e.path === "/v1/domains");
    assert.deepEqual(
      gets.map((e) => e.status),
      [200, 401, 200],
    );
    assert.equal(tokenCalls(log).length, 2, "the login and exactly one renewal");
  });

  it("shares one renewal between concurrent callers after expiry (single flight)", async function () {
    await client.getDomains();
    clock.advanceServerOnly(3700);
    sim.clearRequestLog();
    const results = await Promise.all(Array.from({ length: 8 }, () => client.getDomains()));
    assert.equal(results.length, 8);
    const log = sim.requestLog();
    assert.equal(
      tokenCalls(log).length,
      1,
      JSON.stringify(tokenCalls(log).map((e) => `${e.method} ${e.path} ${e.status}`)),
    );
    assert.equal(log.filter((e) => e.path === "/v1/domains" && e.status === 200).length, 8);
  });

  it("shares one proactive refresh between concurrent callers", async function () {
    await client.getDomains();
    clock.advance(3500);
    sim.clearRequestLog();
    await Promise.all(Array.from({ length: 8 }, () => client.getDomains()));
    const log = sim.requestLog();
    assert.equal(countRequests(log, "PATCH", REFRESH), 1);
    assert.equal(tokenCalls(log).length, 1);
    assert.equal(log.filter((e) => e.status === 401).length, 0);
  });

  it("logs in again when the refresh token is no longer accepted", async function () {
    await client.getDomains();
    clock.advanceServerOnly(25 * 3600); // past the simulator's refresh-token lifetime as well
    sim.clearRequestLog();
    await client.getDomains();
    const calls = tokenCalls(sim.requestLog()).map((e) => `${e.method} ${e.path} ${e.status < 300 ? "ok" : "refused"}`);
    assert.deepEqual(calls, [`PATCH ${REFRESH} refused`, "POST /v1/tokens ok"]);
    // the expected path (refresh tokens expire, and do not survive SDDC Manager's own upgrade): no warning
    const relogin = logs.filter((l) => /token refresh failed .*logging in again/.test(l.text));
    assert.deepEqual(
      relogin.map((l) => l.level),
      ["info"],
      JSON.stringify(logs),
    );
  });

  it("logs in again after invalidateSession()", async function () {
    await client.getDomains();
    client.invalidateSession();
    await client.getDomains();
    assert.equal(countRequests(sim.requestLog(), "POST", "/v1/tokens"), 2);
  });
});
