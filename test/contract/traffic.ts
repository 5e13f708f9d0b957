/** One contract scenario's traffic: an upgrade driven through the client on a fresh simulator, then extra calls. */
import assert from "node:assert/strict";
import type { RunningSimulator, ScenarioName, SimExchange } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import type { VcfClient } from "../../nodes/vcf/client";
import { LinkedClock, simClient } from "../vcf/helpers";
import type { DriveResult } from "../vcf/upgrade-driver";
import { driveUpgrade } from "../vcf/upgrade-driver";

export interface TrafficRun {
  scenario: ScenarioName;
  /** the release to go to (default: the oldest applicable newer one) */
  targetVersion?: string;
  /** extra calls after the drive, for endpoints the drive does not reach */
  after?: (client: VcfClient, result: DriveResult, sim: RunningSimulator) => Promise<void>;
  expectFailure?: RegExp;
}

/** Drives the run's upgrade and its extra calls, and adds every exchange the simulator logged to `exchanges`. */
export async function recordTraffic(run: TrafficRun, exchanges: SimExchange[]): Promise<void> {
  const sim = await startSimulator({ scenario: run.scenario });
  try {
    const clock = new LinkedClock(sim);
    const { client } = simClient(sim, { now: clock.now, retry: { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 2 } });
    const target = run.targetVersion ? { targetVersion: run.targetVersion } : {};
    const result = await driveUpgrade({ client, clock, ...target });
    if (run.expectFailure) assert.match(result.failure ?? "(no failure)", run.expectFailure);
    else assert.equal(result.failure, undefined);
    await run.after?.(client, result, sim);
  } finally {
    exchanges.push(...sim.requestLog());
    await sim.stop();
  }
}
