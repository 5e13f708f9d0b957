// How much a whole run writes to the file store: each write holds one run, and a change of step text and progress is
// not written by itself (it goes along with the run's next durable change, or at close).
import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { storedRuns } from "../support/stored-runs";
import { EngineUnderTest, WAIT_FOR_ACK, managementDomain, simulator, tempStore } from "./harness";
import { defined } from "../support/defined";

/** True when `b` differs from `a` (the same run's previous change) in its step, progress and time only. */
function progressOnly(a: UpgradeRun, b: UpgradeRun): boolean {
  const strip = (r: UpgradeRun) => JSON.stringify({ ...r, step: "", progress: 0, updatedAt: "" });
  return a.id === b.id && strip(a) === strip(b);
}

describe("engine: what a run writes to the file store", () => {
  let sim: RunningSimulator;
  let files: Awaited<ReturnType<typeof tempStore>>;
  const original = fs.rename;
  afterEach(async () => {
    fs.rename = original;
    await sim?.stop();
    await files?.cleanup();
  });

  it("a management domain's run: one run per write, no write for a progress-only change, the last state on disk after close", async () => {
    sim = await simulator("happy");
    files = await tempStore();
    const landed: string[] = [];
    fs.rename = (async (from: string, to: string) => {
      await original(from, to);
      if (String(to).startsWith(files.dir)) landed.push(await fs.readFile(to, "utf8"));
    }) as typeof fs.rename;
    const t = new EngineUnderTest(sim, files.store(), { pollIntervalMs: 1 });
    const done = await t.fullRun((await managementDomain(sim)).name, { ...WAIT_FOR_ACK, ignoreAlerts: true });
    assert.equal(done.status, "successfully_completed", done.failureReason);
    await t.engine.close();

    const progressChanges = t.changes
      .slice(1)
      .filter((c, i) => progressOnly(defined(t.changes[i], "the change before"), c)).length;
    assert.ok(progressChanges > 5, `${progressChanges} progress-only changes`);
    assert.ok(
      landed.length <= t.changes.length - progressChanges + 1,
      `${landed.length} writes for ${t.changes.length} changes, ${progressChanges} of them progress only`,
    );
    for (const text of landed)
      assert.equal((JSON.parse(text) as { id?: unknown }).id, done.id, "a write holds the run itself, nothing else");
    const stored = storedRuns(path.join(files.dir, "vcf-upgrade-runs"));
    assert.deepEqual(stored, [t.engine.getRun(done.id)]);
  });
});
