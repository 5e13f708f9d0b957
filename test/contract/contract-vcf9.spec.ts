/**
 * The 9.0 side of the contract: traffic of the 9.0 profile and of a 5.2.1 -> 9.0 run, each exchange validated
 * against the spec of the API the simulator spoke at that moment (../shared/vcf-api/vcf-5.2.1-openapi.json before
 * SDDC Manager's own upgrade ends, vcf-9.0.2-openapi.json after it).
 */
import assert from "node:assert/strict";
import type { RunningSimulator, SimExchange } from "../../nodes/sim/index";
import type { VcfClient } from "../../nodes/vcf/client";
import { VcfApiError } from "../../nodes/vcf/errors";
import { checkContract, loadSpec, specLocation, type ContractViolation } from "../support/openapi-contract";
import { rejectionOf, simClient } from "../vcf/helpers";
import type { DriveResult } from "../vcf/upgrade-driver";
import { recordTraffic, type TrafficRun } from "./traffic";

interface ScenarioRun extends TrafficRun {
  name: string;
}

const RUNS: ScenarioRun[] = [
  { name: "9.0 profile: 9.0.0.0 -> 9.0.1.0, then the 9.0-only calls", scenario: "vcf9", after: tourOf90Calls },
  {
    name: "5.2.1.0 -> 9.0.0.0 across SDDC Manager's switch to the 9.0 API",
    scenario: "to-vcf9",
    targetVersion: "9.0.0.0",
  },
  { name: "9.0 profile with a validation that passes with warnings", scenario: "vcf9", after: warningValidation },
];

/** The calls only 9.0 has, answered; and the 408/409 of an unseeded inventory cache. */
async function tourOf90Calls(client: VcfClient, result: DriveResult, sim: RunningSimulator): Promise<void> {
  const bundles = await client.getBundles();
  const bundle = bundles.find((b) => b.type === "VMWARE_SOFTWARE");
  assert.ok(bundle, "a VMware software bundle");
  await client.getUpgradePreview(bundle.id, result.domain.id);
  await client.getBundleDownloadStatus(result.targetVersion);
  await client.getDepotSyncInfo();
  sim.setFaults({ depotStatus: "DEPOT_INVALID_CREDENTIAL" });
  await client.getDepotSyncInfo();
  sim.setScenario("vcf9");
  sim.setFaults({ unseededUpgradableReads: 2 });
  const { client: once } = simClient(sim, { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  for (const status of [409, 408]) {
    const error = await rejectionOf(once.getSystemUpgradables());
    assert.ok(error instanceof VcfApiError && error.status === status, String(error));
  }
  await once.getSystemUpgradables();
}

/** A target validation that passes with warnings: 9.0 says WARNING, its checks may lack description and severity. */
async function warningValidation(client: VcfClient, _result: DriveResult, sim: RunningSimulator): Promise<void> {
  sim.setScenario("vcf9");
  sim.setFaults({ validationResult: "FAILED_WITH_WARNINGS" });
  const [domain] = await client.getDomains();
  assert.ok(domain);
  const started = await client.startValidation(domain.id, { targetVersion: "9.0.1.0" });
  sim.advanceClock(3600);
  const ended = await client.getValidation(started.id);
  assert.equal(ended.resultStatus, "WARNING");
}

describe("OpenAPI contract of client and simulator traffic, 9.0 API", function () {
  const exchanges: SimExchange[] = [];

  before(function () {
    for (const generation of ["5.2", "9.0"] as const) {
      if (!loadSpec(generation)) {
        console.log(
          `contract: OpenAPI spec absent, 9.0 contract test skipped (looked for ${specLocation(generation)})`,
        );
        this.skip();
      }
    }
  });

  for (const run of RUNS) {
    it(`records the traffic of: ${run.name}`, () => recordTraffic(run, exchanges));
  }

  it("spoke both APIs, and neither spec finds a violation", function () {
    const spoken = new Set(exchanges.map((e) => e.apiGeneration));
    assert.deepEqual([...spoken].sort(), ["5.2", "9.0"], "the crossing run speaks 5.2 first, then 9.0");
    const report = checkContract(exchanges);
    console.log(
      `contract 9.0: validated ${report.requestsValidated} requests and ${report.responsesValidated} responses (${report.exchanges} API exchanges)`,
    );
    assert.deepEqual(report.violations.map(describeViolation), []);
  });
});

function describeViolation(v: ContractViolation): string {
  return `#${v.seq ?? "?"} ${v.method} ${v.path} -> ${v.status ?? "?"} [${v.where}] ${v.message}`;
}
