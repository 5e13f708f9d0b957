// msg.cancel and the remote work of the run: every phase node's "msg.cancel also cancels ... in SDDC Manager" checkbox
// (on by default) decides, for the message that node receives, whether SDDC Manager is asked to stop it too.
import assert from "node:assert/strict";
import type { FaultPatch, RunningSimulator } from "../../nodes/sim/index";
import {
  Collector,
  MANAGEMENT_DOMAIN,
  NodeCalls,
  credentialsFor,
  getNode,
  helper,
  NODE_MODULES,
  nodeRedPerTest,
  upgradeChainFlow,
  type Msg,
} from "../support/nodes-harness";
import { requestsTo } from "../support/request-log";

interface StatusPayload {
  status: string;
  failureReason?: string;
  log: { text: string }[];
}

const payloadOf = (msg: Msg): StatusPayload => msg.payload as StatusPayload;
const CANCEL_NOW = JSON.stringify({ bundleDownloadSpec: { cancelNow: true } });

describe("nodes: cancelling in SDDC Manager too, or in Node-RED only", function () {
  const perTest = nodeRedPerTest();
  let sim: RunningSimulator;
  let statuses: Collector;

  /** The upgrade chain; `off` lists the nodes whose cancelInSddcManager is off. */
  async function deploy(faults: FaultPatch, off: string[] = []): Promise<void> {
    sim = await perTest.startSim({ faults });
    const flow = upgradeChainFlow(sim);
    for (const node of flow) if (off.includes(node.id)) node.cancelInSddcManager = false;
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    statuses = new Collector("statusOut");
  }

  /** Starts a run and resolves once vcf-status shows a log entry matching `started`. */
  async function startUntil(started: RegExp): Promise<void> {
    getNode("download").receive({ payload: "start" });
    await statuses.waitFor((m) => (payloadOf(m).log ?? []).some((e) => started.test(e.text)), String(started), 20_000);
  }

  /** Sends msg.cancel to `nodeId`; resolves with the node's warning about it once the run has failed. */
  async function cancelAt(nodeId: string): Promise<string> {
    const warnings = new NodeCalls(nodeId, "warn");
    getNode(nodeId).receive({ cancel: true, domain: MANAGEMENT_DOMAIN, reason: "not tonight" });
    await statuses.waitFor((m) => payloadOf(m).status === "failed", "the cancelled run");
    const [warning] = await warnings.waitFor(
      (args) => String(args[0]).startsWith("Cancelled the upgrade run"),
      "the warning",
    );
    return String(warning);
  }

  it("running downloads, cancel sent to the download node (on by default): each is cancelled with cancelNow", async () => {
    await deploy({ downloadNeverFinishes: true });
    await startUntil(/^Requested download of bundle/);
    const warning = await cancelAt("download");
    const cancels = requestsTo(sim.requestLog(), "PATCH", /^\/v1\/bundles\//).filter(
      (e) => JSON.stringify(e.requestBody) === CANCEL_NOW,
    );
    assert.ok(cancels.length > 0, "cancelNow sent");
    assert.match(warning, /Cancelled in SDDC Manager too: download of bundle .* cancelled in SDDC Manager/);
  });

  it("running downloads, cancel sent to a download node with the option off: they go on in SDDC Manager, the warning says so", async () => {
    await deploy({ downloadNeverFinishes: true }, ["download"]);
    await startUntil(/^Requested download of bundle/);
    const warning = await cancelAt("download");
    const cancels = requestsTo(sim.requestLog(), "PATCH", /^\/v1\/bundles\//).filter(
      (e) => JSON.stringify(e.requestBody) === CANCEL_NOW,
    );
    assert.deepEqual(cancels, []);
    assert.match(warning, /Cancelled here only: remote work already started continues in SDDC Manager \(.*download/);
  });

  it("a running upgrade, cancel sent to the upgrade node (on by default): marked for cancellation", async () => {
    // NSX's stages last 10^8 simulated seconds each: the cancel arrives while its first one runs
    await deploy({ durations: { nsxUpgradeSeconds: 1e9 } });
    await startUntil(/^Started the upgrade of .*NSX/);
    const warning = await cancelAt("upgrade");
    const patches = requestsTo(sim.requestLog(), "PATCH", /^\/v1\/upgrades\//);
    assert.deepEqual(
      patches.map((e) => e.requestBody),
      [{ markForCancellation: true }],
    );
    assert.match(warning, /Cancelled in SDDC Manager too: upgrade \S+ of NSX_T_MANAGER marked for cancellation/);
  });

  it("a running upgrade, cancel sent to a prechecks node with the option off: that node's choice counts, Node-RED only", async () => {
    await deploy({ durations: { nsxUpgradeSeconds: 1e9 } }, ["prechecks"]);
    await startUntil(/^Started the upgrade of .*NSX/);
    const warning = await cancelAt("prechecks");
    assert.deepEqual(requestsTo(sim.requestLog(), "PATCH", /^\/v1\/upgrades\//), []);
    assert.match(
      warning,
      /Cancelled here only: remote work already started continues in SDDC Manager \(.*NSX_T_MANAGER/,
    );
  });
});
