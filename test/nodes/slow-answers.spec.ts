// vcf-updates against an SDDC Manager (here a proxy in front of the simulator) that trickles its answer: the
// request timeout is a total limit, so the node fails in time and names the setting to raise.
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

describe("nodes: an answer that trickles in", function () {
  const perTest = nodeRedPerTest();
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  it("vcf-updates fails after the request timeout (a total limit) and says which setting to raise", async () => {
    const sim = await perTest.startSim();
    proxy = await startFaultProxy(sim.url, (req) =>
      req.method === "GET" && req.path === "/v1/domains" ? { status: 200, trickle: true } : undefined,
    );
    await helper.load(
      NODE_MODULES,
      [
        { id: TAB, type: "tab" },
        configNode({ url: proxy.url }, { requestTimeout: 1, retryAttempts: 1 }),
        flowNode("updates", "vcf-updates", { domain: "" }, ["updatesOut"]),
        helperNode("updatesOut"),
        catchNode("catcher", "caught"),
        helperNode("caught"),
      ],
      credentialsFor(sim),
    );
    const caught = new Collector("caught");
    getNode("updates").receive({ payload: "check" });
    const error = caughtError(await caught.waitFor(() => true, "the error", 15_000));
    assert.match(error, /GET \/v1\/domains: no complete answer within 1000 ms, the total time limit for one request/);
    assert.match(error, /raise the Request timeout of the vcf-config node/);
  });
});
