import * as assert from "node:assert/strict";
import { EngineError } from "../../nodes/engine";
import type { UpgradeRun } from "../../nodes/engine";
import type { FaultPatch, RunningSimulator, ScenarioName } from "../../nodes/sim/index";
import {
  EngineUnderTest,
  WAIT_FOR_ACK,
  count,
  managementAndVi,
  managementDomain,
  simulator,
  tempStore,
  stopAll,
} from "./harness";

describe("engine: lost answers, stale records and left-overs", () => {
  let sim: RunningSimulator;
  const engines: EngineUnderTest[] = [];
  afterEach(() => stopAll(engines, sim));

  async function setup(faults: FaultPatch = {}, scenario: ScenarioName = "happy", settings = {}) {
    sim = await simulator(scenario, { faults });
    const t = new EngineUnderTest(sim, undefined, settings);
    engines.push(t);
    return { t, domain: await managementDomain(sim) };
  }

  it("a lost answer to every POST /v1/upgrades: finds each upgrade it started, never POSTs twice", async () => {
    const { t, domain } = await setup({ dropResponseOf: ["POST /v1/upgrades"] });
    const run = await t.fullRun(domain.name);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    const posts = sim.requestLog().filter((e) => e.method === "POST" && e.path === "/v1/upgrades");
    assert.equal(posts.length, 4, "one POST per component");
    assert.ok(
      posts.every((e) => e.status === 0),
      "every answer was dropped",
    );
    assert.equal(Object.keys(run.remote.upgrades).length, 4);
    assert.equal(run.remote.upgradeRequest, undefined);
    // SDDC Manager's outage may begin before the first look-up: then the upgrade is found once the API is back.
    assert.equal(
      run.log.filter((e) =>
        /Found upgrade .* (started by the request whose answer was lost|the request had reached SDDC Manager)/.test(
          e.text,
        ),
      ).length,
      4,
    );
  });

  it("a lost answer to the check-set run POST: attaches to the run it started, one POST", async () => {
    const { t, domain } = await setup({ dropResponseOf: ["POST /v1/system/check-sets"] });
    const run = await t.fullRun(domain.name);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    const log = sim.requestLog();
    assert.equal(count(log, "POST", /^\/v1\/system\/check-sets$/), 1);
    const created = log.find(
      (e) =>
        e.method === "GET" &&
        e.path === "/v1/system/check-sets" &&
        Array.isArray(e.responseBody) &&
        e.responseBody.length > 0,
    );
    const listed = (created?.responseBody as { id: string }[] | undefined)?.map((r) => r.id) ?? [];
    assert.ok(
      run.remote.checkSetRunId && listed.includes(run.remote.checkSetRunId),
      "the adopted run is the one the POST created",
    );
  });

  it("after a restart between recording the request and sending it, never adopts an older precheck run of the same target: sends it once more", async () => {
    const files = await tempStore();
    try {
      sim = await simulator("happy");
      const a = new EngineUnderTest(sim, files.store());
      engines.push(a);
      const domain = await managementDomain(sim);
      const old = await a.engine.startRun({ domain: domain.name });
      await a.engine.downloadBundles(old.id);
      await a.engine.runPrechecks(old.id);
      const oldRunId = a.engine.getRun(old.id)?.remote.checkSetRunId;
      await a.engine.cancel(old.id, "test: an earlier run");
      const run = await a.engine.startRun({ domain: domain.name });
      await a.engine.downloadBundles(run.id);
      // Stop the engine once the request is recorded: the POST is never sent.
      const recorded = a
        .when((r) => r.id === run.id && r.remote.checkSetRunRequestedAt !== undefined)
        .then(() => a.engine.close());
      await assert.rejects(
        a.engine.runPrechecks(run.id),
        (e: unknown) => e instanceof EngineError && e.code === "ABORTED",
      );
      await recorded;
      assert.equal(count(sim.requestLog(), "POST", /^\/v1\/system\/check-sets$/), 1, "only the earlier run's POST");
      const b = new EngineUnderTest(sim, files.store());
      engines.push(b);
      await b.engine.ready();
      const done = await b.engine.runPrechecks(run.id);
      assert.equal(done.status, "prechecks_done", done.failureReason);
      assert.ok(
        done.remote.checkSetRunId && done.remote.checkSetRunId !== oldRunId,
        "a run of its own, not the earlier one",
      );
      assert.equal(
        count(sim.requestLog(), "POST", /^\/v1\/system\/check-sets$/),
        2,
        "the earlier run's POST and this one, sent once",
      );
      assert.ok(
        done.log.some((e) => /never reached SDDC Manager .* sent again, once/.test(e.text)),
        "the log says so",
      );
    } finally {
      await stopAll(engines); // an engine still writing its run file would race the removal
      await files.cleanup();
    }
  });

  it("an expired check-set query (400 CHECKSET_QUERY_NOT_FOUND) is queried again, also several times in a row, and the run started once", async () => {
    const { t, domain } = await setup();
    const run = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(run.id);
    const EXPIRIES = 3;
    let expired = 0;
    let lastRequest: string | undefined;
    let staleSeen = 0;
    t.engine.on("change", (r: UpgradeRun) => {
      const requested = r.remote.checkSetRunRequestedAt;
      if (requested !== undefined && requested !== lastRequest) {
        lastRequest = requested;
        if (expired < EXPIRIES) {
          expired += 1;
          // The real lifetime, passed on the simulator's clock: the query expires before the run POST goes out.
          sim.setFaults({ checkSetQueryTtlSeconds: 3600 });
          sim.advanceClock(2 * 3600);
        }
      }
      const stale = r.log.filter((e) => /as stale/.test(e.text)).length;
      if (stale > staleSeen) {
        staleSeen = stale;
        // Back to the harness's lifetime: at this time scale an hour is 36 ms, too short for the new query.
        sim.setFaults({ checkSetQueryTtlSeconds: 10 ** 9 });
      }
    });
    const done = await t.engine.runPrechecks(run.id);
    assert.equal(done.status, "prechecks_done", done.failureReason);
    const log = sim.requestLog();
    const runPosts = log.filter((e) => e.method === "POST" && e.path === "/v1/system/check-sets");
    assert.deepEqual(
      runPosts.map((e) => e.status),
      [400, 400, 400, 202],
    );
    assert.equal(count(log, "POST", /^\/v1\/system\/check-sets\/queries$/), 2 * (EXPIRIES + 1), "both queries again");
    assert.equal(done.log.filter((e) => /rejected check-set query .* as stale/.test(e.text)).length, EXPIRIES);
  });

  it("finished upgradables that stay listed as COMPLETED do not hold the run until its deadline", async function () {
    this.timeout(90_000); // a held run would fail only at its 60 s deadline
    const { t, domain } = await setup({ keepCompletedUpgradables: true }, "happy", { componentDeadlineMs: 60_000 });
    const started = Date.now();
    const run = await t.fullRun(domain.name);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    assert.ok(Date.now() - started < 30_000, "well before the 60 s deadline");
    assert.equal(count(sim.requestLog(), "POST", /^\/v1\/upgrades$/), 4);
  });

  it("records one download deadline per bundle", async () => {
    const { t, domain } = await setup();
    const run = await t.engine.startRun({ domain: domain.name });
    const done = await t.engine.downloadBundles(run.id);
    const keys = Object.keys(done.deadlines)
      .filter((k) => k.startsWith("download"))
      .sort();
    assert.deepEqual(
      keys,
      Object.keys(done.remote.bundles)
        .map((id) => `download:${id}`)
        .sort(),
    );
  });

  it("without patch bundles: picks the PATCH bundles of the changing components", async () => {
    const { t, domain } = await setup({ emptyPatchBundles: true });
    const run = await t.fullRun(domain.name);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    assert.equal(Object.keys(run.remote.bundles).length, 4);
  });

  it("without patch bundles: a component only a RECALLED bundle covers fails the download naming it, before any download", async () => {
    const { t, domain } = await setup({ emptyPatchBundles: true, recallBundleOf: ["VCENTER"] });
    const run = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(
      t.engine.downloadBundles(run.id),
      (e: unknown) =>
        e instanceof EngineError &&
        /The only bundle\(s\) for VCENTER .* were recalled/.test(e.message) &&
        /replacement/.test(e.fix ?? ""),
    );
    assert.equal(count(sim.requestLog(), "PATCH", /^\/v1\/bundles\//), 0);
  });

  it("a VI run waiting for the management domain's run fails early once that run is cancelled", async () => {
    sim = await simulator("many-domains", { domains: 1 });
    const t = new EngineUnderTest(sim, undefined, { componentDeadlineMs: 60_000 });
    engines.push(t);
    const { mgmt, vi } = await managementAndVi(sim);
    const m = await t.engine.startRun({ domain: mgmt.name });
    const v = await t.engine.startRun({ domain: vi.name });
    assert.equal(t.engine.getRun(v.id)?.managementRunId, m.id);
    await t.engine.downloadBundles(v.id);
    await t.engine.runPrechecks(v.id);
    await t.engine.awaitAcknowledgement(v.id, WAIT_FOR_ACK);
    const waiting = t.when((r) => r.id === v.id && r.log.some((e) => /are PENDING/.test(e.text)));
    const phase = t.engine.upgradeComponents(v.id);
    await waiting;
    await t.engine.cancel(m.id, "not this week");
    await assert.rejects(
      phase,
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === "MANAGEMENT_DOMAIN_FIRST" &&
        e.message.includes(`management domain's run ${m.id}`) &&
        /was cancelled: cancelled by the user: not this week/.test(e.message),
    );
    assert.equal(t.engine.getRun(v.id)?.status, "failed");
  });
});
