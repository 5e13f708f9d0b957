import * as assert from "node:assert/strict";
import { EngineError, renderMarkdown } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { EngineUnderTest, WAIT_FOR_ACK, count, managementDomain, simulator, stopAll } from "./harness";

describe("engine: precheck findings and the acknowledgement gate", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  afterEach(() => stopAll([t], sim));

  async function upToGate(scenario: "precheck-warnings" | "precheck-errors") {
    sim = await simulator(scenario);
    t = new EngineUnderTest(sim);
    const domain = await managementDomain(sim);
    const run = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(run.id);
    const checked = await t.engine.runPrechecks(run.id);
    return { domain, run: checked };
  }

  it("warnings: waits until acknowledged, then upgrades", async () => {
    const { domain, run } = await upToGate("precheck-warnings");
    assert.ok(run.findings.length > 0 && run.findings.every((f) => f.severity === "WARNING"));
    const waiting = t.when((r) => r.status === "waiting_for_alert_acknowledgement");
    const gate = t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    await waiting;
    assert.equal(t.engine.acknowledge("no-such-run"), undefined);
    assert.equal(t.engine.acknowledge(domain.id)?.acknowledged, true);
    const passed = await gate;
    assert.equal(passed.status, "alerts_were_acknowledged");
    assert.match(passed.acknowledgementRule ?? "", /user acknowledged/);
    const done = await t.engine.upgradeComponents(run.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    assert.ok(t.statuses(run.id).includes("waiting_for_alert_acknowledgement"));
    const md = renderMarkdown(done);
    assert.match(md, /### Precheck findings/);
    assert.ok(run.findings.every((f) => md.includes(f.name.replace(/([\\`*_[\]|~#])/g, "\\$1"))));
  });

  it("warnings with ignore alerts: continues without waiting and says which rule", async () => {
    const { run } = await upToGate("precheck-warnings");
    const passed = await t.engine.awaitAcknowledgement(run.id, { ...WAIT_FOR_ACK, ignoreAlerts: true });
    assert.equal(passed.status, "alerts_were_acknowledged");
    assert.match(passed.acknowledgementRule ?? "", /"Ignore alerts" is on/);
    assert.ok(!t.statuses(run.id).includes("waiting_for_alert_acknowledgement"));
    assert.equal((await t.engine.upgradeComponents(run.id)).status, "successfully_completed");
  });

  it("errors: ignore alerts alone does not pass them; an acknowledgement does", async () => {
    const { run } = await upToGate("precheck-errors");
    assert.ok(run.findings.some((f) => f.severity === "ERROR"));
    const waiting = t.when((r) => r.status === "waiting_for_alert_acknowledgement");
    const gate = t.engine.awaitAcknowledgement(run.id, { ...WAIT_FOR_ACK, ignoreAlerts: true });
    assert.match((await waiting).step, /skips warnings only/);
    t.engine.acknowledge(run.id);
    assert.equal((await gate).status, "alerts_were_acknowledged");
    assert.equal((await t.engine.upgradeComponents(run.id)).status, "successfully_completed");
  });

  it("errors: a new policy with also-ignore-errors releases a waiting gate", async () => {
    const { run } = await upToGate("precheck-errors");
    const waiting = t.when((r) => r.status === "waiting_for_alert_acknowledgement");
    const gate = t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    await waiting;
    const again = t.engine.awaitAcknowledgement(run.id, {
      ...WAIT_FOR_ACK,
      ignoreAlerts: true,
      alsoIgnoreErrors: true,
    });
    const [a, b] = await Promise.all([gate, again]);
    assert.equal(a.status, "alerts_were_acknowledged");
    assert.equal(b.id, a.id);
    assert.match(a.acknowledgementRule ?? "", /also ignore errors/);
  });

  it("errors with fail-on-errors: the run fails and no upgrade is started", async () => {
    const { run } = await upToGate("precheck-errors");
    await assert.rejects(
      t.engine.awaitAcknowledgement(run.id, { ...WAIT_FOR_ACK, failOnErrors: true }),
      (e: unknown) => e instanceof EngineError && /fail on errors/.test(e.message),
    );
    const failed = t.engine.getRun(run.id);
    assert.equal(failed?.status, "failed");
    assert.match(failed?.log.at(-1)?.text ?? "", /fail on errors/);
    await assert.rejects(
      t.engine.upgradeComponents(run.id),
      (e: unknown) => e instanceof EngineError && e.code === "RUN_FAILED",
    );
    assert.equal(count(sim.requestLog(), "POST", /^\/v1\/upgrades$/), 0);
  });

  it("validates the policy it is given", async () => {
    const { run } = await upToGate("precheck-warnings");
    await assert.rejects(
      t.engine.awaitAcknowledgement(run.id, { ignoreAlerts: "yes" } as never),
      (e: unknown) => e instanceof EngineError && e.code === "BAD_INPUT" && e.field === "ignoreAlerts",
    );
  });
});
