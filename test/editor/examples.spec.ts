// The example files themselves: the shape Node-RED's Import > Examples and node-red-dev expect, no secrets, and the
// Home Assistant and dashboard nodes at their current versions (the browser tests import and run them).
import assert from "node:assert/strict";
import { EXAMPLE_NAMES, readExample, type FlowNode } from "../support/editor-harness";

const PLACEHOLDER_URL = "https://sddc-manager.example.invalid";
/** Current `version` of the Home Assistant nodes (node-red-contrib-home-assistant-websocket 0.80). */
const HA_VERSIONS: Record<string, number> = {
  server: 6, "ha-entity-config": 6, "api-call-service": 7, "ha-sensor": 0, "ha-button": 0, "ha-switch": 0,
};
const DOMAIN = "lab-m01";

function byType(flows: FlowNode[], type: string): FlowNode[] {
  return flows.filter((n) => n.type === type);
}

describe("examples: the files under examples/", () => {
  it("use every flow node type of the package", () => {
    const used = new Set(EXAMPLE_NAMES.flatMap((name) => readExample(name).map((n) => n.type)));
    const flowTypes = ["vcf-download-bundles", "vcf-prechecks", "vcf-await-ack", "vcf-upgrade", "vcf-updates", "vcf-status"];
    assert.deepEqual(flowTypes.filter((type) => !used.has(type)), []);
  });

  for (const name of EXAMPLE_NAMES) {
    describe(name, () => {
      const flows = readExample(name);

      it("is one tab whose flow nodes have x, y and z, and config nodes without a position", () => {
        const tabs = byType(flows, "tab");
        assert.equal(tabs.length, 1, "one tab");
        const tabId = tabs[0]?.id;
        assert.equal(new Set(flows.map((n) => n.id)).size, flows.length, "unique ids");
        for (const node of flows) {
          if (node.type === "tab") continue;
          if (node.z !== undefined) {
            assert.equal(node.z, tabId, `${node.type} ${node.id} is on the example's tab`);
            assert.ok(Number.isFinite(node.x) && Number.isFinite(node.y), `${node.type} ${node.id} has x and y`);
            assert.ok(Array.isArray(node.wires), `${node.type} ${node.id} has wires`);
          } else {
            assert.ok(node.x === undefined && node.y === undefined, `config node ${node.type} ${node.id} has no position`);
          }
        }
        assert.equal(flows.find((n) => n.z !== undefined)?.type, "comment", "the flow starts with a comment");
      });

      it("carries no credentials and only the placeholder SDDC Manager", () => {
        assert.ok(flows.every((n) => n.credentials === undefined), "no credentials object");
        const configs = byType(flows, "vcf-config");
        assert.equal(configs.length, 1, "one vcf-config node");
        assert.equal(configs[0]?.url, PLACEHOLDER_URL);
        for (const node of flows.filter((n) => n.type.startsWith("vcf-") && n.type !== "vcf-config")) {
          assert.equal(node.server, configs[0]?.id, `${node.type} ${node.id} uses the example's vcf-config`);
        }
        const text = JSON.stringify(flows);
        assert.doesNotMatch(text, /password"\s*:|access_token|"token"\s*:/i);
      });

      it("names the simulator's management domain where a domain is needed", () => {
        for (const type of ["vcf-download-bundles", "vcf-await-ack"]) {
          for (const node of byType(flows, type)) assert.equal(node.domain, DOMAIN, `${type} ${node.id}`);
        }
      });
    });
  }

  describe("03 - Home Assistant: entities and notifications", () => {
    const flows = readExample("03 - Home Assistant");
    const entityConfig = (id: unknown): FlowNode => {
      const found = flows.find((n) => n.id === id && n.type === "ha-entity-config");
      assert.ok(found, `entity config ${String(id)} exists`);
      return found;
    };

    it("uses the current node versions and one server node without credentials", () => {
      for (const node of flows.filter((n) => n.type in HA_VERSIONS)) {
        assert.equal(node.version, HA_VERSIONS[node.type], `${node.type} ${node.id} version`);
      }
      assert.equal(byType(flows, "server").length, 1);
    });

    it("defines the entities of the brief; sensors resend on reconnect", () => {
      const entities = (type: string): string[] => byType(flows, type).map((n) => String(entityConfig(n.entityConfig).name)).sort();
      assert.deepEqual(entities("ha-button"), [`VCF ${DOMAIN} Acknowledge Alerts`, `VCF ${DOMAIN} Upgrade`]);
      assert.deepEqual(entities("ha-switch"), [`VCF ${DOMAIN} Ignore Alerts`]);
      assert.deepEqual(entities("ha-sensor"), [
        `VCF ${DOMAIN} Components To Update`, `VCF ${DOMAIN} Status`, `VCF ${DOMAIN} Update Logs`, `VCF ${DOMAIN} Upgrade Status`,
      ]);
      for (const sensor of byType(flows, "ha-sensor")) assert.equal(entityConfig(sensor.entityConfig).resend, true, `${sensor.name} resends`);
    });

    it("keeps the Upgrade Status state short and the log in an attribute under Home Assistant's 16 KiB cap", () => {
      const sensor = (name: string): FlowNode => {
        const found = byType(flows, "ha-sensor").find((n) => n.name === `VCF ${DOMAIN} ${name}`);
        assert.ok(found, name);
        return found;
      };
      assert.deepEqual([sensor("Upgrade Status").state, sensor("Upgrade Status").stateType], ["payload.status", "msg"]);
      const attributes = sensor("Update Logs").attributes as Array<{ property: string; value: string }>;
      assert.ok(attributes.some((a) => a.property === "markdown" && a.value === "payload.markdown"));
      const status = byType(flows, "vcf-status")[0];
      assert.ok(Number(status?.markdownMaxBytes) <= 12 * 1024, "the markdown cap leaves room for JSON escaping below 16 KiB");
    });

    it("sends persistent notifications with one fixed id on success and, through a Catch node, on failure", () => {
      const notifications = byType(flows, "api-call-service");
      assert.equal(notifications.length, 2);
      const ids = notifications.map((n) => {
        assert.equal(n.action, "persistent_notification.create");
        return /"notification_id":\s*"([^"]+)"/.exec(String(n.data))?.[1];
      });
      assert.ok(ids[0] && ids[0] === ids[1], "one fixed notification_id");
      const catchNode = byType(flows, "catch")[0];
      assert.ok(catchNode?.wires?.[0]?.some((id) => notifications.some((n) => n.id === id)), "the Catch node feeds a notification");
      const upgrade = byType(flows, "vcf-upgrade")[0];
      assert.ok(upgrade?.wires?.[0]?.some((id) => notifications.some((n) => n.id === id)), "the upgrade's result feeds a notification");
    });
  });
});
