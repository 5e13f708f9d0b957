/**
 * Contract scenarios the engine drives (the client-only driver cannot): every downtime option in the POST
 * /v1/upgrades bodies, and the cancellation of a running upgrade and of a running download in SDDC Manager. Each
 * checks that what it is about was sent, so the contract check below sees those bodies.
 */
import assert from "node:assert/strict";
import type { FaultPatch, RunningSimulator } from "../../nodes/sim/index";
import type { UpgradeSpec } from "../../nodes/vcf/types";
import { clientFor, managementDomain, type EngineUnderTest } from "../engine/harness";
import { defined } from "../support/defined";
import { postBodies, requestsTo } from "../support/request-log";

export interface EngineScenario {
  name: string;
  faults?: FaultPatch;
  run: (t: EngineUnderTest, sim: RunningSimulator) => Promise<void>;
}

/** Every ESXi and NSX option, as msg.upgradeOptions gives them; `vcenter` completes the set. */
function everyOption(vcenter: Record<string, unknown>, failure: "RETRY" | "FAIL"): Record<string, unknown> {
  return {
    esx: {
      quickBoot: true,
      quickPatch: false,
      evacuateOfflineVms: true,
      enforceHclValidation: true,
      maintenanceModeFailure:
        failure === "RETRY" ? { action: "RETRY", retryCount: 100, retryDelay: 300 } : { action: "FAIL" },
      // the simulator's domains mix image-based and baseline clusters: SDDC Manager takes them in parallel only
      clusters: "parallel",
    },
    nsx: { hostClusters: failure === "RETRY" ? "parallel" : "sequential", edgeClusters: "sequential" },
    vcenter,
  };
}

/** Six simulated hours from the simulator's clock: the switchover waits for it without holding the test up. */
function soonInSimulatedTime(sim: RunningSimulator): string {
  const now = Date.parse((sim.state() as { simulatedTime: string }).simulatedTime);
  return new Date(now + 6 * 3600_000).toISOString();
}

/** Upgrades the management domain with `options`; resolves with the POST /v1/upgrades bodies by component type. */
async function upgradeWith(t: EngineUnderTest, sim: RunningSimulator, options: unknown): Promise<UpgradeSpec[]> {
  const run = await t.acknowledgedRun((await managementDomain(sim)).name);
  const done = await t.engine.upgradeComponents(run.id, undefined, undefined, undefined, options);
  assert.equal(done.status, "successfully_completed", done.failureReason);
  return postBodies(sim.requestLog(), "/v1/upgrades") as UpgradeSpec[];
}

/** The vCenter request's user input, the ESXi request's first (image-based) cluster entry, the NSX options. */
function optionFields(bodies: UpgradeSpec[]): { vcenter: unknown; esx: unknown; parallel: unknown; nsx: unknown } {
  const [, nsx, vcenter, esx] = bodies;
  return {
    vcenter: vcenter?.vcenterUpgradeUserInputSpecs?.[0],
    esx: esx?.resourceUpgradeSpecs?.[0]?.esxUpgradeOptionsSpec,
    parallel: esx?.parallelUpgrade,
    nsx: nsx?.nsxtUpgradeUserInputSpecs?.[0]?.nsxtUpgradeOptions,
  };
}

