// vcf-upgrade's maintenance window in a real Node-RED: msg.window (or the node's own) makes the run wait for it,
// vcf-status shows the window and the wait, msg.window to the busy node changes the run's window (a bad one goes to
// Catch naming the field), and null lets the run go on.
import assert from "node:assert/strict";
import type { DomainStatusPayload } from "../../nodes/adapters/messages";
import type { RunningSimulator } from "../../nodes/sim/index";
import { requestsTo } from "../support/request-log";
import * as harness from "../support/nodes-harness";
import { Collector, MANAGEMENT_DOMAIN, type Msg, getNode } from "../support/nodes-harness";

const { caughtError, credentialsFor, helper, NODE_MODULES, nodeRedPerTest, upgradeChainFlow } = harness;

const DAY = 24 * 3600_000;

function payloadOf(msg: Msg): DomainStatusPayload {
  return msg.payload as DomainStatusPayload;
}

const waitingPayload = (m: Msg): boolean => payloadOf(m).window?.waiting === true;

describe("nodes: vcf-upgrade's maintenance window", function () {
  const perTest = nodeRedPerTest();
  let sim: RunningSimulator;

  async function deploy(upgrade: Record<string, unknown> = {}): Promise<{ statuses: Collector; done: Collector }> {
    sim = await perTest.startSim({ scenario: "happy" });
    const flow = upgradeChainFlow(sim, { ack: { ignoreAlerts: true } });
    Object.assign(flow.find((n) => n.id === "upgrade") ?? {}, upgrade);
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    return { statuses: new Collector("statusOut"), done: new Collector("done") };
  }

  it("msg.window makes the run wait; vcf-status shows it; msg.window to the busy node changes it, a bad one goes to Catch", async () => {
    const { statuses, done } = await deploy();
    const opens = new Date(Date.now() + DAY).toISOString();
    const closes = new Date(Date.now() + 2 * DAY).toISOString();
    getNode("download").receive({ domain: MANAGEMENT_DOMAIN, window: { start: opens, end: closes } });
    const waiting = payloadOf(await statuses.waitFor(waitingPayload, "the run waiting for its window"));
    assert.equal(waiting.status, "alerts_were_acknowledged");
    assert.match(
      waiting.step,
      /^Waiting for the maintenance window: opens .* \(in (1 d|23 h 5\d min)\); next: SDDC Manager/,
    );
    assert.equal(waiting.window?.next?.opensAt, new Date(Date.parse(opens)).toISOString());
    assert.equal(waiting.window?.waitingFor?.component, "SDDC Manager");
    assert.equal(waiting.window?.open, false);
    assert.equal(requestsTo(sim.requestLog(), "POST", "/v1/upgrades").length, 0);

    const caught = new Collector("caught");
    const bad = { days: ["Sat"], start: "22:00", hours: 8, timeZone: "Nowhere/Town" };
    getNode("upgrade").receive({ domain: MANAGEMENT_DOMAIN, window: bad });
    const error = caughtError(await caught.waitFor(() => true, "the refused window"));
    assert.match(error, /window\.timeZone/);
    assert.match(error, /IANA time zone, e\.g\. Europe\/Berlin/);

    getNode("upgrade").receive({ domain: MANAGEMENT_DOMAIN, window: null });
    const out = await done.waitFor(() => true, "the upgrade's output", 30_000);
    assert.equal((out.vcf as { status?: string }).status, "successfully_completed");
    const final = payloadOf(statuses.messages.at(-1) ?? {});
    assert.equal(final.window, undefined, "no window any more");
    assert.ok(done.messages.length === 1, "the output is sent once");
  });

  it("the node's own window (once, from the editor's fields) applies when the message has none", async () => {
    const opens = new Date(Date.now() + 3 * DAY).toISOString();
    const closes = new Date(Date.now() + 4 * DAY).toISOString();
    const { statuses } = await deploy({ windowMode: "once", windowOnceStart: opens, windowOnceEnd: closes });
    getNode("download").receive({ domain: MANAGEMENT_DOMAIN });
    const waiting = payloadOf(await statuses.waitFor(waitingPayload, "the run waiting for the node's window"));
    assert.equal(waiting.window?.next?.opensAt, new Date(Date.parse(opens)).toISOString());
    assert.equal(waiting.window?.scheduleInSddcManager, false);
    getNode("upgrade").receive({ cancel: true, domain: MANAGEMENT_DOMAIN, reason: "test over" });
    const failed = payloadOf(await statuses.waitFor((m) => payloadOf(m).status === "failed", "the cancelled run"));
    assert.equal(failed.window?.waiting, false, "a finished run waits for nothing");
  });
});
