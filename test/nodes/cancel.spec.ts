// The cancel control message of the phase nodes (e.g. a dashboard or Home Assistant "Cancel" button).
import assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import {
  Collector,
  MANAGEMENT_DOMAIN,
  caughtError,
  credentialsFor,
  getNode,
  helper,
  makeUserDir,
  NODE_MODULES,
  startNodeRed,
  startSim,
  stopNodeRed,
  upgradeChainFlow,
  type Msg,
} from "../support/nodes-harness";

interface StatusPayload {
  status: string;
  runId?: string;
  failureReason?: string;
}

const payloadOf = (msg: Msg): StatusPayload => msg.payload as StatusPayload;
const waiting = (msg: Msg): boolean => payloadOf(msg).status === "waiting_for_alert_acknowledgement";

/** Every warning a node gave, in order. */
function recordWarnings(nodeId: string): string[] {
  const seen: string[] = [];
  getNode(nodeId).on("call:warn", (call: unknown) => seen.push(String((call as { args: unknown[] }).args[0])));
  return seen;
}

describe("nodes: cancel messages", function () {
  let sim: RunningSimulator;
  let userDir: string;
  let done: Collector;
  let statuses: Collector;
  let caught: Collector;
  let ackOut: Collector;

  beforeEach(async () => {
    userDir = makeUserDir();
    await startNodeRed(userDir);
    sim = await startSim({ scenario: "precheck-warnings" });
    const flow = upgradeChainFlow(sim);
    const ack = flow.find((n) => n.id === "ack");
    if (ack) ack.wires = [["upgrade", "ackOut"]];
    flow.push({ id: "ackOut", type: "helper", z: "tab1", x: 1, y: 1, wires: [] });
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    done = new Collector("done");
    statuses = new Collector("statusOut");
    caught = new Collector("caught");
    ackOut = new Collector("ackOut");
  });
  afterEach(async () => {
    await stopNodeRed(userDir);
    await sim.stop();
  });

  async function startAndWait(): Promise<string> {
    const before = statuses.messages.length;
    getNode("download").receive({ payload: "start" });
    const at = await statuses.waitFor(
      (m) => statuses.messages.indexOf(m) >= before && waiting(m),
      "the wait for acknowledgement",
    );
    return payloadOf(at).runId ?? "";
  }

  it("a run waiting for acknowledgement is cancelled by a message; it fails with the reason and a new run can start", async () => {
    const warnings = recordWarnings("ack");
    const first = await startAndWait();
    getNode("ack").receive({ cancel: true, domain: MANAGEMENT_DOMAIN, reason: "change window closed" });

    const error = await caught.waitFor(() => true, "the cancelled phase's error");
    assert.match(caughtError(error), /^Error: cancelled by the user: change window closed\. Start a new run/);
    const failed = await statuses.waitFor((m) => payloadOf(m).status === "failed", "the failed status");
    assert.equal(payloadOf(failed).runId, first);
    assert.equal(payloadOf(failed).failureReason, "cancelled by the user: change window closed");
    assert.ok(
      warnings.some((w) => w.startsWith(`Cancelled the upgrade run ${first} of domain ${MANAGEMENT_DOMAIN}`)),
      warnings.join("\n"),
    );
    // Its report leaves the gate (the node the run waited at), not the cancel message.
    const report = await ackOut.waitFor((m) => m.report !== undefined, "the cancelled run's report");
    assert.equal((report.report as { outcome?: string }).outcome, "cancelled");
    assert.equal(ackOut.messages.length, 1, "the cancel message is not passed on");
    assert.equal(report.cancel, undefined);

    const second = await startAndWait();
    assert.notEqual(second, first);
    getNode("ack").receive({ payload: "acknowledge" });
    const runOf = (m: Msg): string => (m.vcf as { runId: string }).runId;
    await done.waitFor((m) => runOf(m) === second, "the second run's upgrade output");
    assert.deepEqual(
      done.messages.map((m) => [runOf(m), (m.report as { outcome?: string } | undefined)?.outcome]),
      [
        [first, "cancelled"],
        [second, "successfully_completed"],
      ],
      "the cancelled run's report passed on by the upgrade node, then the second run's output with its report",
    );
    assert.equal(caught.messages.length, 1);
  });

  it("without msg.domain the node's Domain is cancelled; a malformed msg.cancel is refused, naming it", async () => {
    const run = await startAndWait();
    getNode("download").receive({ cancel: "yes" });
    const refused = await caught.waitFor(() => true, "the refusal");
    assert.match(caughtError(refused), /msg\.cancel must be true/);
    getNode("download").receive({ cancel: true });
    const failed = await statuses.waitFor((m) => payloadOf(m).status === "failed", "the failed status");
    assert.equal(payloadOf(failed).runId, run);
    assert.match(payloadOf(failed).failureReason ?? "", /^cancelled by the user: cancel message to node download$/);
  });
});
