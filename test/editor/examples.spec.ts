// The example files themselves: the shape Node-RED's Import > Examples and node-red-dev expect, no secrets, and the
// Home Assistant and dashboard nodes at their current versions (the browser tests import and run them).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EXAMPLE_NAMES, REPO_ROOT, readExample, type FlowNode } from "../support/editor-harness";
import { defined } from "../support/defined";

const PLACEHOLDER_URL = "https://sddc-manager.example.invalid";
/** Current `version` of the Home Assistant nodes (node-red-contrib-home-assistant-websocket 0.80). */
const HA_VERSIONS: Record<string, number> = {
  server: 6,
  "ha-entity-config": 6,
  "api-call-service": 7,
  "ha-sensor": 0,
  "ha-button": 0,
  "ha-switch": 0,
  "server-events": 3,
};
const DOMAIN = "lab-m01";

function byType(flows: FlowNode[], type: string): FlowNode[] {
  return flows.filter((n) => n.type === type);
}

function named(flows: FlowNode[], type: string, name: string): FlowNode {
  const node = flows.find((n) => n.type === type && n.name === name);
  assert.ok(node, `the example has no ${type} node named "${name}"`);
  return node;
}

/** The nodes that `output` (0-based) of `node` is wired to. */
function targets(flows: FlowNode[], node: FlowNode, output = 0): FlowNode[] {
  return (node.wires?.[output] ?? []).map((id) => {
    const found = flows.find((n) => n.id === id);
    assert.ok(found, `${node.type} ${node.id} is wired to a missing node ${id}`);
    return found;
  });
}

/** The nodes wired to `node`. */
function sources(flows: FlowNode[], node: FlowNode): FlowNode[] {
  return flows.filter((n) => n.wires?.some((out) => out.includes(node.id)));
}

/** The one node wired to `node`, of the given type. */
function onlySource(flows: FlowNode[], node: FlowNode, type: string): FlowNode {
  const found = sources(flows, node);
  assert.deepEqual(
    found.map((n) => n.type),
    [type],
    `what feeds ${node.type} "${String(node.name)}"`,
  );
  return defined(found[0], `what feeds ${node.type}`);
}

/** The `defaults` keys of a node's editor definition (nodes/<type>.html): each is `key: { ... }` in the block. */
function editorDefaultKeys(type: string): string[] {
  const html = fs.readFileSync(path.join(REPO_ROOT, "nodes", `${type}.html`), "utf8");
  const start = html.indexOf("defaults: {");
  assert.ok(start >= 0, `nodes/${type}.html has no defaults`);
  const keys: string[] = [];
  let depth = 0;
  for (let i = start + "defaults: ".length; i < html.length; i++) {
    if (html[i] === "{") {
      if (depth === 1) keys.push(/(\w+)\s*:\s*$/.exec(html.slice(start, i))?.[1] ?? `? at ${i}`);
      depth++;
    } else if (html[i] === "}" && --depth === 0) {
      break;
    }
  }
  return keys;
}

/** The message properties a control sets on its way to a VCF node, through change nodes: [vcf node, props]. */
function controlPath(
  flows: FlowNode[],
  start: FlowNode,
  props: Record<string, unknown> = {},
): [FlowNode, Record<string, unknown>] {
  const next = targets(flows, start);
  assert.equal(next.length, 1, `${start.type} "${String(start.name)}" feeds one node`);
  const node = defined(next[0], `what ${start.type} "${String(start.name)}" feeds`);
  if (node.type.startsWith("vcf-")) return [node, props];
  assert.equal(node.type, "change", `${node.type} "${String(node.name)}" on the way from "${String(start.name)}"`);
  const set: Record<string, unknown> = { ...props };
  for (const rule of node.rules as Array<{ t: string; p: string; pt: string; to: string; tot: string }>) {
    assert.deepEqual([rule.t, rule.pt], ["set", "msg"]);
    set[rule.p] = rule.tot === "bool" ? rule.to === "true" : rule.to;
  }
  return controlPath(flows, node, set);
}

