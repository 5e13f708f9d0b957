import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { EngineError } from "../../nodes/engine";
import type { UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator, ScenarioName, SimExchange } from "../../nodes/sim/index";
import { FORMAT_KEY, FORMAT_VERSION, fileNameForRun } from "../../nodes/store";
import { countPerPath, upgradePostsPerBundle } from "../support/request-log";
import { EngineUnderTest, WAIT_FOR_ACK, managementDomain, simulator, tempStore } from "./harness";

/** Four components, each upgraded by exactly one accepted POST /v1/upgrades. */
function assertOneUpgradePerComponent(log: readonly SimExchange[]): void {
  const posts = upgradePostsPerBundle(log);
  assert.equal(posts.size, 4);
  assert.ok(
    [...posts.values()].every((n) => n === 1),
    JSON.stringify([...posts]),
  );
}

describe("engine: restart in the middle of a run (same file store, new engine)", () => {
  let sim: RunningSimulator;
  let files: Awaited<ReturnType<typeof tempStore>>;
  const engines: EngineUnderTest[] = [];
  beforeEach(async () => {
    files = await tempStore();
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.engine.close();
    await sim?.stop();
    await files.cleanup();
  });

  async function first(scenario: ScenarioName = "happy") {
    sim = await simulator(scenario);
    const a = new EngineUnderTest(sim, files.store(), { downloadConcurrency: 1 });
    engines.push(a);
    return { a, domain: await managementDomain(sim) };
  }

  /** Closes engine `a` as soon as a change matches, and checks the phase call ends ABORTED, leaving the run resumable. */
  async function stopWhen(
    a: EngineUnderTest,
    phase: Promise<UpgradeRun>,
    predicate: (r: UpgradeRun) => boolean,
  ): Promise<void> {
    const seen = a.when(predicate).then(() => a.engine.close());
    await assert.rejects(phase, (e: unknown) => e instanceof EngineError && e.code === "ABORTED");
    await seen;
  }

  async function second(runId: string, expected: string): Promise<EngineUnderTest> {
    const b = new EngineUnderTest(sim, files.store(), { downloadConcurrency: 1 });
    engines.push(b);
    await b.engine.ready();
    const resumable = b.engine.resumableRuns();
    assert.deepEqual(
      resumable.map((r) => r.id),
      [runId],
    );
    assert.equal(resumable[0]?.status, expected);
    return b;
  }

  async function finish(b: EngineUnderTest, runId: string): Promise<UpgradeRun> {
    await b.engine.downloadBundles(runId);
    await b.engine.runPrechecks(runId);
    await b.engine.awaitAcknowledgement(runId, WAIT_FOR_ACK);
    return b.engine.upgradeComponents(runId);
  }

  it("during the downloads: resumes without requesting any bundle twice", async () => {
    const { a, domain } = await first();
    const run = await a.engine.startRun({ domain: domain.name, ownerNodeId: "node-1" });
    await stopWhen(a, a.engine.downloadBundles(run.id), (r) =>
      Object.values(r.remote.bundles).some((b) => b.requested),
    );
    const b = await second(run.id, "downloading_bundles");
    assert.equal(b.engine.resumableRuns()[0]?.ownerNodeId, "node-1");
    const done = await finish(b, run.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    const patches = countPerPath(sim.requestLog(), "PATCH", /^\/v1\/bundles\//);
    assert.equal(patches.size, 4);
    assert.ok(
      [...patches.values()].every((n) => n === 1),
      JSON.stringify([...patches]),
    );
  });

  it("during the prechecks: follows the recorded check-set run instead of starting another", async () => {
    const { a, domain } = await first();
    const run = await a.engine.startRun({ domain: domain.name });
    await a.engine.downloadBundles(run.id);
    await stopWhen(a, a.engine.runPrechecks(run.id), (r) => r.status === "running_prechecks");
    const b = await second(run.id, "running_prechecks");
    const done = await finish(b, run.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    const log = sim.requestLog();
    assert.equal(log.filter((e) => e.method === "POST" && e.path === "/v1/system/check-sets").length, 1);
    assert.equal(
      log.filter((e) => e.method === "POST" && /\/validations$/.test(e.path)).length,
      2,
      "one target validation, one final",
    );
  });

  it("while waiting for acknowledgement: the gate is still closed after the restart and opens on acknowledge", async () => {
    const { a, domain } = await first("precheck-warnings");
    const run = await a.engine.startRun({ domain: domain.name });
    await a.engine.downloadBundles(run.id);
    await a.engine.runPrechecks(run.id);
    await stopWhen(
      a,
      a.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK),
      (r) => r.status === "waiting_for_alert_acknowledgement",
    );
    const b = await second(run.id, "waiting_for_alert_acknowledgement");
    const waiting = b.when((r) => r.acknowledged);
    const gate = b.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    assert.equal(b.engine.acknowledge(domain.name)?.id, run.id);
    await waiting;
    assert.equal((await gate).status, "alerts_were_acknowledged");
    assert.equal((await b.engine.upgradeComponents(run.id)).status, "successfully_completed");
  });

  it("an acknowledgement given before the restart is kept", async () => {
    const { a, domain } = await first("precheck-warnings");
    const run = await a.engine.startRun({ domain: domain.name });
    await a.engine.downloadBundles(run.id);
    await a.engine.runPrechecks(run.id);
    const gate = a.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    await a.when((r) => r.status === "waiting_for_alert_acknowledgement");
    const stored = a.when((r) => r.acknowledged);
    a.engine.acknowledge(run.id);
    await stored;
    await gate;
    const b = new EngineUnderTest(sim, files.store());
    engines.push(b);
    await b.engine.ready();
    assert.equal(b.engine.getRun(run.id)?.acknowledged, true);
  });

  it("during a component upgrade: attaches to the running upgrade, one POST per component", async () => {
    const { a, domain } = await first();
    const run = await a.engine.startRun({ domain: domain.name });
    await a.engine.downloadBundles(run.id);
    await a.engine.runPrechecks(run.id);
    await a.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    await stopWhen(a, a.engine.upgradeComponents(run.id), (r) =>
      Object.values(r.remote.upgrades).some((u) => u.componentType === "NSX_T_MANAGER"),
    );
    const b = await second(run.id, "starting_upgrades");
    const done = await b.engine.upgradeComponents(run.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    assertOneUpgradePerComponent(sim.requestLog());
    assert.ok(b.changes.some((c) => c.log.some((e) => /Continuing to follow the upgrade of NSX/.test(e.text))));
  });

  it("during SDDC Manager's own outage: the resumed run rides the rest of the outage out", async () => {
    sim = await simulator("happy", { faults: { outageSeconds: 50_000 } }); // about half a second of real time
    const a = new EngineUnderTest(sim, files.store());
    engines.push(a);
    const domain = await managementDomain(sim);
    const run = await a.engine.startRun({ domain: domain.name });
    await a.engine.downloadBundles(run.id);
    await a.engine.runPrechecks(run.id);
    await a.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    await stopWhen(a, a.engine.upgradeComponents(run.id), (r) =>
      Object.keys(r.deadlines).some((k) => k.startsWith("sddc-outage:")),
    );
    const b = await second(run.id, "starting_upgrades");
    const done = await b.engine.upgradeComponents(run.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    assertOneUpgradePerComponent(sim.requestLog());
  });

  it("a run file of a newer format is not read: kept as it was, reported with the reason, its domain refused", async () => {
    const { a, domain } = await first();
    const run = await a.engine.startRun({ domain: domain.name });
    await a.engine.close();
    const file = path.join(files.store().directory, fileNameForRun(run.id));
    // A later version changed the layout: a field this version knows now means something else.
    const newer = JSON.stringify({ ...JSON.parse(await fs.readFile(file, "utf8")), [FORMAT_KEY]: FORMAT_VERSION + 1 });
    await fs.writeFile(file, newer);

    const b = new EngineUnderTest(sim, files.store());
    engines.push(b);
    await b.engine.ready();
    assert.deepEqual(b.engine.listRuns(), []);
    const [report] = b.engine.unreadableRuns();
    assert.equal(report?.file, file);
    assert.equal(report?.runId, run.id);
    assert.match(
      report?.problem ?? "",
      new RegExp(
        `written by a newer version of this package \\(run file format ${FORMAT_VERSION + 1}; this version reads format ${FORMAT_VERSION}\\)`,
      ),
    );
    await assert.rejects(
      b.engine.startRun({ domain: domain.name }),
      (e: unknown) => e instanceof EngineError && e.code === "RUN_UNREADABLE" && /newer version/.test(e.message),
    );
    assert.equal(await fs.readFile(file, "utf8"), newer, "the file is left as it was");
  });

  it("a run whose owner is gone can be failed with that reason", async () => {
    const { a, domain } = await first();
    const run = await a.engine.startRun({ domain: domain.name, ownerNodeId: "gone" });
    await a.engine.close();
    const b = await second(run.id, "update_process_started");
    const failed = await b.engine.abandonRun(run.id, "The node that owned this run was removed");
    assert.equal(failed?.status, "failed");
    assert.equal(failed?.failureReason, "The node that owned this run was removed");
    assert.deepEqual(b.engine.resumableRuns(), []);
  });
});
