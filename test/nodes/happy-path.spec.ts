// The five phase nodes wired in a row against the simulator: statuses, messages, markdown, remote calls.
import assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import { checkExchanges, loadSpec } from "../support/openapi-contract";
import {
  Collector,
  MANAGEMENT_DOMAIN,
  VI_DOMAIN,
  caughtError,
  connectionOf,
  credentialsFor,
  getNode,
  helper,
  makeUserDir,
  NODE_MODULES,
  startNodeRed,
  startSim,
  statusSequence,
  stopNodeRed,
  upgradeChainFlow,
  type Msg,
} from "../support/nodes-harness";
import { mutatingRequests, upgradePostsPerBundle } from "../support/request-log";
import { RUN_WITHOUT_FINDINGS } from "../support/status-sequences";

/** What vcf-status reports: idle, the run, and idle again after the pause. */
const HAPPY_SEQUENCE = ["waiting_for_initiation", ...RUN_WITHOUT_FINDINGS, "waiting_for_initiation"];

interface StatusPayload {
  status: string;
  markdown: string;
  outcome?: string;
  domainName: string;
}

const payloadOf = (msg: Msg): StatusPayload => msg.payload as StatusPayload;
const finishedAgain = (msg: Msg): boolean =>
  payloadOf(msg).status === "waiting_for_initiation" && payloadOf(msg).outcome === "successfully_completed";