/** A phase node that takes a cancel for the example's domain. */
const PHASE_TYPES = ["vcf-download-bundles", "vcf-prechecks", "vcf-await-ack", "vcf-upgrade"];
function assertCancels(target: FlowNode, props: Record<string, unknown>): void {
  assert.ok(PHASE_TYPES.includes(target.type), `a cancel goes to a phase node, not ${target.type}`);
  assert.equal(target.domain, DOMAIN, "the phase node names the domain whose run is cancelled");
  assert.equal(props.cancel, true, "msg.cancel = true");
  assert.match(String(props.reason), /\S/, "msg.reason says why");
}

describe("examples: the files under examples/", () => {
  it("use every flow node type of the package", () => {
    const used = new Set(EXAMPLE_NAMES.flatMap((name) => readExample(name).map((n) => n.type)));
    const flowTypes = [
      "vcf-download-bundles",
      "vcf-prechecks",
      "vcf-await-ack",
      "vcf-upgrade",
      "vcf-updates",
      "vcf-status",
      "vcf-plan",
      "vcf-fleet",
    ];
    assert.deepEqual(
      flowTypes.filter((type) => !used.has(type)),
      [],
    );
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
            assert.ok(
              node.x === undefined && node.y === undefined,
              `config node ${node.type} ${node.id} has no position`,
            );
          }
        }
        assert.equal(flows.find((n) => n.z !== undefined)?.type, "comment", "the flow starts with a comment");
      });

      it("carries no credentials and only the placeholder SDDC Manager", () => {
        assert.ok(
          flows.every((n) => n.credentials === undefined),
          "no credentials object",
        );
        const configs = byType(flows, "vcf-config");
        assert.equal(configs.length, 1, "one vcf-config node");
        assert.equal(configs[0]?.url, PLACEHOLDER_URL);
        for (const node of flows.filter((n) => n.type.startsWith("vcf-") && n.type !== "vcf-config")) {
          assert.equal(node.server, configs[0]?.id, `${node.type} ${node.id} uses the example's vcf-config`);
        }
        const text = JSON.stringify(flows);
        assert.doesNotMatch(text, /password"\s*:|access_token|"token"\s*:/i);
      });

      it("sets every setting of the vcf-config node (nodes/vcf-config.html)", () => {
        const keys = editorDefaultKeys("vcf-config");
        assert.ok(keys.includes("url") && keys.includes("completedPause"), `read the defaults: ${keys.join(", ")}`);
        const config = byType(flows, "vcf-config")[0] ?? {};
        assert.deepEqual(
          keys.filter((key) => !(key in config)),
          [],
        );
      });

      it("names the simulator's management domain where a domain is needed", () => {
        for (const type of ["vcf-download-bundles", "vcf-await-ack"]) {
          for (const node of byType(flows, type)) assert.equal(node.domain, DOMAIN, `${type} ${node.id}`);
        }
      });
    });
  }

  describe("the fleet in the examples", () => {
    for (const name of EXAMPLE_NAMES) {
      it(`${name}: the fleet node feeds the chain's download node, and a vcf-status in fleet view watches the estate`, () => {
        const flows = readExample(name);
        const fleet = defined(byType(flows, "vcf-fleet")[0], "a vcf-fleet node");
        const [starts, summary] = (fleet.wires as string[][]).map((ids) => flows.filter((n) => ids.includes(n.id)));
        assert.deepEqual(
          starts?.map((n) => n.type),
          ["vcf-download-bundles"],
        );
        assert.equal(summary?.length, 1, "the summary goes somewhere");
        assert.equal(byType(flows, "vcf-status").filter((n) => n.mode === "fleet").length, 1, "one fleet view");
      });
    }

    it("03: the fleet sensor's state is the one-line state, its attributes the counts and the capped table", () => {
      const flows = readExample("03 - Home Assistant");
      const sensor = named(flows, "ha-sensor", "VCF Fleet");
      assert.deepEqual([sensor.state, sensor.stateType], ["payload.fleet.state", "msg"]);
      assert.deepEqual(
        (sensor.attributes as Array<{ property: string; value: string }>).map((a) => [a.property, a.value]),
        [
          ["counts", "payload.fleet.counts"],
          ["markdown", "payload.fleet.markdown"],
        ],
      );
      const view = byType(flows, "vcf-status").find((n) => n.mode === "fleet");
      assert.ok(Number(view?.markdownMaxBytes) <= 12 * 1024, "attributes stay under 16 KiB");
    });
  });

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
      const entities = (type: string): string[] =>
        byType(flows, type)
          .map((n) => String(entityConfig(n.entityConfig).name))
          .sort();
      assert.deepEqual(entities("ha-button"), [
        "VCF Fleet Upgrade",
        `VCF ${DOMAIN} Acknowledge Alerts`,
        `VCF ${DOMAIN} Plan`,
        `VCF ${DOMAIN} Upgrade`,
      ]);
      assert.deepEqual(entities("ha-switch"), [`VCF ${DOMAIN} Ignore Alerts`]);
      assert.deepEqual(entities("ha-sensor"), [
        "VCF Fleet",
        `VCF ${DOMAIN} Components To Update`,
        `VCF ${DOMAIN} Status`,
        `VCF ${DOMAIN} Update Logs`,
        `VCF ${DOMAIN} Upgrade Status`,
      ]);
      for (const sensor of byType(flows, "ha-sensor"))
        assert.equal(entityConfig(sensor.entityConfig).resend, true, `${sensor.name} resends`);
    });

    it("offers the plan as a button whose result is a persistent notification of the plan's capped markdown", () => {
      const button = byType(flows, "ha-button").find((n) => entityConfig(n.entityConfig).name === `VCF ${DOMAIN} Plan`);
      assert.ok(button);
      const [plan] = targets(flows, button);
      assert.equal(plan?.type, "vcf-plan");
      assert.equal(plan?.domain, DOMAIN);
      assert.ok(Number(plan?.markdownMaxBytes) <= 12 * 1024, "a notification of at most 12 KiB");
      const [notify] = plan ? targets(flows, plan) : [];
      assert.equal(notify?.type, "api-call-service");
      assert.equal(notify?.action, "persistent_notification.create");
      assert.match(String(notify?.data), /"message": markdown\}/);
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
      for (const status of byType(flows, "vcf-status")) {
        assert.ok(
          Number(status.markdownMaxBytes) <= 12 * 1024,
          "the markdown cap leaves room for JSON escaping below 16 KiB",
        );
      }
    });

    const notifications = byType(flows, "api-call-service");
    const notificationId = (node: FlowNode): string | undefined =>
      /"notification_id":\s*"([^"]+)"/.exec(String(node.data))?.[1];

    it("notifies a run's outcome from vcf-status, once per status change, failure and success under one id", () => {
      const outcome = byType(flows, "switch").find((n) => n.property === "payload.status");
      assert.ok(outcome, "a switch on msg.payload.status");
      const rules = (outcome.rules as Array<{ t: string; v: string }>).map((r) => `${r.t} ${r.v}`);
      assert.deepEqual(rules, ["eq failed", "eq successfully_completed"]);
      const [failed, completed] = [0, 1].map((output) => {
        const fed = targets(flows, outcome, output);
        assert.deepEqual(
          fed.map((n) => n.type).sort(),
          ["api-call-service", "vcf-updates"],
          `output ${output + 1} feeds one notification and checks the updates again (the versions changed)`,
        );
        const notification = fed.find((n) => n.type === "api-call-service");
        assert.equal(notification?.action, "persistent_notification.create");
        return notification;
      });
      assert.match(String(failed?.data), /upgrade failed/);
      assert.match(
        String(failed?.data),
        /payload\.markdown/,
        "the failure notification carries the reason and remediation (the run's markdown)",
      );
      assert.ok(
        failed && completed && notificationId(failed) && notificationId(failed) === notificationId(completed),
        "one notification id for the outcome",
      );
      const changes = onlySource(flows, outcome, "rbe");
      assert.deepEqual(
        [changes.property, changes.septopics],
        ["payload.status", true],
        "once per status of each domain",
      );
      assert.equal(
        changes.func,
        "rbei",
        "the state sent after a deploy or restart does not announce an old outcome again",
      );
      onlySource(flows, changes, "vcf-status");
    });

    it("notifies each acknowledgement reminder and each stall from vcf-status, under their own ids", () => {
      for (const [property, once, id] of [
        ["payload.ackReminders", "payload.ackReminders", "vcf_lab_m01_acknowledge"],
        ["payload.stalled", "payload.stalledSince", "vcf_lab_m01_stall"],
      ] as const) {
        const filter = byType(flows, "switch").find((n) => n.property === property);
        assert.ok(filter, `a switch on ${property}`);
        onlySource(flows, filter, "vcf-status");
        const [each] = targets(flows, filter);
        assert.deepEqual([each?.type, each?.property, each?.septopics], ["rbe", once, true], `once per ${once}`);
        const [notify] = each ? targets(flows, each) : [];
        assert.equal(notify?.action, "persistent_notification.create");
        assert.equal(notify && notificationId(notify), id);
      }
    });

    it("checks the updates every 30 minutes, when a run ends and when Home Assistant is ready; they feed both update sensors", () => {
      const updates = byType(flows, "vcf-updates")[0];
      assert.ok(updates);
      assert.deepEqual(
        targets(flows, updates)
          .map((n) => n.name)
          .sort(),
        [`VCF ${DOMAIN} Components To Update`, `VCF ${DOMAIN} Status`],
      );
      assert.deepEqual(
        sources(flows, updates)
          .map((n) => `${n.type} ${String(n.name)}`)
          .sort(),
        ["delay entities registered", "inject every 30 min", "switch failed or completed"],
      );
    });

    it("sends every sensor again once Home Assistant is ready, the Upgrade Status line even when unchanged", () => {
      const client = byType(flows, "server-events")[0];
      assert.ok(client, "an events: all node");
      assert.deepEqual([client.eventType, client.server], ["home_assistant_client", byType(flows, "server")[0]?.id]);
      const ready = defined(targets(flows, client)[0], "what the events: all node feeds");
      assert.deepEqual(
        [ready?.type, ready?.property, ready?.rules],
        ["switch", "payload", [{ t: "eq", v: "ready", vt: "str" }]],
        "only the client's ready event (connected, states and services loaded, Home Assistant running)",
      );
      const registered = defined(targets(flows, ready)[0], "what the ready switch feeds");
      assert.equal(registered?.type, "delay");
      // The entity nodes register on the same event: a state sent at once could reach Home Assistant first.
      assert.deepEqual([registered?.pauseType, registered?.timeoutUnits], ["delay", "seconds"]);
      assert.ok(Number(registered?.timeout) >= 1 && Number(registered?.timeout) <= 10, "within seconds");
      const fed = targets(flows, registered);
      assert.deepEqual(
        fed.map((n) => n.type),
        ["change", "vcf-status", "vcf-updates", "vcf-status"],
        "the filter is reset before the status arrives; the fleet view comes last",
      );
      assert.equal(fed[3]?.mode, "fleet", "the fleet sensor is sent again too");
      const forget = defined(fed[0], "the reset");
      const status = defined(fed[1], "vcf-status");
      assert.deepEqual(forget?.rules, [
        { t: "set", p: "reset", pt: "msg", to: "true", tot: "bool" },
        { t: "delete", p: "topic", pt: "msg" },
      ]);
      const lineChanges = onlySource(flows, named(flows, "ha-sensor", `VCF ${DOMAIN} Upgrade Status`), "rbe");
      assert.deepEqual(targets(flows, forget), [lineChanges], "a reset without topic forgets every line");
      assert.ok(targets(flows, status).includes(lineChanges), "the status goes through the reset filter");
      assert.ok(
        sources(flows, named(flows, "ha-sensor", `VCF ${DOMAIN} Update Logs`)).every((n) =>
          sources(flows, n).includes(status),
        ),
        "the log sensor is fed by the same vcf-status",
      );
    });

    it("sends what Catch gets to a notification of its own, never to the outcome's", () => {
      const catchNode = byType(flows, "catch")[0];
      assert.ok(catchNode);
      const fed = targets(flows, catchNode);
      assert.deepEqual(
        fed.map((n) => n.type),
        ["api-call-service"],
      );
      const outcomeIds = notifications.filter((n) => !fed.includes(n)).map(notificationId);
      assert.ok(
        fed[0] && notificationId(fed[0]) && !outcomeIds.includes(notificationId(fed[0])),
        "its own notification id",
      );
      assert.doesNotMatch(String(fed[0]?.data), /failed/, "a refused request is not reported as a failed upgrade");
      assert.match(
        String(fed[0]?.data),
        /"message": \$replace\(error\.message, /,
        "the message without its Error: prefix",
      );
      const upgrade = byType(flows, "vcf-upgrade")[0];
      assert.ok(upgrade);
      assert.deepEqual(targets(flows, upgrade), [], "the outcome comes from vcf-status only, not from the chain");
    });

    it("writes the Upgrade Status sensor when its line changes and the Update Logs sensor at most every 5 s, keeping the newest", () => {
      const statusSensor = named(flows, "ha-sensor", `VCF ${DOMAIN} Upgrade Status`);
      const lineChanges = onlySource(flows, statusSensor, "rbe");
      assert.deepEqual(
        [lineChanges.func, lineChanges.property],
        ["rbe", "payload.statusText"],
        "status, step and progress",
      );
      assert.deepEqual(
        sources(flows, lineChanges)
          .map((n) => n.type)
          .sort(),
        ["change", "vcf-status"],
        "vcf-status, and the reset when Home Assistant is ready",
      );

      const logSensor = named(flows, "ha-sensor", `VCF ${DOMAIN} Update Logs`);
      const limit = onlySource(flows, logSensor, "delay");
      // "timed": Rate Limit for each msg.topic, send all topics: the newest message of each topic, once per interval.
      assert.equal(limit.pauseType, "timed");
      const intervalMs = (1000 * Number(limit.nbRateUnits)) / Number(limit.rate);
      assert.deepEqual([limit.rateUnits, intervalMs], ["second", 5000]);
      onlySource(flows, limit, "vcf-status");
    });

    it("sends the Ignore Alerts switch's changes to Acknowledgement, on and off on their own outputs, and nothing else", () => {
      const sw = byType(flows, "ha-switch")[0];
      assert.ok(sw);
      assert.deepEqual(
        [sw.enableInput, sw.inputs, sw.outputs, sw.outputOnStateChange],
        [false, 0, 2, true],
        "a plain switch without input",
      );
      // A new switch is on: re-sending its state after a deploy would let warnings pass without asking.
      assert.deepEqual(sources(flows, sw), [], "nothing makes the switch send its state");
      for (const [output, value] of [
        [0, true],
        [1, false],
      ] as const) {
        const [target, props] = controlPath(flows, { ...sw, wires: [sw.wires?.[output] ?? []] });
        assert.equal(target.type, "vcf-await-ack");
        assert.equal(target.ignoreAlerts, false, "the gate asks until the switch is first toggled");
        assert.deepEqual(props, { ignoreAlerts: value }, `output ${output + 1}`);
      }
      assert.deepEqual(
        byType(flows, "inject").map((n) => n.name),
        ["every 30 min"],
        "no inject besides the updates timer",
      );
    });
  });

  describe("01 - Upgrade a domain: status once per change, and Cancel", () => {
    const flows = readExample("01 - Upgrade a domain");

    it("filters the Status debug to status changes; the Markdown log debug takes every message", () => {
      const debug = named(flows, "debug", "Status");
      const filter = onlySource(flows, debug, "rbe");
      assert.deepEqual(
        [filter.func, filter.property, filter.topi, filter.septopics],
        ["rbe", "payload.status", "topic", true],
      );
      const status = onlySource(flows, filter, "vcf-status");
      assert.equal(onlySource(flows, named(flows, "debug", "Markdown log"), "vcf-status"), status);
    });

    it("has a Cancel run inject for the domain's run", () => {
      const inject = named(flows, "inject", "Cancel run");
      const props = Object.fromEntries(
        (inject.props as Array<{ p: string; v: string; vt: string }>).map((p) => [
          p.p,
          p.vt === "bool" ? p.v === "true" : p.v,
        ]),
      );
      const [target] = controlPath(flows, inject);
      assertCancels(target, props);
    });
  });

  describe("02 - Dashboard: Cancel", () => {
    const flows = readExample("02 - Dashboard");

    it("has a Cancel run button for the domain's run", () => {
      const [target, props] = controlPath(flows, named(flows, "ui-button", "Cancel run"));
      assertCancels(target, props);
    });
  });
});
