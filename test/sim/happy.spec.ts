import { strict as assert } from "node:assert";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { call, getJson } from "../support/sim-http";
import type { FutureRelease, Task } from "./sim-flow";
import { Flow, TARGET } from "./sim-flow";

describe("simulator: happy scenario, a whole domain upgrade over raw HTTP", function () {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ scenario: "happy" });
  });
  after(async () => sim.stop());

  it("upgrades the management domain to the oldest applicable newer release with one POST per component", async () => {
    const flow = new Flow(sim);
    await flow.login();
    const domain = await flow.domain("MANAGEMENT");
    assert.equal(await flow.currentVersion(domain.id), "5.2.0.0");

    const future = await getJson<{ elements: FutureRelease[] }>(
      sim,
      `/v1/releases/domains/${domain.id}/future-releases`,
      flow.token,
    );
    const applicableNewer = future.elements
      .filter((r) => r.applicabilityStatus === "APPLICABLE" && r.version > "5.2.0.0")
      .map((r) => r.version);
    assert.deepEqual(applicableNewer.sort(), ["5.2.1.0", "5.2.2.0", "9.0.0.0", "9.0.1.0"]);
    assert.ok(
      future.elements.some((r) => r.version === "5.1.1.0" && r.applicabilityStatus === "APPLICABLE"),
      "an older applicable release exists",
    );
    assert.ok(future.elements.some((r) => r.applicabilityStatus === "NOT_APPLICABLE"));

    assert.deepEqual(await flow.upgradables(domain.id), [], "no upgradables before a target is set");

    const validation = await flow.post<{ id: string; executionStatus: string }>(
      `/v1/releases/domains/${domain.id}/validations`,
      { targetVersion: TARGET },
      202,
    );
    assert.equal(validation.executionStatus, "IN_PROGRESS");
    sim.advanceClock(60);
    const validated = await getJson<{ executionStatus: string; resultStatus: string }>(
      sim,
      `/v1/releases/domains/validations/${validation.id}`,
      flow.token,
    );
    assert.deepEqual([validated.executionStatus, validated.resultStatus], ["COMPLETED", "SUCCEEDED"]);

    await flow.setTarget(domain.id);
    const view = await getJson<{ targetVersion: string }>(sim, `/v1/releases/domains/${domain.id}`, flow.token);
    assert.equal(view.targetVersion, TARGET);

    const first = await flow.upgradables(domain.id);
    assert.deepEqual(
      first.map((u) => [u.softwareComponents[0]?.type, u.status]),
      [
        ["SDDC_MANAGER", "AVAILABLE"],
        ["NSX_T_MANAGER", "PENDING"],
        ["VCENTER", "PENDING"],
        ["HOST", "PENDING"],
      ],
    );

    const bundleIds = await flow.downloadAll(domain.id);
    for (const id of bundleIds) assert.equal(await flow.bundleStatus(id), "SUCCESSFUL");

    const runId = await flow.startPrechecks(domain.id);
    sim.advanceClock(16 * 60);
    const run = await getJson<{
      status: string;
      presentedArtifactsMap: Record<string, { warningGapsCount: number; errorValidationsCount: number }[]>;
    }>(sim, `/v1/system/check-sets/${runId}`, flow.token);
    assert.equal(run.status, "COMPLETED_WITH_SUCCESS");
    const summary = run.presentedArtifactsMap["validation-domain-summary"]?.[0];
    assert.deepEqual([summary?.warningGapsCount, summary?.errorValidationsCount], [0, 0]);

    const order: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const result = await flow.upgradeNext(domain.id);
      assert.equal(result.status, "COMPLETED_WITH_SUCCESS");
      order.push(result.upgradable.softwareComponents[0]?.type ?? "");
      const task = await getJson<Task>(sim, `/v1/tasks/${result.taskId}`, flow.token);
      assert.equal(task.status, "SUCCESSFUL");
    }
    assert.deepEqual(order, ["SDDC_MANAGER", "NSX_T_MANAGER", "VCENTER", "HOST"]);
    assert.equal(flow.upgradePosts, 4);
    assert.equal(sim.requestLog().filter((e) => e.method === "POST" && e.path === "/v1/upgrades").length, 4);

    assert.deepEqual(await flow.upgradables(domain.id), []);
    assert.equal(await flow.currentVersion(domain.id), TARGET);
    const after = await getJson<{
      upgradeStatus: { status: string; completedResources: number; totalResources: number };
    }>(sim, `/v1/domains/${domain.id}`, flow.token);
    assert.deepEqual(after.upgradeStatus, { status: "UP_TO_DATE", completedResources: 4, totalResources: 4 });
    const managers = await getJson<{ elements: { version: string }[] }>(sim, "/v1/sddc-managers", flow.token);
    assert.equal(managers.elements[0]?.version, "5.2.1.0-24307856");

    const again = await call(sim, "POST", `/v1/releases/domains/${domain.id}/validations`, {
      token: flow.token,
      body: { targetVersion: TARGET },
    });
    assert.equal(again.status, 400);
    assert.equal(
      (again.json as { errorCode: string }).errorCode,
      "SAME_SOURCE_AND_TARGET_VCF_VERSION_BUT_NO_PATCHLIST",
    );
    const samePatch = await call(sim, "PATCH", `/v1/releases/domains/${domain.id}`, {
      token: flow.token,
      body: { targetVersion: TARGET },
    });
    assert.equal(samePatch.status, 400);
    assert.equal((samePatch.json as { errorCode: string }).errorCode, "SAME_SOURCE_AND_TARGET_VCF_VERSION");
  });

  it("then upgrades a VI domain (NSX, vCenter, ESXi; no SDDC Manager step)", async () => {
    const flow = new Flow(sim);
    await flow.login();
    const domain = await flow.domain("VI");
    await flow.setTarget(domain.id);
    await flow.downloadAll(domain.id);
    const types: string[] = [];
    for (let i = 0; i < 3; i += 1)
      types.push((await flow.upgradeNext(domain.id)).upgradable.softwareComponents[0]?.type ?? "");
    assert.deepEqual(types, ["NSX_T_MANAGER", "VCENTER", "HOST"]);
    assert.equal(await flow.currentVersion(domain.id), TARGET);
  });
});
