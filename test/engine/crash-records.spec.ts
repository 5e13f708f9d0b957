// What a crash can leave in the run file, and how a new engine takes it up: phase marks behind the status, a run no
// phase can take, and an upgrade request recorded but never sent.
import * as assert from "node:assert/strict";
import { englishText, type EngineWarning, type UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { MemoryRunStore } from "../../nodes/store";
import { requestsTo, upgradePostsPerBundle } from "../support/request-log";
import { startFaultProxy, type FaultProxy } from "./fault-proxy";
import { EngineUnderTest, WAIT_FOR_ACK, managementDomain, simulator, stopAll } from "./harness";

describe("engine: records a crash can leave behind", () => {
  let sim: RunningSimulator;
  let proxy: FaultProxy | undefined;
  const engines: EngineUnderTest[] = [];
  afterEach(async () => {
    await stopAll(engines, proxy, sim);
    proxy = undefined;
  });

  function engineOn(store: MemoryRunStore, baseUrl?: string): { t: EngineUnderTest; warnings: EngineWarning[] } {
    const t = new EngineUnderTest(sim, store, {}, baseUrl);
    engines.push(t);
    const warnings: EngineWarning[] = [];
    t.engine.on("warning", (warning: EngineWarning) => warnings.push(warning));
    return { t, warnings };
  }

  /** A run through the gate, as the run file holds it. */
  async function acknowledgedRun(): Promise<UpgradeRun> {
    sim = await simulator();
    const { t } = engineOn(new MemoryRunStore());
    const run = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
    await t.engine.downloadBundles(run.id);
    await t.engine.runPrechecks(run.id);
    return t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
  }

  it("a status past the end of a phase that is not marked done: marked on load, with a warning, and the run goes on", async () => {
    const acknowledged = await acknowledgedRun();
    assert.ok(
      acknowledged.completedPhases.includes("acknowledgement"),
      "the gate's status and its mark are one change",
    );
    const onDisk: UpgradeRun = { ...acknowledged, completedPhases: ["download", "prechecks"] }; // as an older write left it
    const { t, warnings } = engineOn(new MemoryRunStore([onDisk]));
    await t.engine.ready();
    assert.deepEqual(t.engine.getRun(onDisk.id)?.completedPhases, ["download", "prechecks", "acknowledgement"]);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.code, "RUN_REPAIRED_ON_LOAD");
    assert.equal(warnings[0]?.params.runId, onDisk.id);
    const detail = warnings[0]?.params.detail;
    assert.match(
      detail ? englishText(detail) : "",
      /acknowledgement phase, which was not recorded as done.*recorded as done/,
    );
    const done = await t.engine.upgradeComponents(onDisk.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
  });

  it("a run no phase can take (its phase neither done nor working on its status) is failed on load, with a warning", async () => {
    const acknowledged = await acknowledgedRun();
    const onDisk: UpgradeRun = {
      ...acknowledged,
      status: "setting_new_vcf_version_target",
      phase: "download",
      completedPhases: [],
    };
    const { t, warnings } = engineOn(new MemoryRunStore([onDisk]));
    await t.engine.ready();
    const run = t.engine.getRun(onDisk.id);
    assert.equal(run?.status, "failed");
    assert.match(run?.failureReason ?? "", /no node can continue this run/);
    assert.deepEqual(
      warnings.map((w) => [w.code, w.params.runId]),
      [["RUN_FAILED_ON_LOAD", onDisk.id]],
    );
    assert.equal(t.engine.resumableRuns().length, 0);
  });

  it("an upgrade request recorded but never sent: sent once after the restart, when SDDC Manager shows it safe", async () => {
    const acknowledged = await acknowledgedRun();
    // Before the restart: the first POST /v1/upgrades never reaches SDDC Manager (as when the process died first).
    let swallowed = false;
    proxy = await startFaultProxy(sim.url, (req) => {
      if (swallowed || req.method !== "POST" || req.path !== "/v1/upgrades") return undefined;
      swallowed = true;
      return { status: 503, body: "<html>gone</html>", contentType: "text/html" };
    });
    const before = engineOn(new MemoryRunStore([acknowledged]), proxy.url).t;
    let recorded: UpgradeRun | undefined;
    before.engine.on("change", (r: UpgradeRun) => {
      if (!recorded && r.remote.upgradeRequest && Object.keys(r.remote.upgrades).length === 0) recorded = r;
    });
    await assert.rejects(
      before.engine.upgradeComponents(acknowledged.id),
      /OUTCOME_UNKNOWN|outcome of the upgrade request/i,
    );
    assert.ok(recorded, "the request was recorded before it was sent");
    assert.equal(requestsTo(sim.requestLog(), "POST", "/v1/upgrades").length, 0, "SDDC Manager never saw it");

    const { t } = engineOn(new MemoryRunStore([recorded]));
    const done = await t.engine.upgradeComponents(acknowledged.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    for (const [bundle, n] of upgradePostsPerBundle(sim.requestLog()))
      assert.equal(n, 1, `POST /v1/upgrades for ${bundle}: ${n} times`);
    assert.ok(
      done.log.some((e) => /never reached SDDC Manager .* Sending it now, once/.test(e.text)),
      "the log says which it was",
    );
  });

  it("a precheck run request lost on the way (SDDC Manager away): sent once more after SDDC Manager shows no run from it", async () => {
    sim = await simulator();
    let swallowed = false;
    proxy = await startFaultProxy(sim.url, (req) => {
      if (swallowed || req.method !== "POST" || req.path !== "/v1/system/check-sets") return undefined;
      swallowed = true;
      return { status: 503, body: "<html>gone</html>", contentType: "text/html" };
    });
    const { t } = engineOn(new MemoryRunStore(), proxy.url);
    const run = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
    await t.engine.downloadBundles(run.id);
    const done = await t.engine.runPrechecks(run.id);
    assert.equal(done.status, "prechecks_done", done.failureReason);
    assert.equal(
      requestsTo(sim.requestLog(), "POST", "/v1/system/check-sets").length,
      1,
      "SDDC Manager got the request once",
    );
    assert.ok(
      done.log.some((e) => /never reached SDDC Manager .* sent again, once/.test(e.text)),
      "the log says which it was",
    );
  });

  it("an upgrade request recorded before a restart that did reach SDDC Manager: followed, not sent again", async () => {
    const acknowledged = await acknowledgedRun();
    const before = engineOn(new MemoryRunStore([acknowledged])).t;
    let recorded: UpgradeRun | undefined;
    before.engine.on("change", (r: UpgradeRun) => {
      if (!recorded && r.remote.upgradeRequest && Object.keys(r.remote.upgrades).length === 0) recorded = r;
    });
    // The POST was answered (the upgrade is recorded), but the crash image is the one from before the answer.
    const started = before.when((r) => Object.keys(r.remote.upgrades).length > 0);
    void before.engine.upgradeComponents(acknowledged.id).catch(() => undefined);
    await started;
    await before.engine.close();
    assert.ok(recorded);
    assert.equal(requestsTo(sim.requestLog(), "POST", "/v1/upgrades").length, 1);
    const { t } = engineOn(new MemoryRunStore([recorded]));
    const done = await t.engine.upgradeComponents(acknowledged.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    for (const [bundle, n] of upgradePostsPerBundle(sim.requestLog()))
      assert.equal(n, 1, `POST /v1/upgrades for ${bundle}: ${n} times`);
    assert.ok(
      done.log.some((e) => /had reached SDDC Manager/.test(e.text)),
      "the log says which it was",
    );
  });
});
