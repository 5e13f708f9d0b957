// vcf-await-ack: the gate's rules and its control messages (dashboard / Home Assistant buttons and switches).
import assert from "node:assert/strict";
import fs from "node:fs";
import type { RunningSimulator } from "../../nodes/sim/index";
import {
  CONFIG_ID,
  Collector,
  Completions,
  callsOf,
  MANAGEMENT_DOMAIN,
  NodeCalls,
  caughtError,
  connectionOf,
  credentialsFor,
  getNode,
  helper,
  NODE_MODULES,
  nodeRedPerTest,
  statusSequence,
  upgradeChainFlow,
  type FlowNode,
  type Msg,
} from "../support/nodes-harness";
import { requestsTo } from "../support/request-log";

const statusOf = (msg: Msg): string => (msg.payload as { status: string }).status;
const waiting = (msg: Msg): boolean => statusOf(msg) === "waiting_for_alert_acknowledgement";

interface Recorded {
  fill?: string;
  shape?: string;
  text?: string;
}

/** Every status the node showed, in order. */
function recordStatuses(nodeId: string): Recorded[] {
  const seen: Recorded[] = [];
  getNode(nodeId).on("call:status", (call: unknown) => seen.push((call as { args: Recorded[] }).args[0] ?? {}));
  return seen;
}

function upgradePosts(sim: RunningSimulator): number {
  return requestsTo(sim.requestLog(), "POST", "/v1/upgrades").length;
}