export const ENGINE_SCENARIOS: EngineScenario[] = [
  {
    name: "every upgrade option, vCenter by reduced-downtime migration with a static network and a switchover time",
    run: async (t, sim) => {
      const at = soonInSimulatedTime(sim);
      const network = {
        mode: "STATIC" as const,
        ipAddress: "10.0.0.199",
        subnetMask: "255.255.255.0",
        gateway: "10.0.0.1",
      };
      const options = everyOption(
        { mechanism: "ReducedDowntimeMigration", temporaryNetwork: network, switchover: at },
        "RETRY",
      );
      const sent = optionFields(await upgradeWith(t, sim, options));
      assert.deepEqual(sent.vcenter, {
        resourceId: (sent.vcenter as { resourceId?: string } | undefined)?.resourceId,
        upgradeMechanism: "ReducedDowntimeMigration",
        temporaryNetwork: {
          networkMode: "STATIC",
          ipAddress: "10.0.0.199",
          subnetMask: "255.255.255.0",
          gateway: "10.0.0.1",
        },
        startSwitchoverTimestamp: at,
      });
      assert.deepEqual(sent.esx, {
        enableQuickboot: true,
        enableQuickPatch: false,
        evacuateOfflineVms: true,
        enforceHclValidation: true,
        esxUpgradeFailureAction: { action: "RETRY", retryCount: 100, retryDelay: 300 },
      });
      assert.equal(sent.parallel, true);
      assert.deepEqual(sent.nsx, {
        isEdgeOnlyUpgrade: false,
        isHostClustersUpgradeParallel: true,
        isEdgeClustersUpgradeParallel: false,
      });
    },
  },
  {
    name: "every upgrade option, vCenter by reduced-downtime migration with an automatic network",
    run: async (t, sim) => {
      const options = everyOption(
        { mechanism: "ReducedDowntimeMigration", temporaryNetwork: { mode: "AUTOMATIC" } },
        "FAIL",
      );
      const sent = optionFields(await upgradeWith(t, sim, options));
      assert.deepEqual((sent.vcenter as { temporaryNetwork?: unknown }).temporaryNetwork, { networkMode: "AUTOMATIC" });
      // the schema requires the retry fields with FAIL too: the lowest values allowed go with it
      assert.deepEqual((sent.esx as { esxUpgradeFailureAction?: unknown }).esxUpgradeFailureAction, {
        action: "FAIL",
        retryCount: 3,
        retryDelay: 300,
      });
      assert.deepEqual(sent.nsx, {
        isEdgeOnlyUpgrade: false,
        isHostClustersUpgradeParallel: false,
        isEdgeClustersUpgradeParallel: false,
      });
    },
  },
  {
    name: "vCenter upgraded in place, chosen explicitly",
    run: async (t, sim) => {
      const sent = optionFields(await upgradeWith(t, sim, { vcenter: { mechanism: "InPlace" } }));
      assert.equal((sent.vcenter as { upgradeMechanism?: string }).upgradeMechanism, "InPlace");
    },
  },
  {
    name: "a running upgrade cancelled in SDDC Manager",
    // NSX's stages last 10^8 simulated seconds each: the cancel arrives while its first one runs
    faults: { durations: { nsxUpgradeSeconds: 1e9 } },
    run: async (t, sim) => {
      const run = await t.acknowledgedRun((await managementDomain(sim)).name);
      const phase = t.engine.upgradeComponents(run.id).catch(() => undefined);
      await t.when((r) => Object.values(r.remote.upgrades).some((u) => u.componentType === "NSX_T_MANAGER"));
      const ended = await t.engine.cancel(run.id, "contract");
      await phase;
      assert.ok(ended?.remoteCancellations?.some((c) => c.kind === "upgrade" && c.accepted));
      sim.advanceClock(2e8); // past the end of the stage it was in: SDDC Manager reports it cancelled
      const cancelled = requestsTo(sim.requestLog(), "PATCH", /^\/v1\/upgrades\//);
      assert.deepEqual(
        cancelled.map((e) => e.requestBody),
        [{ markForCancellation: true }],
      );
      const upgradeId = defined(cancelled[0], "the cancellation").path.split("/").at(-1) ?? "";
      assert.equal((await clientFor(sim).getUpgrade(upgradeId)).status, "CANCELLED");
    },
  },
  {
    name: "running bundle downloads cancelled in SDDC Manager",
    faults: { downloadNeverFinishes: true },
    run: async (t, sim) => {
      const run = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
      const phase = t.engine.downloadBundles(run.id).catch(() => undefined);
      await t.when((r) => Object.values(r.remote.bundles).some((b) => b.requested));
      const ended = await t.engine.cancel(run.id, "contract");
      await phase;
      assert.ok(ended?.remoteCancellations?.every((c) => c.kind === "download" && c.accepted));
      const cancels = requestsTo(sim.requestLog(), "PATCH", /^\/v1\/bundles\//).filter(
        (e) => JSON.stringify(e.requestBody) === JSON.stringify({ bundleDownloadSpec: { cancelNow: true } }),
      );
      assert.ok(cancels.length > 0, "a cancelNow request");
    },
  },
];
