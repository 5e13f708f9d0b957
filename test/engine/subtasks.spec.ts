import * as assert from "node:assert/strict";
import { EngineError } from "../../nodes/engine";
import type { EngineSettings, LogEntry, UpgradeRun } from "../../nodes/engine";
import { summarize } from "../../nodes/engine/steps/subtask-progress";
import type { FaultPatch, RunningSimulator } from "../../nodes/sim/index";
import { MemoryRunStore } from "../../nodes/store";
import type { RunStore } from "../../nodes/store";
import { type FaultProxy, startFaultProxy } from "./fault-proxy";
import { EngineUnderTest, WAIT_FOR_ACK, clientFor, count, managementDomain, simulator, tempStore } from "./harness";

/** The sub-task entries of the run's log: "<component>: step k of n <STATUS>: <name>". */
function subTaskEntries(
  log: readonly LogEntry[],
): { upgradeId: string; subTask: string; status: string; level: string }[] {
  return log.flatMap((e) => {
    const d = e.details as { upgradeId?: string; subTask?: string; status?: string } | undefined;
    return d?.subTask && d.upgradeId && d.status
      ? [{ upgradeId: d.upgradeId, subTask: d.subTask, status: d.status, level: e.level }]
      : [];
  });
}

function assertEachChangeOnce(run: UpgradeRun): void {
  const keys = subTaskEntries(run.log).map((e) => `${e.upgradeId}|${e.subTask}|${e.status}`);
  assert.deepEqual(keys, [...new Set(keys)], "each sub-task change is logged once");
}

