// vcf-updates (discovery, one message per domain) and vcf-status (state of every domain after a deploy and on request).
import assert from "node:assert/strict";
import { VcfConnection } from "../../nodes/adapters/connection";
import { StatusFeed } from "../../nodes/adapters/status-feed";
import type { RunningSimulator } from "../../nodes/sim/index";
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
  makeUserDir,
  NODE_MODULES,
  startNodeRed,
  startSim,
  stopNodeRed,
  type Msg,
} from "../support/nodes-harness";
import { mutatingRequests } from "../support/request-log";

interface UpdateInfo {
  domainName: string;
  currentVersion: string;
  updateAvailable: boolean;
  nextRelease?: { version: string };
  components: Array<{ name: string; targetVersion: string }>;
}

describe("nodes: vcf-updates and vcf-status", function () {
  let sim: RunningSimulator;
  let userDir: string;
  const domains = ["lab-m01", "lab-w01", "lab-w02"];

  before(async () => {
    sim = await startSim({ scenario: "many-domains", domains: 2 });
  });
  after(async () => {
    await sim.stop();
  });
  beforeEach(async () => {
    userDir = makeUserDir();
    await startNodeRed(userDir);
    await helper.load(
      NODE_MODULES,
      [
        { id: TAB, type: "tab" },
        configNode(sim),
        flowNode("updates", "vcf-updates", { domain: "" }, ["updatesOut"]),
        flowNode("status", "vcf-status", { domain: "" }, ["statusOut"]),
        helperNode("updatesOut"),
        helperNode("statusOut"),
        catchNode("catcher", "caught"),
        helperNode("caught"),
      ],
      credentialsFor(sim),
    );
    sim.clearRequestLog();
  });
  afterEach(async () => {
    await stopNodeRed(userDir);
  });

  it("vcf-updates sends one message per domain with its version, next release and components", async () => {
    const out = new Collector("updatesOut");
    getNode("updates").receive({ _msgid: "u-1", payload: "check" });
    for (const name of domains) await out.waitFor((m) => m.topic === name, name);
    assert.equal(out.messages.length, domains.length);
    for (const msg of out.messages) {
      const info = msg.payload as UpdateInfo;
      assert.equal(msg._msgid, "u-1");
      assert.equal(info.domainName, msg.topic);
      assert.equal(info.updateAvailable, true);
      assert.match(info.nextRelease?.version ?? "", /^\d+\.\d+\.\d+\.\d+$/);
      assert.ok(info.components.length > 0 && info.components.every((c) => c.name && c.targetVersion));
    }
    assert.deepEqual(mutatingRequests(sim.requestLog()), []);
  });

  it("vcf-updates filters by msg.domain and names the domains when it is unknown", async () => {
    const out = new Collector("updatesOut");
    const caught = new Collector("caught");
    getNode("updates").receive({ domain: "lab-w02" });
    await out.waitFor(() => true, "lab-w02");
    getNode("updates").receive({ domain: "lab-w09" });
    const error = await caught.waitFor(() => true, "the error");
    assert.match(
      caughtError(error),
      /Domain "lab-w09" is not among the domains SDDC Manager lists \(lab-m01, lab-w01, lab-w02\)/,
    );
    assert.deepEqual(
      out.messages.map((m) => m.topic),
      ["lab-w02"],
    );
  });

  it("vcf-status answers a message through the input handler's send, not the node's own", async () => {
    const connection = new VcfConnection({
      def: configNode(sim),
      credentials: sim.credentials,
      lookupNode: () => undefined,
      findInFlows: () => undefined,
      userDir: undefined,
      log: () => undefined,
    });
    const nodeSends: Msg[] = [];
    const inputSends: Msg[] = [];
    const feed = new StatusFeed(
      connection,
      undefined,
      { send: (m) => nodeSends.push(m), status: () => undefined, warn: () => undefined },
      {},
    );
    try {
      await feed.emitCurrent("lab-w01", new AbortController().signal, (m) => inputSends.push(m));
      assert.deepEqual(
        inputSends.map((m) => m.topic),
        ["lab-w01"],
      );
      assert.equal(nodeSends.length, 0);
    } finally {
      feed.close();
      await connection.close();
    }
  });

  it("vcf-status reports every domain after a deploy, and again on request", async () => {
    const out = new Collector("statusOut");
    for (const name of domains) await out.waitFor((m) => m.topic === name, `${name} after the deploy`);
    for (const msg of out.messages) {
      const payload = msg.payload as {
        status: string;
        statusText: string;
        markdown: string;
        progress: number;
        log: unknown[];
        findings: unknown[];
      };
      assert.equal(payload.status, "waiting_for_initiation");
      assert.deepEqual([payload.log, payload.findings], [[], []], "no run yet: no entries, no findings");
      assert.match(payload.statusText, new RegExp(`^${String(msg.topic)}: Waiting for initiation`));
      assert.ok(payload.markdown.length > 0 && payload.progress === 0);
    }
    const before = out.messages.length;
    getNode("status").receive({ domain: "lab-w01" });
    await out.waitFor((m) => out.messages.indexOf(m) >= before, "the refresh");
    assert.deepEqual(
      out.messages.slice(before).map((m) => m.topic),
      ["lab-w01"],
    );
  });
});
