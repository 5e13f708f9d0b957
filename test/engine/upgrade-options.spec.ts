// The downtime options (UPGRADE-API.md §14.4): each chosen option reaches its POST /v1/upgrades body, nothing else is
// sent, a bad value is refused naming the field, and the options are recorded in the run and its log.
import * as assert from "node:assert/strict";
import { EngineError, type UpgradeOptions } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import type { UpgradeSpec } from "../../nodes/vcf/types";
import { postBodies } from "../support/request-log";
import { EngineUnderTest, managementDomain, simulator, stopAll } from "./harness";

const FULL: UpgradeOptions = {
  esx: {
    quickBoot: true,
    quickPatch: true,
    evacuateOfflineVms: false,
    enforceHclValidation: true,
    maintenanceModeFailure: { action: "RETRY", retryCount: 5, retryDelay: 600 },
    clusters: "parallel",
  },
  nsx: { hostClusters: "sequential", edgeClusters: "parallel" },
  vcenter: {
    mechanism: "ReducedDowntimeMigration",
    temporaryNetwork: { mode: "STATIC", ipAddress: "10.0.0.199", subnetMask: "255.255.255.0", gateway: "10.0.0.1" },
    switchover: { when: "at", at: "2030-01-01T02:00:00.000Z" },
  },
};

/** The POST /v1/upgrades body whose bundle upgrades `kind`, by the order of a management domain's upgrade. */
function bodies(sim: RunningSimulator): UpgradeSpec[] {
  return postBodies(sim.requestLog(), "/v1/upgrades") as UpgradeSpec[];
}