describe("engine: sub-task progress of component upgrades", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await t?.engine.close();
    await proxy?.stop();
    proxy = undefined;
    await sim?.stop();
  });

  async function setup(
    settings: Partial<EngineSettings> = {},
    faults: FaultPatch = {},
    store: RunStore = new MemoryRunStore(),
  ) {
    sim = await simulator(faults.failUpgradeOf ? "upgrade-failure" : "happy", { faults });
    t = new EngineUnderTest(sim, store, settings);
    return managementDomain(sim);
  }

  it("logs every sub-task of every upgrade once, when it ends (not when it starts), and shows the current one in the step", async () => {
    // Each ESXi host takes "forever" until the engine has shown it in the step; then the simulator's clock moves
    // it on. At the test time scale a host would otherwise be done within a poll on a busy machine.
    const HOST_SECONDS = 10 ** 7;
    const domain = await setup({}, { durations: { esxHostUpgradeSeconds: HOST_SECONDS } });
    const shownHosts = new Set<string>();
    t.engine.on("change", (r: UpgradeRun) => {
      const host = /^Upgrading ESXi .*: IN_PROGRESS, step (\d+) of 6: ESXi host (\S+) \(IN_PROGRESS\)$/.exec(r.step);
      if (!host || shownHosts.has(host[0])) return;
      shownHosts.add(host[0]);
      sim.advanceClock(HOST_SECONDS);
    });
    const run = await t.fullRun(domain.name);
    assert.equal(run.status, "successfully_completed");
    assertEachChangeOnce(run);
    const entries = subTaskEntries(run.log);
    const client = clientFor(sim);
    for (const record of Object.values(run.remote.upgrades)) {
      const names = ((await client.getTask(record.upgradeId)).subTasks ?? []).map((s) => s.name);
      assert.ok(names.length >= 3, `${record.componentType} has sub-tasks`);
      const own = entries.filter((e) => e.upgradeId === record.upgradeId);
      assert.deepEqual(
        own.map((e) => e.subTask),
        names,
        `${record.componentType}: exactly one entry per sub-task, in order`,
      );
      assert.ok(own.every((e) => e.status === "SUCCESSFUL" && e.level === "success"));
    }
    const steps = t.changes.filter((c) => c.id === run.id).map((c) => c.step);
    assert.ok(
      steps.some((s) => /^Upgrading ESXi .*: IN_PROGRESS, step \d+ of 6: ESXi host \S+ \(IN_PROGRESS\)$/.test(s)),
      `the step names the running sub-task, k of n: ${JSON.stringify([...new Set(steps)].filter((s) => /ESXi/.test(s)))}`,
    );
  });

  it("reads the task only every Nth poll (taskPollEvery), and always at the end of each upgrade", async () => {
    const domain = await setup({ taskPollEvery: 1_000_000 });
    const run = await t.fullRun(domain.name);
    assert.equal(run.status, "successfully_completed");
    const upgrades = Object.values(run.remote.upgrades);
    const log = sim.requestLog();
    const reads = log.filter(
      (e) => e.method === "GET" && e.status === 200 && upgrades.some((u) => e.path === `/v1/tasks/${u.upgradeId}`),
    ).length;
    assert.ok(
      reads >= upgrades.length && reads <= 2 * upgrades.length,
      `at the first poll and at the end of each upgrade, not ${reads} times`,
    );
    assert.ok(
      count(log, "GET", /^\/v1\/upgrades\/[^/]+$/) > 2 * upgrades.length,
      "the upgrades were polled more often than their tasks were read",
    );
    assert.ok(
      upgrades.every(
        (u) =>
          subTaskEntries(run.log).filter((e) => e.upgradeId === u.upgradeId && e.status === "SUCCESSFUL").length >= 3,
      ),
    );
  });

  it("logs the failed sub-task as an error before the run fails with the task's error", async () => {
    const domain = await setup({}, { failUpgradeOf: ["VCENTER"] });
    const started = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(t.finishRun(started.id), /The upgrade of vCenter .* failed: .*storage\/log/);
    const run = t.engine.getRun(started.id);
    assert.ok(run);
    assertEachChangeOnce(run);
    const failed = subTaskEntries(run.log).filter((e) => e.status === "FAILED");
    assert.deepEqual(
      failed.map((e) => [e.subTask, e.level]),
      [["Install the vCenter patch", "error"]],
    );
    assert.match(run.step, /vCenter/);
  });

  it("does not log a sub-task change again after a restart", async () => {
    const files = await tempStore();
    try {
      const domain = await setup({}, {}, files.store());
      const run = await t.engine.startRun({ domain: domain.name });
      await t.engine.downloadBundles(run.id);
      await t.engine.runPrechecks(run.id);
      await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
      const seen = t.when((r) => subTaskEntries(r.log).some((e) => e.subTask.startsWith("NSX host cluster")));
      const phase = t.engine.upgradeComponents(run.id);
      await seen;
      const aborted = assert.rejects(phase, (e: unknown) => e instanceof EngineError && e.code === "ABORTED");
      await t.engine.close();
      await aborted;
      t = new EngineUnderTest(sim, files.store());
      await t.engine.ready();
      const done = await t.engine.upgradeComponents(run.id);
      assert.equal(done.status, "successfully_completed", done.failureReason);
      assertEachChangeOnce(done);
    } finally {
      await t.engine.close();
      await files.cleanup();
    }
  });

  it("a task that cannot be read is logged once per upgrade; the upgrades are followed on without sub-tasks", async () => {
    sim = await simulator("happy");
    let refuse = false;
    let runId = "";
    // The fresh backup before the first component is followed by its task too; that read is not what this test takes away.
    const backupTask = (): string | undefined => t.engine.getRun(runId)?.remote.backup?.taskId;
    proxy = await startFaultProxy(sim.url, (req) =>
      refuse && req.method === "GET" && req.path.startsWith("/v1/tasks/") && req.path !== `/v1/tasks/${backupTask()}`
        ? { status: 503, contentType: "text/html", body: "<html>503 Service Unavailable</html>" }
        : undefined,
    );
    t = new EngineUnderTest(sim, undefined, {}, proxy.url);
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name });
    runId = started.id;
    await t.engine.downloadBundles(started.id);
    await t.engine.runPrechecks(started.id);
    await t.engine.awaitAcknowledgement(started.id, WAIT_FOR_ACK);
    refuse = true;
    const run = await t.engine.upgradeComponents(started.id);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    const upgradeIds = Object.keys(run.remote.upgrades);
    const warned = run.log.filter(
      (e) => e.level === "warning" && /could not read task .* for its sub-tasks \(.*503/.test(e.text),
    );
    assert.deepEqual(
      warned.map((e) => (e.details as { upgradeId: string }).upgradeId),
      upgradeIds,
      "one warning per upgrade, although every read failed",
    );
    assert.deepEqual(subTaskEntries(run.log), []);
  });

  it("summarizes the running sub-task (else the failed, else the next pending one) as k of n", () => {
    const sub = (name: string, status: string) => ({ name, status });
    assert.equal(summarize([]), undefined);
    assert.deepEqual(summarize([sub("a", "SUCCESSFUL"), sub("b", "In Progress"), sub("c", "PENDING")]), {
      text: "step 2 of 3: b (IN_PROGRESS)",
      share: 1 / 3,
    });
    assert.deepEqual(summarize([sub("a", "SUCCESSFUL"), sub("b", "FAILED"), sub("c", "PENDING")]), {
      text: "step 2 of 3: b (FAILED)",
      share: 2 / 3,
    });
    assert.deepEqual(summarize([sub("a", "SUCCESSFUL"), sub("a", "PENDING")]), {
      text: "step 2 of 2: a #2 (PENDING)",
      share: 1 / 2,
    });
    assert.deepEqual(summarize([sub("a", "SUCCESSFUL"), sub("b", "NOT_APPLICABLE")]), {
      text: "step 2 of 2: b (NOT_APPLICABLE)",
      share: 1,
    });
  });
});
