// Close (redeploy, restart) while a node works on a message: the message still gets its done() (convention E1),
// so Complete nodes and the runtime's message tracking see it end.
import assert from "node:assert/strict";
import {
  CONFIG_ID,
  Completions,
  TAB,
  configNode,
  credentialsFor,
  flowNode,
  getNode,
  helper,
  helperNode,
  NODE_MODULES,
  nodeRedPerTest,
  startSilentServer,
  upgradeChainFlow,
  type Msg,
} from "../support/nodes-harness";

const statusOf = (msg: Msg): string => (msg.payload as { status: string }).status;

describe("nodes: done() after close", function () {
  const perTest = nodeRedPerTest();
  let completions: Completions;

  beforeEach(() => {
    completions = new Completions();
  });
  afterEach(() => {
    completions.stop();
  });

  it("a phase node stopped in the middle of its phase calls done() for the message, without an error", async () => {
    const sim = await perTest.startSim({ faults: { precheckNeverFinishes: true } });
    await helper.load(NODE_MODULES, upgradeChainFlow(sim), credentialsFor(sim));
    const statuses: Msg[] = [];
    const running = new Promise<void>((resolve) => {
      getNode("statusOut").on("input", (msg: Msg) => {
        statuses.push(msg);
        if (statusOf(msg) === "running_prechecks") resolve();
      });
    });
    getNode("download").receive({ payload: "start" });
    await running;
    await helper.unload();
    const done = await completions.waitFor(
      (c) => c.nodeId === "prechecks",
      "done() of the prechecks node's message",
      2000,
    );
    assert.equal(done.error, undefined);
  });

  it("vcf-updates and vcf-status stopped while SDDC Manager has not answered call done() for their messages", async () => {
    const silent = await startSilentServer();
    try {
      await helper.load(
        NODE_MODULES,
        [
          { id: TAB, type: "tab" },
          configNode({ url: silent.url }),
          flowNode("updates", "vcf-updates", { domain: "" }, ["out"]),
          flowNode("status", "vcf-status", { domain: "" }, ["out"]),
          helperNode("out"),
        ],
        { [CONFIG_ID]: { username: "u", password: "p" } },
      );
      getNode("updates").receive({ _msgid: "m-updates" });
      getNode("status").receive({ _msgid: "m-status", domain: "lab-m01" });
      await silent.connected;
      await helper.unload();
      for (const nodeId of ["updates", "status"]) {
        const done = await completions.waitFor((c) => c.nodeId === nodeId, `done() of ${nodeId}`, 2000);
        assert.equal(done.error, undefined);
      }
    } finally {
      await silent.stop();
    }
  });
});
