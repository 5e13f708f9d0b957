import assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import type { LogLine } from "./helpers";
import { assertNoSecrets, countRequests, LinkedClock, simClient } from "./helpers";
import { driveUpgrade } from "./upgrade-driver";

describe("a full domain upgrade driven through the client", function () {
  let sim: RunningSimulator;
  afterEach(async function () {
    await sim.stop();
  });

  it("brings the management domain to the target with one POST /v1/upgrades per component, surviving the SDDC Manager outage", async function () {
    sim = await startSimulator();
    const clock = new LinkedClock(sim);
    const logs: LogLine[] = [];
    const { client } = simClient(sim, { now: clock.now, log: (level, text) => logs.push({ level, text }) });
    const result = await driveUpgrade({ client, clock });
    assert.equal(result.failure, undefined);

    // ESXi is spelled HOST or ESX_HOST (UPGRADE-API.md §3)
    assert.deepEqual(
      result.startedComponents.map((c) => (c === "HOST" ? "ESX_HOST" : c)),
      ["SDDC_MANAGER", "NSX_T_MANAGER", "VCENTER", "ESX_HOST"],
    );
    assert.equal((await client.getCurrentRelease(result.domain.id))?.version, result.targetVersion);
    assert.notEqual(result.sourceVersion, result.targetVersion);
    assert.equal(
      (await client.getUpgradables(result.domain.id, result.targetVersion)).filter((u) => u.status === "AVAILABLE")
        .length,
      0,
    );

    const log = sim.requestLog();
    const posts = log.filter((e) => e.method === "POST" && e.path === "/v1/upgrades");
    assert.equal(posts.length, result.startedComponents.length, "exactly one POST /v1/upgrades per component");
    assert.ok(posts.every((e) => e.status === 202));
    const bundleIds = posts.map((e) => (e.requestBody as { bundleId: string }).bundleId);
    assert.equal(new Set(bundleIds).size, bundleIds.length, "no bundle upgraded twice");
    assert.equal(countRequests(log, "POST", "/v1/system/check-sets/queries"), 2);
    assert.equal(countRequests(log, "POST", "/v1/system/check-sets"), 1);

    // after the SDDC Manager upgrade the old session was refused, and the client logged in again
    const outageEnd = log.findIndex((e) => e.status === 401);
    assert.ok(outageEnd > 0, "the old token was rejected after the outage");
    const after = log.slice(outageEnd);
    assert.ok(
      after.some((e) => e.method === "POST" && e.path === "/v1/tokens" && e.status < 300),
      "a fresh login after the outage",
    );
    assert.ok(logs.some((l) => /logging in again/.test(l.text)));
    // the log saw refreshes, 401s, dropped connections and 503 pages, and never a secret
    assert.ok(logs.length > 20);
    assertNoSecrets(
      logs.map((l) => l.text),
      [sim.credentials.password],
    );
  });
});
