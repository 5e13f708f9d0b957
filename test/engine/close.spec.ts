import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { fileNameForRun } from "../../nodes/store";
import { storedRuns } from "../support/stored-runs";
import { EngineError } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { EngineUnderTest, managementDomain, simulator, tempStore } from "./harness";

describe("engine: close", () => {
  let sim: RunningSimulator;
  let files: Awaited<ReturnType<typeof tempStore>>;
  afterEach(async () => {
    await sim?.stop();
    await files?.cleanup();
  });

  it("resolves once the phase has stopped and the run file holds the run's last state; nothing is written after", async () => {
    sim = await simulator("happy");
    files = await tempStore();
    const store = files.store();
    const t = new EngineUnderTest(sim, store);
    const run = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
    const phase = t.engine.downloadBundles(run.id);
    await t.when((r) => Object.values(r.remote.bundles).some((b) => b.requested));
    const closing = t.engine.close();
    assert.equal(t.engine.close(), closing, "a second close waits for the same shutdown");
    await closing;
    // Read synchronously right after close: no write may still be under way.
    const names = fs.readdirSync(store.directory);
    assert.deepEqual(names, [fileNameForRun(run.id)], "no temporary file left");
    assert.deepEqual(storedRuns(store.directory), [t.engine.getRun(run.id)]);
    fs.rmSync(files.dir, { recursive: true });
    await assert.rejects(phase, (e: unknown) => e instanceof EngineError && e.code === "ABORTED");
    assert.equal(fs.existsSync(files.dir), false, "nothing wrote to the directory after close");
    await assert.rejects(
      t.engine.startRun({ domain: run.domainId }),
      (e: unknown) => e instanceof EngineError && e.code === "ABORTED",
    );
  });
});
