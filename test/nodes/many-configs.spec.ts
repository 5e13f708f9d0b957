// Many SDDC Manager connections, and many nodes on one, in one Node-RED: no listener piles up on a shared emitter
// (Node warns with MaxListenersExceededWarning above 10 listeners of one event).
import type { EventEmitter } from "node:events";
import assert from "node:assert/strict";
import {
  Collector,
  configNode,
  credentialsFor,
  flowNode,
  helper,
  helperNode,
  nodeRedPerTest,
  NODE_MODULES,
  TAB,
  type FlowNode,
} from "../support/nodes-harness";

const MANY = 12;

// Node-RED's event bus (RED.events), the same module instance the runtime uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeEvents = (require("@node-red/util") as { events: EventEmitter }).events;

describe("nodes: many vcf-config nodes, many nodes on one", function () {
  const setup = nodeRedPerTest();
  let warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning);
  };
  beforeEach(() => {
    warnings = [];
    process.on("warning", onWarning);
  });
  afterEach(() => {
    process.off("warning", onWarning);
  });

  /**
   * Deploys `flow`, waits until each of the `statusNodes` has sent the state after the deploy, then a tick for warnings;
   * after the flows stopped, no listener of theirs is left on Node-RED's event bus.
   */
  async function deployAndSettle(
    flow: FlowNode[],
    credentials: Record<string, Record<string, string>>,
    statusNodes: number,
  ): Promise<void> {
    const before = runtimeEvents.listenerCount("flows:started");
    await helper.load(NODE_MODULES, flow, credentials);
    const statuses = new Collector("statusOut");
    // The status nodes send once the flows have started: every flows:started listener has run by then.
    await statuses.waitFor(() => statuses.messages.length >= statusNodes, `${statusNodes} status messages`);
    await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on a later tick
    assert.deepEqual(
      warnings.filter((w) => w.name === "MaxListenersExceededWarning").map((w) => w.message),
      [],
    );
    await helper.unload();
    assert.equal(runtimeEvents.listenerCount("flows:started"), before);
  }

  it(`${MANY} config nodes, each with a status and a phase node`, async () => {
    const sim = await setup.startSim();
    const flow: FlowNode[] = [{ id: TAB, type: "tab", label: "VCF" }, helperNode("statusOut")];
    const credentials: Record<string, Record<string, string>> = {};
    for (let i = 1; i <= MANY; i++) {
      const id = `vcfc${i}`;
      flow.push({ ...configNode(sim), id, name: `sddc ${i}` });
      flow.push({ ...flowNode(`status${i}`, "vcf-status", { domain: "lab-m01" }, ["statusOut"]), server: id });
      flow.push({ ...flowNode(`download${i}`, "vcf-download-bundles", { domain: "lab-m01" }), server: id });
      credentials[id] = Object.values(credentialsFor(sim))[0] ?? {};
    }
    await deployAndSettle(flow, credentials, MANY);
  });

  it(`one config node with ${MANY} status nodes and ${MANY} phase nodes`, async () => {
    const sim = await setup.startSim();
    const flow: FlowNode[] = [{ id: TAB, type: "tab", label: "VCF" }, helperNode("statusOut"), configNode(sim)];
    for (let i = 1; i <= MANY; i++) {
      flow.push(flowNode(`status${i}`, "vcf-status", { domain: "lab-m01" }, ["statusOut"]));
      flow.push(flowNode(`download${i}`, "vcf-download-bundles", { domain: "lab-m01" }));
    }
    await deployAndSettle(flow, credentialsFor(sim), MANY);
  });
});
