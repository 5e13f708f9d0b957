import * as assert from "node:assert/strict";
import { EngineError } from "../../nodes/engine";
import type { EngineSettings } from "../../nodes/engine";
import type { RunningSimulator, ScenarioName, SimulatorOptions } from "../../nodes/sim/index";
import { EngineUnderTest, WAIT_FOR_ACK, count, managementDomain, simulator, stopAll } from "./harness";

describe("engine: failures and deadlines", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  afterEach(() => stopAll([t], sim));

  async function setup(scenario: ScenarioName, settings: Partial<EngineSettings> = {}, options: SimulatorOptions = {}) {
    sim = await simulator(scenario, options);
    t = new EngineUnderTest(sim, undefined, settings);
    return managementDomain(sim);
  }

  function failedWith(pattern: RegExp, code?: string) {
    return (e: unknown) => {
      assert.ok(e instanceof EngineError, String(e));
      assert.match(e.message, pattern);
      if (code) assert.equal(e.code, code);
      return true;
    };
  }

  it("a failed download fails the run naming the bundle, and nothing after it starts", async () => {
    const domain = await setup("download-failure");
    const run = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(t.engine.downloadBundles(run.id), failedWith(/Bundle .*NSX.* failed to download/));
    const failed = t.engine.getRun(run.id);
    assert.equal(failed?.status, "failed");
    assert.match(failed?.failureReason ?? "", /NSX/);
    assert.equal(failed?.log.at(-1)?.level, "error");
    assert.deepEqual(t.statuses(run.id), ["update_process_started", "downloading_bundles", "failed"]);
    await assert.rejects(t.engine.runPrechecks(run.id), failedWith(/has failed/, "RUN_FAILED"));
    assert.equal(count(sim.requestLog(), "PATCH", /^\/v1\/releases\/domains\//), 0);
  });

  it("a failed component upgrade fails the run with the task's message and remediation", async () => {
    const domain = await setup("upgrade-failure");
    const run = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(run.id);
    await t.engine.runPrechecks(run.id);
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    let error: EngineError | undefined;
    await assert.rejects(t.engine.upgradeComponents(run.id), (e: unknown) => {
      error = e as EngineError;
      return e instanceof EngineError;
    });
    assert.match(error?.message ?? "", /The upgrade of NSX .* failed/);
    assert.ok(error?.fix, "the API's remediation is carried");
    const failed = t.engine.getRun(run.id);
    assert.equal(failed?.status, "failed");
    assert.ok(failed?.log.at(-1)?.text.includes(`Remediation: ${error?.fix}`));
    const posts = sim.requestLog().filter((e) => e.method === "POST" && e.path === "/v1/upgrades");
    assert.equal(posts.length, 2, "SDDC Manager, then NSX; nothing after the failure");
  });

  it("prechecks that never finish hit the precheck deadline", async () => {
    const domain = await setup("happy", { precheckDeadlineMs: 120 }, { faults: { precheckNeverFinishes: true } });
    const run = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(run.id);
    await assert.rejects(
      t.engine.runPrechecks(run.id),
      failedWith(/Precheck run .* did not finish before its deadline/, "DEADLINE"),
    );
    const failed = t.engine.getRun(run.id);
    assert.equal(failed?.status, "failed");
    assert.ok(failed?.deadlines.prechecks, "the deadline is recorded in the run");
  });

  it("a component upgrade that never finishes hits the component deadline", async () => {
    const domain = await setup("happy", { componentDeadlineMs: 120 }, { faults: { upgradeNeverFinishes: true } });
    const run = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(run.id);
    await t.engine.runPrechecks(run.id);
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    await assert.rejects(
      t.engine.upgradeComponents(run.id),
      failedWith(/The upgrade of SDDC Manager .* did not finish before its deadline/, "DEADLINE"),
    );
    assert.equal(t.engine.getRun(run.id)?.status, "failed");
  });

  it("an SDDC Manager outage longer than the budget fails the run", async () => {
    // An endless outage: a 20 ms budget always runs out, however late a busy machine polls.
    const domain = await setup("long-sddc-outage", { sddcOutageBudgetMs: 20 }, { faults: { outageSeconds: 10 ** 7 } });
    const run = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(run.id);
    await t.engine.runPrechecks(run.id);
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    await assert.rejects(
      t.engine.upgradeComponents(run.id),
      failedWith(/stayed unavailable longer than the outage budget/, "DEADLINE"),
    );
    const failed = t.engine.getRun(run.id);
    assert.ok(failed?.log.some((e) => /unavailable while it upgrades itself/.test(e.text)));
    assert.equal(count(sim.requestLog(), "POST", /^\/v1\/upgrades$/), 1);
  });

  it("refuses bad input and unknown domains before starting anything", async () => {
    const domain = await setup("happy");
    await assert.rejects(
      t.engine.startRun({ domain: "no-such-domain" }),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === "DOMAIN_NOT_FOUND" &&
        e.field === "domain" &&
        /no-such-domain/.test(e.message),
    );
    await assert.rejects(
      t.engine.startRun({ domain: "" }),
      (e: unknown) => e instanceof EngineError && e.code === "BAD_INPUT" && e.field === "domain",
    );
    await assert.rejects(
      t.engine.startRun({ domain: domain.name, targetVersion: "5.9.9.9" }),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === "BAD_INPUT" &&
        e.field === "targetVersion" &&
        /targetVersion 5\.9\.9\.9/.test(e.message),
    );
    assert.deepEqual(t.engine.listRuns(), []);
    assert.equal(t.changes.length, 0);
    const run = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(
      t.engine.runPrechecks(run.id),
      (e: unknown) => e instanceof EngineError && e.code === "WRONG_STATUS" && /download phase done/.test(e.message),
    );
    await assert.rejects(
      t.engine.downloadBundles("nope"),
      (e: unknown) => e instanceof EngineError && e.code === "RUN_NOT_FOUND",
    );
  });

  it("refuses a second start for a busy domain, naming the running status and phase", async () => {
    const domain = await setup("happy");
    const [a, b] = await Promise.allSettled([
      t.engine.startRun({ domain: domain.name }),
      t.engine.startRun({ domain: domain.id }),
    ]);
    assert.equal([a, b].filter((r) => r.status === "fulfilled").length, 1, "exactly one concurrent start wins");
    const run = t.engine.activeRunFor(domain.id);
    assert.ok(run);
    await t.engine.downloadBundles(run.id);
    await assert.rejects(
      t.engine.startRun({ domain: domain.name }),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === "DOMAIN_BUSY" &&
        /status downloading_bundles, phase download/.test(e.message),
    );
  });

  it("takes an explicit target, and says there is no update once the domain has reached the last one", async () => {
    const domain = await setup("happy");
    const run = await t.fullRun(domain.name);
    assert.equal(run.status, "successfully_completed");
    const later = await t.engine.startRun({ domain: domain.name, targetVersion: "9.0.1.0" });
    assert.equal(later.sourceVersion, "5.2.1.0");
    await t.engine.downloadBundles(later.id);
    await t.engine.runPrechecks(later.id);
    // the last release is a 9.0 one: the gate waits until VCF Operations is said to be upgraded
    const gate = t.engine.awaitAcknowledgement(later.id, WAIT_FOR_ACK);
    await t.when((r) => r.id === later.id && r.status === "waiting_for_alert_acknowledgement");
    t.engine.acknowledge(later.id);
    await gate;
    assert.equal((await t.engine.upgradeComponents(later.id)).status, "successfully_completed");
    const before = t.engine.listRuns().length;
    await assert.rejects(
      t.engine.startRun({ domain: domain.name }),
      (e: unknown) => e instanceof EngineError && e.code === "NO_UPDATE" && /9\.0\.1\.0/.test(e.message),
    );
    assert.equal(t.engine.listRuns().length, before, "nothing started");
  });
});
