// The copy of each phase's input message kept beside the run file (for a resumed output): plain data at every depth,
// objects made in a function node included, never a secret-looking name, and deleted once the run has ended.
import assert from "node:assert/strict";
import fs from "node:fs";
import {
  Collector,
  caughtError,
  connectionOf,
  credentialsFor,
  getNode,
  helper,
  NODE_MODULES,
  nodeRedPerTest,
  TAB,
  upgradeChainFlow,
  type FlowNode,
  type Msg,
} from "../support/nodes-harness";

// Node-RED's own function node: it runs its code in a vm context, so the objects it makes come from another realm.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const functionNode = require("@node-red/nodes/core/function/10-function.js") as helper.NodeModule;

const SECRETS = ["Nested-Pass-1", "Top-Secret-2", "Api-Key-3", "Deep-Token-4"];

/** The bookkeeping file of the deployed config node (sent outputs and kept messages). */
function bookkeepingFile(): string {
  const file = connectionOf()
    .files()
    .find((f) => /vcf-upgrade-node-records-/.test(f));
  assert.ok(file, "the connection keeps a bookkeeping file");
  return file;
}

/** Waits until the file's text satisfies `ok` (the writes are in the background), at most 10 s. */
async function fileUntil(file: string, ok: (text: string) => boolean, what: string): Promise<string> {
  const end = Date.now() + 10_000;
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (ok(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the file holds: ${text.slice(0, 600)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const runIdOf = (msg: Msg): string => String((msg.payload as { runId?: string }).runId ?? "");
const statusOf = (msg: Msg): string | undefined => (msg.payload as { status?: string }).status;

describe("nodes: the kept copy of the input message", function () {
  const setup = nodeRedPerTest();

  it("never writes a nested secret to the file, and keeps the plain siblings", async () => {
    const sim = await setup.startSim({ scenario: "precheck-warnings" });
    await helper.load(NODE_MODULES, upgradeChainFlow(sim), credentialsFor(sim));
    const statuses = new Collector("statusOut");
    getNode("download").receive({
      ticket: "CHG-SECRETS",
      auth: { user: "ops", password: SECRETS[0] },
      secret: SECRETS[1],
      change: { approver: "kim", api_key: SECRETS[2], steps: [{ n: 1, accessToken: SECRETS[3] }] },
    });
    const waiting = await statuses.waitFor(
      (m) => statusOf(m) === "waiting_for_alert_acknowledgement",
      "the gate waiting",
    );
    const kept = connectionOf().inputOf(runIdOf(waiting));
    assert.deepEqual(
      { ticket: kept?.ticket, change: kept?.change },
      { ticket: "CHG-SECRETS", change: { approver: "kim", steps: [{ n: 1 }] } },
    );
    const text = await fileUntil(bookkeepingFile(), (t) => t.includes("CHG-SECRETS"), "the copy in the file");
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} reached the file: ${text}`);
  });

  it("keeps the objects a function node made (another realm), for a resumed output", async () => {
    const sim = await setup.startSim({ scenario: "precheck-warnings" });
    const flow: FlowNode[] = [
      ...upgradeChainFlow(sim),
      {
        id: "fn",
        type: "function",
        z: TAB,
        name: "ticket",
        outputs: 1,
        noerr: 0,
        initialize: "",
        finalize: "",
        libs: [],
        func:
          'msg.ticket = { id: "CHG-FN", window: { from: "22:00", hosts: ["esx-1"] } }; msg.auth = { password: "' +
          SECRETS[0] +
          '" }; return msg;',
        wires: [["download"]],
      },
    ];
    await helper.load([...NODE_MODULES, functionNode], flow, credentialsFor(sim));
    const statuses = new Collector("statusOut");
    getNode("fn").receive({ payload: "start" });
    const waiting = await statuses.waitFor(
      (m) => statusOf(m) === "waiting_for_alert_acknowledgement",
      "the gate waiting",
    );
    const kept = connectionOf().inputOf(runIdOf(waiting));
    assert.deepEqual(kept?.ticket, { id: "CHG-FN", window: { from: "22:00", hosts: ["esx-1"] } });
    assert.equal(kept?.auth, undefined);
    const text = await fileUntil(
      bookkeepingFile(),
      (t) => t.includes("CHG-FN"),
      "the function node's object in the file",
    );
    assert.ok(!SECRETS.some((secret) => text.includes(secret)), text);
  });

  for (const [outcome, scenario] of [
    ["succeeded", "happy"],
    ["failed", "upgrade-failure"],
  ] as const) {
    it(`deletes the copy once the run has ${outcome} and its last output or error went out`, async () => {
      const sim = await setup.startSim({ scenario });
      await helper.load(NODE_MODULES, upgradeChainFlow(sim), credentialsFor(sim));
      const done = new Collector("done");
      const caught = new Collector("caught");
      const statuses = new Collector("statusOut");
      getNode("download").receive({ ticket: "CHG-ENDS" });
      if (outcome === "succeeded") {
        const out = await done.waitFor(() => true, "the final output");
        assert.equal(out.ticket, "CHG-ENDS", "the final output still carries the input's properties");
      } else {
        const failure = await caught.waitFor(() => true, "the failure");
        assert.match(caughtError(failure), /NSX|upgrade/i);
        assert.equal(failure.ticket, "CHG-ENDS");
      }
      const runId = runIdOf(await statuses.waitFor((m) => runIdOf(m) !== "", "a status with the run id"));
      const text = await fileUntil(
        bookkeepingFile(),
        (t) => t.includes(runId) && !t.includes("CHG-ENDS"),
        "the copy deleted from the file",
      );
      assert.deepEqual((JSON.parse(text) as { messages?: Record<string, unknown> }).messages?.[runId], undefined);
      assert.equal(connectionOf().inputOf(runId), undefined);
    });
  }
});
