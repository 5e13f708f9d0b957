import { strict as assert } from "node:assert";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { call, getJson, login } from "../support/sim-http";
import type { Task } from "./sim-flow";
import { Flow } from "./sim-flow";

interface Bundle {
  id: string;
  downloadStatus: string;
  sizeMB: number;
  components: { type: string; toVersion: string }[];
}

async function bundles(sim: RunningSimulator, token: string): Promise<Bundle[]> {
  return (await getJson<{ elements: Bundle[] }>(sim, "/v1/bundles", token)).elements;
}

function ofType(list: Bundle[], type: string, toVersion?: string): Bundle {
  const found = list.find(
    (b) => b.components[0]?.type === type && (!toVersion || b.components[0]?.toVersion === toVersion),
  );
  assert.ok(found, `no ${type} bundle`);
  return found;
}

const DOWNLOAD = { bundleDownloadSpec: { downloadNow: true } };

describe("simulator: bundles and downloads", function () {
  let sim: RunningSimulator;
  let token: string;
  afterEach(async () => sim.stop());

  async function start(options: Parameters<typeof startSimulator>[0] = {}): Promise<void> {
    sim = await startSimulator(options);
    token = await login(sim);
  }

  it("lists SDDC Manager, NSX, vCenter and ESXi (component type HOST) bundles for 5.2.1.0, all PENDING", async () => {
    await start();
    const list = await bundles(sim, token);
    const forTarget = list.filter(
      (b) =>
        b.components[0] &&
        ["5.2.1.0-24307856", "4.2.1.0-24304122", "8.0.3.00300-24305161", "8.0.3-24280767"].includes(
          b.components[0].toVersion,
        ),
    );
    assert.deepEqual(forTarget.map((b) => b.components[0]?.type).sort(), [
      "HOST",
      "NSX_T_MANAGER",
      "SDDC_MANAGER",
      "VCENTER",
    ]);
    assert.ok(list.every((b) => b.downloadStatus === "PENDING"));
  });

  it("downloads through SCHEDULED, IN_PROGRESS (with progress, then validation) to SUCCESSFUL; a repeat request gets 409", async () => {
    await start();
    const vc = ofType(await bundles(sim, token), "VCENTER", "8.0.3.00300-24305161");
    const accepted = await call(sim, "PATCH", `/v1/bundles/${vc.id}`, { token, body: DOWNLOAD });
    assert.equal(accepted.status, 202);
    const task = accepted.json as Task;
    assert.equal(accepted.headers.get("location"), `/v1/tasks/${task.id}`);
    const status = async (): Promise<[string, string]> => [
      (await getJson<Bundle>(sim, `/v1/bundles/${vc.id}`, token)).downloadStatus,
      (await getJson<Task>(sim, `/v1/tasks/${task.id}`, token)).status,
    ];

    assert.deepEqual(await status(), ["SCHEDULED", "Pending"]);
    assert.equal((await call(sim, "PATCH", `/v1/bundles/${vc.id}`, { token, body: DOWNLOAD })).status, 409);
    sim.advanceClock(30 + 300);
    assert.deepEqual(await status(), ["IN_PROGRESS", "In Progress"]);
    const midway = await getJson<Task & { subTasks: { description: string }[] }>(sim, `/v1/tasks/${task.id}`, token);
    assert.match(midway.subTasks[0]?.description ?? "", /Downloaded \d+ of 10344.9 MB/);
    const conflict = await call(sim, "PATCH", `/v1/bundles/${vc.id}`, { token, body: DOWNLOAD });
    assert.equal(conflict.status, 409);
    assert.equal((conflict.json as { errorCode: string }).errorCode, "BUNDLE_DOWNLOAD_ALREADY_TRIGGERED");

    sim.advanceClock(10344.9 / 12.5 - 300 + 10);
    const validating = await getJson<Task>(sim, `/v1/tasks/${task.id}`, token);
    assert.deepEqual(
      validating.subTasks.map((s) => s.status),
      ["SUCCESSFUL", "IN_PROGRESS"],
    );
    assert.equal((await status())[0], "IN_PROGRESS");
    sim.advanceClock(100);
    assert.deepEqual(await status(), ["SUCCESSFUL", "Successful"]);
    assert.equal(
      (await call(sim, "PATCH", `/v1/bundles/${vc.id}`, { token, body: DOWNLOAD })).status,
      409,
      "409 once downloaded too",
    );
  });

  it("download-failure: the NSX bundle ends FAILED with a downloadError in the task errors; a new request is accepted", async () => {
    await start({ scenario: "download-failure" });
    const list = await bundles(sim, token);
    const nsx = ofType(list, "NSX_T_MANAGER", "4.2.1.0-24304122");
    const esx = ofType(list, "HOST", "8.0.3-24280767");
    const nsxTask = (await call(sim, "PATCH", `/v1/bundles/${nsx.id}`, { token, body: DOWNLOAD })).json as Task;
    await call(sim, "PATCH", `/v1/bundles/${esx.id}`, { token, body: DOWNLOAD });
    sim.advanceClock(3 * 3600);
    token = await login(sim);
    assert.equal((await getJson<Bundle>(sim, `/v1/bundles/${nsx.id}`, token)).downloadStatus, "FAILED");
    assert.equal((await getJson<Bundle>(sim, `/v1/bundles/${esx.id}`, token)).downloadStatus, "SUCCESSFUL");
    const task = await getJson<Task>(sim, `/v1/tasks/${nsxTask.id}`, token);
    assert.equal(task.status, "Failed");
    assert.equal(task.errors[0]?.errorCode, "BUNDLE_DOWNLOAD_FAILED");
    assert.match(task.errors[0]?.message ?? "", /downloadError/);
    assert.ok(task.errors[0]?.remediationMessage);
    assert.equal((await call(sim, "PATCH", `/v1/bundles/${nsx.id}`, { token, body: DOWNLOAD })).status, 202);
  });

  it("strict: a flat {downloadNow:true} or {operation:DOWNLOAD} body is a 400 naming the field", async () => {
    await start();
    const id = ofType(await bundles(sim, token), "SDDC_MANAGER").id;
    const flat = await call(sim, "PATCH", `/v1/bundles/${id}`, { token, body: { downloadNow: true } });
    assert.equal(flat.status, 400);
    assert.match(JSON.stringify(flat.json), /bundleDownloadSpec/);
    const operation = await call(sim, "PATCH", `/v1/bundles/${id}`, { token, body: { operation: "DOWNLOAD" } });
    assert.equal(operation.status, 400);
    assert.match((operation.json as { message: string }).message, /'operation'/);
    const empty = await call(sim, "PATCH", `/v1/bundles/${id}`, { token, body: { bundleDownloadSpec: {} } });
    assert.equal(empty.status, 400);
    assert.equal((await getJson<Bundle>(sim, `/v1/bundles/${id}`, token)).downloadStatus, "PENDING");
  });

  it("strict: false accepts the flat body", async () => {
    await start({ strict: false });
    const id = ofType(await bundles(sim, token), "SDDC_MANAGER").id;
    assert.equal((await call(sim, "PATCH", `/v1/bundles/${id}`, { token, body: { downloadNow: true } })).status, 202);
  });

  it("downloadNeverFinishes keeps a download IN_PROGRESS for days", async () => {
    await start({ faults: { downloadNeverFinishes: true } });
    const id = ofType(await bundles(sim, token), "HOST").id;
    await call(sim, "PATCH", `/v1/bundles/${id}`, { token, body: DOWNLOAD });
    sim.advanceClock(3 * 24 * 3600);
    token = await login(sim);
    assert.equal((await getJson<Bundle>(sim, `/v1/bundles/${id}`, token)).downloadStatus, "IN_PROGRESS");
  });

  it("recallBundleOf: the bundle is RECALLED, a download request gets 409 BUNDLE_RECALLED, an upgrade with it 424", async () => {
    await start({ faults: { recallBundleOf: ["NSX_T_MANAGER"] } });
    const list = await bundles(sim, token);
    const nsx = ofType(list, "NSX_T_MANAGER", "4.2.1.0-24304122");
    assert.deepEqual(
      [...new Set(list.filter((b) => b.components[0]?.type === "NSX_T_MANAGER").map((b) => b.downloadStatus))],
      ["RECALLED"],
    );
    assert.equal(ofType(list, "VCENTER").downloadStatus, "PENDING");
    const refused = await call(sim, "PATCH", `/v1/bundles/${nsx.id}`, { token, body: DOWNLOAD });
    assert.equal(refused.status, 409);
    assert.equal((refused.json as { errorCode: string }).errorCode, "BUNDLE_RECALLED");

    // A bundle recalled after it was downloaded cannot be applied either.
    const flow = new Flow(sim);
    await flow.login();
    const domainId = (await flow.domain()).id;
    await flow.setTarget(domainId);
    sim.setFaults({ recallBundleOf: [] });
    await flow.downloadAll(domainId);
    const sddc = (await flow.upgradables(domainId))[0];
    assert.equal(await flow.bundleStatus(sddc?.bundleId ?? ""), "SUCCESSFUL");
    sim.setFaults({ recallBundleOf: ["SDDC_MANAGER"] });
    assert.equal(await flow.bundleStatus(sddc?.bundleId ?? ""), "RECALLED");
    const upgrade = await call(sim, "POST", "/v1/upgrades", {
      token: flow.token,
      body: {
        bundleId: sddc?.bundleId,
        resourceType: "DOMAIN",
        resourceUpgradeSpecs: [{ resourceId: domainId, upgradeNow: true }],
      },
    });
    assert.equal(upgrade.status, 424);
    assert.equal((upgrade.json as { errorCode: string }).errorCode, "BUNDLE_RECALLED");
  });
});
