// Stopping Node-RED in the middle of a phase and starting it again on the same user directory (run store):
// the owning phase node picks the run up, repeats no remote work, and the flow ends as if nothing happened.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { RunningSimulator } from "../../nodes/sim/index";
import {
  CONFIG_ID,
  Collector,
  callsOf,
  caughtError,
  connectionOf,
  credentialsFor,
  getNode,
  helper,
  helperNode,
  NODE_MODULES,
  nodeRedPerTest,
  upgradeChainFlow,
  type FlowNode,
  type Msg,
} from "../support/nodes-harness";
import { english } from "../support/catalog";
import { countPerPath, mutatingRequests, requestsTo, upgradePostsPerBundle } from "../support/request-log";
import { storedTexts } from "../support/stored-runs";

type Fault = "downloadNeverFinishes" | "precheckNeverFinishes" | "upgradeNeverFinishes";

const statusOf = (msg: Msg): string => (msg.payload as { status: string }).status;
const runIdOf = (msg: Msg): string => String((msg.payload as { runId?: string }).runId);

/** `flow` with node `id` sending to `targets` instead, plus helper nodes for the targets that are new. */
function rewire(flow: FlowNode[], id: string, targets: string[]): FlowNode[] {
  const known = new Set(flow.map((n) => n.id));
  return [
    ...flow.map((n) => (n.id === id ? { ...n, wires: [targets] } : n)),
    ...targets.filter((t) => !known.has(t)).map(helperNode),
  ];
}

function withChanged(flow: FlowNode[], id: string, change: Record<string, unknown>): FlowNode[] {
  return flow.map((n) => (n.id === id ? { ...n, ...change } : n));
}

/** How often node `id` said it resumed a run (PhaseNode logs it when it picks a run up). */
function resumes(id: string): number {
  return callsOf(id, "log").filter((args) => /^Resuming /.test(String(args[0]))).length;
}

/** The message that starts every run: user properties a resumed phase must send on, and some it must not keep. */
function startMessage(): Msg {
  return {
    _msgid: "start-1",
    payload: "start",
    ticket: "CHG-42",
    changeSlot: { from: "22:00", days: [6, 7] },
    req: { url: "/start" },
    at: new Date(0),
  };
}

/** What of startMessage() every output and Catch message carries after a restart. */
function assertKeptProperties(msg: Msg): void {
  assert.deepEqual([msg._msgid, msg.ticket, msg.changeSlot], ["start-1", "CHG-42", { from: "22:00", days: [6, 7] }]);
  assert.deepEqual([msg.req, msg.at], [undefined, undefined], "req and non-JSON values are not kept");
}

