// Bad input and refused starts: each gives an error naming what to fix (node status and Catch), and nothing is
// started on SDDC Manager (no POST/PATCH besides logins).
import assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import {
  Collector,
  MANAGEMENT_DOMAIN,
  caughtError,
  credentialsFor,
  getNode,
  helper,
  makeUserDir,
  NODE_MODULES,
  startNodeRed,
  startSim,
  stopNodeRed,
  upgradeChainFlow,
  type FlowNode,
  type Msg,
} from "../support/nodes-harness";
import { mutatingRequests } from "../support/request-log";

interface Recorded {
  fill?: string;
  text?: string;
}

describe("nodes: bad input", function () {
  let sim: RunningSimulator;
  let otherTlsSim: RunningSimulator;
  let userDir: string;

  before(async () => {
    sim = await startSim({ tls: true });
    otherTlsSim = await startSim({ tls: true });
  });
  after(async () => {
    await sim.stop();
    await otherTlsSim.stop();
  });
  beforeEach(async () => {
    userDir = makeUserDir();
    await startNodeRed(userDir);
    sim.setScenario("happy");
    sim.setFaults({ downloadNeverFinishes: false });
    sim.clearRequestLog();
  });
  afterEach(async () => {
    await stopNodeRed(userDir);
  });

  /** Deploys the chain, sends `msg` to `nodeId`, and returns the Catch node's error and the node's last status. */
  async function rejected(
    msg: Msg,
    options: { nodeId?: string; config?: Record<string, unknown>; credentials?: Record<string, string> } = {},
  ): Promise<{ error: string; badge: Recorded }> {
    const flow: FlowNode[] = upgradeChainFlow(sim, { config: options.config });
    await helper.load(NODE_MODULES, flow, credentialsFor(sim, options.credentials));
    const nodeId = options.nodeId ?? "download";
    const badges: Recorded[] = [];
    getNode(nodeId).on("call:status", (call: unknown) => badges.push((call as { args: Recorded[] }).args[0] ?? {}));
    const caught = new Collector("caught");
    const done = new Collector("done");
    getNode(nodeId).receive(msg);
    const error = caughtError(await caught.waitFor(() => true, "the error"));
    const badge = badges.at(-1) ?? {};
    assert.equal(badge.fill, "red", `status of ${nodeId}: ${JSON.stringify(badges)}`);
    assert.deepEqual(
      mutatingRequests(sim.requestLog()).map((e) => `${e.method} ${e.path}`),
      [],
    );
    assert.equal(done.messages.length, 0);
    return { error, badge };
  }

  it("unknown domain: names the domains there are", async () => {
    const { error, badge } = await rejected({ domain: "lab-w99" });
    assert.match(
      error,
      /Domain "lab-w99" was not found in SDDC Manager.*Use the id or name of one of: lab-m01, lab-w01/,
    );
    assert.match(badge.text ?? "", /lab-w99/);
  });

  it("malformed message properties: names the property", async () => {
    assert.match(
      (await rejected({ domain: { name: "lab-m01" } })).error,
      /msg\.domain must be the domain's id or name as text, not an object/,
    );
  });

  it("a malformed msg.vcf at a later phase node: names it", async () => {
    assert.match(
      (await rejected({ vcf: "run-1" }, { nodeId: "prechecks" })).error,
      /msg\.vcf must be the object a VCF node sent/,
    );
  });

  it("msg.clusterImages that is not an object: names it and the form it takes", async () => {
    const { error } = await rejected({ clusterImages: ["cl01", "image-1"] });
    assert.match(
      error,
      /msg\.clusterImages must be an object mapping each cluster's id or name to the id of its ESXi cluster image .*not an array/,
    );
  });

  it("msg.clusterImages with an image id that is not text: names the cluster's entry", async () => {
    const { error } = await rejected({ clusterImages: { cl01: 42 } });
    assert.match(
      error,
      /msg\.clusterImages\["cl01"\] must be the personality id of the cluster's image as text, not number 42/,
    );
  });

  for (const key of ["__proto__", "constructor"]) {
    it(`msg.clusterImages with a ${key} key (as JSON.parse makes it) is refused like any unknown cluster, never dropped`, async () => {
      const clusterImages = JSON.parse(`{"${key}": "image-1"}`) as Record<string, unknown>;
      const { error } = await rejected({ clusterImages });
      assert.match(
        error,
        new RegExp(
          `clusterImages names cluster "${key}", which is not a cluster of domain lab-m01.*Use the id or name of one of`,
        ),
      );
    });
  }

  it('msg.acknowledge as the text "true": names msg.acknowledge and the boolean it must be', async () => {
    const { error } = await rejected({ acknowledge: "true" }, { nodeId: "ack" });
    assert.match(
      error,
      /msg\.acknowledge must be true \(a boolean\) to release a waiting run, not the text "true": set it as a boolean/,
    );
    assert.doesNotMatch(error, /No domain given/);
  });

  it("a custom CA with BEGIN/END lines around garbage is refused at deploy, naming the field and the fix", async () => {
    const garbage = "-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGUsIGp1c3QgdGV4dA==\n-----END CERTIFICATE-----";
    const { error } = await rejected({}, { config: { ca: garbage } });
    assert.match(
      error,
      /vcf-config: Custom CA is not a usable PEM certificate: the certificate between the BEGIN\/END CERTIFICATE lines cannot be read.*Paste the CA certificate as exported/,
    );
    assert.doesNotMatch(error, /not trusted/);
  });

  it("a later phase without a running upgrade: says to start one", async () => {
    assert.match(
      (await rejected({ domain: MANAGEMENT_DOMAIN }, { nodeId: "upgrade" })).error,
      /No upgrade is running for domain "lab-m01": start one with a vcf-download-bundles node first/,
    );
  });

  it("a target version that is not a version: names the property and the form", async () => {
    assert.match(
      (await rejected({ targetVersion: "latest" })).error,
      /msg\.targetVersion "latest" is not a VCF version: use four numbers such as 5\.2\.1\.0/,
    );
  });

  it("a target version SDDC Manager does not offer: says which", async () => {
    assert.match((await rejected({ targetVersion: "9.9.9.9" })).error, /9\.9\.9\.9/);
  });

  it("unreachable host: says to check the URL", async () => {
    const { error } = await rejected({}, { config: { url: "https://127.0.0.1:1" } });
    assert.match(error, /Cannot reach SDDC Manager .*check the URL in the vcf-config node/);
  });

  it("wrong password: says to check the credentials, without showing them", async () => {
    const { error } = await rejected({}, { credentials: { password: "Not-The-Password-1" } });
    assert.match(error, /rejected the login.*check the username and password in the vcf-config node/);
    assert.ok(!error.includes("Not-The-Password-1"));
  });

  it("a CA that did not sign the certificate: says the certificate is not trusted", async () => {
    const { error } = await rejected({}, { config: { ca: otherTlsSim.caCertificatePem } });
    assert.match(error, /certificate of SDDC Manager is not trusted.*paste its CA certificate/);
  });

  it("a second start for a busy domain is refused, naming the running phase", async () => {
    sim.setFaults({ downloadNeverFinishes: true });
    await helper.load(NODE_MODULES, upgradeChainFlow(sim), credentialsFor(sim));
    const caught = new Collector("caught");
    const statuses = new Collector("statusOut");
    getNode("download").receive({ payload: "first" });
    await statuses.waitFor(
      (m) => (m.payload as { status: string }).status === "downloading_bundles",
      "the first run downloading",
    );
    getNode("download").receive({ payload: "second" });
    const error = caughtError(await caught.waitFor(() => true, "the refusal"));
    assert.match(
      error,
      /Domain lab-m01 already has an upgrade run \(.+\) in status downloading_bundles, phase download/,
    );
    const requested = mutatingRequests(sim.requestLog()).map((e) => `${e.method} ${e.path}`);
    assert.equal(new Set(requested).size, requested.length, `a request was repeated: ${requested.join(", ")}`);
  });
});
