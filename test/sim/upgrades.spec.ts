import { strict as assert } from "node:assert";
import type { FaultPatch, RunningSimulator, ScenarioName } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { call, getJson, login } from "../support/sim-http";
import type { Task, Upgradable } from "./sim-flow";
import { assertContract, Flow } from "./sim-flow";

interface NsxPart {
  id: string;
  upgradeStatus: string;
  version: string;
}
interface NsxtResources {
  nsxtManagerCluster: NsxPart;
  nsxtEdgeClusters: NsxPart[];
  nsxtHostClusters: (NsxPart & { upgradedUnits: number; totalUnits: number })[];
}

describe("simulator: upgrades", function () {
  let sim: RunningSimulator;
  let flow: Flow;
  let domainId: string;
  afterEach(async () => sim.stop());

  async function start(scenario: ScenarioName = "happy", faults: FaultPatch = {}): Promise<void> {
    sim = await startSimulator({ scenario, faults });
    flow = new Flow(sim);
    await flow.login();
    domainId = (await flow.domain()).id;
  }

  function domainSpec(bundleId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      bundleId,
      resourceType: "DOMAIN",
      resourceUpgradeSpecs: [{ resourceId: domainId, upgradeNow: true }],
      ...extra,
    };
  }

  async function available(): Promise<Upgradable> {
    const found = (await flow.upgradables(domainId)).find((u) => u.status === "AVAILABLE");
    assert.ok(found);
    return found;
  }

  it("answers 424 for a bundle that is not downloaded and 403 for a PENDING upgradable", async () => {
    await start();
    await flow.setTarget(domainId);
    const [sddc, nsx] = await flow.upgradables(domainId);
    assert.ok(sddc && nsx);
    const notDownloaded = await call(sim, "POST", "/v1/upgrades", {
      token: flow.token,
      body: domainSpec(sddc.bundleId),
    });
    assert.equal(notDownloaded.status, 424);
    assert.equal((notDownloaded.json as { errorCode: string }).errorCode, "BUNDLE_NOT_DOWNLOADED");
    const pending = await call(sim, "POST", "/v1/upgrades", { token: flow.token, body: domainSpec(nsx.bundleId) });
    assert.equal(pending.status, 403);
    assert.ok((pending.json as { remediationMessage?: string }).remediationMessage);
  });

  it("answers 403 while another upgrade runs and shows it as INPROGRESS in lists and upgradables", async () => {
    await start();
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    const sddc = await available();
    const task = await flow.post<Task>("/v1/upgrades", domainSpec(sddc.bundleId), 202);
    assert.equal(task.status, "IN_PROGRESS");
    const upgrade = await getJson<{ status: string; taskId: string }>(sim, `/v1/upgrades/${task.id}`, flow.token);
    assert.deepEqual([upgrade.status, upgrade.taskId], ["INPROGRESS", task.id]);
    const again = await call(sim, "POST", "/v1/upgrades", { token: flow.token, body: domainSpec(sddc.bundleId) });
    assert.equal(again.status, 403);
    assert.equal((await flow.upgradables(domainId))[0]?.status, "INPROGRESS");
    const listed = await getJson<{ elements: { id: string }[] }>(
      sim,
      `/v1/upgrades?status=INPROGRESS&bundleId=${sddc.bundleId}`,
      flow.token,
    );
    assert.deepEqual(
      listed.elements.map((u) => u.id),
      [task.id],
    );
    assert.equal(
      (await getJson<{ elements: unknown[] }>(sim, "/v1/upgrades?status=COMPLETED_WITH_SUCCESS", flow.token)).elements
        .length,
      0,
    );
  });

  it("strict: UpgradeSpec without resourceUpgradeSpecs, or a vCenter spec without temporaryNetwork, is a 400 naming the field", async () => {
    await start();
    const missing = await call(sim, "POST", "/v1/upgrades", {
      token: flow.token,
      body: { bundleId: "x", resourceType: "DOMAIN" },
    });
    assert.equal(missing.status, 400);
    assert.match((missing.json as { message: string }).message, /resourceUpgradeSpecs/);
    const noId = await call(sim, "POST", "/v1/upgrades", {
      token: flow.token,
      body: { bundleId: "x", resourceType: "DOMAIN", resourceUpgradeSpecs: [{ upgradeNow: true }] },
    });
    assert.match((noId.json as { message: string }).message, /resourceUpgradeSpecs\[0\]\.resourceId/);
    const vc = await call(sim, "POST", "/v1/upgrades", {
      token: flow.token,
      body: domainSpec("x", { vcenterUpgradeUserInputSpecs: [{ resourceId: "vc", upgradeMechanism: "InPlace" }] }),
    });
    assert.equal(vc.status, 400);
    assert.match((vc.json as { message: string }).message, /vcenterUpgradeUserInputSpecs\[0\]\.temporaryNetwork/);
  });

  it("runs the SDDC Manager upgrade through an API outage (dropped connections, then 503 HTML), then rejects old tokens", async () => {
    await start();
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    const pair = (await call(sim, "POST", "/v1/tokens", { body: sim.credentials })).json as {
      accessToken: string;
      refreshToken: { id: string };
    };
    const task = await flow.post<Task>("/v1/upgrades", domainSpec((await available()).bundleId), 202);
    sim.advanceClock(300 + 100); // into the outage: connections are dropped first
    await assert.rejects(call(sim, "GET", "/v1/domains", { token: pair.accessToken }));
    await assert.rejects(call(sim, "POST", "/v1/tokens", { body: sim.credentials }));
    sim.advanceClock(800); // later in the outage: nginx answers 503 with HTML
    const html = await call(sim, "GET", `/v1/upgrades/${task.id}`, { token: pair.accessToken });
    assert.equal(html.status, 503);
    assert.match(html.contentType, /text\/html/);
    assert.match(html.text, /<html>/);
    sim.advanceClock(700); // the API is back
    assert.equal((await call(sim, "GET", "/v1/domains", { token: pair.accessToken })).status, 401);
    assert.equal(
      (await call(sim, "PATCH", "/v1/tokens/access-token/refresh", { rawBody: pair.refreshToken.id })).status,
      401,
    );
    const fresh = await login(sim);
    assert.equal(
      (await getJson<{ elements: { version: string }[] }>(sim, "/v1/sddc-managers", fresh)).elements[0]?.version,
      "5.2.1.0-24307856",
    );
    assert.equal((await getJson<{ status: string }>(sim, `/v1/upgrades/${task.id}`, fresh)).status, "INPROGRESS");
    sim.advanceClock(300);
    assert.equal(
      (await getJson<{ status: string }>(sim, `/v1/upgrades/${task.id}`, fresh)).status,
      "COMPLETED_WITH_SUCCESS",
    );
    assert.equal((await flow.upgradables(domainId).catch(() => [])).length, 0, "the old token of the flow is dead");
    await flow.login();
    assert.equal((await available()).softwareComponents[0]?.type, "NSX_T_MANAGER");
  });

  it("long-sddc-outage keeps the API down far longer than the normal 25 minutes", async () => {
    await start("long-sddc-outage");
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    await flow.post<Task>("/v1/upgrades", domainSpec((await available()).bundleId), 202);
    sim.advanceClock(300 + 3600);
    assert.equal((await call(sim, "GET", "/v1/domains")).status, 503);
    sim.advanceClock(2000);
    assert.equal((await call(sim, "GET", "/v1/domains")).status, 401, "back, and the API asks for a token");
  });

  /** The upgrade-failure scenario up to NSX: SDDC Manager upgraded, the NSX upgrade failed; its FAILED task. */
  async function failedNsxUpgrade(
    faults: FaultPatch,
  ): Promise<{ nsx: Awaited<ReturnType<typeof flow.upgradeNext>>; task: Task }> {
    await start("upgrade-failure", faults);
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    assert.equal((await flow.upgradeNext(domainId)).status, "COMPLETED_WITH_SUCCESS");
    const nsx = await flow.upgradeNext(domainId);
    assert.equal(nsx.status, "COMPLETED_WITH_FAILURE");
    const task = await getJson<Task>(sim, `/v1/tasks/${nsx.taskId}`, flow.token);
    assert.equal(task.status, "FAILED");
    return { nsx, task };
  }

  it("upgrade-failure: NSX ends COMPLETED_WITH_FAILURE with task errors, failed subTask stages and isRetryable; the upgradable is AVAILABLE again", async () => {
    const { nsx, task } = await failedNsxUpgrade({ failAttempts: 1 });
    assert.equal(task.isRetryable, true);
    assert.equal(task.errors[0]?.errorCode, "NSXT_UPGRADE_HOST_CLUSTER_FAILED");
    assert.ok(task.errors[0]?.remediationMessage);
    const failedSub = task.subTasks.find((s) => s.status === "FAILED");
    assert.ok(
      failedSub &&
        failedSub.errors.length === 1 &&
        failedSub.stages[0]?.status === "FAILED" &&
        failedSub.stages[0].errors.length === 1,
    );
    const again = (await flow.upgradables(domainId))[0];
    assert.equal(again?.status, "AVAILABLE");
    assert.equal((again?.errors as unknown[]).length, 1);
    assert.equal(await flow.currentVersion(domainId), "5.2.0.0");

    const retry = await call(sim, "PATCH", `/v1/tasks/${nsx.taskId}`, { token: flow.token });
    assert.equal(retry.status, 200);
    assert.equal(
      await flow.waitForUpgrade(nsx.taskId),
      "COMPLETED_WITH_SUCCESS",
      "the second attempt succeeds with failAttempts 1",
    );
    assert.equal(
      (await call(sim, "PATCH", `/v1/tasks/${nsx.taskId}`, { token: flow.token })).status,
      409,
      "only a failed task can be retried",
    );
  });

  it("upgradesNotRetryable: the failed task refuses a retry; failAttempts counts a new upgrade of the bundle as the next attempt", async () => {
    const { nsx, task } = await failedNsxUpgrade({ failAttempts: 1, upgradesNotRetryable: true });
    assert.equal(task.isRetryable, false);
    assert.equal((await call(sim, "PATCH", `/v1/tasks/${nsx.taskId}`, { token: flow.token })).status, 409);
    const again = await flow.upgradeNext(domainId);
    assert.notEqual(again.taskId, nsx.taskId);
    assert.equal(
      again.status,
      "COMPLETED_WITH_SUCCESS",
      "the second attempt at the bundle succeeds although it is a new upgrade",
    );
  });

  it("upgradeNeverFinishes keeps an upgrade INPROGRESS for a day", async () => {
    await start("happy", { upgradeNeverFinishes: true });
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    const task = await flow.post<Task>("/v1/upgrades", domainSpec((await available()).bundleId), 202);
    await flow.advance(24 * 3600);
    assert.equal((await getJson<Task>(sim, `/v1/tasks/${task.id}`, flow.token)).status, "IN_PROGRESS");
    const upgrades = await getJson<{ elements: { status: string }[] }>(sim, "/v1/upgrades", flow.token);
    assert.deepEqual(
      upgrades.elements.map((u) => u.status),
      ["INPROGRESS"],
    );
  });

  it("keeps a VI domain's upgradables PENDING until SDDC Manager runs the target's version", async () => {
    await start();
    const vi = await flow.domain("VI");
    await flow.setTarget(vi.id);
    const list = await flow.upgradables(vi.id);
    assert.deepEqual(
      list.map((u) => [u.softwareComponents[0]?.type, u.status]),
      [
        ["NSX_T_MANAGER", "PENDING"],
        ["VCENTER", "PENDING"],
        ["HOST", "PENDING"],
      ],
    );
  });

  it("upgrades ESXi per cluster: a vLCM cluster needs a personality for the target ESXi version", async () => {
    await start();
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    for (let i = 0; i < 3; i += 1) await flow.upgradeNext(domainId);
    const esx = await available();
    const domain = await flow.domain();
    const [imageCluster, baselineCluster] = domain.clusters;
    assert.ok(imageCluster && baselineCluster);
    const clusterSpec = (personalityId?: string): Record<string, unknown> => ({
      bundleId: esx.bundleId,
      resourceType: "CLUSTER",
      parallelUpgrade: true,
      resourceUpgradeSpecs: [
        {
          resourceId: imageCluster.id,
          upgradeNow: true,
          ...(personalityId ? { personalitySpec: { personalityId } } : {}),
        },
        { resourceId: baselineCluster.id, upgradeNow: true },
      ],
    });
    const without = await call(sim, "POST", "/v1/upgrades", { token: flow.token, body: clusterSpec() });
    assert.equal(without.status, 400);
    assert.match((without.json as { message: string }).message, /resourceUpgradeSpecs\[0\]\.personalitySpec/);
    const personalities = await getJson<{ elements: { personalityId: string }[] }>(
      sim,
      "/v1/personalities?baseOSVersion=8.0.3-24280767",
      flow.token,
    );
    assert.equal(personalities.elements.length, 1);
    const task = await flow.post<Task>("/v1/upgrades", clusterSpec(personalities.elements[0]?.personalityId), 202);
    assert.equal(await flow.waitForUpgrade(task.id), "COMPLETED_WITH_SUCCESS");
    assert.equal(await flow.currentVersion(domainId), "5.2.1.0");
  });

  it("NSX with a partial host-cluster list upgrades only the listed clusters; the managers and the upgradable wait for the rest", async () => {
    await start("happy", { durations: { nsxUpgradeSeconds: 1200 } });
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    await flow.upgradeNext(domainId);
    const nsx = await available();
    const resources = async (): Promise<NsxtResources> =>
      getJson<NsxtResources>(sim, `/v1/upgradables/domains/${domainId}/nsxt?bundleId=${nsx.bundleId}`, flow.token);
    const before = await resources();
    const [first, second] = before.nsxtHostClusters;
    assert.ok(first && second && before.nsxtEdgeClusters[0]);
    const nsxSpec = (hostClusterIds: string[]): Record<string, unknown> =>
      domainSpec(nsx.bundleId, {
        nsxtUpgradeUserInputSpecs: [
          {
            nsxtId: before.nsxtManagerCluster.id,
            nsxtEdgeClusterUpgradeSpecs: [{ edgeClusterId: before.nsxtEdgeClusters[0]?.id, edgeParallelUpgrade: true }],
            nsxtHostClusterUpgradeSpecs: hostClusterIds.map((hostClusterId) => ({
              hostClusterId,
              hostParallelUpgrade: false,
              liveUpgrade: false,
            })),
          },
        ],
      });

    for (let attempt = 0; attempt < 2; attempt += 1) {
      const task: Task = await flow.post<Task>("/v1/upgrades", nsxSpec([first.id]), 202);
      assert.equal(await flow.waitForUpgrade(task.id), "COMPLETED_WITH_SUCCESS", "the upgrade did what it was asked");
      const after = await resources();
      assert.deepEqual(
        after.nsxtHostClusters.map((c) => [c.upgradeStatus, c.upgradedUnits === c.totalUnits]),
        [
          ["COMPLETED", true],
          ["NOT_STARTED", false],
        ],
      );
      assert.equal(after.nsxtEdgeClusters[0]?.upgradeStatus, "COMPLETED");
      assert.deepEqual(
        [after.nsxtManagerCluster.upgradeStatus, after.nsxtManagerCluster.version],
        ["NOT_STARTED", "4.2.0.0-24105817"],
      );
      const next = (await flow.upgradables(domainId))[0];
      assert.deepEqual(
        [next?.bundleId, next?.status],
        [nsx.bundleId, "AVAILABLE"],
        "upgrading only the first host cluster never gets past NSX",
      );
    }

    const rest = await flow.post<Task>("/v1/upgrades", nsxSpec([second.id]), 202);
    assert.equal(await flow.waitForUpgrade(rest.id), "COMPLETED_WITH_SUCCESS");
    const done = await resources();
    assert.deepEqual(
      [done.nsxtManagerCluster.upgradeStatus, done.nsxtManagerCluster.version],
      ["COMPLETED", "4.2.1.0-24304122"],
    );
    assert.equal((await available()).softwareComponents[0]?.type, "VCENTER");
    assertContract(sim);
  });

  it("strict or not: a CLUSTER request mixing baseline and vLCM clusters needs parallelUpgrade true, a vLCM cluster needs personalitySpec", async () => {
    sim = await startSimulator({ strict: false });
    flow = new Flow(sim);
    await flow.login();
    domainId = (await flow.domain()).id;
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    for (let i = 0; i < 3; i += 1) await flow.upgradeNext(domainId);
    const esx = await available();
    const [imageCluster, baselineCluster] = (await flow.domain()).clusters;
    assert.ok(imageCluster && baselineCluster);
    const personalityId = (
      await getJson<{ elements: { personalityId: string }[] }>(
        sim,
        "/v1/personalities?baseOSVersion=8.0.3-24280767",
        flow.token,
      )
    ).elements[0]?.personalityId;
    const imageEntry = { resourceId: imageCluster.id, upgradeNow: true, personalitySpec: { personalityId } };
    const baselineEntry = { resourceId: baselineCluster.id, upgradeNow: true };

    const mixed = await call(sim, "POST", "/v1/upgrades", {
      token: flow.token,
      body: { bundleId: esx.bundleId, resourceType: "CLUSTER", resourceUpgradeSpecs: [imageEntry, baselineEntry] },
    });
    assert.equal(mixed.status, 400);
    assert.match((mixed.json as { message: string }).message, /'parallelUpgrade'/);
    const noImage = await call(sim, "POST", "/v1/upgrades", {
      token: flow.token,
      body: {
        bundleId: esx.bundleId,
        resourceType: "CLUSTER",
        resourceUpgradeSpecs: [{ resourceId: imageCluster.id, upgradeNow: true }],
      },
    });
    assert.equal(noImage.status, 400);
    assert.match((noImage.json as { message: string }).message, /resourceUpgradeSpecs\[0\]\.personalitySpec/);
    assert.deepEqual(
      (await flow.upgradables(domainId)).map((u) => u.status),
      ["AVAILABLE"],
      "nothing was started",
    );

    const baselineOnly = await flow.post<Task>(
      "/v1/upgrades",
      { bundleId: esx.bundleId, resourceType: "CLUSTER", resourceUpgradeSpecs: [baselineEntry] },
      202,
    );
    assert.equal(await flow.waitForUpgrade(baselineOnly.id), "COMPLETED_WITH_SUCCESS");
    assert.deepEqual(
      (await available()).softwareComponents.map((c) => c.id),
      [imageCluster.id],
      "only the image cluster is left",
    );
  });

  it("keepCompletedUpgradables lists finished steps as COMPLETED; by default they drop out", async () => {
    await start("happy", { keepCompletedUpgradables: true });
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    await flow.upgradeNext(domainId);
    const statuses = async (): Promise<string[][]> =>
      (await flow.upgradables(domainId)).map((u) => [u.softwareComponents[0]?.type ?? "", u.status]);
    assert.deepEqual(await statuses(), [
      ["SDDC_MANAGER", "COMPLETED"],
      ["NSX_T_MANAGER", "AVAILABLE"],
      ["VCENTER", "PENDING"],
      ["HOST", "PENDING"],
    ]);
    assert.equal(
      (await getJson<{ elements: Upgradable[] }>(sim, "/v1/system/upgradables", flow.token)).elements[0]?.status,
      "COMPLETED",
    );
    sim.setFaults({ keepCompletedUpgradables: false });
    assert.deepEqual(
      (await statuses()).map(([type]) => type),
      ["NSX_T_MANAGER", "VCENTER", "HOST"],
    );
  });
  /** The sub-task statuses of a task after each `stepSeconds` of simulated time, until the task ends (repeats collapsed). */
  async function subTaskTimeline(
    taskId: string,
    stepSeconds: number,
    onStep: (task: Task) => void = () => undefined,
  ): Promise<{ names: string[]; timeline: string[][] }> {
    const timeline: string[][] = [];
    for (let i = 0; i < 500; i += 1) {
      const task = await getJson<Task>(sim, `/v1/tasks/${taskId}`, flow.token);
      const statuses = task.subTasks.map((s) => s.status);
      onStep(task);
      if (timeline.at(-1)?.join() !== statuses.join()) timeline.push(statuses);
      if (task.status !== "IN_PROGRESS" && task.status !== "PENDING")
        return { names: task.subTasks.map((s) => s.name), timeline };
      await flow.advance(stepSeconds);
    }
    throw new Error(`task ${taskId} did not end`);
  }

  /** Each sub-task was seen running with the ones before it done and the ones after it waiting, and all end SUCCESSFUL. */
  function assertOneAfterAnother(timeline: string[][]): void {
    const count = timeline[0]?.length ?? 0;
    for (let i = 0; i < count; i += 1) {
      const expected = Array.from({ length: count }, (_, j) =>
        j < i ? "SUCCESSFUL" : j === i ? "IN_PROGRESS" : "PENDING",
      );
      assert.ok(
        timeline.some((v) => v.join() === expected.join()),
        `sub-task ${i + 1} of ${count} seen running alone: ${JSON.stringify(timeline)}`,
      );
    }
    assert.deepEqual(timeline.at(-1), Array(count).fill("SUCCESSFUL"));
  }

  it("upgrade tasks carry sub-tasks that run one after another over the upgrade's duration (SDDC Manager, vCenter, ESXi per host)", async () => {
    await start();
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    const sddc = await flow.upgradeNext(domainId);
    const sddcTask = await getJson<Task>(sim, `/v1/tasks/${sddc.taskId}`, flow.token);
    assert.deepEqual(
      sddcTask.subTasks.map((s) => [s.name, s.status]),
      [
        ["Stage the SDDC Manager bundle", "SUCCESSFUL"],
        ["Back up SDDC Manager", "SUCCESSFUL"],
        ["Apply the upgrade and restart SDDC Manager", "SUCCESSFUL"],
        ["SDDC Manager post-upgrade", "SUCCESSFUL"],
      ],
    );
    await flow.upgradeNext(domainId);

    const vcenter = await flow.post<Task>("/v1/upgrades", domainSpec((await available()).bundleId), 202);
    const vc = await subTaskTimeline(vcenter.id, 100);
    assert.deepEqual(vc.names, [
      "vCenter pre-upgrade checks",
      "Stage the vCenter patch",
      "Install the vCenter patch",
      "vCenter post-upgrade",
    ]);
    assertOneAfterAnother(vc.timeline);

    const clusters = (await flow.domain()).clusters;
    const esx = await flow.post<Task>("/v1/upgrades", domainSpec((await available()).bundleId), 202);
    const state = () =>
      (sim.state() as { domains: { id: string; clusters: { name: string; esxVersion: string }[] }[] }).domains.find(
        (d) => d.id === domainId,
      );
    const before = state()?.clusters.map((c) => c.esxVersion);
    let checked = 0;
    const { names, timeline } = await subTaskTimeline(esx.id, 300, (task) => {
      // A cluster runs the new version only once its last host is done: none moves while the first cluster's hosts run.
      const firstCluster = task.subTasks.filter((s) => s.name.startsWith(`ESXi host ${clusters[0]?.name}-esx`));
      if (firstCluster.some((s) => s.status !== "SUCCESSFUL")) {
        assert.deepEqual(
          state()?.clusters.map((c) => c.esxVersion),
          before,
        );
        checked += 1;
      }
    });
    assert.ok(checked > 2);
    assert.ok(
      clusters.length >= 2 &&
        clusters.every((c) => names.filter((n) => n.startsWith(`ESXi host ${c.name}-esx`)).length >= 1),
      JSON.stringify(names),
    );
    assert.ok(names.length > clusters.length, "one sub-task per host, not per cluster");
    assert.equal(new Set(names).size, names.length);
    assertOneAfterAnother(timeline);
    assert.ok(
      state()?.clusters.every((c, i) => c.esxVersion !== before?.[i]),
      "every cluster runs the new version at the end",
    );
  });
});
