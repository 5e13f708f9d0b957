// The client against a 9.0 SDDC Manager (the simulator's 9.0 profile): answers a strict 5.2.1 client would refuse.
import * as assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { VcfApiError } from "../../nodes/vcf/errors";
import { rejectionOf, simClient } from "./helpers";

describe("client: SDDC Manager 9.0 answers", () => {
  let sim: RunningSimulator;
  afterEach(() => sim.stop());

  it("asks the system upgradables list again while it answers 409 and 408 (inventory cache not seeded)", async () => {
    sim = await startSimulator({ scenario: "vcf9", faults: { unseededUpgradableReads: 2 } });
    const { client, logs } = simClient(sim);
    const list = await client.getSystemUpgradables();
    assert.ok(Array.isArray(list));
    const statuses = sim
      .requestLog()
      .filter((e) => e.path === "/v1/system/upgradables")
      .map((e) => e.status);
    assert.deepEqual(statuses, [409, 408, 200]);
    assert.equal(logs.filter((l) => /system\/upgradables failed .*attempt/.test(l.text)).length, 2);
  });

  it("a 409 elsewhere is no reason to ask again", async () => {
    sim = await startSimulator({ scenario: "vcf9" });
    const { client } = simClient(sim);
    const [bundle] = await client.getBundles();
    assert.ok(bundle);
    await client.requestBundleDownload(bundle.id);
    const again = await rejectionOf(client.requestBundleDownload(bundle.id));
    assert.ok(again instanceof VcfApiError && again.status === 409 && !again.retryable, String(again));
  });

  it("keeps a 9.0 error's remediationUrl with its remediation", async () => {
    sim = await startSimulator({ scenario: "vcf9" });
    const { client } = simClient(sim);
    const error = await rejectionOf(client.getDomain("00000000-0000-0000-0000-000000000000"));
    assert.ok(error instanceof VcfApiError && error.status === 404, String(error));
    assert.match(error.remediationMessage ?? "", /\(see https:\/\/docs\.vcf\.sim\.test\/errors\/\w+\)$/);
  });

  it("reads the 9.0-only calls: upgrade preview, bundle download states, depot sync", async () => {
    sim = await startSimulator({ scenario: "vcf9" });
    const { client } = simClient(sim);
    const [domain] = await client.getDomains();
    const bundle = (await client.getBundles()).find((b) => b.type === "VMWARE_SOFTWARE");
    assert.ok(domain && bundle);
    const preview = await client.getUpgradePreview(bundle.id, domain.id);
    assert.ok((preview.upgradeItems ?? []).length > 0);
    const states = await client.getBundleDownloadStatus("9.0.1.0");
    assert.ok(states.length > 0 && states.every((s) => s.downloadStatus === "PENDING"));
    assert.equal((await client.getDepotSyncInfo()).syncStatus, "COMPLETED");
  });
});
