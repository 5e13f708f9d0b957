// vcf-fleet in the real Node-RED runtime against the simulator ("many-domains": the management domain and 5 VI
// domains): the order (management domain first and alone, then 2 VI domains at a time), the failure policy both
// ways, a restart in the middle of a fleet, a second start refused, and vcf-status's fleet view.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { RunningSimulator } from "../../nodes/sim/index";
import type { FleetReport, UpgradeRun } from "../../nodes/engine";
import {
  Collector,
  caughtError,
  catchNode,
  configNode,
  connectionOf,
  credentialsFor,
  flowNode,
  getNode,
  helper,
  helperNode,
  NODE_MODULES,
  nodeRedPerTest,
  TAB,
  type FlowNode,
  type Msg,
} from "../support/nodes-harness";
import { requestsTo } from "../support/request-log";

const VI = ["lab-w01", "lab-w02", "lab-w03", "lab-w04", "lab-w05"];

interface Entry {
  domainName: string;
  runId?: string;
  state: string;
}

interface Summary {
  status: string;
  counts: Record<string, number>;
  done: Entry[];
  failed: Entry[];
  notStarted: Entry[];
  domains: Entry[];
}

const summaryOf = (msg: Msg): Summary => msg.payload as Summary;

/** config, fleet -> download -> prechecks -> ack -> upgrade, fleet output 2 -> "summary", vcf-status fleet view -> "view". */
function fleetFlow(
  sim: RunningSimulator,
  fleet: Record<string, unknown>,
  ack: Record<string, unknown> = {},
): FlowNode[] {
  return [
    { id: TAB, type: "tab", label: "VCF fleet" },
    // the completed pause outlasts the test: a finished domain keeps showing successfully_completed
    configNode(sim, { completedPause: 60 }),
    {
      ...flowNode("fleet", "vcf-fleet", {
        domains: "",
        targetVersion: "",
        concurrency: 2,
        onFailure: "stop",
        ...fleet,
      }),
      wires: [["download"], ["summary"]],
    },
    flowNode("download", "vcf-download-bundles", { domain: "" }, ["prechecks"]),
    flowNode("prechecks", "vcf-prechecks", {}, ["ack"]),
    flowNode("ack", "vcf-await-ack", { ignoreAlerts: true, alsoIgnoreErrors: false, failOnErrors: false, ...ack }, [
      "upgrade",
    ]),
    flowNode("upgrade", "vcf-upgrade", {}, ["done"]),
    flowNode("status", "vcf-status", { domain: "", mode: "fleet", markdownMaxBytes: 12288 }, ["view"]),
    flowNode("domainStatus", "vcf-status", { domain: "" }, ["statusOut"]),
    helperNode("done"),
    helperNode("summary"),
    helperNode("view"),
    helperNode("statusOut"),
    catchNode("catcher", "caught"),
    helperNode("caught"),
  ];
}

/** The fleet's runs, one per domain name (a second run of a domain fails the test). */
function fleetRuns(): Map<string, UpgradeRun> {
  const byDomain = new Map<string, UpgradeRun>();
  for (const run of connectionOf().requireEngine().listRuns()) {
    if (!run.fleet) continue;
    assert.ok(!byDomain.has(run.domainName), `${run.domainName} got a second run`);
    byDomain.set(run.domainName, run);
  }
  return byDomain;
}

