// Discovery of 50 VI domains while access tokens expire during it: every domain is answered or reported, and SDDC
// Manager never has more requests from the client at once than its bound (counted by a proxy in front of the simulator).
import assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import { MAX_REQUESTS_IN_FLIGHT } from "../../nodes/vcf/client";
import { type FaultProxy, startFaultProxy } from "./fault-proxy";
import { EngineUnderTest, simulator } from "./harness";

/**
 * Simulated seconds per real second. A token lives far longer than the discovery (1000 s of real time), so no token
 * runs out on a busy machine's clock: every token expires at once when the test jumps the simulator's clock a token
 * lifetime during the discovery. (Once: a request replayed after a 401 is replayed once, and two expiries within one
 * request's life, which tokens of an hour never give, would fail it.) Each answer is held 150 ms, so requests pile
 * up if nothing bounds them.
 */
const SCALE = 100;
const TOKEN_SECONDS = 100_000;
const ANSWER_DELAY_MS = 150;
/** After this many requests the simulator's clock jumps a token lifetime: every token out there is refused at once. */
const JUMP_AT_REQUEST = 40;
const REFRESH = "/v1/tokens/access-token/refresh";

describe("engine: discovery of many domains", function () {
  let sim: RunningSimulator | undefined;
  let proxy: FaultProxy | undefined;
  let t: EngineUnderTest | undefined;
  afterEach(async function () {
    await t?.engine.close();
    await proxy?.stop();
    await sim?.stop();
    sim = proxy = t = undefined;
  });

  it("answers all 51 domains with tokens expiring during discovery, never more requests at once than the bound", async function () {
    this.timeout(60_000);
    sim = await simulator("many-domains", { domains: 50, timeScale: SCALE, tokenLifetimeSeconds: TOKEN_SECONDS });
    let requests = 0;
    const server = sim;
    proxy = await startFaultProxy(
      sim.url,
      () => {
        if (++requests === JUMP_AT_REQUEST) server.advanceClock(TOKEN_SECONDS);
        return undefined;
      },
      () => undefined,
      { answerDelayMs: ANSWER_DELAY_MS },
    );
    const started = Date.now();
    const now = (): number => started + (Date.now() - started) * SCALE; // the client's clock runs with the simulator's
    t = new EngineUnderTest(sim, undefined, {}, proxy.url, {
      now,
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 },
      requestTimeoutMs: 10_000,
    });
    const found = await t.engine.discoverUpdates();
    assert.ok(proxy.maxInFlight() <= MAX_REQUESTS_IN_FLIGHT, `${proxy.maxInFlight()} requests in flight at once`);

    assert.equal(found.length, 51);
    const failed = found.filter((d) => d.error).map((d) => `${d.info.domainName}: ${d.error?.message}`);
    assert.deepEqual(failed, [], "every domain answered");
    assert.ok(found.every((d) => d.info.updateAvailable && d.info.currentVersion === "5.2.0.0"));
    const log = sim.requestLog();
    const renewals = log.filter((e) => (e.path === REFRESH || e.path === "/v1/tokens") && e.status === 200).length;
    assert.ok(renewals >= 2, `a token was renewed during discovery (${renewals} logins and refreshes)`);
    assert.ok(
      log.some((e) => e.status === 401),
      "the jump made SDDC Manager refuse tokens the client still held",
    );
  });
});
