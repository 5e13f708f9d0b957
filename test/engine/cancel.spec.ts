import * as assert from "node:assert/strict";
import { EngineError } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { EngineUnderTest, WAIT_FOR_ACK, count, managementDomain, simulator, stopAll } from "./harness";

const cancelled =
  (reason: string) =>
  (e: unknown): boolean =>
    e instanceof EngineError && e.code === "CANCELLED" && e.message === `cancelled by the user: ${reason}`;

describe("engine: cancelling a run", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  afterEach(() => stopAll([t], sim));

  it("a run between phases fails with the reason at once, and a new run can start", async () => {
    sim = await simulator("happy");
    t = new EngineUnderTest(sim);
    const domain = await managementDomain(sim);
    const run = await t.engine.startRun({ domain: domain.name });
    const ended = await t.engine.cancel(domain.name, "wrong domain");
    assert.equal(ended?.status, "failed");
    assert.equal(ended?.failureReason, "cancelled by the user: wrong domain");
    assert.ok(!ended?.log.some((e) => e.level === "warning"), "nothing was started remotely");
    await assert.rejects(
      t.engine.downloadBundles(run.id),
      (e: unknown) => e instanceof EngineError && e.code === "RUN_FAILED",
    );
    assert.equal(await t.engine.cancel(domain.name, "again"), undefined);
    const next = await t.engine.startRun({ domain: domain.id });
    assert.notEqual(next.id, run.id);
  });

  it("a waiting gate stops, the phase call rejects with the reason, and the run cannot go on", async () => {
    sim = await simulator("precheck-warnings");
    t = new EngineUnderTest(sim);
    const run = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
    await t.engine.downloadBundles(run.id);
    await t.engine.runPrechecks(run.id);
    const waiting = t.when((r) => r.status === "waiting_for_alert_acknowledgement");
    const gate = t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    await waiting;
    const ended = await t.engine.cancel(run.id, "  not today ");
    await assert.rejects(gate, cancelled("not today"));
    assert.equal(ended?.failureReason, "cancelled by the user: not today");
    assert.equal(t.engine.getRun(run.id)?.status, "failed");
    assert.equal(t.engine.acknowledge(run.id), undefined);
    assert.equal(count(sim.requestLog(), "POST", /^\/v1\/upgrades$/), 0);
  });

  it("during a component upgrade: warns that the remote upgrade goes on in SDDC Manager, naming its id", async () => {
    sim = await simulator("happy");
    t = new EngineUnderTest(sim);
    const run = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
    await t.engine.downloadBundles(run.id);
    await t.engine.runPrechecks(run.id);
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    const phase = t.engine.upgradeComponents(run.id);
    const started = await t.when((r) => Object.keys(r.remote.upgrades).length > 0);
    const upgrade = Object.values(started.remote.upgrades)[0];
    assert.ok(upgrade);
    const ended = await t.engine.cancel(run.id, "stop");
    await assert.rejects(phase, cancelled("stop"));
    const warning = ended?.log.find((e) => e.level === "warning")?.text ?? "";
    assert.match(warning, /remote work already started continues in SDDC Manager/);
    assert.ok(warning.includes(`upgrade ${upgrade.upgradeId} of ${upgrade.componentType}`), warning);
    assert.equal(ended?.log.at(-1)?.level, "error");
    assert.equal(t.engine.activeRunFor(run.domainId), undefined);
  });
});
