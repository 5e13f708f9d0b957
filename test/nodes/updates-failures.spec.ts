// vcf-updates when one domain's releases cannot be read: the domain still goes out (with payload.problem) and reaches
// Catch nodes with its message, so a flow that routes on updateAvailable does not lose it silently.
import assert from "node:assert/strict";
import { type FaultProxy, startFaultProxy } from "../engine/fault-proxy";
import {
  Collector,
  TAB,
  caughtError,
  catchNode,
  configNode,
  credentialsFor,
  flowNode,
  getNode,
  helper,
  helperNode,
  NODE_MODULES,
  nodeRedPerTest,
} from "../support/nodes-harness";

interface UpdateInfo {
  domainId: string;
  domainName: string;
  updateAvailable: boolean;
  problem?: string;
}

describe("nodes: vcf-updates when a domain cannot be read", function () {
  const perTest = nodeRedPerTest();
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  it("sends every domain and reports the one whose releases failed to Catch, with its message", async () => {
    const sim = await perTest.startSim({ scenario: "many-domains", domains: 2 });
    let brokenId = "";
    proxy = await startFaultProxy(sim.url, (req) =>
      brokenId && req.path === `/v1/releases/domains/${brokenId}/future-releases`
        ? {
            status: 500,
            body: JSON.stringify({ errorCode: "INTERNAL_SERVER_ERROR", message: "release service failed" }),
          }
        : undefined,
    );
    await helper.load(
      NODE_MODULES,
      [
        { id: TAB, type: "tab" },
        configNode({ url: proxy.url }),
        flowNode("updates", "vcf-updates", { domain: "" }, ["updatesOut"]),
        helperNode("updatesOut"),
        catchNode("catcher", "caught"),
        helperNode("caught"),
      ],
      credentialsFor(sim),
    );
    const out = new Collector("updatesOut");
    const caught = new Collector("caught");
    getNode("updates").receive({ _msgid: "u-1", payload: "check" });
    await out.waitFor(() => out.messages.length === 3, "the three domains");
    const byName = new Map(out.messages.map((m) => [m.topic, m.payload as UpdateInfo]));
    brokenId = byName.get("lab-w01")?.domainId ?? "";
    assert.ok(brokenId);

    getNode("updates").receive({ _msgid: "u-2", payload: "check" });
    const failure = await caught.waitFor(() => true, "the failed domain");
    await out.waitFor(() => out.messages.length === 6, "the three domains again");
    assert.equal(failure.topic, "lab-w01");
    assert.equal(failure._msgid, "u-2");
    assert.equal((failure.payload as UpdateInfo).domainId, brokenId);
    assert.match(
      caughtError(failure),
      /^(Error: )?Could not read the releases of domain lab-w01: GET \/v1\/releases\/domains\/\S+\/future-releases: HTTP 500 .*release service failed/,
    );
    const second = out.messages.slice(3);
    assert.deepEqual(second.map((m) => m.topic).sort(), ["lab-m01", "lab-w01", "lab-w02"]);
    const failed = second.find((m) => m.topic === "lab-w01")?.payload as UpdateInfo;
    assert.equal(failed.updateAvailable, false);
    assert.match(failed.problem ?? "", /^Could not read the releases: /);
    assert.equal(caught.messages.length, 1, "only the failed domain reaches Catch");
  });
});
