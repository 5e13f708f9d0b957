import * as assert from "node:assert/strict";
import type { UpgradeRun } from "../../nodes/engine";
import type { FaultPatch, RunningSimulator, SimExchange } from "../../nodes/sim/index";
import { checkExchanges, loadSpec } from "../support/openapi-contract";
import { EngineUnderTest, count, managementDomain, simulator } from "./harness";

/** The bundle ids of the POST /v1/upgrades requests in the log. */
function postedBundles(log: readonly SimExchange[]): string[] {
  return log.filter((e) => e.method === "POST" && e.path === "/v1/upgrades").map((e) => (e.requestBody as { bundleId: string }).bundleId);
}

function upgradeOf(run: UpgradeRun | undefined, componentType: string): { upgradeId: string; bundleId: string } {
  const found = Object.values(run?.remote.upgrades ?? {}).find((u) => u.componentType === componentType);
  assert.ok(found, `run has no ${componentType} upgrade`);
  return found;
}

describe("engine: a new run after a failed component upgrade", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  afterEach(async () => { await t?.engine.close(); await sim?.stop(); });

  /** The first run fails on NSX; the operator "fixes the cause" (failAttempts 1) and a second run is started. */
  async function failThenRestart(faults: FaultPatch, targetVersion?: string): Promise<{ first: UpgradeRun; second: UpgradeRun }> {
    sim = await simulator("upgrade-failure", { faults: { failAttempts: 1, ...faults } });
    t = new EngineUnderTest(sim);
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name, targetVersion });
    await assert.rejects(t.finishRun(started.id), /The upgrade of NSX .* failed/);
    const first = t.engine.getRun(started.id);
    assert.equal(first?.status, "failed");
    sim.clearRequestLog();
    const next = await t.engine.startRun({ domain: domain.name });
    assert.equal(next.sourceVersion, first.sourceVersion, "the domain's release stays the old one until every component is done");
    assert.equal(next.targetVersion, first.targetVersion);
    const second = await t.finishRun(next.id);
    assert.equal(second.status, "successfully_completed");
    return { first, second };
  }

  /** What both ways share: no download, no second target, prechecks again, SDDC Manager not upgraded again. */
  function assertContinued(first: UpgradeRun, second: UpgradeRun): void {
    const log = sim.requestLog();
    assert.equal(count(log, "PATCH", /^\/v1\/bundles\//), 0, "the bundles are already downloaded");
    assert.equal(count(log, "PATCH", /^\/v1\/releases\/domains\//), 0, "the target is already set");
    assert.ok(second.log.some((e) => /Target version .* is already set/.test(e.text)));
    assert.equal(count(log, "POST", /^\/v1\/system\/check-sets$/), 1, "the prechecks run again");
    const sddc = upgradeOf(first, "SDDC_MANAGER");
    assert.ok(!postedBundles(log).includes(sddc.bundleId), "SDDC Manager is not upgraded twice");
    assert.ok(!Object.values(second.remote.upgrades).some((u) => u.componentType === "SDDC_MANAGER"));
    assert.deepEqual(Object.values(second.remote.upgrades).map((u) => u.componentType), ["NSX_T_MANAGER", "VCENTER", "ESX_HOST"]);
  }

  it("retries SDDC Manager's failed task (isRetryable) instead of a new POST, then upgrades the rest", async () => {
    const { first, second } = await failThenRestart({});
    assertContinued(first, second);
    const nsx = upgradeOf(first, "NSX_T_MANAGER");
    const log = sim.requestLog();
    assert.equal(count(log, "PATCH", new RegExp(`^/v1/tasks/${nsx.upgradeId}$`)), 1, "one retry of the failed task");
    assert.equal(count(log, "PATCH", /^\/v1\/tasks\//), 1);
    assert.ok(!postedBundles(log).includes(nsx.bundleId), "no new upgrade of the NSX bundle");
    assert.equal(postedBundles(log).length, 2, "vCenter and ESXi");
    assert.equal(upgradeOf(second, "NSX_T_MANAGER").upgradeId, nsx.upgradeId, "the retried upgrade is followed");
    assert.ok(second.log.some((e) => /task is retryable: retrying task .* instead of starting a new upgrade/.test(e.text)));
    if (loadSpec()) assert.deepEqual(checkExchanges(log), [], "the retry and the task reads fit the OpenAPI spec");
  });

  it("POSTs a new upgrade of the failed component when its task is not retryable", async () => {
    const { first, second } = await failThenRestart({ upgradesNotRetryable: true });
    assertContinued(first, second);
    const nsx = upgradeOf(first, "NSX_T_MANAGER");
    const log = sim.requestLog();
    assert.equal(count(log, "PATCH", /^\/v1\/tasks\//), 0);
    assert.deepEqual(postedBundles(log).filter((b) => b === nsx.bundleId), [nsx.bundleId], "exactly one new NSX upgrade");
    assert.equal(postedBundles(log).length, 3, "NSX, vCenter and ESXi");
    assert.notEqual(upgradeOf(second, "NSX_T_MANAGER").upgradeId, nsx.upgradeId, "not the old FAILED upgrade");
    assert.ok(second.log.some((e) => /not retryable, so a new upgrade is started/.test(e.text)));
  });

  it("a retry whose answer is lost is not sent again: the resumed upgrade is found and followed", async () => {
    const { first, second } = await failThenRestart({ dropResponseOf: ["PATCH /v1/tasks/{id}"] });
    assertContinued(first, second);
    const nsx = upgradeOf(first, "NSX_T_MANAGER");
    assert.equal(count(sim.requestLog(), "PATCH", /^\/v1\/tasks\//), 1);
    assert.equal(upgradeOf(second, "NSX_T_MANAGER").upgradeId, nsx.upgradeId);
    assert.ok(second.log.some((e) => e.level === "warning" && /No answer to the retry of task/.test(e.text)));
  });

  it("without a requested target, continues to the target the failed run had selected (not the oldest release)", async () => {
    const { first, second } = await failThenRestart({}, "5.2.2.0");
    assert.equal(first.targetVersion, "5.2.2.0");
    assert.equal(second.targetVersion, "5.2.2.0");
    assert.match(second.log[0]?.text ?? "", /5\.2\.2\.0 \(the target already selected for the domain: continuing its upgrade\)/);
    assertContinued(first, second);
  });

  it("fails again, with the task's error, when the retried upgrade fails again", async () => {
    sim = await simulator("upgrade-failure", { faults: { failAttempts: 2 } });
    t = new EngineUnderTest(sim);
    const domain = await managementDomain(sim);
    const first = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(t.finishRun(first.id), /The upgrade of NSX .* failed/);
    const second = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(t.finishRun(second.id), /The upgrade of NSX .* failed: .*maintenance mode/);
    assert.equal(count(sim.requestLog(), "PATCH", /^\/v1\/tasks\//), 1);
    assert.equal(t.engine.getRun(second.id)?.status, "failed");
  });
});
