// vcf-upgrade's downtime options through the real runtime: msg.upgradeOptions over the editor's choices reaches the
// POST /v1/upgrades bodies and is said in the log, the output and vcf-status; a bad value is refused naming the field.
import assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import type { UpgradeSpec } from "../../nodes/vcf/types";
import {
  Collector,
  caughtError,
  credentialsFor,
  getNode,
  helper,
  NODE_MODULES,
  nodeRedPerTest,
  upgradeChainFlow,
  type Msg,
} from "../support/nodes-harness";
import { postBodies } from "../support/request-log";

interface StatusPayload {
  status: string;
  outcome?: string;
  markdown: string;
  upgradeOptions?: unknown;
  log: { text: string }[];
}

const payloadOf = (msg: Msg): StatusPayload => msg.payload as StatusPayload;

/** What the editor of the upgrade node chose: quick boot on, NSX host and edge clusters in parallel, vCenter in place. */
const EDITOR_CHOICES = {
  esxQuickBoot: "on",
  nsxHostClusters: "parallel",
  nsxEdgeClusters: "parallel",
  vcenterMechanism: "InPlace",
};

describe("nodes: upgrade options", function () {
  const perTest = nodeRedPerTest();
  let sim: RunningSimulator;

  /** The upgrade chain with the editor's choices on the upgrade node. */
  async function deploy(): Promise<{ done: Collector; statuses: Collector; caught: Collector }> {
    sim = await perTest.startSim();
    const flow = upgradeChainFlow(sim);
    Object.assign(flow.find((n) => n.id === "upgrade") ?? {}, EDITOR_CHOICES);
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    return { done: new Collector("done"), statuses: new Collector("statusOut"), caught: new Collector("caught") };
  }

  it("msg.upgradeOptions overrides the editor's choices option by option; the bodies, the log, the output and vcf-status say what was used", async () => {
    const { done, statuses, caught } = await deploy();
    getNode("download").receive({
      payload: "start",
      upgradeOptions: {
        nsx: { hostClusters: "sequential" },
        vcenter: { mechanism: "ReducedDowntimeMigration", temporaryNetwork: { mode: "AUTOMATIC" } },
      },
    });
    const out = await done.waitFor(() => true, "the upgrade node's output", 20_000);
    assert.equal(caught.messages.length, 0);

    const [, nsx, vcenter, esx] = postBodies(sim.requestLog(), "/v1/upgrades") as UpgradeSpec[];
    assert.deepEqual(nsx?.nsxtUpgradeUserInputSpecs?.[0]?.nsxtUpgradeOptions, {
      isEdgeOnlyUpgrade: false,
      isHostClustersUpgradeParallel: false, // the message's
      isEdgeClustersUpgradeParallel: true, // the editor's, kept
    });
    const input = vcenter?.vcenterUpgradeUserInputSpecs?.[0];
    assert.equal(input?.upgradeMechanism, "ReducedDowntimeMigration", "the message's over the editor's in place");
    assert.deepEqual(input?.temporaryNetwork, { networkMode: "AUTOMATIC" });
    assert.equal(esx?.resourceUpgradeSpecs?.[0]?.esxUpgradeOptionsSpec?.enableQuickboot, true, "the editor's");

    const used = {
      esx: { quickBoot: true },
      nsx: { hostClusters: "sequential", edgeClusters: "parallel" },
      vcenter: {
        mechanism: "ReducedDowntimeMigration",
        temporaryNetwork: { mode: "AUTOMATIC" },
      },
    };
    const said =
      "ESXi: quick boot on; NSX: host clusters one by one, edge clusters in parallel; " +
      "vCenter: reduced-downtime migration, temporary network automatic, switchover as soon as ready";
    assert.deepEqual((out.vcf as { summary: { options: unknown } }).summary.options, used);
    assert.ok(String(out.payload).endsWith(`; upgrade options: ${said})`), String(out.payload));

    const last = await statuses.waitFor(
      (m) => payloadOf(m).outcome === "successfully_completed",
      "vcf-status after the upgrade",
    );
    assert.deepEqual(payloadOf(last).upgradeOptions, used);
    assert.ok(payloadOf(last).markdown.includes("**Upgrade options:** ESXi: quick boot on; NSX:"), "markdown header");
    assert.ok(
      payloadOf(last).log.some((e) => e.text === `Upgrade options: ${said}`),
      "the log line of the options used",
    );
  });

  it("a bad value in msg.upgradeOptions: red status, the Catch node gets the field and the values allowed, nothing is upgraded", async () => {
    const { done, caught } = await deploy();
    const badges: { fill?: string; text?: string }[] = [];
    getNode("upgrade").on("call:status", (call: unknown) =>
      badges.push((call as { args: { fill?: string }[] }).args[0] ?? {}),
    );
    getNode("download").receive({
      payload: "start",
      upgradeOptions: { esx: { maintenanceModeFailure: { action: "RETRY", retryCount: 101, retryDelay: 600 } } },
    });
    const error = caughtError(await caught.waitFor(() => true, "the refusal", 20_000));
    assert.match(
      error,
      /upgradeOptions\.esx\.maintenanceModeFailure\.retryCount is 101; allowed: a whole number from 3 to 100/,
    );
    assert.equal(badges.at(-1)?.fill, "red", JSON.stringify(badges));
    assert.match(badges.at(-1)?.text ?? "", /^Upgrade option upgradeOptions\.esx/);
    assert.deepEqual(postBodies(sim.requestLog(), "/v1/upgrades"), []);
    assert.equal(done.messages.length, 0);
  });
});
