// Upgrades against SDDC Manager 9.0: a whole run on the 9.0 profile, and a 5.2.1 -> 9.0 run that crosses into the
// 9.0 API when SDDC Manager's own upgrade ends, with a restart right after it and the VCF Operations gate before it.
import * as assert from "node:assert/strict";
import { EngineError, type AckPolicy, type UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator, SimExchange } from "../../nodes/sim/index";
import { mutatingRequests, upgradePostsPerBundle } from "../support/request-log";
import { EngineUnderTest, WAIT_FOR_ACK, managementDomain, simulator, stopAll, tempStore } from "./harness";

/** A client that rides out two "inventory cache not seeded" answers of the system upgradables list. */
const PATIENT_CLIENT = { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 } };
const PASS_WARNINGS: AckPolicy = { ...WAIT_FOR_ACK, ignoreAlerts: true };

function logText(run: UpgradeRun): string {
  return run.log.map((e) => `${e.level}: ${e.text}`).join("\n");
}

function generationsSpoken(log: readonly SimExchange[]): string[] {
  return [...new Set(log.map((e) => e.apiGeneration))];
}

describe("engine: SDDC Manager 9.0", function () {
  let sim: RunningSimulator | undefined;
  let files: Awaited<ReturnType<typeof tempStore>> | undefined;
  const engines: EngineUnderTest[] = [];
  afterEach(async () => {
    await stopAll(engines, sim);
    sim = undefined;
    await files?.cleanup();
    files = undefined;
  });

  /** An engine on a file store shared by the engines of one test (a restart is a new engine on it). */
  async function engineOn(s: RunningSimulator): Promise<EngineUnderTest> {
    files ??= await tempStore();
    const t = new EngineUnderTest(s, files.store(), { downloadConcurrency: 1 }, s.url, PATIENT_CLIENT);
    engines.push(t);
    return t;
  }

  it("upgrades a domain of the 9.0 profile (9.0.0.0 -> 9.0.1.0) through the 9.0 API, SKIPPED sub-tasks as ended", async () => {
    sim = await simulator("vcf9");
    const done = await (await engineOn(sim)).fullRun((await managementDomain(sim)).name);
    assert.deepEqual(
      [done.status, done.sourceVersion, done.targetVersion],
      ["successfully_completed", "9.0.0.0", "9.0.1.0"],
      done.failureReason,
    );
    assert.equal(done.api?.generation, "9.0");
    assert.match(done.api?.sddcManagerVersion ?? "", /^9\.0\.1\.0-/, "read again after SDDC Manager's own upgrade");
    assert.deepEqual(done.outsideWork, undefined, "VCF Operations does not change from 9.0.0.0 to 9.0.1.0");
    const text = logText(done);
    assert.match(text, /SDDC Manager 9\.0\.0\.0-\d+ speaks the 9\.0 API/);
    assert.match(
      text,
      /info: NSX: step 1 of \d+ SKIPPED: VCF Operations integration update/,
      "a SKIPPED sub-task ended",
    );
    assert.doesNotMatch(text, /error: /);
    assert.doesNotMatch(text, /system\/upgradables/, "the unseeded inventory cache was waited out, not given up on");
    const log = sim.requestLog();
    assert.deepEqual(generationsSpoken(log), ["9.0"]);
    assert.ok(
      log.every((e) => !JSON.stringify(e.requestBody ?? {}).includes("targetVxRailVersion")),
      "9.0 removed targetVxRailVersion: it is never sent",
    );
    assert.ok([...upgradePostsPerBundle(log).values()].every((n) => n === 1));
  });

  it("a target validation that passes with WARNING (9.0's word, checks without severity) is a warning, not a failure", async () => {
    sim = await simulator("vcf9", { faults: { validationResult: "FAILED_WITH_WARNINGS" } });
    const t = await engineOn(sim);
    const done = await t.fullRun((await managementDomain(sim)).name, PASS_WARNINGS);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    const validationFindings = done.findings.filter((f) => f.code === "TARGET_VALIDATION");
    assert.ok(validationFindings.length > 0, "the validation's warning reached the gate");
    assert.ok(validationFindings.every((f) => f.severity === "WARNING"));
    assert.match(logText(done), /warning: Target validation ended with WARNING: /);
  });
  it("plans a 5.2.1 -> 9.0 upgrade: the API spoken, VCF Operations first, SDDC Manager's order, nothing changed", async () => {
    sim = await simulator("to-vcf9");
    const t = await engineOn(sim);
    const plan = await t.engine.planUpgrade({ domain: (await managementDomain(sim)).name, targetVersion: "9.0.0.0" });
    assert.deepEqual(plan.api.generation, "5.2");
    assert.match(plan.outsideWork.join(), /VCF Operations and VCF Operations fleet management to 9\.0\.0\.0/);
    assert.ok(plan.notes.some((n) => n.level === "warning" && /cannot do through SDDC Manager's API/.test(n.text)));
    assert.deepEqual(
      plan.components.slice(0, 3).map((c) => c.kind),
      ["SDDC_MANAGER", "NSX_T_MANAGER", "VCENTER"],
    );
    // a plan may query (check-set queries, the password expiry query), but changes nothing
    const changes = mutatingRequests(sim.requestLog()).filter((e) => !/queries|expirations/.test(e.path));
    assert.deepEqual(changes, []);
  });

  it("uses the 9.0-only calls only where SDDC Manager speaks 9.0: preview in the plan, depot sync in readiness, download states at once", async () => {
    const ONLY_90 = /^\/v1\/(upgrades\/preview|bundles\/download-status|system\/settings\/depot\/depot-sync-info)$/;
    for (const scenario of ["vcf9", "happy"] as const) {
      sim = await simulator(scenario, { faults: { depotStatus: "DEPOT_INVALID_CREDENTIAL" } });
      const t = await engineOn(sim);
      const domain = (await managementDomain(sim)).name;
      const plan = await t.engine.planUpgrade({ domain });
      const run = await t.engine.startRun({ domain });
      await assert.rejects(t.engine.downloadBundles(run.id), /depot/i);
      const asked = sim.requestLog().filter((e) => ONLY_90.test(e.path));
      if (scenario === "happy") {
        assert.deepEqual(asked, [], "a 5.2 SDDC Manager is never asked what only 9.0 has");
        continue;
      }
      assert.ok(plan.notes.some((n) => /preview of the upgrade with .*: \d+ resource\(s\)/.test(n.text)));
      assert.ok(plan.findings.some((f) => /depot sync ended FAILED: Depot sync failed/.test(f.description)));
      assert.deepEqual([...new Set(asked.map((e) => `${e.path} ${e.status}`))].sort(), [
        "/v1/bundles/download-status 200",
        "/v1/system/settings/depot/depot-sync-info 200",
        "/v1/upgrades/preview 200",
      ]);
      assert.equal(
        sim.requestLog().filter((e) => e.path === "/v1/bundles/download-status").length,
        1,
        "the depot gate read the download states of all bundles at once",
      );
      await stopAll(engines, sim);
      await files?.cleanup();
      files = undefined;
    }
  });

  it("says before anything changes that VCF Operations comes first, stops at the gate until acknowledged, crosses into 9.0 and survives a restart right after it", async () => {
    sim = await simulator("to-vcf9");
    const s = sim;
    const a = await engineOn(s);
    const domain = await managementDomain(s);
    const started = await a.engine.startRun({ domain: domain.name, targetVersion: "9.0.0.0" });
    assert.deepEqual([started.sourceVersion, started.targetVersion], ["5.2.1.0", "9.0.0.0"]);
    assert.equal(started.api?.generation, "5.2");
    assert.match(started.outsideWork?.join() ?? "", /VCF Operations and VCF Operations fleet management/);
    assert.match(logText(started), /warning: 9\.0\.0\.0 needs work this package cannot do/);
    assert.ok(
      s.requestLog().every((e) => e.method === "GET" || e.path === "/v1/tokens"),
      "nothing changed in SDDC Manager at the start",
    );

    await a.engine.downloadBundles(started.id);
    await a.engine.runPrechecks(started.id);
    // "ignore alerts" and "also ignore errors" on: the gate still waits for the work outside this package
    const gate = a.engine.awaitAcknowledgement(started.id, {
      ignoreAlerts: true,
      alsoIgnoreErrors: true,
      failOnErrors: false,
    });
    const waiting = await a.when((r) => r.id === started.id && r.status === "waiting_for_alert_acknowledgement");
    assert.match(waiting.step, /Upgrade first, outside this package: VCF Operations/);
    assert.equal(
      s.requestLog().filter((e) => e.method === "POST" && e.path === "/v1/upgrades").length,
      0,
      "no component upgrade before the acknowledgement",
    );
    a.engine.acknowledge(started.id);
    assert.equal((await gate).status, "alerts_were_acknowledged");

    // stop the engine as soon as the run knows SDDC Manager speaks 9.0 (its own upgrade has just ended)
    const crossed = a.when((r) => r.id === started.id && r.api?.generation === "9.0").then(() => a.engine.close());
    await assert.rejects(
      a.engine.upgradeComponents(started.id),
      (e: unknown) => e instanceof EngineError && e.code === "ABORTED",
    );
    await crossed;

    const b = await engineOn(s);
    await b.engine.ready();
    const resumed = b.engine.resumableRuns();
    assert.deepEqual(
      resumed.map((r) => [r.id, r.api?.generation]),
      [[started.id, "9.0"]],
    );
    const before = s.requestLog().length;
    const done = await b.engine.upgradeComponents(started.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    assert.match(logText(done), /speaks the 9\.0 API from now on \(it spoke the 5\.2 API before\)/);
    const afterRestart = s.requestLog().slice(before);
    assert.deepEqual(generationsSpoken(afterRestart), ["9.0"], "NSX, vCenter and ESXi went through the 9.0 API");
    const posts = upgradePostsPerBundle(s.requestLog());
    assert.equal(posts.size, 4);
    assert.ok(
      [...posts.values()].every((n) => n === 1),
      "one POST per component across the restart",
    );
  });
});
