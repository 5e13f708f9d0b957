// Remote failures and deadlines: the run fails, the owning node turns red, a Catch node gets the reason,
// and vcf-status reports "failed" with it.
import assert from "node:assert/strict";
import type { RunReport } from "../../nodes/engine";
import type { SimulatorOptions } from "../../nodes/sim/index";
import {
  Collector,
  caughtError,
  credentialsFor,
  getNode,
  helper,
  NODE_MODULES,
  nodeRedPerTest,
  upgradeChainFlow,
} from "../support/nodes-harness";

interface Case {
  title: string;
  sim: SimulatorOptions;
  /** vcf-config overrides (minutes / seconds as in the editor). */
  config?: Record<string, unknown>;
  node: string;
  error: RegExp;
}

const CASES: Case[] = [
  {
    title: "a bundle download fails",
    sim: { scenario: "download-failure" },
    node: "download",
    error: /Bundle .*NSX.* failed to download after 3 attempt\(s\): .*checksum/,
  },
  {
    title: "a component upgrade fails",
    sim: { scenario: "upgrade-failure" },
    node: "upgrade",
    error: /The upgrade of NSX .* failed: .*maintenance mode/,
  },
  {
    title: "the prechecks outlast their deadline",
    sim: { faults: { precheckNeverFinishes: true } },
    config: { precheckDeadline: 0.001 },
    node: "prechecks",
    error: /Precheck run .* did not finish before its deadline/,
  },
  {
    title: "a component outlasts its deadline",
    sim: { faults: { upgradeNeverFinishes: true } },
    config: { componentDeadline: 0.001 },
    node: "upgrade",
    error: /The upgrade of SDDC Manager .* did not finish before its deadline/,
  },
  {
    title: "SDDC Manager stays away longer than the outage budget",
    sim: { scenario: "long-sddc-outage", faults: { outageSeconds: 10 ** 7 } },
    config: { sddcOutageBudget: 0.0001 },
    node: "upgrade",
    error: /SDDC Manager's API stayed unavailable/,
  },
];

describe("nodes: failures and deadlines", function () {
  const perTest = nodeRedPerTest();

  for (const c of CASES) {
    it(`${c.title}: the ${c.node} node fails the run and says why`, async () => {
      const sim = await perTest.startSim(c.sim);
      await helper.load(NODE_MODULES, upgradeChainFlow(sim, { config: c.config }), credentialsFor(sim));
      const caught = new Collector("caught");
      const statuses = new Collector("statusOut");
      const done = new Collector("done");
      getNode("download").receive({ payload: "start" });
      const error = await caught.waitFor(() => true, "the error", 15_000);
      assert.equal((error.error as { source?: { id?: string } }).source?.id, c.node, caughtError(error));
      assert.match(caughtError(error), c.error);
      const failed = await statuses.waitFor(
        (m) => (m.payload as { status: string }).status === "failed",
        "the failed status",
      );
      const reason = (failed.payload as { failureReason?: string }).failureReason ?? "";
      assert.ok(reason && caughtError(error).includes(reason.slice(0, 40)), `${reason} / ${caughtError(error)}`);
      // The run's report leaves the failing node and travels on to the end of the chain, once.
      const report = await done.waitFor((m) => m.report !== undefined, "the failed run's report");
      assert.deepEqual(
        [(report.report as RunReport).outcome, (report.report as RunReport).failureReason],
        ["failed", reason],
      );
      assert.equal(done.messages.length, 1, "nothing else leaves the upgrade node");
    });
  }
});
