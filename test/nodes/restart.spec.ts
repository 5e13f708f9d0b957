// Stopping Node-RED in the middle of a phase and starting it again on the same user directory (run store):
// the owning phase node picks the run up, repeats no remote work, and the flow ends as if nothing happened.
import assert from "node:assert/strict";
import type { RunningSimulator, SimExchange } from "../../nodes/sim/index";
import {
  Collector, caughtError, credentialsFor, getNode, helper, makeUserDir, NODE_MODULES, startNodeRed, startSim,
  stopNodeRed, upgradeChainFlow, upgradePostsPerBundle, type FlowNode, type Msg,
} from "../support/nodes-harness";

type Fault = "downloadNeverFinishes" | "precheckNeverFinishes" | "upgradeNeverFinishes";

const statusOf = (msg: Msg): string => (msg.payload as { status: string }).status;

function count(log: SimExchange[], method: string, path: RegExp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of log) if (e.method === method && path.test(e.path)) counts.set(e.path, (counts.get(e.path) ?? 0) + 1);
  return counts;
}

describe("nodes: restart in the middle of a run", function () {
  let sim: RunningSimulator;
  let userDir: string;
  let flow: FlowNode[];

  beforeEach(async () => {
    userDir = makeUserDir();
    await startNodeRed(userDir);
  });
  afterEach(async () => {
    await stopNodeRed(userDir);
    await sim.stop();
  });

  /** Starts a run, stops Node-RED once `reached` holds, lifts `fault`, and starts Node-RED again on `nextFlow`. */
  async function restartWhen(
    reached: (msg: Msg) => boolean, what: string, fault?: Fault, nextFlow?: FlowNode[],
  ): Promise<{ done: Collector; statuses: Collector; caught: Collector }> {
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const statuses = new Collector("statusOut");
    getNode("download").receive({ payload: "start" });
    await statuses.waitFor(reached, what);
    await helper.unload();
    if (fault) sim.setFaults({ [fault]: false });
    await helper.load(NODE_MODULES, nextFlow ?? flow, credentialsFor(sim));
    return { done: new Collector("done"), statuses: new Collector("statusOut"), caught: new Collector("caught") };
  }

  function assertNothingRepeated(): void {
    const log = sim.requestLog();
    for (const [path, n] of count(log, "PATCH", /^\/v1\/bundles\//)) assert.equal(n, 1, `${path} requested ${n} times`);
    for (const [bundle, n] of upgradePostsPerBundle(log)) assert.equal(n, 1, `POST /v1/upgrades for ${bundle}: ${n} times`);
    const checkRuns = log.filter((e) => e.method === "POST" && e.path === "/v1/system/check-sets").length;
    assert.ok(checkRuns <= 1, `${checkRuns} precheck runs started`);
  }

  it("during the downloads", async () => {
    sim = await startSim({ faults: { downloadNeverFinishes: true } });
    flow = upgradeChainFlow(sim);
    const after = await restartWhen(
      (m) => statusOf(m) === "downloading_bundles" && count(sim.requestLog(), "PATCH", /^\/v1\/bundles\//).size > 0,
      "a download in progress", "downloadNeverFinishes");
    const out = await after.done.waitFor(() => true, "the upgrade output after the restart", 5000);
    assert.match(String(out.payload), /upgraded from VCF/);
    assertNothingRepeated();
  });

  it("during the prechecks", async () => {
    sim = await startSim({ faults: { precheckNeverFinishes: true } });
    flow = upgradeChainFlow(sim);
    const after = await restartWhen((m) => statusOf(m) === "running_prechecks", "the prechecks running", "precheckNeverFinishes");
    await after.done.waitFor(() => true, "the upgrade output after the restart", 5000);
    assertNothingRepeated();
    assert.equal(sim.requestLog().filter((e) => e.method === "POST" && e.path === "/v1/system/check-sets").length, 1);
  });

  it("while waiting for acknowledgement, which is still needed afterwards", async () => {
    sim = await startSim({ scenario: "precheck-warnings" });
    flow = upgradeChainFlow(sim);
    const after = await restartWhen((m) => statusOf(m) === "waiting_for_alert_acknowledgement", "the wait for acknowledgement");
    await after.statuses.waitFor((m) => statusOf(m) === "waiting_for_alert_acknowledgement", "the wait shown again after the restart");
    assert.equal(after.done.messages.length, 0);
    getNode("ack").receive({ acknowledge: true });
    await after.done.waitFor(() => true, "the upgrade output", 5000);
    assertNothingRepeated();
  });

  it("during a component upgrade: one POST /v1/upgrades per component", async () => {
    sim = await startSim({ faults: { upgradeNeverFinishes: true } });
    flow = upgradeChainFlow(sim);
    const after = await restartWhen(
      (m) => /Started the upgrade of/.test((m.payload as { markdown: string }).markdown), "a component upgrade", "upgradeNeverFinishes");
    const out = await after.done.waitFor(() => true, "the upgrade output after the restart", 5000);
    const components = (out.vcf as { summary: { components: unknown[] } }).summary.components.length;
    assert.equal(upgradePostsPerBundle(sim.requestLog()).size, components);
    assertNothingRepeated();
  });

  it("fails a run whose owner node is no longer deployed, with that reason", async () => {
    sim = await startSim({ faults: { downloadNeverFinishes: true } });
    flow = upgradeChainFlow(sim);
    const withoutDownloadNode = flow.filter((n) => n.id !== "download");
    const after = await restartWhen((m) => statusOf(m) === "downloading_bundles", "a download in progress", undefined, withoutDownloadNode);
    const failed = await after.statuses.waitFor((m) => statusOf(m) === "failed", "the run failed");
    assert.match(String((failed.payload as { failureReason?: string }).failureReason), /owned by node download, which is no longer deployed/);
    assert.equal(after.caught.messages.map(caughtError).length, 0);
  });
});
