import * as assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import { loadSpec, checkExchanges } from "../support/openapi-contract";
import { EngineError } from "../../nodes/engine";
import { EngineUnderTest, managementAndVi, managementDomain, simulator, stopAll } from "./harness";

describe("engine: several domains, discovery and the API contract", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  afterEach(() => stopAll([t], sim));

  it("upgrades two domains at once, the management domain started first; the VI domain says it waits for it", async () => {
    sim = await simulator("many-domains", { domains: 1 });
    t = new EngineUnderTest(sim);
    const { mgmt, vi } = await managementAndVi(sim);
    // Both starts at once, in this order (as two messages to one download node): the VI start sees the management run.
    const [m, v] = await Promise.all([
      t.engine.startRun({ domain: mgmt.name }),
      t.engine.startRun({ domain: vi.name }),
    ]);
    assert.match(
      v.log.map((e) => e.text).join("\n"),
      new RegExp(
        `management domain ${mgmt.name} is at 5\\.2\\.0\\.0; its upgrade run ${m.id} to 5\\.2\\.1\\.0 is active`,
      ),
    );
    const viDone = t.finishRun(v.id);
    // The management run stays before its upgrade until the VI run has said what it waits for.
    const waiting = await t.when((r) => r.id === v.id && r.log.some((e) => /PENDING/.test(e.text)));
    assert.match(
      waiting.log.at(-1)?.text ?? "",
      new RegExp(
        `are PENDING .*: waiting for up to .* for the management domain ${mgmt.name} to be upgraded to 5\\.2\\.1\\.0 first`,
      ),
    );
    const runs = [await t.finishRun(m.id), await viDone];
    for (const run of runs) assert.equal(run.status, "successfully_completed", run.failureReason);
    assert.equal(runs[1]?.log.filter((e) => /are PENDING/.test(e.text)).length, 1, "the wait is logged once");
    assert.deepEqual(
      Object.values(runs[1]?.remote.upgrades ?? {})
        .map((u) => u.componentType)
        .sort(),
      ["ESX_HOST", "NSX_T_MANAGER", "VCENTER"],
    );
    const posts = sim.requestLog().filter((e) => e.method === "POST" && e.path === "/v1/upgrades");
    assert.equal(posts.length, 7);
    const sddcBundle = Object.values(runs[0]?.remote.upgrades ?? {}).find(
      (u) => u.componentType === "SDDC_MANAGER",
    )?.bundleId;
    const sddcPost = posts.findIndex((e) => (e.requestBody as { bundleId?: string }).bundleId === sddcBundle);
    const viResources = new Set([vi.id, ...(vi.clusters ?? []).map((c) => c.id)]);
    const firstViPost = posts.findIndex((e) =>
      (e.requestBody as { resourceUpgradeSpecs?: { resourceId: string }[] }).resourceUpgradeSpecs?.some((r) =>
        viResources.has(r.resourceId),
      ),
    );
    assert.ok(
      sddcPost >= 0 && firstViPost > sddcPost,
      `SDDC Manager (POST #${sddcPost}) before the VI domain (POST #${firstViPost})`,
    );
  });

  it("refuses a VI domain while the management domain is behind, naming it and the fix; nothing is started", async () => {
    sim = await simulator("many-domains", { domains: 1 });
    t = new EngineUnderTest(sim);
    const { mgmt, vi } = await managementAndVi(sim);
    sim.clearRequestLog();
    await assert.rejects(
      t.engine.startRun({ domain: vi.name }),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === "MANAGEMENT_DOMAIN_FIRST" &&
        e.message.includes(`${mgmt.name} is at 5.2.0.0`) &&
        e.fix ===
          `Upgrade the management domain ${mgmt.name} to 5.2.1.0 first (or start its run first, then this domain's)`,
    );
    assert.deepEqual(t.engine.listRuns(), []);
    assert.deepEqual(
      sim
        .requestLog()
        .filter((e) => e.method !== "GET" && e.path !== "/v1/tokens")
        .map((e) => `${e.method} ${e.path}`),
      [],
    );
    assert.equal((await t.fullRun(mgmt.name)).status, "successfully_completed");
    const alone = await t.fullRun(vi.name);
    assert.equal(alone.status, "successfully_completed", alone.failureReason);
    assert.ok(
      !alone.log.some((e) => /management domain/.test(e.text)),
      "nothing to wait for once the management domain is at the target",
    );
  });

  it("discovers the domains, their current version, the next release and the components to update", async () => {
    sim = await simulator("many-domains", { domains: 1 });
    t = new EngineUnderTest(sim);
    const found = await t.engine.discoverUpdates();
    assert.equal(found.length, 2);
    for (const { info, error } of found) {
      assert.equal(error, undefined);
      assert.equal(info.currentVersion, "5.2.0.0");
      assert.equal(info.nextRelease?.version, "5.2.1.0");
      assert.equal(info.updateAvailable, true);
      assert.equal(info.upgradeStatus, "waiting_for_initiation");
      assert.ok(
        info.components.some((c) => c.name === "VCENTER" && c.currentVersion && c.targetVersion !== c.currentVersion),
      );
    }
  });

  it("exchanges only requests and responses the OpenAPI spec allows in a happy run", async function () {
    if (!loadSpec()) {
      console.log(
        "    skipped: ../shared/vcf-api/vcf-5.2.1-openapi.json is absent, nothing to check the engine's requests against",
      );
      this.skip();
    }
    sim = await simulator("happy");
    t = new EngineUnderTest(sim);
    const run = await t.fullRun((await managementDomain(sim)).name);
    assert.equal(run.status, "successfully_completed");
    const exchanges = sim.requestLog();
    assert.ok(exchanges.length > 50);
    assert.deepEqual(checkExchanges(exchanges), []);
  });
});