describe("nodes: vcf-await-ack", function () {
  const perTest = nodeRedPerTest();
  let sim: RunningSimulator;
  let done: Collector;
  let statuses: Collector;
  let caught: Collector;

  async function deploy(
    scenario: "precheck-warnings" | "precheck-errors",
    ack: Record<string, unknown> = {},
  ): Promise<void> {
    sim = await perTest.startSim({ scenario });
    await helper.load(NODE_MODULES, upgradeChainFlow(sim, { ack }), credentialsFor(sim));
    done = new Collector("done");
    statuses = new Collector("statusOut");
    caught = new Collector("caught");
  }

  it("waits on warnings (yellow) until an acknowledge message from a button, then continues", async () => {
    await deploy("precheck-warnings");
    const badges = recordStatuses("ack");
    getNode("download").receive({ payload: "start" });
    await statuses.waitFor(waiting, "the wait for acknowledgement");
    assert.equal(upgradePosts(sim), 0);
    assert.ok(
      badges.some((b) => b.fill === "yellow" && b.shape === "ring"),
      JSON.stringify(badges),
    );

    getNode("ack").receive({ payload: "acknowledge" });
    const out = await done.waitFor(() => true, "the upgrade output");
    const sequence = statusSequence(statuses.messages);
    assert.deepEqual(sequence.slice(sequence.indexOf("prechecks_done"), sequence.indexOf("starting_upgrades") + 1), [
      "prechecks_done",
      "waiting_for_alert_acknowledgement",
      "alerts_were_acknowledged",
      "starting_upgrades",
    ]);
    assert.match(String(out.markdown), /The user acknowledged \d+ warnings?/);
    assert.equal(caught.messages.length, 0);
  });

  it("continues past warnings without waiting when 'ignore warnings' is on", async () => {
    await deploy("precheck-warnings", { ignoreAlerts: true });
    getNode("download").receive({ payload: "start" });
    await done.waitFor(() => true, "the upgrade output");
    assert.ok(!statusSequence(statuses.messages).includes("waiting_for_alert_acknowledgement"));
    const markdown = String((statuses.messages.at(-1)?.payload as { markdown: string }).markdown);
    assert.match(markdown, /"Ignore alerts" is on: continuing past \d+ warnings?/);
  });

  it("continues a waiting run when a Home Assistant switch turns ignoreAlerts on", async () => {
    await deploy("precheck-warnings");
    getNode("download").receive({ payload: "start" });
    await statuses.waitFor(waiting, "the wait for acknowledgement");
    getNode("ack").receive({ topic: "ignoreAlerts", payload: true });
    await done.waitFor(() => true, "the upgrade output");
    assert.equal(caught.messages.length, 0);
  });

  it("waits on errors even with 'ignore warnings' on, and continues after an acknowledgement for the domain", async () => {
    await deploy("precheck-errors", { ignoreAlerts: true });
    getNode("download").receive({ payload: "start" });
    await statuses.waitFor(waiting, "the wait for acknowledgement");
    getNode("ack").receive({ acknowledge: true, domain: MANAGEMENT_DOMAIN });
    const out = await done.waitFor(() => true, "the upgrade output");
    assert.match(String(out.markdown), /The user acknowledged \d+ errors?/);
  });

  it("fails the run on errors when set to, and a Catch node gets a clear error", async () => {
    await deploy("precheck-errors", { failOnErrors: true });
    const badges = recordStatuses("ack");
    getNode("download").receive({ payload: "start" });
    const error = await caught.waitFor(() => true, "the error");
    assert.match(caughtError(error), /Prechecks found \d+ errors?.* fail on errors.*Fix the precheck errors/);
    assert.equal((error.error as { source?: { id?: string } }).source?.id, "ack");
    await statuses.waitFor((m) => statusOf(m) === "failed", "the failed status");
    assert.equal(badges.at(-1)?.fill, "red");
    assert.equal(upgradePosts(sim), 0);
    // A later message through the same wires proves nothing from the failed run was still on its way.
    getNode("upgrade").receive({ domain: MANAGEMENT_DOMAIN });
    await caught.waitFor(
      (m) => /No upgrade is running for domain "lab-m01"/.test(caughtError(m)),
      "the marker's error",
    );
    // Only the failed run's report leaves the upgrade node (once), never an upgrade output.
    await done.waitFor((m) => m.report !== undefined, "the failed run's report");
    assert.deepEqual(
      done.messages.map((m) => (m.report as { outcome?: string } | undefined)?.outcome),
      ["failed"],
    );
  });

  it("logs an error naming the run file when an acknowledgement cannot be saved", async () => {
    await deploy("precheck-warnings");
    const runFile = connectionOf().storeFile ?? "";
    const errors = new NodeCalls(CONFIG_ID, "error");
    getNode("download").receive({ payload: "start" });
    await statuses.waitFor(waiting, "the wait for acknowledgement");
    // The user directory turns into a file: the next write of the run file fails.
    fs.rmSync(perTest.userDir(), { recursive: true, force: true });
    fs.writeFileSync(perTest.userDir(), "not a directory");
    getNode("ack").receive({ payload: "acknowledge" });
    const [text] = await errors.waitFor(
      (args) => /^Could not write the upgrade run file/.test(String(args[0])),
      "the store error",
    );
    assert.ok(String(text).startsWith(`Could not write the upgrade run file ${runFile}: `), String(text));
    assert.match(String(text), /lost if Node-RED restarts .*check that the Node-RED user directory is writable/);
  });

  for (const [label, message] of [
    ["the node's Domain", { acknowledge: true }],
    ["msg.domain", { payload: "acknowledge", domain: "lab-w01" }],
    ["an unknown msg.vcf.runId", { acknowledge: true, vcf: { runId: "no-such-run" } }],
  ] as const) {
    it(`only warns about an acknowledge with nothing waiting (${label}): no error, no Catch, the status stays`, async () => {
      await deploy("precheck-warnings", { domain: MANAGEMENT_DOMAIN });
      const statusCallsBefore = callsOf("ack", "status").length;
      const warnings = new NodeCalls("ack", "warn");
      const completions = new Completions();
      try {
        getNode("ack").receive({ ...message });
        const completion = await completions.waitFor((c) => c.nodeId === "ack", "done() of the acknowledge");
        assert.equal(completion.error, undefined);
        const [warning] = await warnings.waitFor(() => true, "the warning");
        assert.match(
          String(warning),
          /^Nothing to acknowledge: no run is waiting for acknowledgement (for domain lab-m01|for domain lab-w01|for upgrade run no-such-run)$/,
        );
        // A Catch node would have had the acknowledge's error before the error of this later message.
        getNode("ack").receive({ ignoreAlerts: "yes" });
        await caught.waitFor(() => true, "the later message's error");
        assert.deepEqual(
          caught.messages.map(caughtError).map((e) => /ignoreAlerts/.test(e)),
          [true],
        );
        const badges = callsOf("ack", "status")
          .slice(statusCallsBefore)
          .map(([badge]) => (badge as Recorded).fill);
        assert.deepEqual(badges, ["red"], "only the later message's error changed the node status");
      } finally {
        completions.stop();
      }
    });
  }

  describe("an ignoreAlerts message, kept across restarts until the node is deleted", () => {
    const ON_BADGE = { fill: "grey", shape: "dot", text: "ignore warnings: on (set by a control message)" };
    let flow: FlowNode[];

    /** Deploys the chain (checkbox off) and sends `message` to the gate; resolves once the gate is done with it. */
    async function deployAndSend(message: Msg): Promise<void> {
      await deploy("precheck-warnings");
      flow = upgradeChainFlow(sim);
      await sendToGate(message);
    }

    async function sendToGate(message: Msg): Promise<void> {
      const completions = new Completions();
      try {
        getNode("ack").receive(message);
        const completion = await completions.waitFor((c) => c.nodeId === "ack", "done() of the ignoreAlerts message");
        assert.equal(completion.error, undefined);
      } finally {
        completions.stop();
      }
    }

    async function restart(nextFlow = flow): Promise<void> {
      await helper.unload();
      await helper.load(NODE_MODULES, nextFlow, credentialsFor(sim));
      await connectionOf().recordsReady(); // the gate has read the kept value (it waits for the same read)
      done = new Collector("done");
      statuses = new Collector("statusOut");
    }

    it("lets a run with warnings pass without acknowledgement after a restart, and says so in the status and log", async () => {
      await deployAndSend({ ignoreAlerts: true });
      assert.deepEqual(callsOf("ack", "status").at(-1), [ON_BADGE]);
      await restart();
      assert.deepEqual(callsOf("ack", "status").at(-1), [ON_BADGE]);
      const logs = callsOf("ack", "log").map(([text]) => String(text));
      assert.ok(
        logs.some((t) =>
          t.startsWith(
            "ignore warnings: on (set by a control message before this deploy or restart; the checkbox says off)",
          ),
        ),
        logs.join("\n"),
      );

      getNode("download").receive({ payload: "start" });
      const out = await done.waitFor(() => true, "the upgrade output");
      assert.ok(!statusSequence(statuses.messages).includes("waiting_for_alert_acknowledgement"));
      assert.match(String(out.markdown), /"Ignore alerts" is on: continuing past \d+ warnings?/);
    });

    it("keeps the value while the node is disabled, forgets it when the node is deleted: the checkbox applies again", async () => {
      await deployAndSend({ topic: "ignoreAlerts", payload: true });
      const creds = credentialsFor(sim);
      await helper.setFlows(
        flow.map((n) => (n.id === "ack" ? { ...n, d: true } : n)),
        "nodes",
        creds,
      );
      await connectionOf().resumeRuns(); // the pass after the deploy has ended (passes run one after the other)
      assert.equal(connectionOf().ignoreAlertsOverride("ack"), true, "kept while disabled");
      await helper.setFlows(
        flow.filter((n) => n.id !== "ack"),
        "nodes",
        creds,
      );
      await connectionOf().resumeRuns();
      assert.equal(connectionOf().ignoreAlertsOverride("ack"), undefined, "forgotten once deleted");

      await restart(); // the same node id again, as after an undo in the editor
      assert.ok(!callsOf("ack", "log").some(([text]) => /^ignore warnings/.test(String(text))));
      getNode("download").receive({ payload: "start" });
      await statuses.waitFor(waiting, "the wait for acknowledgement");
      assert.equal(upgradePosts(sim), 0);
    });

    it('forgets the value on ignoreAlerts "default", also after a restart', async () => {
      await deployAndSend({ ignoreAlerts: false });
      await sendToGate({ ignoreAlerts: "default" });
      assert.deepEqual(callsOf("ack", "status").at(-1), [{}]);
      await restart(upgradeChainFlow(sim, { ack: { ignoreAlerts: true } }));
      assert.equal(connectionOf().ignoreAlertsOverride("ack"), undefined);
      getNode("download").receive({ payload: "start" });
      await done.waitFor(() => true, "the upgrade output (the checkbox is on)");
    });
  });

  it("refuses a malformed ignoreAlerts value, naming it", async () => {
    await deploy("precheck-warnings");
    getNode("ack").receive({ ignoreAlerts: "yes" });
    const error = await caught.waitFor(() => true, "the error");
    assert.match(caughtError(error), /msg\.ignoreAlerts must be true or false/);
  });
});
