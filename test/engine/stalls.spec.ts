import * as assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import type { UpgradeRun } from "../../nodes/engine";
import { MemoryRunStore } from "../../nodes/store";
import { EngineUnderTest, TestClock, WAIT_FOR_ACK, managementDomain, simulator, stopAll } from "./harness";

const HOUR = 3600_000;

describe("engine: stalls and acknowledgement reminders", () => {
  let sim: RunningSimulator | undefined;
  const engines: EngineUnderTest[] = [];
  afterEach(() => stopAll(engines, sim));

  it("marks a run whose upgrade shows no progress as stalled once, and clears it when it moves again", async () => {
    sim = await simulator("happy", { faults: { upgradeNeverFinishes: true } });
    const clock = new TestClock();
    const t = new EngineUnderTest(
      sim,
      new MemoryRunStore(),
      { stallWarningMs: HOUR, componentDeadlineMs: 700 * HOUR, sddcOutageBudgetMs: 700 * HOUR },
      sim.url,
      {},
      clock.now,
    );
    engines.push(t);
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name });
    const upgrading = t.when((r) => r.status === "starting_upgrades" && Object.keys(r.remote.upgrades).length > 0);
    const finished = t.finishRun(started.id, { ...WAIT_FOR_ACK, ignoreAlerts: true });
    await upgrading;

    // The simulated upgrade creeps towards 99 % and stops there; each jump of the clock is an hour and more without
    // progress once it has stopped (a jump while it still moved only restarts the stall clock).
    const stalled = t.when((r) => r.stalledSince !== undefined);
    let marked: UpgradeRun | undefined;
    while (!marked) {
      clock.advance(2 * HOUR);
      marked = await Promise.race([stalled, t.when((r) => r.id === started.id).then(() => undefined)]);
    }
    assert.ok(Date.parse(marked.stalledSince ?? "") <= clock.now() - HOUR, "since the last progress");
    const warnings = () =>
      (t.engine.getRun(started.id)?.log ?? []).filter((e) => e.text.startsWith("No progress since"));
    assert.equal(warnings().length, 1);
    clock.advance(2 * HOUR);
    await t.when((r) => r.id === started.id); // another poll, still stalled
    assert.equal(warnings().length, 1, "one warning per stall");

    const moving = t.when(
      (r) => r.stalledSince === undefined && r.log.some((e) => e.text.startsWith("Progress again")),
    );
    sim.setFaults({ upgradeNeverFinishes: false });
    await moving;
    const run = await finished;
    assert.equal(run.status, "successfully_completed", run.failureReason);
    assert.equal(run.stalledSince, undefined);
  });

  it("announces a run waiting for acknowledgement again at the reminder interval, with since when", async () => {
    sim = await simulator("precheck-warnings");
    const t = new EngineUnderTest(sim, new MemoryRunStore(), { ackReminderMs: 20 });
    engines.push(t);
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(started.id);
    await t.engine.runPrechecks(started.id);
    const twice = t.when((r) => (r.ackReminders ?? 0) >= 2);
    const gate = t.engine.awaitAcknowledgement(started.id, WAIT_FOR_ACK);
    const waiting = await twice;
    assert.equal(waiting.status, "waiting_for_alert_acknowledgement");
    assert.ok(waiting.waitingSince, "since when it waits");
    const reminders = waiting.log.filter((e) => e.text.startsWith("Still waiting for acknowledgement since"));
    assert.equal(reminders.length, waiting.ackReminders);
    assert.ok(reminders.every((e) => e.text.includes(waiting.waitingSince ?? "?")));

    t.engine.acknowledge(started.id);
    const passed = await gate;
    assert.equal(passed.status, "alerts_were_acknowledged");
    assert.equal(passed.waitingSince, undefined, "no longer waiting");
    assert.equal(passed.ackReminders, undefined);
  });
});