describe("nodes: restart in the middle of a run", function () {
  const perTest = nodeRedPerTest();
  let sim: RunningSimulator;
  let flow: FlowNode[];

  /** Starts a run, stops Node-RED once `reached` holds, lifts `fault`, and starts Node-RED again on `nextFlow`. */
  async function restartWhen(
    reached: (msg: Msg) => boolean,
    what: string,
    fault?: Fault,
    nextFlow?: FlowNode[],
  ): Promise<{ done: Collector; statuses: Collector; caught: Collector }> {
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const statuses = new Collector("statusOut");
    getNode("download").receive(startMessage());
    await statuses.waitFor(reached, what);
    await helper.unload();
    if (fault) sim.setFaults({ [fault]: false });
    await helper.load(NODE_MODULES, nextFlow ?? flow, credentialsFor(sim));
    return { done: new Collector("done"), statuses: new Collector("statusOut"), caught: new Collector("caught") };
  }

  function assertNothingRepeated(): void {
    const log = sim.requestLog();
    for (const [path, n] of countPerPath(log, "PATCH", /^\/v1\/bundles\//))
      assert.equal(n, 1, `${path} requested ${n} times`);
    for (const [bundle, n] of upgradePostsPerBundle(log))
      assert.equal(n, 1, `POST /v1/upgrades for ${bundle}: ${n} times`);
    const checkRuns = requestsTo(log, "POST", "/v1/system/check-sets").length;
    assert.ok(checkRuns <= 1, `${checkRuns} precheck runs started`);
  }

  it("during the downloads", async () => {
    sim = await perTest.startSim({ faults: { downloadNeverFinishes: true } });
    flow = upgradeChainFlow(sim);
    const after = await restartWhen(
      (m) =>
        statusOf(m) === "downloading_bundles" && countPerPath(sim.requestLog(), "PATCH", /^\/v1\/bundles\//).size > 0,
      "a download in progress",
      "downloadNeverFinishes",
    );
    const out = await after.done.waitFor(() => true, "the upgrade output after the restart");
    assert.match(String(out.payload), /upgraded from VCF/);
    assertKeptProperties(out);
    assertNothingRepeated();
  });

  it("a message the engine refuses does not replace the kept input message", async () => {
    sim = await perTest.startSim({ faults: { downloadNeverFinishes: true } });
    flow = upgradeChainFlow(sim);
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const statuses = new Collector("statusOut");
    const caught = new Collector("caught");
    getNode("download").receive(startMessage());
    const downloading = await statuses.waitFor((m) => statusOf(m) === "downloading_bundles", "a download in progress");
    getNode("prechecks").receive({ _msgid: "stray-1", ticket: "STRAY", vcf: { runId: runIdOf(downloading) } });
    assert.match(
      caughtError(await caught.waitFor(() => true, "the refusal of the stray message")),
      /downloads? phase|phase download|is busy/,
    );
    await helper.unload();
    sim.setFaults({ downloadNeverFinishes: false });
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const done = new Collector("done");
    assertKeptProperties(await done.waitFor(() => true, "the upgrade output after the restart"));
  });

  it("during the prechecks", async () => {
    sim = await perTest.startSim({ faults: { precheckNeverFinishes: true } });
    flow = upgradeChainFlow(sim);
    const after = await restartWhen(
      (m) => statusOf(m) === "running_prechecks",
      "the prechecks running",
      "precheckNeverFinishes",
    );
    assertKeptProperties(await after.done.waitFor(() => true, "the upgrade output after the restart"));
    assertNothingRepeated();
    assert.equal(requestsTo(sim.requestLog(), "POST", "/v1/system/check-sets").length, 1);
  });

  it("while waiting for acknowledgement, which is still needed afterwards", async () => {
    sim = await perTest.startSim({ scenario: "precheck-warnings" });
    flow = upgradeChainFlow(sim);
    const after = await restartWhen(
      (m) => statusOf(m) === "waiting_for_alert_acknowledgement",
      "the wait for acknowledgement",
    );
    await after.statuses.waitFor(
      (m) => statusOf(m) === "waiting_for_alert_acknowledgement",
      "the wait shown again after the restart",
    );
    await connectionOf().resumeRuns(); // the ack node has taken the run up again
    getNode("ack").receive({ acknowledge: true });
    const out = await after.done.waitFor(() => true, "the upgrade output");
    // Passed because of the acknowledgement sent after the restart, not by itself.
    assert.match(String(out.markdown), /The user acknowledged \d+ warnings?/);
    await connectionOf().resumeRuns();
    assert.equal(after.done.messages.length, 1);
    assertNothingRepeated();
  });

  it("a resumed phase's failure reaches Catch with the kept properties of its input message", async () => {
    sim = await perTest.startSim({ scenario: "precheck-warnings" });
    flow = upgradeChainFlow(sim);
    const after = await restartWhen(
      (m) => statusOf(m) === "waiting_for_alert_acknowledgement",
      "the wait for acknowledgement",
    );
    await connectionOf().resumeRuns(); // the ack node has taken the run up again
    getNode("ack").receive({ cancel: true, reason: "change window closed" });
    const error = await after.caught.waitFor(() => true, "the resumed phase's error");
    assert.match(caughtError(error), /cancelled by the user: change window closed/);
    assert.equal((error.error as { source?: { id?: string } }).source?.id, "ack");
    assertKeptProperties(error);
  });

  it("fails a run started against another SDDC Manager URL than the config node's now, and sends that one nothing", async () => {
    sim = await perTest.startSim({ faults: { downloadNeverFinishes: true } });
    const other = await perTest.startSim();
    flow = upgradeChainFlow(sim);
    const moved = withChanged(flow, CONFIG_ID, { url: other.url });
    const after = await restartWhen(
      (m) => statusOf(m) === "downloading_bundles",
      "a download in progress",
      undefined,
      moved,
    );
    const failed = await after.statuses.waitFor((m) => statusOf(m) === "failed", "the run failed");
    const reason = String((failed.payload as { failureReason?: string }).failureReason);
    assert.ok(
      reason.startsWith(
        `This run was started against ${sim.url}; the config node now points at ${other.url}, so it is not continued there`,
      ),
      reason,
    );
    assert.equal(resumes("download"), 0);
    assert.deepEqual(mutatingRequests(other.requestLog()), []);
    const warning = english("vcf-config.warnings.otherUrl", {
      runId: (failed.payload as { runId?: string }).runId,
      domain: failed.topic,
      runUrl: sim.url,
      currentUrl: other.url,
    });
    assert.ok(
      callsOf(CONFIG_ID, "warn").some(([text]) => String(text) === warning),
      warning,
    );
  });

  it("resumes a run stored without its SDDC Manager URL (by an older version) as before", async () => {
    sim = await perTest.startSim({ faults: { downloadNeverFinishes: true } });
    flow = upgradeChainFlow(sim);
    const creds = credentialsFor(sim);
    await helper.load(NODE_MODULES, flow, creds);
    const statuses = new Collector("statusOut");
    const runFile = connectionOf().storeFile ?? "";
    getNode("download").receive(startMessage());
    await statuses.waitFor((m) => statusOf(m) === "downloading_bundles", "a download in progress");
    await helper.unload();
    const [name, text] = [...storedTexts(runFile)][0] ?? ["", "{}"];
    const stored = JSON.parse(text) as Record<string, unknown>;
    assert.equal(stored.sddcManagerUrl, sim.url);
    delete stored.sddcManagerUrl;
    fs.writeFileSync(path.join(runFile, name), JSON.stringify(stored));
    sim.setFaults({ downloadNeverFinishes: false });

    const other = await perTest.startSim({ faults: { downloadNeverFinishes: true } });
    await helper.load(NODE_MODULES, withChanged(flow, CONFIG_ID, { url: other.url }), creds);
    await connectionOf().resumeRuns();
    assert.equal(resumes("download"), 1);
    const [run] = connectionOf().requireEngine().listRuns();
    assert.notEqual(run?.status, "failed", run?.failureReason);
  });

  it("during a component upgrade: one POST /v1/upgrades per component", async () => {
    sim = await perTest.startSim({ faults: { upgradeNeverFinishes: true } });
    flow = upgradeChainFlow(sim);
    const after = await restartWhen(
      (m) => /Started the upgrade of/.test((m.payload as { markdown: string }).markdown),
      "a component upgrade",
      "upgradeNeverFinishes",
    );
    const out = await after.done.waitFor(() => true, "the upgrade output after the restart");
    const components = (out.vcf as { summary: { components: unknown[] } }).summary.components.length;
    assert.equal(upgradePostsPerBundle(sim.requestLog()).size, components);
    assertNothingRepeated();
  });

  it("sends the output of a run parked between phases once: not again after a deploy, a full redeploy or a restart", async () => {
    sim = await perTest.startSim();
    flow = rewire(upgradeChainFlow(sim), "download", ["parked"]);
    const creds = credentialsFor(sim);
    await helper.load(NODE_MODULES, flow, creds);
    const parked = new Collector("parked");
    getNode("download").receive({ payload: "start" });
    await parked.waitFor(() => true, "the download output");

    await helper.setFlows(withChanged(flow, "status", { name: "renamed" }), "nodes", creds);
    await connectionOf().resumeRuns(); // the deploy's pass has ended (passes run one after the other)
    assert.equal(resumes("download"), 0, "resumed after a deploy of another node");
    await helper.setFlows(flow, "full", creds);
    await connectionOf().resumeRuns();
    assert.equal(resumes("download"), 0, "resumed after a full redeploy");
    assert.equal(callsOf("download", "send").length, 1);

    await helper.unload();
    await helper.load(NODE_MODULES, flow, creds);
    await connectionOf().resumeRuns();
    assert.equal(resumes("download"), 0, "resumed after a restart");
    assert.equal(callsOf("download", "send").length, 0);
    const [run] = connectionOf().requireEngine().listRuns();
    assert.ok(run && run.status !== "failed" && run.completedPhases.includes("download"), JSON.stringify(run?.status));
  });

  it("a run whose owner is on a disabled flow waits for it, and goes on when the flow is enabled again", async () => {
    sim = await perTest.startSim({ faults: { downloadNeverFinishes: true } });
    // The download node, and a helper for its output, on a flow of their own.
    const onTab2 = { z: "tab2" };
    flow = [
      { id: "tab2", type: "tab", label: "start" },
      ...withChanged(
        withChanged(rewire(upgradeChainFlow(sim), "download", ["downloaded"]), "download", onTab2),
        "downloaded",
        onTab2,
      ),
    ];
    const creds = credentialsFor(sim);
    await helper.load(NODE_MODULES, flow, creds);
    const before = new Collector("statusOut");
    getNode("download").receive({ payload: "start" });
    await before.waitFor(
      (m) =>
        statusOf(m) === "downloading_bundles" && countPerPath(sim.requestLog(), "PATCH", /^\/v1\/bundles\//).size > 0,
      "a download in progress",
    );
    await helper.unload();
    sim.setFaults({ downloadNeverFinishes: false });

    await helper.load(NODE_MODULES, withChanged(flow, "tab2", { disabled: true }), creds);
    await connectionOf().resumeRuns();
    const [run] = connectionOf().requireEngine().listRuns();
    assert.equal(run?.status, "downloading_bundles");
    const warnings = callsOf(CONFIG_ID, "warn").map((args) => String(args[0]));
    assert.ok(
      warnings.some((w) =>
        /waits for node download \(vcf-download-bundles\), which is disabled or on a disabled flow: enable it/.test(w),
      ),
      warnings.join("\n"),
    );

    await helper.setFlows(flow, "flows", creds);
    const downloaded = new Collector("downloaded"); // a new instance: the flow was started again
    await downloaded.waitFor(() => true, "the download output once the flow is enabled");
    assertNothingRepeated();
  });

  it("refuses a second message for the run a node works on; redeploying that node alone hands the run to its new instance", async () => {
    sim = await perTest.startSim({ faults: { precheckNeverFinishes: true } });
    flow = rewire(upgradeChainFlow(sim), "prechecks", ["checked"]);
    const creds = credentialsFor(sim);
    await helper.load(NODE_MODULES, flow, creds);
    const statuses = new Collector("statusOut");
    const caught = new Collector("caught");
    const checked = new Collector("checked");
    getNode("download").receive({ payload: "start" });
    const running = await statuses.waitFor((m) => statusOf(m) === "running_prechecks", "the prechecks running");

    getNode("prechecks").receive({ vcf: { runId: runIdOf(running) } });
    const refusal = await caught.waitFor(() => true, "the refusal of the second message");
    assert.match(
      caughtError(refusal),
      new RegExp(
        `already running the prechecks phase of upgrade run ${runIdOf(running)} for domain lab-m01: this message is not passed on`,
      ),
    );

    await helper.setFlows(withChanged(flow, "prechecks", { name: "prechecks v2" }), "nodes", creds);
    sim.setFaults({ precheckNeverFinishes: false });
    await checked.waitFor(() => true, "the prechecks output of the new instance");
    await connectionOf().resumeRuns();
    assert.equal(checked.messages.length, 1);
    assert.equal(resumes("prechecks"), 1);
    assert.equal(requestsTo(sim.requestLog(), "POST", "/v1/system/check-sets").length, 1);
  });

  it("fails a run whose owner node is no longer deployed, with that reason", async () => {
    sim = await perTest.startSim({ faults: { downloadNeverFinishes: true } });
    flow = upgradeChainFlow(sim);
    const withoutDownloadNode = flow.filter((n) => n.id !== "download");
    const after = await restartWhen(
      (m) => statusOf(m) === "downloading_bundles",
      "a download in progress",
      undefined,
      withoutDownloadNode,
    );
    const failed = await after.statuses.waitFor((m) => statusOf(m) === "failed", "the run failed");
    assert.match(
      String((failed.payload as { failureReason?: string }).failureReason),
      /owned by node download, which is no longer deployed/,
    );
    // A later error through the same Catch node: nothing about the failed run came before it.
    getNode("prechecks").receive({ vcf: { runId: "no-such-run" } });
    await after.caught.waitFor(() => true, "the later error");
    assert.deepEqual(
      after.caught.messages.map(caughtError).map((e) => /no-such-run is unknown/.test(e)),
      [true],
    );
  });
});
