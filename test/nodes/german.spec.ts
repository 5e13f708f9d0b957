// A node under Node-RED's German locale: its status and its error to Catch come from the de catalog. Node-RED reads
// the language once at start (settings.lang or LANG); the test switches the runtime's i18n itself, then back.
import assert from "node:assert/strict";
import { useLanguage } from "../support/catalog";
import { TAB, callsOf, helper, NodeCalls, NODE_MODULES, nodeRedPerTest } from "../support/nodes-harness";

describe("nodes: German locale", function () {
  nodeRedPerTest();
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
});
