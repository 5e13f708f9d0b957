import * as assert from "node:assert/strict";
import { renderMarkdown, type UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { EngineUnderTest, WAIT_FOR_ACK, count, managementDomain, simulator } from "./harness";
import { RUN_WITHOUT_FINDINGS } from "../support/status-sequences";

const HAPPY_SEQUENCE = [...RUN_WITHOUT_FINDINGS, "waiting_for_initiation"];

describe("engine: happy upgrade against the simulator", () => {
  let sim: RunningSimulator;
  afterEach(async () => {
    await sim?.stop();
  });

  it("goes through exactly the documented statuses and upgrades every component once", async () => {
    sim = await simulator("happy");
    const t = new EngineUnderTest(sim);
    const domain = await managementDomain(sim);
    const run = await t.fullRun(domain.name);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    assert.equal(run.targetVersion, "5.2.1.0");
    await t.when((r) => r.id === run.id && r.status === "waiting_for_initiation");
    assert.deepEqual(t.statuses(run.id), HAPPY_SEQUENCE);
    assert.equal(t.engine.domainStatus(domain.id).status, "waiting_for_initiation");
    assert.equal(t.engine.domainStatus(domain.id).run?.outcome, "successfully_completed");

    const log = sim.requestLog();
    const bundles = Object.keys(run.remote.bundles);
    assert.equal(bundles.length, 4);
    assert.equal(count(log, "PATCH", /^\/v1\/bundles\//), 4, "one download request per bundle");
    assert.equal(count(log, "POST", /^\/v1\/upgrades$/), 4, "one upgrade per component");
    assert.equal(count(log, "POST", /^\/v1\/system\/check-sets\/queries$/), 2, "the two-query pattern");
    assert.equal(count(log, "POST", /^\/v1\/system\/check-sets$/), 1);
    assert.deepEqual(
      Object.values(run.remote.upgrades)
        .map((u) => u.componentType)
        .sort(),
      ["ESX_HOST", "NSX_T_MANAGER", "SDDC_MANAGER", "VCENTER"],
    );
    await t.engine.close();
  });

  it("sends the check-set and upgrade bodies each component needs", async () => {
    sim = await simulator("happy");
    const t = new EngineUnderTest(sim);
    const domain = await managementDomain(sim);
    const run = await t.fullRun(domain.id);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    const log = sim.requestLog();
    const queries = log
      .filter((e) => e.method === "POST" && e.path === "/v1/system/check-sets/queries")
      .map(
        (e) =>
          e.requestBody as { domains: { resources?: { resourceType: string; resourceTargetVersion?: string }[] }[] },
      );
    assert.equal(queries[0]?.domains[0]?.resources, undefined, "query 1: the domain alone");
    const second = queries[1]?.domains[0]?.resources ?? [];
    const esx = run.targetRelease.bom.find((b) => b.name === "ESX_HOST")?.version;
    assert.ok(
      second.some((r) => r.resourceType === "CLUSTER" && r.resourceTargetVersion === esx),
      "CLUSTER gets the ESX_HOST BOM version",
    );
    const runBody = log.find((e) => e.method === "POST" && e.path === "/v1/system/check-sets")?.requestBody as {
      metadata?: { targetVersion?: string };
      resources: unknown[];
    };
    assert.equal(runBody.metadata?.targetVersion, "5.2.1.0");
    assert.equal(runBody.resources.length, second.length, "every resource of the query is in the run");
    const posts = log
      .filter((e) => e.method === "POST" && e.path === "/v1/upgrades")
      .map((e) => e.requestBody as Record<string, unknown>);
    const nsx = posts.find((p) => Array.isArray(p.nsxtUpgradeUserInputSpecs)) as
      { nsxtUpgradeUserInputSpecs: { nsxtHostClusterUpgradeSpecs: unknown[] }[] } | undefined;
    assert.ok(nsx, "NSX upgrade names its clusters");
    const clusters = (await t.engine.resolveDomain(domain.id)).clusters ?? [];
    assert.equal(
      nsx.nsxtUpgradeUserInputSpecs[0]?.nsxtHostClusterUpgradeSpecs.length,
      clusters.length,
      "every host cluster",
    );
    const esxPost = posts.find((p) => p.resourceType === "CLUSTER") as
      { resourceUpgradeSpecs: { personalitySpec?: unknown }[] } | undefined;
    assert.ok(esxPost, "ESXi upgraded per cluster");
    assert.ok(posts.every((p) => !("vcenterUpgradeUserInputSpecs" in p)));
    await t.engine.close();
  });

  it("writes a markdown log that covers every phase", async () => {
    sim = await simulator("happy");
    const t = new EngineUnderTest(sim);
    const run = await t.fullRun((await managementDomain(sim)).name);
    const md = renderMarkdown(run, { maxBytes: 64 * 1024 });
    for (const phase of ["download", "prechecks", "acknowledgement", "upgrade"])
      assert.ok(md.includes(`**${phase}**`), phase);
    for (const text of [
      "All 4 bundle(s) are downloaded",
      "Target version 5.2.1.0 is set and confirmed",
      "Prechecks done",
      "No precheck findings",
      "SDDC Manager now runs",
      "is at 5.2.1.0",
    ]) {
      assert.ok(md.includes(text), text);
    }
    assert.ok(Buffer.byteLength(renderMarkdown(run), "utf8") <= 12 * 1024);
    await t.engine.close();
  });

  it("a change listener that changes its copy, log entries included, changes nothing in the run", async () => {
    sim = await simulator("happy");
    const t = new EngineUnderTest(sim);
    let refused = 0;
    t.engine.on("change", (run: UpgradeRun) => {
      const entry = run.log[0];
      if (entry)
        try {
          entry.text = "changed by a listener";
        } catch (err) {
          if (err instanceof TypeError) refused += 1;
        }
      run.log.push({ at: run.updatedAt, level: "error", phase: "run", text: "pushed by a listener" });
      run.remote.upgrades = {};
      run.findings.push({ name: "listener", severity: "ERROR", description: "added by a listener" });
      run.status = "failed";
    });
    const done = await t.fullRun((await managementDomain(sim)).name, WAIT_FOR_ACK);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    assert.ok(refused > 0, "the log entries a listener gets are frozen");
    const run = t.engine.getRun(done.id);
    assert.ok(run);
    assert.ok(!run.log.some((e) => /by a listener/.test(e.text)));
    assert.ok(!run.findings.some((f) => f.name === "listener"));
    assert.equal(Object.keys(run.remote.upgrades).length, 4);

    // getRun's copy: the same.
    run.status = "failed";
    run.log.length = 0;
    assert.equal(t.engine.getRun(done.id)?.status, "successfully_completed");
    assert.ok((t.engine.getRun(done.id)?.log.length ?? 0) > 0);
    await t.engine.close();
  });
});
