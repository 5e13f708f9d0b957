// The Home Assistant example's own logic in a real Node-RED against the simulator. Home Assistant cannot run here,
// so only its nodes are stand-ins: entity and event nodes become helper nodes (the test sends what Home Assistant
// would, and reads what the sensors get), and each notification becomes a change node that evaluates the example's
// own JSONata. Every other node (VCF nodes, filters, switches, delays, Catch) runs as shipped.
import assert from "node:assert/strict";
import type { ScenarioName } from "../../nodes/sim/index";
import { readExample, type FlowNode } from "../support/editor-harness";
import {
  Collector,
  configNode,
  getNode,
  helper,
  MANAGEMENT_DOMAIN,
  NODE_MODULES,
  nodeRedPerTest,
  type Msg,
} from "../support/nodes-harness";

/* eslint-disable @typescript-eslint/no-require-imports -- Node-RED's core nodes are CommonJS modules */
const CORE_NODES = [
  require("@node-red/nodes/core/function/10-switch.js"),
  require("@node-red/nodes/core/function/15-change.js"),
  require("@node-red/nodes/core/function/89-delay.js"),
  require("@node-red/nodes/core/function/rbe.js"),
  require("@node-red/nodes/core/common/20-inject.js"),
  require("@node-red/nodes/core/common/90-comment.js"),
] as helper.NodeModule[];
/* eslint-enable @typescript-eslint/no-require-imports */

const HA_CONFIG_TYPES = new Set(["server", "ha-entity-config"]);
const HA_STAND_INS = new Set(["ha-sensor", "ha-button", "ha-switch", "server-events"]);

/** The example wired to the simulator's vcf-config, with Home Assistant's nodes replaced as described above. */
function exampleOnSimulator(sim: { url: string }): { flow: FlowNode[]; id: (type: string, name: string) => string } {
  const original = readExample("03 - Home Assistant");
  const id = (type: string, name: string): string => {
    const found = original.find((n) => n.type === type && n.name === name);
    assert.ok(found, `${type} "${name}" in the example`);
    return found.id;
  };
  const vcfConfig = original.find((n) => n.type === "vcf-config");
  assert.ok(vcfConfig);
  const flow: FlowNode[] = [];
  for (const node of original) {
    if (HA_CONFIG_TYPES.has(node.type)) continue;
    if (node.type === "vcf-config") flow.push({ ...configNode(sim), id: node.id });
    else if (HA_STAND_INS.has(node.type))
      flow.push({ id: node.id, type: "helper", z: node.z, name: node.name, wires: node.wires });
    else if (node.type === "api-call-service") {
      flow.push({ id: `${node.id}-sent`, type: "helper", z: node.z, wires: [] });
      flow.push({
        id: node.id,
        type: "change",
        z: node.z,
        name: node.name,
        rules: [{ t: "set", p: "payload", pt: "msg", to: node.data, tot: node.dataType }],
        wires: [[`${node.id}-sent`]],
      });
    } else if (node.type === "inject")
      flow.push({ ...node, once: false, repeat: "" }); // the test says when
    else if (node.name === "entities registered")
      flow.push({ ...node, timeout: "0.05" }); // a smaller time scale
    else flow.push(node);
  }
  return { flow, id };
}

const payloadOf = (msg: Msg): Record<string, unknown> => msg.payload as Record<string, unknown>;

describe("examples: 03 - Home Assistant runs against the simulator (Home Assistant's nodes stood in for)", function () {
  const perTest = nodeRedPerTest();

  async function deploy(scenario: ScenarioName = "happy"): Promise<{ id: (type: string, name: string) => string }> {
    const sim = await perTest.startSim({ scenario });
    const { flow, id } = exampleOnSimulator(sim);
    await helper.load([...NODE_MODULES, ...CORE_NODES], flow, { [id("vcf-config", "SDDC Manager")]: sim.credentials });
    return { id };
  }

  it("sends the unchanged Upgrade Status line and the updates again once Home Assistant is ready", async () => {
    const { id } = await deploy();
    const upgradeStatus = new Collector(id("ha-sensor", `VCF ${MANAGEMENT_DOMAIN} Upgrade Status`));
    const status = new Collector(id("ha-sensor", `VCF ${MANAGEMENT_DOMAIN} Status`));
    const first = await upgradeStatus.waitFor(() => true, "the status after deploy");
    assert.equal(status.items.length, 0, "no updates before the timer or Home Assistant");

    // What the events: all node sends when the Home Assistant client is ready.
    getNode(id("server-events", "Home Assistant client")).send({
      event_type: "home_assistant_client",
      topic: "home_assistant_client:ready",
      payload: "ready",
    });
    const updates = await status.waitFor(() => true, "the updates after ready");
    const again = await upgradeStatus.waitFor((m) => m !== first, "the status again after ready");
    assert.equal(payloadOf(again).statusText, payloadOf(first).statusText, "the same line passed the filter");
    assert.equal(payloadOf(updates).domainName, MANAGEMENT_DOMAIN);
  });

  it("checks the updates again when a run ends, and a refused press is notified without an Error: prefix", async () => {
    const { id } = await deploy("precheck-warnings"); // the run waits at the gate: a press then is refused
    const status = new Collector(id("ha-sensor", `VCF ${MANAGEMENT_DOMAIN} Status`));
    const upgradeStatus = new Collector(id("ha-sensor", `VCF ${MANAGEMENT_DOMAIN} Upgrade Status`));
    const done = new Collector(`${id("api-call-service", "Notify: upgrade done")}-sent`);
    const requestError = new Collector(`${id("api-call-service", "Notify: VCF node error")}-sent`);
    await upgradeStatus.waitFor(() => true, "the status after deploy");

    const upgrade = getNode(id("ha-button", `VCF ${MANAGEMENT_DOMAIN} Upgrade`));
    upgrade.send({ payload: "2026-01-01T00:00:00+00:00", topic: "button" });
    await upgradeStatus.waitFor(
      (m) => payloadOf(m).status === "waiting_for_alert_acknowledgement",
      "the run waiting for acknowledgement",
    );
    upgrade.send({ payload: "2026-01-01T00:00:01+00:00", topic: "button" }); // while the run is busy
    const refused = payloadOf(await requestError.waitFor(() => true, "the refused press's notification"));
    assert.match(String(refused.title), /^VCF lab-m01: Download bundles reported an error$/);
    assert.doesNotMatch(String(refused.message), /^\w*Error: /);
    assert.match(String(refused.message), /\S/);

    getNode(id("ha-button", `VCF ${MANAGEMENT_DOMAIN} Acknowledge Alerts`)).send({ payload: "pressed" });
    const notified = payloadOf(await done.waitFor(() => true, "the success notification", 15_000));
    assert.match(String(notified.title), /^VCF lab-m01 upgraded to \d/);
    const after = await status.waitFor(
      (m) => payloadOf(m).currentVersion !== "5.2.0.0",
      "the updates checked again after the run",
    );
    assert.equal(String(notified.title).endsWith(String(payloadOf(after).currentVersion)), true, "the new version");
  });
});