describe("engine: upgrade options", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  afterEach(() => stopAll([t], sim));

  it("sends each option chosen in its component's request, records them in the run and says them in the log", async () => {
    sim = await simulator("happy");
    t = new EngineUnderTest(sim);
    const runId = (await t.acknowledgedRun((await managementDomain(sim)).name)).id;
    const { switchover: _switchover, ...vcenterNow } = FULL.vcenter ?? {};
    // the switchover at a time in 2030 would keep the simulated vCenter waiting: "as soon as ready" here
    const options = {
      ...FULL,
      vcenter: { ...vcenterNow, switchover: "ready" },
      esx: { ...FULL.esx, maintenanceModeFailure: { action: "RETRY", retryCount: 5, retryDelay: 600 } },
    };
    const done = await t.engine.upgradeComponents(runId, undefined, undefined, undefined, options);
    assert.equal(done.status, "successfully_completed");
    const [sddc, nsx, vcenter, esx] = bodies(sim);
    assert.deepEqual(Object.keys(sddc ?? {}).sort(), ["bundleId", "resourceType", "resourceUpgradeSpecs"]);
    assert.deepEqual(nsx?.nsxtUpgradeUserInputSpecs?.[0]?.nsxtUpgradeOptions, {
      isEdgeOnlyUpgrade: false,
      isHostClustersUpgradeParallel: false,
      isEdgeClustersUpgradeParallel: true,
    });
    const rdu = vcenter?.vcenterUpgradeUserInputSpecs?.[0];
    assert.equal(rdu?.upgradeMechanism, "ReducedDowntimeMigration");
    assert.deepEqual(rdu?.temporaryNetwork, {
      networkMode: "STATIC",
      ipAddress: "10.0.0.199",
      subnetMask: "255.255.255.0",
      gateway: "10.0.0.1",
    });
    assert.equal(rdu?.startSwitchoverTimestamp, undefined, "as soon as ready: no switchover time");
    assert.equal(esx?.parallelUpgrade, true);
    const [image, baseline] = esx?.resourceUpgradeSpecs ?? [];
    assert.deepEqual(image?.esxUpgradeOptionsSpec, {
      enableQuickboot: true,
      enableQuickPatch: true,
      evacuateOfflineVms: false,
      enforceHclValidation: true,
      esxUpgradeFailureAction: { action: "RETRY", retryCount: 5, retryDelay: 600 },
    });
    assert.equal(baseline?.esxUpgradeOptionsSpec, undefined, "the baseline cluster gets no vLCM options");
    assert.equal(baseline?.enableQuickboot, true);
    assert.equal(baseline?.evacuateOfflineVms, false);
    assert.deepEqual(done.upgradeOptions?.vcenter?.switchover, { when: "ready" });
    const said = done.log.map((e) => e.text);
    assert.ok(
      said.some((text) => text.startsWith("Upgrade options: ESXi: quick boot on, quick patch on")),
      said.join("\n"),
    );
    assert.ok(
      said.some((text) =>
        /quick patch, HCL validation, the maintenance-mode failure action apply to image-based clusters only/.test(
          text,
        ),
      ),
    );
    const state = sim.state() as { upgrades: { component: string; downtimeSeconds: number }[] };
    const vc = state.upgrades.find((u) => u.component === "VCENTER");
    assert.ok(vc && vc.downtimeSeconds > 0, "the simulator recorded the switchover's downtime");
  });

  it("sends nothing the user did not choose: no options, the bodies of SDDC Manager's defaults", async () => {
    sim = await simulator("happy");
    t = new EngineUnderTest(sim);
    const runId = (await t.acknowledgedRun((await managementDomain(sim)).name)).id;
    const done = await t.engine.upgradeComponents(runId);
    assert.deepEqual(done.upgradeOptions, {});
    const [, nsx, vcenter, esx] = bodies(sim);
    assert.deepEqual(nsx?.nsxtUpgradeUserInputSpecs?.[0]?.nsxtUpgradeOptions, { isEdgeOnlyUpgrade: false });
    assert.equal(vcenter?.vcenterUpgradeUserInputSpecs, undefined);
    for (const entry of esx?.resourceUpgradeSpecs ?? []) {
      assert.equal(entry.esxUpgradeOptionsSpec, undefined);
      assert.equal(entry.enableQuickboot, undefined);
    }
    const state = sim.state() as { upgrades: { component: string; downtimeSeconds: number }[] };
    const inPlace = state.upgrades.find((u) => u.component === "VCENTER")?.downtimeSeconds ?? 0;
    assert.ok(inPlace > 0);
  });

  const BAD: { options: unknown; field: string; allowed: RegExp }[] = [
    {
      options: { esx: { maintenanceModeFailure: { action: "RETRY", retryCount: 2, retryDelay: 600 } } },
      field: "upgradeOptions.esx.maintenanceModeFailure.retryCount",
      allowed: /a whole number from 3 to 100/,
    },
    {
      options: { esx: { maintenanceModeFailure: { action: "RETRY", retryCount: 3, retryDelay: 3601 } } },
      field: "upgradeOptions.esx.maintenanceModeFailure.retryDelay",
      allowed: /a whole number from 300 to 3600/,
    },
    {
      options: { esx: { maintenanceModeFailure: { action: "FAIL", retryCount: 3 } } },
      field: "upgradeOptions.esx.maintenanceModeFailure.retryCount",
      allowed: /nothing with action FAIL/,
    },
    { options: { esx: { quickBoot: "yes" } }, field: "upgradeOptions.esx.quickBoot", allowed: /true or false/ },
    {
      options: { nsx: { hostClusters: "all" } },
      field: "upgradeOptions.nsx.hostClusters",
      allowed: /parallel, sequential/,
    },
    {
      options: { vcenter: { mechanism: "ReducedDowntimeMigration" } },
      field: "upgradeOptions.vcenter.temporaryNetwork",
      allowed: /a temporary network/,
    },
    {
      options: {
        vcenter: {
          mechanism: "ReducedDowntimeMigration",
          temporaryNetwork: { mode: "STATIC", ipAddress: "10.0.0.199", subnetMask: "255.0.255.0", gateway: "10.0.0.1" },
        },
      },
      field: "upgradeOptions.vcenter.temporaryNetwork.subnetMask",
      allowed: /a subnet mask/,
    },
    {
      options: {
        vcenter: {
          mechanism: "ReducedDowntimeMigration",
          temporaryNetwork: { mode: "AUTOMATIC" },
          switchover: "tonight",
        },
      },
      field: "upgradeOptions.vcenter.switchover",
      allowed: /ISO 8601 date-time with a time zone/,
    },
    { options: { esx: { quickboot: true } }, field: "upgradeOptions.esx.quickboot", allowed: /not known/ },
  ];

  it("refuses a bad option before anything starts, naming the field and the values allowed; the run stays as it was", async () => {
    sim = await simulator("happy");
    t = new EngineUnderTest(sim);
    const runId = (await t.acknowledgedRun((await managementDomain(sim)).name)).id;
    for (const bad of BAD) {
      const err = await t.engine.upgradeComponents(runId, undefined, undefined, undefined, bad.options).then(
        () => assert.fail("accepted"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof EngineError && err.code === "BAD_INPUT", String(err));
      assert.equal(err.field, bad.field);
      assert.match(err.message, bad.allowed);
      assert.ok(err.message.includes(bad.field), err.message);
    }
    const run = t.engine.getRun(runId);
    assert.equal(run?.status, "alerts_were_acknowledged");
    assert.equal(run?.upgradeOptions, undefined);
    assert.equal(bodies(sim).length, 0, "nothing was sent");
  });

  it("one cluster at a time with image-based and baseline clusters mixed fails naming the option", async () => {
    sim = await simulator("happy");
    t = new EngineUnderTest(sim);
    const runId = (await t.acknowledgedRun((await managementDomain(sim)).name)).id;
    await assert.rejects(
      t.engine.upgradeComponents(runId, undefined, undefined, undefined, { esx: { clusters: "sequential" } }),
      (e: unknown) => e instanceof EngineError && e.field === "upgradeOptions.esx.clusters",
    );
    assert.equal(bodies(sim).filter((b) => b.resourceType === "CLUSTER").length, 0);
  });
});
