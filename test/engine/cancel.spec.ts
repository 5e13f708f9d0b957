import * as assert from "node:assert/strict";
import { EngineError } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { defined } from "../support/defined";
import { requestsTo } from "../support/request-log";
import { EngineUnderTest, WAIT_FOR_ACK, clientFor, count, managementDomain, simulator, stopAll } from "./harness";

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

  it("stopping here only (the old behaviour): warns that the remote upgrade goes on in SDDC Manager, naming its id", async () => {
    sim = await simulator("happy");
    t = new EngineUnderTest(sim);
    const run = await t.acknowledgedRun((await managementDomain(sim)).name);
    const phase = t.engine.upgradeComponents(run.id);
    const started = await t.when((r) => Object.keys(r.remote.upgrades).length > 0);
    const upgrade = Object.values(started.remote.upgrades)[0];
    assert.ok(upgrade);
    const ended = await t.engine.cancel(run.id, "stop", { inSddcManager: false });
    await assert.rejects(phase, cancelled("stop"));
    assert.equal(count(sim.requestLog(), "PATCH", /^\/v1\/upgrades\//), 0, "nothing cancelled in SDDC Manager");
    assert.equal(ended?.remoteCancellations, undefined);
    const warning = ended?.log.find((e) => e.level === "warning")?.text ?? "";
    assert.match(warning, /remote work already started continues in SDDC Manager/);
    assert.ok(warning.includes(`upgrade ${upgrade.upgradeId} of ${upgrade.componentType}`), warning);
    assert.equal(ended?.log.at(-1)?.level, "error");
    assert.equal(t.engine.activeRunFor(run.domainId), undefined);
  });

  it("during a component upgrade: marks it for cancellation in SDDC Manager, which stops it at its next stage", async () => {
    // NSX's stages last 10^8 simulated seconds each: the cancel arrives while its first one runs
    sim = await simulator("happy", { faults: { durations: { nsxUpgradeSeconds: 1e9 } } });
    t = new EngineUnderTest(sim);
    const run = await t.acknowledgedRun((await managementDomain(sim)).name);
    const phase = t.engine.upgradeComponents(run.id);
    const started = await t.when((r) =>
      Object.values(r.remote.upgrades).some((u) => u.componentType === "NSX_T_MANAGER"),
    );
    const upgrade = defined(
      Object.values(started.remote.upgrades).find((u) => u.componentType === "NSX_T_MANAGER"),
      "the NSX upgrade",
    );
    const ended = await t.engine.cancel(run.id, "window closed");
    await assert.rejects(phase, cancelled("window closed"));
    const patches = requestsTo(sim.requestLog(), "PATCH", `/v1/upgrades/${upgrade.upgradeId}`);
    assert.deepEqual(
      patches.map((p) => p.requestBody),
      [{ markForCancellation: true }],
    );
    assert.deepEqual(
      ended?.remoteCancellations?.map((c) => [c.kind, c.id, c.accepted, c.answer]),
      [["upgrade", upgrade.upgradeId, true, "status IN_PROGRESS"]],
    );
    const texts = ended?.log.map((e) => e.text) ?? [];
    assert.ok(
      texts.some((x) =>
        x.startsWith(`upgrade ${upgrade.upgradeId} of NSX_T_MANAGER marked for cancellation in SDDC Manager`),
      ),
      texts.join("\n"),
    );
    assert.ok(!texts.some((x) => x.includes("remote work already started continues")), "nothing said to go on");
    sim.advanceClock(2e8); // past the end of the stage it was in

    const after = await clientFor(sim).getUpgrade(upgrade.upgradeId);
    assert.equal(after.status, "CANCELLED");
  });

  it("during the prechecks: asks SDDC Manager nothing (a check-set run has no cancel) and says the check-set run goes on", async () => {
    sim = await simulator("happy", { faults: { durations: { checkSetRunSeconds: 1e9 } } });
    t = new EngineUnderTest(sim);
    const run = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
    await t.engine.downloadBundles(run.id);
    const phase = t.engine.runPrechecks(run.id);
    const started = await t.when((r) => r.remote.checkSetRunId !== undefined);
    const ended = await t.engine.cancel(run.id, "later");
    await assert.rejects(phase, cancelled("later"));
    assert.deepEqual(ended?.remoteCancellations, [], "asked for nothing");
    const cancels = requestsTo(sim.requestLog(), "PATCH", /^\/v1\//).filter((e) =>
      /markForCancellation|cancelNow/.test(JSON.stringify(e.requestBody)),
    );
    assert.deepEqual(cancels, []);
    const warning = ended?.log.find((e) => e.level === "warning")?.text ?? "";
    assert.equal(
      warning,
      `Goes on in SDDC Manager, which cannot cancel it or refused to: check-set run ${started.remote.checkSetRunId} (a check-set run cannot be cancelled); follow it there`,
    );
  });

  it("during the downloads: cancels the running downloads in SDDC Manager, one request each", async () => {
    sim = await simulator("happy", { faults: { downloadNeverFinishes: true } });
    t = new EngineUnderTest(sim);
    const run = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
    const phase = t.engine.downloadBundles(run.id);
    await t.when((r) => Object.values(r.remote.bundles).filter((b) => b.requested).length >= 2);
    const ended = await t.engine.cancel(run.id, "not now");
    await assert.rejects(phase, cancelled("not now"));
    const requested = Object.values(ended?.remote.bundles ?? {}).filter((b) => b.requested);
    const cancels = requestsTo(sim.requestLog(), "PATCH", /^\/v1\/bundles\//).filter(
      (e) => JSON.stringify(e.requestBody) === JSON.stringify({ bundleDownloadSpec: { cancelNow: true } }),
    );
    assert.deepEqual(cancels.map((e) => e.path).sort(), requested.map((b) => `/v1/bundles/${b.bundleId}`).sort());
    assert.ok(ended?.remoteCancellations?.every((c) => c.kind === "download" && c.accepted));
    const state = sim.state() as { bundles: Record<string, string> };
    for (const b of requested) assert.notEqual(state.bundles[b.bundleId], "IN_PROGRESS");
  });
});
