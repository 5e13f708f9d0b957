// A node under Node-RED's German locale: its status and its error to Catch come from the de catalog. Node-RED reads
// the language once at start (settings.lang or LANG); the test switches the runtime's i18n itself, then back.
import assert from "node:assert/strict";
import { useLanguage } from "../support/catalog";
import {
  TAB,
  Collector,
  callsOf,
  caughtError,
  credentialsFor,
  getNode,
  helper,
  NodeCalls,
  NODE_MODULES,
  nodeRedPerTest,
  upgradeChainFlow,
} from "../support/nodes-harness";

describe("nodes: German locale", function () {
  const perTest = nodeRedPerTest();
  before(() => useLanguage("de"));
  after(() => useLanguage("en-US"));

  it("a phase node without a connection shows the German status and sends the German error to Catch", async () => {
    await helper.load(NODE_MODULES, [
      { id: TAB, type: "tab" },
      { id: "download", type: "vcf-download-bundles", z: TAB, x: 100, y: 100, wires: [[]] },
    ]);
    const [status] = callsOf("download", "status").at(-1) ?? [];
    assert.deepEqual(status, {
      fill: "red",
      shape: "ring",
      text: "Keine Verbindung zum SDDC Manager: Öffnen Sie den Node, wäh…",
    });
    const errors = new NodeCalls("download", "error");
    helper.getNode("download")?.receive({ payload: "go", domain: "lab-m01" });
    const [err] = await errors.waitFor(() => true, "the error for Catch");
    assert.match(String(err), /^Error: Keine Verbindung zum SDDC Manager: .* deployen Sie$/);
  });

  it("an engine error reaches Catch in German, with SDDC Manager's names in it", async () => {
    const sim = await perTest.startSim();
    await helper.load(NODE_MODULES, upgradeChainFlow(sim), credentialsFor(sim));
    const caught = new Collector("caught");
    getNode("download").receive({ domain: "lab-w99" });
    const error = caughtError(await caught.waitFor(() => true, "the error for Catch"));
    assert.match(
      error,
      /^Error: Die Domäne "lab-w99" wurde im SDDC Manager nicht gefunden\. Verwenden Sie die ID oder den Namen von einem dieser Einträge: lab-m01, lab-w01$/,
    );
    const [status] = callsOf("download", "status").at(-1) ?? [];
    assert.match(String((status as { text?: unknown } | undefined)?.text), /^Die Domäne "lab-w99" wurde/);
  });
});
