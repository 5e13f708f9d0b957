import * as assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import { loadSpec, checkExchanges } from "../support/openapi-contract";
import { EngineUnderTest, clientFor, count, managementDomain, simulator } from "./harness";

describe("engine: several domains, discovery and the API contract", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  afterEach(async () => { t?.engine.close(); await sim?.stop(); });

  it("upgrades two domains at once; the VI domain waits for SDDC Manager", async () => {
    sim = await simulator("many-domains", { domains: 1 });
    t = new EngineUnderTest(sim);
    const domains = await clientFor(sim).getDomains();
    assert.equal(domains.length, 2);
    const runs = await Promise.all(domains.map((d) => t.fullRun(d.name)));
    for (const run of runs) assert.equal(run.status, "successfully_completed", run.failureReason);
    const vi = runs.find((r) => domains.find((d) => d.id === r.domainId)?.type !== "MANAGEMENT");
    assert.ok(vi);
    assert.deepEqual(Object.values(vi.remote.upgrades).map((u) => u.componentType).sort(), ["ESX_HOST", "NSX_T_MANAGER", "VCENTER"]);
    assert.equal(count(sim.requestLog(), "POST", /^\/v1\/upgrades$/), 7);
  });

  it("discovers the domains, their current version, the next release and the components to update", async () => {
    sim = await simulator("many-domains", { domains: 1 });
    t = new EngineUnderTest(sim);
    const infos = await t.engine.discoverUpdates();
    assert.equal(infos.length, 2);
    for (const info of infos) {
      assert.equal(info.currentVersion, "5.2.0.0");
      assert.equal(info.nextRelease?.version, "5.2.1.0");
      assert.equal(info.updateAvailable, true);
      assert.equal(info.upgradeStatus, "waiting_for_initiation");
      assert.ok(info.components.some((c) => c.name === "VCENTER" && c.currentVersion && c.targetVersion !== c.currentVersion));
    }
  });

  it("exchanges only requests and responses the OpenAPI spec allows in a happy run", async function () {
    if (!loadSpec()) {
      console.log("    skipped: ../shared/vcf-api/vcf-5.2.1-openapi.json is absent, nothing to check the engine's requests against");
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