/** The most runs of `runs` that were active at one time (from their creation to their end). */
function mostAtOnce(runs: UpgradeRun[]): number {
  const edges = runs.flatMap((r) => [
    { at: Date.parse(r.createdAt), step: 1 },
    { at: Date.parse(r.finishedAt ?? r.updatedAt), step: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.step));
  return most;
}

/** POST /v1/upgrades per bundle and domain: each component of each domain upgraded once. */
function assertNoUpgradeTwice(sim: RunningSimulator): void {
  const seen = new Map<string, number>();
  for (const e of requestsTo(sim.requestLog(), "POST", "/v1/upgrades")) {
    const body = e.requestBody as { bundleId?: string; resourceUpgradeSpecs?: Array<{ resourceId?: string }> };
    const key = `${body.bundleId} ${(body.resourceUpgradeSpecs ?? []).map((s) => s.resourceId).join("+")}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  for (const [key, n] of seen) assert.equal(n, 1, `POST /v1/upgrades ${key}: ${n} times`);
}

/** Fails the run of `domain` (a cancel) as soon as it starts. */
function failWhenStarted(domain: string): void {
  const engine = connectionOf().requireEngine();
  const onChange = (run: UpgradeRun): void => {
    if (run.domainName !== domain) return;
    engine.off("change", onChange);
    // here only: the VI domains share bundles, whose downloads a cancel in SDDC Manager would stop for all of them
    void engine.cancel(run.id, "failed on purpose by the test", { inSddcManager: false });
  };
  engine.on("change", onChange);
}

describe("nodes: vcf-fleet", function () {
  const perTest = nodeRedPerTest();

  it("upgrades a management and 5 VI domains: the management domain first, then 2 at a time, in order", async () => {
    const sim = await perTest.startSim({ scenario: "many-domains", domains: 5 });
    await helper.load(
      NODE_MODULES,
      fleetFlow(sim, { acknowledgement: "fleet", ignoreAlerts: true }, { ignoreAlerts: false }),
      credentialsFor(sim),
    );
    const summaries = new Collector("summary");
    const caught = new Collector("caught");
    const views = new Collector("view");
    getNode("fleet").receive({ payload: "start", user: "alice" });
    const starts = new Collector("done");
    // a second start while the fleet runs is refused, naming what runs
    await views.waitFor(() => fleetRunsSoFar() > 0, "the first run of the fleet");
    getNode("fleet").receive({ payload: "start" });
    assert.match(caughtError(await caught.waitFor(() => true, "the refused second start")), /already running.*lab-m01/);

    const endMessage = await summaries.waitFor(() => true, "the fleet's summary", 60_000);
    const end = summaryOf(endMessage);
    assert.equal(end.status, "finished");
    assert.deepEqual(end.counts.done, 6, JSON.stringify(end.counts));
    // The fleet's report for the change record sums the domains' run reports.
    const report = endMessage.report as FleetReport;
    assert.equal(report.counts.successfully_completed, 6, JSON.stringify(report.counts));
    assert.deepEqual(
      report.rows.map((r) => [r.domainName, r.runId, r.outcome]),
      end.done.map((d) => [d.domainName, d.runId, "successfully_completed"]),
    );
    assert.match(String(endMessage.reportMarkdown), /lab-m01/);
    assert.deepEqual(
      end.domains.map((d) => d.domainName),
      ["lab-m01", ...VI],
    );
    const runs = fleetRuns();
    const management = runs.get("lab-m01");
    assert.ok(management?.finishedAt);
    const vi = VI.map((name) => runs.get(name) as UpgradeRun);
    for (const run of vi)
      assert.ok(run.createdAt >= (management.finishedAt ?? ""), `${run.domainName} waited for lab-m01`);
    assert.deepEqual(
      [...vi].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((r) => r.domainName),
      VI,
      "the VI domains started in their order",
    );
    assert.equal(mostAtOnce(vi), 2, "two VI domains at a time");
    for (const run of runs.values()) assert.equal(run.acknowledgementRule !== undefined, true);
    assert.deepEqual(
      end.done.map((d) => d.runId),
      ["lab-m01", ...VI].map((n) => runs.get(n)?.id),
      "the summary names each domain's run",
    );
    await starts.waitFor(() => starts.messages.length === 6, "each domain's final output");
    assert.deepEqual(
      starts.messages.map((m) => m.topic).sort(),
      ["lab-m01", ...VI],
      "each domain's chain sent its output once",
    );
    assert.ok(
      starts.messages.every((m) => m.user === "alice"),
      "the start message's properties travel with each domain",
    );

    // the fleet view: every domain, its new version, counts, a short state and a table under the cap
    getNode("status").receive({});
    const view = (
      await views.waitFor(
        (m) => (m.payload as { fleet: { counts: Record<string, number> } }).fleet.counts.successfully_completed === 6,
        "the fleet view with every domain completed",
      )
    ).payload as { fleet: { rows: Array<Record<string, unknown>>; state: string; markdown: string } };
    assert.deepEqual(
      view.fleet.rows.map((r) => [r.domainName, r.version, r.status, r.estimatedEnd]).sort(),
      ["lab-m01", ...VI]
        .map((n) => [n, runs.get(n)?.targetVersion, "successfully_completed", runs.get(n)?.finishedAt])
        .sort(),
    );
    assert.ok(
      view.fleet.state.length < 255 && /^6 domains: 6 Successfully completed$/.test(view.fleet.state),
      view.fleet.state,
    );
    for (const name of ["lab-m01", ...VI]) assert.ok(view.fleet.markdown.includes(name), name);
    assert.ok(Buffer.byteLength(view.fleet.markdown) <= 12288);
  });

  function fleetRunsSoFar(): number {
    return connectionOf()
      .requireEngine()
      .listRuns()
      .filter((r) => r.fleet).length;
  }

  for (const [policy, expected] of [
    ["stop", { done: ["lab-m01", "lab-w02"], notStarted: ["lab-w03", "lab-w04", "lab-w05"] }],
    ["continue", { done: ["lab-m01", "lab-w02", "lab-w03", "lab-w04", "lab-w05"], notStarted: [] }],
  ] as const) {
    it(`a failed VI domain with the policy "${policy}"`, async () => {
      const sim = await perTest.startSim({ scenario: "many-domains", domains: 5 });
      await helper.load(NODE_MODULES, fleetFlow(sim, { onFailure: policy }), credentialsFor(sim));
      const summaries = new Collector("summary");
      failWhenStarted("lab-w01");
      getNode("fleet").receive({ payload: "start" });
      const end = summaryOf(await summaries.waitFor(() => true, "the fleet's summary", 60_000));
      assert.deepEqual(
        {
          done: end.done.map((d) => d.domainName),
          failed: end.failed.map((d) => d.domainName),
          notStarted: end.notStarted.map((d) => d.domainName),
        },
        { done: [...expected.done], failed: ["lab-w01"], notStarted: [...expected.notStarted] },
      );
      assert.match(String(end.failed[0]?.runId), /./, "the failed domain names its run");
      if (policy === "stop")
        assert.ok(end.notStarted.every((d) => /lab-w01 failed/.test(String((d as { reason?: string }).reason))));
    });
  }

  it("a restart in the middle of a fleet: active runs are followed, the rest start as slots free", async () => {
    const sim = await perTest.startSim({ scenario: "many-domains", domains: 5 });
    const flow = fleetFlow(sim, {});
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const statuses = new Collector("statusOut");
    getNode("fleet").receive({ payload: "start" });
    await statuses.waitFor((m) => {
      const p = m.payload as { domainName?: string; runId?: string };
      return p.domainName === "lab-w01" && p.runId !== undefined;
    }, "lab-w01 started");
    sim.setFaults({ precheckNeverFinishes: true });
    for (const name of ["lab-w01", "lab-w02"])
      await statuses.waitFor((m) => {
        const p = m.payload as { domainName?: string; status?: string };
        return p.domainName === name && p.status === "running_prechecks";
      }, `${name} in its prechecks`);
    await helper.unload();
    sim.setFaults({ precheckNeverFinishes: false });
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const summaries = new Collector("summary");
    const end = summaryOf(await summaries.waitFor(() => true, "the fleet's summary after the restart", 60_000));
    assert.equal(end.status, "finished");
    assert.equal(end.counts.done, 6, JSON.stringify(end.domains));
    const runs = fleetRuns(); // one run per domain
    assert.equal(runs.size, 6);
    assert.equal(mostAtOnce(VI.map((n) => runs.get(n) as UpgradeRun)), 2);
    assertNoUpgradeTwice(sim);
  });

  it("msg.cancel stops new starts and cancels the running domain", async () => {
    const sim = await perTest.startSim({
      scenario: "many-domains",
      domains: 5,
      faults: { precheckNeverFinishes: true },
    });
    await helper.load(NODE_MODULES, fleetFlow(sim, {}), credentialsFor(sim));
    const statuses = new Collector("statusOut");
    const summaries = new Collector("summary");
    getNode("fleet").receive({ payload: "start" });
    await statuses.waitFor((m) => {
      const p = m.payload as { domainName?: string; status?: string };
      return p.domainName === "lab-m01" && p.status === "running_prechecks";
    }, "lab-m01 in its prechecks");
    getNode("fleet").receive({ cancel: true, reason: "change window closed" });
    const end = summaryOf(await summaries.waitFor(() => true, "the summary of the cancelled fleet", 30_000));
    assert.equal(end.status, "cancelled");
    assert.deepEqual([end.failed.map((d) => d.domainName), end.notStarted.map((d) => d.domainName)], [["lab-m01"], VI]);
  });

  it("refuses bad input naming the field, and an output 1 wired to nothing", async () => {
    const sim = await perTest.startSim({ scenario: "many-domains", domains: 1 });
    const flow = fleetFlow(sim, {});
    flow.push({ ...flowNode("lonely", "vcf-fleet", { concurrency: 2 }), wires: [[], ["summary"]] });
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const caught = new Collector("caught");
    getNode("fleet").receive({ fleet: { concurrency: 0 } });
    getNode("fleet").receive({ payload: "go" });
    getNode("fleet").receive({ fleet: { domains: ["lab-m01", "nowhere"] } });
    getNode("lonely").receive({ payload: "start" });
    const texts = ((await caught.waitFor(() => caught.messages.length === 4, "four refusals")) && caught.messages).map(
      caughtError,
    );
    const has = (pattern: RegExp): void =>
      assert.ok(
        texts.some((t) => pattern.test(t)),
        `${pattern} in ${texts.join(" | ")}`,
      );
    has(/msg\.fleet\.concurrency must be a whole number from 1 to 100/);
    has(/msg\.payload "go" is not a fleet command/);
    has(/names nowhere, which SDDC Manager does not list.*lab-m01, lab-w01/);
    has(/Output 1 is not wired/);
    assert.equal(connectionOf().requireEngine().listRuns().length, 0, "nothing started");
  });

  it("a damaged fleet file is kept and named; nothing starts until it is repaired or moved away", async () => {
    const sim = await perTest.startSim({ scenario: "many-domains", domains: 1 });
    const file = path.join(perTest.userDir(), "vcf-upgrade-fleet-fleet.json");
    fs.writeFileSync(file, '{"fleetFileFormat": 1, "fleet": {"id": "f1", "members": [');
    await helper.load(NODE_MODULES, fleetFlow(sim, {}), credentialsFor(sim));
    const caught = new Collector("caught");
    getNode("fleet").receive({ payload: "start" });
    assert.match(
      caughtError(await caught.waitFor(() => true, "the refused start")),
      /stored fleet cannot be read: .*vcf-upgrade-fleet-fleet\.json is not valid JSON.*move it away/,
    );
    assert.equal(fs.readFileSync(file, "utf8").endsWith("["), true, "the file is kept as it was");
    assert.equal(connectionOf().requireEngine().listRuns().length, 0);
  });
});
