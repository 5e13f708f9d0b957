import * as assert from "node:assert/strict";
import { EngineError } from "../../nodes/engine";
import type { UpgradeRun } from "../../nodes/engine";
import type { FaultPatch, RunningSimulator, SimExchange } from "../../nodes/sim/index";
import { checkExchanges, loadSpec } from "../support/openapi-contract";
import { type FaultProxy, type ProxyRewrite, type ProxyRule, startFaultProxy } from "./fault-proxy";
import {
  EngineUnderTest,
  WAIT_FOR_ACK,
  clientFor,
  count,
  managementDomain,
  simulator,
  tempStore,
  stopAll,
} from "./harness";

/** The bundle ids of the POST /v1/upgrades requests in the log. */
function postedBundles(log: readonly SimExchange[]): string[] {
  return log
    .filter((e) => e.method === "POST" && e.path === "/v1/upgrades")
    .map((e) => (e.requestBody as { bundleId: string }).bundleId);
}

function upgradeOf(run: UpgradeRun | undefined, componentType: string): { upgradeId: string; bundleId: string } {
  const found = Object.values(run?.remote.upgrades ?? {}).find((u) => u.componentType === componentType);
  assert.ok(found, `run has no ${componentType} upgrade`);
  return found;
}

describe("engine: a new run after a failed component upgrade", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  afterEach(() => stopAll([t], sim));

  /** The first run fails on NSX; the operator "fixes the cause" (failAttempts 1) and a second run is started. */
  async function failThenRestart(
    faults: FaultPatch,
    targetVersion?: string,
  ): Promise<{ first: UpgradeRun; second: UpgradeRun }> {
    sim = await simulator("upgrade-failure", { faults: { failAttempts: 1, ...faults } });
    t = new EngineUnderTest(sim);
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name, targetVersion });
    await assert.rejects(t.finishRun(started.id), /The upgrade of NSX .* failed/);
    const first = t.engine.getRun(started.id);
    assert.equal(first?.status, "failed");
    sim.clearRequestLog();
    const next = await t.engine.startRun({ domain: domain.name });
    assert.equal(
      next.sourceVersion,
      first.sourceVersion,
      "the domain's release stays the old one until every component is done",
    );
    assert.equal(next.targetVersion, first.targetVersion);
    const second = await t.finishRun(next.id);
    assert.equal(second.status, "successfully_completed");
    return { first, second };
  }

  /** What both ways share: no download, no second target, prechecks again, SDDC Manager not upgraded again. */
  function assertContinued(first: UpgradeRun, second: UpgradeRun): void {
    const log = sim.requestLog();
    assert.equal(count(log, "PATCH", /^\/v1\/bundles\//), 0, "the bundles are already downloaded");
    assert.equal(count(log, "PATCH", /^\/v1\/releases\/domains\//), 0, "the target is already set");
    assert.ok(second.log.some((e) => /Target version .* is already set/.test(e.text)));
    assert.equal(count(log, "POST", /^\/v1\/system\/check-sets$/), 1, "the prechecks run again");
    const sddc = upgradeOf(first, "SDDC_MANAGER");
    assert.ok(!postedBundles(log).includes(sddc.bundleId), "SDDC Manager is not upgraded twice");
    assert.ok(!Object.values(second.remote.upgrades).some((u) => u.componentType === "SDDC_MANAGER"));
    assert.deepEqual(
      Object.values(second.remote.upgrades).map((u) => u.componentType),
      ["NSX_T_MANAGER", "VCENTER", "ESX_HOST"],
    );
  }

  it("retries SDDC Manager's failed task (isRetryable) instead of a new POST, then upgrades the rest", async () => {
    const { first, second } = await failThenRestart({});
    assertContinued(first, second);
    const nsx = upgradeOf(first, "NSX_T_MANAGER");
    const log = sim.requestLog();
    assert.equal(count(log, "PATCH", new RegExp(`^/v1/tasks/${nsx.upgradeId}$`)), 1, "one retry of the failed task");
    assert.equal(count(log, "PATCH", /^\/v1\/tasks\//), 1);
    assert.ok(!postedBundles(log).includes(nsx.bundleId), "no new upgrade of the NSX bundle");
    assert.equal(postedBundles(log).length, 2, "vCenter and ESXi");
    assert.equal(upgradeOf(second, "NSX_T_MANAGER").upgradeId, nsx.upgradeId, "the retried upgrade is followed");
    assert.ok(
      second.log.some((e) => /task is retryable: retrying task .* instead of starting a new upgrade/.test(e.text)),
    );
    if (loadSpec()) assert.deepEqual(checkExchanges(log), [], "the retry and the task reads fit the OpenAPI spec");
  });

  it("POSTs a new upgrade of the failed component when its task is not retryable", async () => {
    const { first, second } = await failThenRestart({ upgradesNotRetryable: true });
    assertContinued(first, second);
    const nsx = upgradeOf(first, "NSX_T_MANAGER");
    const log = sim.requestLog();
    assert.equal(count(log, "PATCH", /^\/v1\/tasks\//), 0);
    assert.deepEqual(
      postedBundles(log).filter((b) => b === nsx.bundleId),
      [nsx.bundleId],
      "exactly one new NSX upgrade",
    );
    assert.equal(postedBundles(log).length, 3, "NSX, vCenter and ESXi");
    assert.notEqual(upgradeOf(second, "NSX_T_MANAGER").upgradeId, nsx.upgradeId, "not the old FAILED upgrade");
    assert.ok(second.log.some((e) => /not retryable, so a new upgrade is started/.test(e.text)));
  });

  it("a retry whose answer is lost is not sent again: the resumed upgrade is found and followed", async () => {
    const { first, second } = await failThenRestart({ dropResponseOf: ["PATCH /v1/tasks/{id}"] });
    assertContinued(first, second);
    const nsx = upgradeOf(first, "NSX_T_MANAGER");
    assert.equal(count(sim.requestLog(), "PATCH", /^\/v1\/tasks\//), 1);
    assert.equal(upgradeOf(second, "NSX_T_MANAGER").upgradeId, nsx.upgradeId);
    assert.ok(second.log.some((e) => e.level === "warning" && /No answer to the retry of task/.test(e.text)));
  });

  it("without a requested target, continues to the target the failed run had selected (not the oldest release)", async () => {
    const { first, second } = await failThenRestart({}, "5.2.2.0");
    assert.equal(first.targetVersion, "5.2.2.0");
    assert.equal(second.targetVersion, "5.2.2.0");
    assert.match(
      second.log[0]?.text ?? "",
      /5\.2\.2\.0 \(the target already selected for the domain: continuing its upgrade\)/,
    );
    assertContinued(first, second);
  });

  it("fails again, with the task's error, when the retried upgrade fails again", async () => {
    // NSX takes "forever" and its clock is moved on once the engine follows it: at the test time scale the retried
    // attempt would otherwise fail again before the engine's first look after the retry on a busy machine.
    sim = await simulator("upgrade-failure", {
      faults: { failAttempts: 2, durations: { nsxUpgradeSeconds: 10 ** 7 } },
    });
    t = new EngineUnderTest(sim);
    const followed = new Map<string, number>();
    t.engine.on("change", (r: UpgradeRun) => {
      const n = r.log.filter((e) =>
        /^(Started the upgrade of NSX|Following .*NSX.* resumed by the retry)/.test(e.text),
      ).length;
      if (n <= (followed.get(r.id) ?? 0)) return;
      followed.set(r.id, n);
      sim.advanceClock(10 ** 7);
    });
    const domain = await managementDomain(sim);
    const first = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(t.finishRun(first.id), /The upgrade of NSX .* failed/);
    const second = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(t.finishRun(second.id), /The upgrade of NSX .* failed: .*maintenance mode/);
    assert.equal(count(sim.requestLog(), "PATCH", /^\/v1\/tasks\//), 1);
    assert.equal(t.engine.getRun(second.id)?.status, "failed");
  });
});

/** SDDC Manager's views lagging behind a task retried in its UI: the upgrade still reads failed, its bundle available. */
function lagging(path: string, body: string, upgradeId: string, bundleId: string): string {
  const value = JSON.parse(body) as unknown;
  const elements = (value as { elements?: unknown }).elements;
  const items = (Array.isArray(value) ? value : Array.isArray(elements) ? elements : [value]) as Record<
    string,
    unknown
  >[];
  for (const item of items) {
    if (path.startsWith("/v1/upgrades") && item.id === upgradeId) item.status = "COMPLETED_WITH_FAILURE";
    if (path.includes("upgradables") && item.bundleId === bundleId) item.status = "AVAILABLE";
  }
  return JSON.stringify(value);
}

describe("engine: a failed upgrade's task decides (running again: follow; retryable: retry; unreadable: stop), never a second upgrade", () => {
  let sim: RunningSimulator;
  let proxy: FaultProxy | undefined;
  const engines: EngineUnderTest[] = [];
  afterEach(async () => {
    await stopAll(engines, proxy, sim);
    proxy = undefined;
  });

  async function engineOn(
    store?: Awaited<ReturnType<typeof tempStore>>,
    rule?: ProxyRule,
    rewrite?: ProxyRewrite,
  ): Promise<EngineUnderTest> {
    sim = await simulator("upgrade-failure", { faults: { failAttempts: 1 } });
    if (rule) proxy = await startFaultProxy(sim.url, rule, rewrite);
    const t = new EngineUnderTest(sim, store?.store(), {}, proxy?.url ?? sim.url);
    engines.push(t);
    return t;
  }

  /** The first run fails on NSX; a second run is taken up to its upgrade phase. The request log then starts empty. */
  async function secondRunAtUpgrades(
    t: EngineUnderTest,
  ): Promise<{ nsx: { upgradeId: string; bundleId: string }; runId: string }> {
    const domain = await managementDomain(sim);
    const first = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(t.finishRun(first.id), /The upgrade of NSX .* failed/);
    const nsx = upgradeOf(t.engine.getRun(first.id), "NSX_T_MANAGER");
    const next = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(next.id);
    await t.engine.runPrechecks(next.id);
    await t.engine.awaitAcknowledgement(next.id, WAIT_FOR_ACK);
    sim.clearRequestLog();
    return { nsx, runId: next.id };
  }

  it("follows the task already running again (retried by someone else) while the upgrade still reads FAILED: no PATCH, no POST", async () => {
    // Set once the task is retried: the views lag from then until the engine has read the task.
    const retried: { nsx?: { upgradeId: string; bundleId: string }; from: number } = { from: 0 };
    let lagged = 0;
    const taskRead = (id: string) =>
      proxy?.seen.slice(retried.from).some((s) => s.req.method === "GET" && s.req.path === `/v1/tasks/${id}`) ?? false;
    const t = await engineOn(
      undefined,
      () => undefined,
      (req, reply) => {
        const lag = retried.nsx;
        if (!lag || req.method !== "GET" || reply.status !== 200 || taskRead(lag.upgradeId)) return undefined;
        lagged += 1;
        return lagging(req.path, reply.body, lag.upgradeId, lag.bundleId);
      },
    );
    const { nsx, runId } = await secondRunAtUpgrades(t);
    sim.setFaults({ upgradeNeverFinishes: true });
    await clientFor(sim).retryTask(nsx.upgradeId);
    retried.from = proxy?.seen.length ?? 0;
    retried.nsx = nsx;
    const adopted = t
      .when((r) => r.id === runId && r.remote.upgrades[nsx.upgradeId] !== undefined)
      .then(() => sim.setFaults({ upgradeNeverFinishes: false }));
    const run = await t.engine.upgradeComponents(runId);
    await adopted;
    assert.equal(run.status, "successfully_completed", run.failureReason);
    assert.ok(lagged > 0, "the engine saw the lagging views");
    const log = sim.requestLog();
    assert.equal(count(log, "PATCH", /^\/v1\/tasks\//), 1, "only the retry by someone else");
    assert.ok(!postedBundles(log).includes(nsx.bundleId), "no second NSX upgrade");
    assert.equal(upgradeOf(run, "NSX_T_MANAGER").upgradeId, nsx.upgradeId);
    assert.ok(
      run.log.some((e) =>
        /reads COMPLETED_WITH_FAILURE, but its task .* is IN_PROGRESS .*following it instead of starting a new upgrade/.test(
          e.text,
        ),
      ),
    );
  });

  it("a restart after the retry was recorded follows the resumed upgrade: no new POST, no second PATCH", async () => {
    const files = await tempStore();
    try {
      const a = await engineOn(files);
      const { nsx, runId } = await secondRunAtUpgrades(a);
      // Stop the engine the moment the retry is recorded, before the PATCH goes out.
      a.engine.on("change", (r: UpgradeRun) => {
        if (r.id === runId && r.remote.retryRequest) void a.engine.close();
      });
      await assert.rejects(
        a.engine.upgradeComponents(runId),
        (e: unknown) => e instanceof EngineError && e.code === "ABORTED",
      );
      assert.deepEqual(a.engine.getRun(runId)?.remote.retryRequest?.taskId, nsx.upgradeId);
      assert.equal(count(sim.requestLog(), "PATCH", /^\/v1\/tasks\//), 0);
      await clientFor(sim).retryTask(nsx.upgradeId); // the retry reached SDDC Manager; its answer was lost with the engine
      const b = new EngineUnderTest(sim, files.store());
      engines.push(b);
      await b.engine.ready();
      const run = await b.engine.upgradeComponents(runId);
      assert.equal(run.status, "successfully_completed", run.failureReason);
      assert.equal(run.remote.retryRequest, undefined);
      const log = sim.requestLog();
      assert.equal(count(log, "PATCH", /^\/v1\/tasks\//), 1, "the retry is not sent again");
      assert.ok(!postedBundles(log).includes(nsx.bundleId), "no new NSX upgrade");
      assert.equal(upgradeOf(run, "NSX_T_MANAGER").upgradeId, nsx.upgradeId);
      assert.ok(run.log.some((e) => /A retry of task .* was sent before the restart/.test(e.text)));
    } finally {
      await stopAll(engines); // an engine still writing its run file would race the removal
      await files.cleanup();
    }
  });

  it("a task that cannot be read (403) fails the run with a clear message and starts nothing", async () => {
    let forbid = false;
    const t = await engineOn(undefined, (req) =>
      forbid && req.method === "GET" && req.path.startsWith("/v1/tasks/")
        ? { status: 403, body: JSON.stringify({ errorCode: "FORBIDDEN", message: "Access is denied" }) }
        : undefined,
    );
    const { runId } = await secondRunAtUpgrades(t);
    forbid = true;
    await assert.rejects(
      // no fresh backup: its task would be forbidden too, and this is about the upgrade's task
      t.engine.upgradeComponents(runId, undefined, undefined, { freshBackup: false, onFailure: "fail" }),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === "REMOTE_FAILURE" &&
        /Cannot read task .* no new upgrade is started/.test(e.message) &&
        /GET \/v1\/tasks\//.test(e.fix ?? ""),
    );
    const log = sim.requestLog();
    assert.deepEqual(postedBundles(log), []);
    assert.equal(count(log, "PATCH", /^\/v1\/tasks\//), 0);
    assert.equal(t.engine.getRun(runId)?.status, "failed");
  });
});
