// A deadline ends its wait even while a poll is in flight: a server (here a proxy in front of the simulator) that
// trickles its answer one byte at a time must not keep a run waiting past its deadline. The client's request
// timeout is set far beyond the deadlines, so only the wait itself can end these runs in time.
import * as assert from "node:assert/strict";
import { EngineError } from "../../nodes/engine";
import type { EngineSettings } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { rejectionOf } from "../vcf/helpers";
import { within } from "../support/trickle";
import { type FaultProxy, type ProxyRule, startFaultProxy } from "./fault-proxy";
import { EngineUnderTest, managementDomain, simulator, stopAll } from "./harness";

const TRICKLE = { status: 200, trickle: true };
/** Far beyond the deadlines below: a request ended by its own limit would prove nothing here. */
const LONG_REQUEST_TIMEOUT_MS = 120_000;
const SHORT_DEADLINE_MS = 1500;
/** A generous bound for the deadline to end the run on two busy cores. */
const ENDS_WITHIN_MS = 15_000;

describe("engine: a deadline ends the wait while SDDC Manager trickles its answer", function () {
  let sim: RunningSimulator;
  let proxy: FaultProxy;
  let t: EngineUnderTest;
  afterEach(() => stopAll([t], proxy, sim));

  async function setup(rule: ProxyRule, settings: Partial<EngineSettings>): Promise<string> {
    sim = await simulator("happy");
    proxy = await startFaultProxy(sim.url, rule);
    t = new EngineUnderTest(sim, undefined, settings, proxy.url, { requestTimeoutMs: LONG_REQUEST_TIMEOUT_MS });
    return (await managementDomain(sim)).name;
  }

  async function assertDeadline(work: Promise<unknown>, what: RegExp): Promise<void> {
    const error = await within(rejectionOf(work), ENDS_WITHIN_MS, "the phase");
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, "DEADLINE", error.message);
    assert.match(error.message, what);
  }

  it("during bundle downloads", async () => {
    const reads = new Map<string, number>();
    let patched = false;
    const domain = await setup(
      (req) => {
        if (req.method === "PATCH" && req.path.startsWith("/v1/bundles/")) patched = true;
        if (!patched || req.method !== "GET" || !/^\/v1\/bundles\/[^/]+$/.test(req.path)) return undefined;
        // the read right after the PATCH is the phase's own; the next ones are the wait's polls
        const n = (reads.get(req.path) ?? 0) + 1;
        reads.set(req.path, n);
        return n >= 2 ? TRICKLE : undefined;
      },
      { downloadDeadlineMs: SHORT_DEADLINE_MS },
    );
    const run = await t.engine.startRun({ domain });
    await assertDeadline(t.engine.downloadBundles(run.id), /Download of bundle .* did not finish before its deadline/);
    assert.equal(t.engine.getRun(run.id)?.status, "failed");
  });

  it("during prechecks", async () => {
    const domain = await setup(
      (req) => (req.method === "GET" && /^\/v1\/system\/check-sets\/[^/]+$/.test(req.path) ? TRICKLE : undefined),
      { precheckDeadlineMs: SHORT_DEADLINE_MS },
    );
    const run = await t.engine.startRun({ domain });
    await t.engine.downloadBundles(run.id);
    await assertDeadline(t.engine.runPrechecks(run.id), /did not finish before its deadline/);
  });

  it("during component upgrades", async () => {
    const domain = await setup(
      (req) => (req.method === "GET" && /^\/v1\/upgrades\/[^/]+$/.test(req.path) ? TRICKLE : undefined),
      { componentDeadlineMs: SHORT_DEADLINE_MS },
    );
    const run = await t.engine.startRun({ domain });
    await t.engine.downloadBundles(run.id);
    await t.engine.runPrechecks(run.id);
    await t.engine.awaitAcknowledgement(run.id, { ignoreAlerts: true, alsoIgnoreErrors: true, failOnErrors: false });
    await assertDeadline(t.engine.upgradeComponents(run.id), /The upgrade of .* did not finish before its deadline/);
  });
});