describe("nodes: happy path through every phase node", function () {
  let sim: RunningSimulator;
  let userDir: string;

  beforeEach(async () => {
    sim = await startSim();
    userDir = makeUserDir();
    await startNodeRed(userDir);
  });
  afterEach(async () => {
    await stopNodeRed(userDir);
    await sim.stop();
  });

  it("upgrades a domain; vcf-status emits exactly the documented sequence and the markdown holds every phase", async () => {
    const flow = upgradeChainFlow(sim);
    flow.push({
      ...flow.find((n) => n.id === "status"),
      id: "status-default-cap",
      wires: [["statusCapped"]],
    } as (typeof flow)[number]);
    flow.push({ id: "statusCapped", type: "helper", z: "tab1", x: 1, y: 1, wires: [] });
    const statusNode = flow.find((n) => n.id === "status");
    if (statusNode) statusNode.markdownMaxBytes = 200_000;
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const done = new Collector("done");
    const statuses = new Collector("statusOut");
    const capped = new Collector("statusCapped");
    const caught = new Collector("caught");
    await statuses.waitFor((m) => payloadOf(m).status === "waiting_for_initiation", "the status after deploy");

    getNode("download").receive({ _msgid: "m-1", payload: "start", keep: { mine: true } });
    const out = await done.waitFor(() => true, "the upgrade node's output", 10_000);
    const last = await statuses.waitFor(finishedAgain, "the return to waiting_for_initiation");

    assert.deepEqual(statusSequence(statuses.messages), HAPPY_SEQUENCE);
    for (const phase of ["download", "prechecks", "acknowledgement", "upgrade"]) {
      assert.ok(payloadOf(last).markdown.includes(`**${phase}**`), `markdown lacks the ${phase} phase`);
    }
    const cappedLast = await capped.waitFor(finishedAgain, "the capped status");
    assert.ok(Buffer.byteLength(payloadOf(cappedLast).markdown) <= 12 * 1024);

    assert.equal(out._msgid, "m-1");
    assert.deepEqual(out.keep, { mine: true });
    assert.equal(out.topic, MANAGEMENT_DOMAIN);
    const vcf = out.vcf as {
      runId: string;
      domainName: string;
      phase: string;
      targetVersion: string;
      summary: { components: unknown[] };
    };
    assert.equal(vcf.domainName, MANAGEMENT_DOMAIN);
    assert.equal(vcf.phase, "upgrade");
    assert.match(
      String(out.payload),
      new RegExp(`^${MANAGEMENT_DOMAIN}: upgraded from VCF [\\d.]+ to ${vcf.targetVersion.replace(/\./g, "\\.")}`),
    );
    assert.ok(vcf.summary.components.length > 0);
    assert.equal(caught.messages.length, 0);

    const posts = upgradePostsPerBundle(sim.requestLog());
    assert.equal(posts.size, vcf.summary.components.length);
    assert.ok(
      [...posts.values()].every((n) => n === 1),
      JSON.stringify([...posts]),
    );
    if (loadSpec()) assert.deepEqual(checkExchanges(sim.requestLog()), []);
  });

  it("passes the run from node to node in msg.vcf, each output naming its phase", async () => {
    const flow = upgradeChainFlow(sim);
    for (const node of flow) {
      if (["download", "prechecks", "ack"].includes(node.id))
        node.wires = [[...((node.wires as string[][])[0] ?? []), `${node.id}Out`]];
    }
    flow.push(
      ...["downloadOut", "prechecksOut", "ackOut"].map((id) => ({
        id,
        type: "helper",
        z: "tab1",
        x: 1,
        y: 1,
        wires: [],
      })),
    );
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const outputs = ["downloadOut", "prechecksOut", "ackOut", "done"].map((id) => new Collector(id));
    getNode("download").receive({ payload: "start" });
    const messages = await Promise.all(outputs.map((c) => c.waitFor(() => true, "a phase output", 10_000)));
    const phases = messages.map((m) => (m.vcf as { phase: string }).phase);
    assert.deepEqual(phases, ["download", "prechecks", "acknowledgement", "upgrade"]);
    const runIds = new Set(messages.map((m) => (m.vcf as { runId: string }).runId));
    assert.equal(runIds.size, 1);
    assert.match(String(messages[0]?.payload), /bundles? for VCF .* downloaded/);
    assert.match(String(messages[1]?.payload), /prechecks for VCF .* done with 0 errors and 0 warnings/);
    assert.match(String(messages[2]?.payload), /acknowledgement gate passed \(No precheck findings/);
    assert.ok(typeof messages[3]?.markdown === "string");
  });

  it("hands msg.clusterImages to the run it starts", async () => {
    const flow = upgradeChainFlow(sim);
    const download = flow.find((n) => n.id === "download");
    if (download) download.wires = [["downloaded"]];
    flow.push({ id: "downloaded", type: "helper", z: "tab1", x: 1, y: 1, wires: [] });
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const client = connectionOf().client;
    assert.ok(client);
    const cluster = (await client.getDomains()).find((d) => d.name === MANAGEMENT_DOMAIN)?.clusters?.[0];
    const [image] = await client.getPersonalities();
    assert.ok(cluster && image, "the simulator lists a cluster and a cluster image");
    const clusterImages = { [cluster.name ?? cluster.id]: image.personalityId };
    const downloaded = new Collector("downloaded");
    getNode("download").receive({ clusterImages });
    const out = await downloaded.waitFor(() => true, "the download output");
    const run = connectionOf()
      .requireEngine()
      .getRun((out.vcf as { runId: string }).runId);
    assert.deepEqual(run?.clusterImages, clusterImages);
  });

  it("refuses a VI domain while the management domain is behind, and starts nothing", async () => {
    await helper.load(NODE_MODULES, upgradeChainFlow(sim, { download: { domain: VI_DOMAIN } }), credentialsFor(sim));
    const caught = new Collector("caught");
    getNode("download").receive({ payload: "start" });
    const error = await caught.waitFor(() => true, "the refusal");
    assert.match(
      caughtError(error),
      new RegExp(
        `${VI_DOMAIN} cannot be upgraded .* before the management domain: ${MANAGEMENT_DOMAIN} is at [\\d.]+.*Upgrade the management domain ${MANAGEMENT_DOMAIN} to [\\d.]+ first`,
      ),
    );
    assert.deepEqual(mutatingRequests(sim.requestLog()), []);
  });

  it("upgrades two domains at once, the management domain first", async () => {
    const flow = upgradeChainFlow(sim, { download: { domain: "" }, statusDomain: "" });
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const done = new Collector("done");
    const caught = new Collector("caught");
    getNode("download").receive({ domain: MANAGEMENT_DOMAIN });
    getNode("download").receive({ domain: VI_DOMAIN });
    await done.waitFor((m) => m.topic === MANAGEMENT_DOMAIN, "the management domain", 10_000);
    await done.waitFor((m) => m.topic === VI_DOMAIN, "the VI domain", 10_000);
    assert.equal(caught.messages.length, 0, JSON.stringify(caught.messages.map((m) => m.error)));
  });

  /** Runs the chain with vcf-status's progress interval (seconds); the messages vcf-status sent. */
  async function statusMessages(progressInterval: number): Promise<Msg[]> {
    const flow = upgradeChainFlow(sim).map((n) => (n.id === "status" ? { ...n, progressInterval } : n));
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const statuses = new Collector("statusOut");
    await statuses.waitFor((m) => payloadOf(m).status === "waiting_for_initiation", "the status after deploy");
    getNode("download").receive({ payload: "start" });
    await statuses.waitFor(finishedAgain, "the return to waiting_for_initiation");
    return statuses.messages;
  }

  it("vcf-status with an hour between progress messages still sends every status at once, and the final state", async () => {
    const messages = await statusMessages(3600);
    assert.deepEqual(statusSequence(messages), HAPPY_SEQUENCE);
    assert.equal(messages.length, HAPPY_SEQUENCE.length, "one message per status: the progress between them waits");
    const last = messages.at(-1) as Msg;
    for (const phase of ["download", "prechecks", "acknowledgement", "upgrade"])
      assert.ok(payloadOf(last).markdown.includes(`**${phase}**`), `the last message lacks the ${phase} phase`);
  });

  it("vcf-status with a progress interval of 0 sends every change", async () => {
    const messages = await statusMessages(0);
    assert.deepEqual(statusSequence(messages), HAPPY_SEQUENCE);
    assert.ok(messages.length > 2 * HAPPY_SEQUENCE.length, `${messages.length} messages`);
  });
});
