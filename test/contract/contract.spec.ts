/**
 * Every request the client sent and every response the simulator gave, in a happy upgrade and in the failure
 * scenarios, validated against ../shared/vcf-api/vcf-5.2.1-openapi.json (minus contract-deviations.ts).
 */
import assert from "node:assert/strict";
import type { RunningSimulator, SimExchange } from "../../nodes/sim/index";
import type { VcfClient } from "../../nodes/vcf/client";
import { VcfApiError } from "../../nodes/vcf/errors";
import type { ContractViolation } from "../support/openapi-contract";
import { checkContract, loadSpec, specLocation } from "../support/openapi-contract";
import { rejectionOf } from "../vcf/helpers";
import type { DriveResult } from "../vcf/upgrade-driver";
import { defined } from "../support/defined";
import { EngineUnderTest, simulator, stopAll } from "../engine/harness";
import { ENGINE_SCENARIOS } from "./engine-scenarios";
import { recordTraffic, type TrafficRun } from "./traffic";

interface ScenarioRun extends TrafficRun {
  name: string;
}

const RUNS: ScenarioRun[] = [
  { name: "happy upgrade, then every other endpoint", scenario: "happy", after: tourOfEndpoints },
  { name: "precheck warnings", scenario: "precheck-warnings", expectFailure: /^prechecks/ },
  { name: "precheck errors", scenario: "precheck-errors", expectFailure: /^prechecks/ },
  { name: "download failure", scenario: "download-failure", expectFailure: /^download/ },
  { name: "upgrade failure", scenario: "upgrade-failure", expectFailure: /^upgrade of/, after: readFailedTask },
  { name: "short token lifetime", scenario: "short-token-lifetime" },
  { name: "flaky GETs", scenario: "flaky" },
  { name: "long SDDC Manager outage", scenario: "long-sddc-outage" },
  { name: "readiness calls and a backup on a healthy estate", scenario: "happy", after: readinessTour },
];

/** Every readiness call (UPGRADE-API.md §14.1, §14.2), on a healthy estate and with every problem switched on. */
async function readinessTour(client: VcfClient, result: DriveResult, sim: RunningSimulator): Promise<void> {
  const domain = result.domain;
  for (const problems of [false, true]) {
    sim.setFaults(
      problems
        ? {
            passwordExpiry: "expired",
            certificateExpiry: "expired",
            failedTaskOnRecord: true,
            depotStatus: "DEPOT_INVALID_CREDENTIAL",
            failBackup: true,
          }
        : {},
    );
    await client.getBackupConfiguration();
    await client.listTasks({ resourceType: "SDDC_MANAGER" }); // the backup tasks (engine/steps/backup-tasks.ts)
    await client.listTasks({ taskStatus: "FAILED", resourceId: domain.id });
    await client.getDomainCertificates(domain.id);
    await client.getDepotSettings();
    const query = await client.startCredentialsExpiration({ resourceType: "ESXI", domainName: domain.name });
    sim.advanceClock(3600);
    await client.getCredentialsExpiration(query.id ?? "");
    const backup = await client.startSddcManagerBackup();
    sim.advanceClock(3600);
    await client.getTask(backup.id);
  }
  sim.setFaults({ backupConfigured: false });
  await client.getBackupConfiguration();
  const refused = await rejectionOf(client.startSddcManagerBackup());
  assert.ok(refused instanceof VcfApiError && refused.status === 400, String(refused));
  // a scheduled backup runs: the new one is refused, and the running one is looked up as the engine does
  sim.setFaults({ backupConfigured: true, scheduledBackupRunning: true, durations: { backupSeconds: 10 ** 9 } });
  const busy = await rejectionOf(client.startSddcManagerBackup());
  assert.ok(busy instanceof VcfApiError && busy.errorCode === "BACKUP_IN_PROGRESS", String(busy));
  await client.listTasks({ resourceType: "SDDC_MANAGER" });
}

describe("OpenAPI contract of client and simulator traffic", function () {
  const exchanges: SimExchange[] = [];

  before(function () {
    if (!loadSpec()) {
      console.log(`contract: OpenAPI spec absent, contract test skipped (looked for ${specLocation()})`);
      this.skip();
    }
  });

  for (const run of RUNS) {
    it(`records the traffic of: ${run.name}`, () => recordTraffic(run, exchanges));
  }

  for (const scenario of ENGINE_SCENARIOS) {
    it(`records the traffic of the engine: ${scenario.name}`, async function () {
      const sim = await simulator("happy", { faults: scenario.faults ?? {} });
      const t = new EngineUnderTest(sim);
      try {
        await scenario.run(t, sim);
      } finally {
        exchanges.push(...sim.requestLog());
        await stopAll([t], sim);
      }
    });
  }

  it("finds no violation in any of it", function () {
    assert.ok(exchanges.length > 0, "no traffic recorded");
    const report = checkContract(exchanges);
    console.log(
      `contract: validated ${report.requestsValidated} requests and ${report.responsesValidated} responses (${report.exchanges} API exchanges)`,
    );
    assert.deepEqual(report.violations.map(describeViolation), []);
    assert.ok(report.requestsValidated > 0 && report.responsesValidated > 0);
  });
});

function describeViolation(v: ContractViolation): string {
  return `#${v.seq ?? "?"} ${v.method} ${v.path} -> ${v.status ?? "?"} [${v.where}] ${v.message}`;
}

/** The endpoints a plain upgrade does not touch, plus the documented error answers after it. */
async function tourOfEndpoints(client: VcfClient, result: DriveResult): Promise<void> {
  const domainId = result.domain.id;
  await client.getDomain(domainId);
  await client.getSddcManagers();
  await client.getBundles();
  await client.getBundles({ bundleType: "SDDC_MANAGER" });
  await client.getSystemUpgradables();
  await client.getUpgradableClusters(domainId);
  const clusters = await client.getClusters(domainId);
  assert.ok(clusters.length > 0 && clusters.every((c) => (c.hosts ?? []).length > 0), "clusters with their hosts");
  await client.getPersonalities();
  await client.listCheckSetRuns(domainId);
  const upgrades = await client.listUpgrades();
  assert.equal(upgrades.length, result.upgradeIds.length, "one Upgrade record per component");
  await client.getTask(defined(upgrades[0], "the first upgrade").taskId);
  const nsxBundle = (await client.getBundles()).find((b) =>
    (b.components ?? []).some((c) => c.type === "NSX_T_MANAGER"),
  );
  assert.ok(nsxBundle, "an NSX bundle");
  await client.getNsxtResources(domainId, nsxBundle.id);
  // once at the target: validations answer 400 SAME_SOURCE..., the target PATCH 400 too (UPGRADE-API.md §4, §7)
  for (const call of [
    () => client.startValidation(domainId, { targetVersion: result.targetVersion }),
    () => client.setTargetVersion(domainId, { targetVersion: result.targetVersion }),
  ]) {
    const error = await rejectionOf(call());
    assert.ok(error instanceof VcfApiError && error.status === 400, String(error));
  }
  const missing = await rejectionOf(client.getDomain("00000000-0000-0000-0000-000000000000"));
  assert.ok(missing instanceof VcfApiError && missing.status === 404);
}

async function readFailedTask(client: VcfClient, result: DriveResult): Promise<void> {
  const upgradeId = result.upgradeIds.at(-1);
  assert.ok(upgradeId);
  const upgrade = await client.getUpgrade(upgradeId);
  const task = await client.getTask(upgrade.taskId);
  assert.ok((task.errors ?? []).length > 0 || (task.subTasks ?? []).length > 0, "the failed task explains itself");
}
