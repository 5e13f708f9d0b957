// vcf-status's node status when it watches every domain: the domain that most needs attention, not the last one sent.
import assert from "node:assert/strict";
import { domainsBadge } from "../../nodes/adapters/status-badge";
import type { UpgradeStatus } from "../../nodes/engine";
import {
  Collector,
  MANAGEMENT_DOMAIN,
  VI_DOMAIN,
  callsOf,
  credentialsFor,
  getNode,
  helper,
  NODE_MODULES,
  nodeRedPerTest,
  upgradeChainFlow,
  type Msg,
} from "../support/nodes-harness";
import { useNodeRedCatalogs } from "../support/catalog";

const statusOf = (msg: Msg): string => (msg.payload as { status: string }).status;

function domain(
  domainName: string,
  status: UpgradeStatus,
): { domainName: string; status: UpgradeStatus; step: string; progress: number } {
  return { domainName, status, step: `step of ${domainName}`, progress: 10 };
}

describe("nodes: vcf-status badge over every domain", function () {
  before(() => useNodeRedCatalogs());

  const perTest = nodeRedPerTest();

  it("shows failed before waiting for acknowledgement before running before idle, with the number of domains", () => {
    const idle = domain("d-idle", "waiting_for_initiation");
    const done = domain("d-done", "successfully_completed");
    const running = domain("d-running", "running_prechecks");
    const waiting = domain("d-waiting", "waiting_for_alert_acknowledgement");
    const failed = domain("d-failed", "failed");
    const cases: Array<[Array<ReturnType<typeof domain>>, string]> = [
      [[idle, done, running, waiting, failed], "d-failed"],
      [[idle, running, waiting, done], "d-waiting"],
      [[done, idle, running], "d-running"],
      [[idle, done], "d-idle"],
    ];
    for (const [domains, expected] of cases) {
      const badge = domainsBadge(domains);
      assert.ok(badge.text?.startsWith(`${domains.length} domains; ${expected}: `), `${expected}: ${badge.text}`);
    }
    assert.ok(domainsBadge([running]).text?.startsWith("d-running: "));
    assert.equal(domainsBadge([failed, running]).fill, "red");
  });

  it("keeps showing the domain waiting for acknowledgement when another domain's state is sent", async () => {
    const sim = await perTest.startSim({ scenario: "precheck-warnings" });
    await helper.load(NODE_MODULES, upgradeChainFlow(sim, { statusDomain: "" }), credentialsFor(sim));
    const statuses = new Collector("statusOut");
    getNode("download").receive({ payload: "start" });
    await statuses.waitFor(
      (m) => m.topic === MANAGEMENT_DOMAIN && statusOf(m) === "waiting_for_alert_acknowledgement",
      "the wait",
    );
    const before = statuses.messages.length;
    getNode("status").receive({ domain: VI_DOMAIN });
    await statuses.waitFor(
      (m) => statuses.messages.indexOf(m) >= before && m.topic === VI_DOMAIN,
      "the other domain's state",
    );
    const [badge] = callsOf("status", "status").at(-1) ?? [];
    const { fill, text } = badge as { fill?: string; text?: string };
    assert.equal(fill, "yellow");
    assert.match(String(text), /^2 domains; lab-m01: /);
  });
});
