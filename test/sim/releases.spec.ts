import { strict as assert } from "node:assert";
import type { FaultPatch, RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { SimClock } from "../../nodes/sim/clock";
import { call, elements, getJson } from "../support/sim-http";
import type { Task } from "./sim-flow";
import { Flow, TARGET } from "./sim-flow";

describe("simulator: releases, targets, validations, tasks", function () {
  let sim: RunningSimulator;
  let flow: Flow;
  let domainId: string;
  afterEach(async () => sim.stop());

  async function start(faults: FaultPatch = {}): Promise<void> {
    sim = await startSimulator({ faults });
    flow = new Flow(sim);
    await flow.login();
    domainId = (await flow.domain()).id;
  }

  it("reports releases whose BOM component versions differ from the VCF version, with patch bundles", async () => {
    await start();
    const [release] = await elements<{
      version: string;
      bom: { name: string; version: string }[];
      patchBundles: { bundleId: string }[];
    }>(sim, `/v1/releases?versionEq=${TARGET}`, flow.token);
    assert.equal(release?.version, TARGET);
    assert.equal(release?.bom.find((b) => b.name === "VCENTER")?.version, "8.0.3.00300-24305161");
    assert.equal(release?.patchBundles.length, 4);
    const newer = await elements<{ version: string }>(sim, "/v1/releases?versionGt=5.2.0.0", flow.token);
    assert.deepEqual(
      newer.map((r) => r.version),
      ["5.2.1.0", "5.2.1.1", "5.2.2.0", "9.0.0.0", "9.0.1.0"],
    );
    const vi = await flow.domain("VI");
    const viRelease = await flow.targetRelease(vi.id);
    assert.ok(!viRelease.bom.some((b) => b.name === "SDDC_MANAGER_VCF"), "a VI domain does not run SDDC Manager");
    const views = await elements<{ domainId: string; targetVersion: string }>(sim, "/v1/releases/domains", flow.token);
    assert.deepEqual(
      views.map((v) => v.targetVersion),
      ["", ""],
    );
  });

  it("emptyPatchBundles: releases list no patch bundles; the bundles are still found via the upgradables and the domain's bundles", async () => {
    await start({ emptyPatchBundles: true });
    const [release] = await elements<{ patchBundles: unknown[] }>(sim, `/v1/releases?versionEq=${TARGET}`, flow.token);
    assert.deepEqual(release?.patchBundles, []);
    assert.deepEqual((await flow.targetRelease(domainId)).patchBundles, []);
    await flow.setTarget(domainId);
    const fromUpgradables = (await flow.upgradables(domainId)).map((u) => u.bundleId);
    const forDomain = await elements<{ id: string }>(sim, `/v1/bundles/domains/${domainId}`, flow.token);
    assert.equal(fromUpgradables.length, 4);
    assert.deepEqual(
      forDomain.map((b) => b.id),
      fromUpgradables,
    );
  });

  it("sets, shows and clears a target; answers 500 for a version that does not exist or does not apply, 404 for an unknown domain", async () => {
    await start();
    for (const version of ["5.2.0.1", "5.2.1.1", "9.9.0.0", "5.1.1.0"]) {
      const res = await call(sim, "PATCH", `/v1/releases/domains/${domainId}`, {
        token: flow.token,
        body: { targetVersion: version },
      });
      assert.equal(res.status, 500, version);
    }
    const empty = await call(sim, "PATCH", `/v1/releases/domains/${domainId}`, {
      token: flow.token,
      body: { targetVersion: TARGET, targetSddcManagerVersion: "" },
    });
    assert.equal(empty.status, 400, "an extra key with an empty value is refused");
    assert.match((empty.json as { message: string }).message, /targetSddcManagerVersion/);
    assert.equal(
      (await call(sim, "GET", "/v1/releases/domains/00000000-0000-4000-8000-000000000000", { token: flow.token }))
        .status,
      404,
    );
    await flow.setTarget(domainId);
    assert.equal(
      (await getJson<{ targetVersion: string }>(sim, `/v1/releases/domains/${domainId}`, flow.token)).targetVersion,
      TARGET,
    );
    assert.equal(
      (await getJson<{ elements: unknown[] }>(sim, `/v1/bundles/domains/${domainId}`, flow.token)).elements.length,
      4,
    );
    const cleared = await call(sim, "DELETE", `/v1/releases/domains/${domainId}`, { token: flow.token });
    assert.deepEqual([cleared.status, cleared.text], [200, ""]);
    assert.deepEqual(await flow.upgradables(domainId), []);
  });

  it("validations: FAILED for a release that does not apply, FAILED_WITH_WARNINGS when configured, IN_PROGRESS while validationNeverFinishes", async () => {
    await start({ validationResult: "FAILED_WITH_WARNINGS" });
    const bad = await flow.post<{ id: string }>(
      `/v1/releases/domains/${domainId}/validations`,
      { targetVersion: "5.2.1.1" },
      202,
    );
    const good = await flow.post<{ id: string }>(
      `/v1/releases/domains/${domainId}/validations`,
      { targetVersion: TARGET },
      202,
    );
    sim.advanceClock(60);
    const failed = await getJson<{ resultStatus: string; validationChecks: { errorResponse?: { message: string } }[] }>(
      sim,
      `/v1/releases/domains/validations/${bad.id}`,
      flow.token,
    );
    assert.equal(failed.resultStatus, "FAILED");
    assert.match(failed.validationChecks[0]?.errorResponse?.message ?? "", /minimum compatible version/);
    assert.equal(
      (await getJson<{ resultStatus: string }>(sim, `/v1/releases/domains/validations/${good.id}`, flow.token))
        .resultStatus,
      "FAILED_WITH_WARNINGS",
    );
    sim.setFaults({ validationNeverFinishes: true });
    assert.equal(
      (await getJson<{ executionStatus: string }>(sim, `/v1/releases/domains/validations/${good.id}`, flow.token))
        .executionStatus,
      "IN_PROGRESS",
    );
    assert.equal(
      (await call(sim, "POST", `/v1/releases/domains/${domainId}/validations`, { token: flow.token, body: {} })).status,
      400,
    );
  });

  it("reflects progress in Domain.upgradeStatus", async () => {
    await start();
    const status = async (): Promise<unknown> =>
      (await getJson<{ upgradeStatus: unknown }>(sim, `/v1/domains/${domainId}`, flow.token)).upgradeStatus;
    assert.deepEqual(await status(), { status: "AVAILABLE", completedResources: 0, totalResources: 4 });
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    assert.deepEqual(await status(), { status: "READY", completedResources: 0, totalResources: 4 });
    await flow.upgradeNext(domainId);
    const nsx = (await flow.upgradables(domainId))[0];
    await flow.post<Task>(
      "/v1/upgrades",
      {
        bundleId: nsx?.bundleId,
        resourceType: "DOMAIN",
        resourceUpgradeSpecs: [{ resourceId: domainId, upgradeNow: true }],
      },
      202,
    );
    assert.deepEqual(await status(), { status: "IN_PROGRESS", completedResources: 1, totalResources: 4 });
  });

  it("pages GET /v1/tasks with pageNumber/pageSize and filters by type and status spelling", async () => {
    await start();
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    const page0 = await getJson<{
      elements: Task[];
      pageMetadata: { pageNumber: number; pageSize: number; totalElements: number; totalPages: number };
    }>(sim, "/v1/tasks?pageSize=3&pageNumber=0", flow.token);
    // The four bundle downloads, the last scheduled SDDC Manager backup and the backup configuration's last update.
    assert.deepEqual(page0.pageMetadata, { pageNumber: 0, pageSize: 3, totalElements: 6, totalPages: 2 });
    const page1 = await getJson<{ elements: Task[] }>(sim, "/v1/tasks?pageSize=3&pageNumber=1", flow.token);
    assert.equal(page1.elements.length, 3);
    const successful = await getJson<{ elements: Task[] }>(
      sim,
      "/v1/tasks?taskType=BUNDLE_DOWNLOAD&taskStatus=SUCCESSFUL",
      flow.token,
    );
    assert.deepEqual([...new Set(successful.elements.map((t) => t.status))], ["Successful"]);
    assert.equal((await call(sim, "GET", "/v1/tasks?pageSize=500", { token: flow.token })).status, 400);
  });

  it("creates a DRAFT upgrade with draftMode and starts it with PATCH /v1/upgrades/{id}", async () => {
    await start();
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    const sddc = (await flow.upgradables(domainId))[0];
    const task = await flow.post<Task>(
      "/v1/upgrades",
      {
        bundleId: sddc?.bundleId,
        resourceType: "DOMAIN",
        draftMode: true,
        resourceUpgradeSpecs: [{ resourceId: domainId, upgradeNow: true }],
      },
      202,
    );
    assert.equal((await getJson<{ status: string }>(sim, `/v1/upgrades/${task.id}`, flow.token)).status, "DRAFT");
    const committed = await call(sim, "PATCH", `/v1/upgrades/${task.id}`, {
      token: flow.token,
      body: { upgradeNow: true },
    });
    assert.equal((committed.json as { status: string }).status, "INPROGRESS");
    assert.equal(await flow.waitForUpgrade(task.id), "COMPLETED_WITH_SUCCESS");
  });

  it("runs the simulated clock at the time scale, plus jumps", () => {
    let real = 1_000_000;
    const clock = new SimClock(60, () => real);
    const start = clock.nowMs();
    real += 1000;
    assert.equal(clock.nowMs() - start, 60_000);
    clock.advance(30);
    assert.equal(clock.nowMs() - start, 90_000);
    assert.throws(() => clock.advance(-1), /advanceClock/);
  });
});
