// A VI run started behind the management domain's run fails at once when that run fails or is cancelled, whatever it
// waits for: downloads, prechecks, the acknowledgement gate, a component; also when the failure came before a restart.
import assert from "node:assert/strict";
import { EngineError, UpgradeEngine, type UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator, SimulatorOptions } from "../../nodes/sim/index";
import { MemoryRunStore } from "../../nodes/store";
import { EngineUnderTest, FAST, WAIT_FOR_ACK, clientFor, managementAndVi, simulator } from "./harness";

/** Far beyond what failing at once takes, far below the deadlines (1 h) a VI run would otherwise wait for. */
const AT_ONCE_MS = 15_000;

function settlesWithin<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still waiting after ${AT_ONCE_MS} ms`)), AT_ONCE_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function isBehindFailed(management: UpgradeRun, outcome: RegExp) {
  return (e: unknown): boolean =>
    e instanceof EngineError &&
    e.code === "MANAGEMENT_DOMAIN_FIRST" &&
    e.message.includes(`The management domain's run ${management.id}`) &&
    outcome.test(e.message) &&
    /Upgrade the management domain/.test(e.fix ?? "");
}

describe("engine: a VI run behind a failed or cancelled management run", function () {
  let sim: RunningSimulator | undefined;
  const engines: EngineUnderTest[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((t) => t.engine.close()));
    await sim?.stop();
    sim = undefined;
  });

  async function twoRuns(
    faults: SimulatorOptions["faults"] = {},
  ): Promise<{ t: EngineUnderTest; m: UpgradeRun; v: UpgradeRun }> {
    sim = await simulator("many-domains", { domains: 1, faults });
    const long = { downloadDeadlineMs: 3_600_000, precheckDeadlineMs: 3_600_000, componentDeadlineMs: 3_600_000 };
    const t = new EngineUnderTest(sim, undefined, long);
    engines.push(t);
    const { mgmt, vi } = await managementAndVi(sim);
    const m = await t.engine.startRun({ domain: mgmt.name });
    const v = await t.engine.startRun({ domain: vi.name });
    assert.equal(v.managementRunId, m.id);
    return { t, m, v };
  }

  it("stops its downloads at once when the management run is cancelled", async () => {
    const { t, m, v } = await twoRuns({ downloadNeverFinishes: true });
    const downloading = t.when((r) => r.id === v.id && r.status === "downloading_bundles");
    const phase = t.engine.downloadBundles(v.id);
    await downloading;
    await t.engine.cancel(m.id, "not this week");
    await assert.rejects(
      settlesWithin(phase, "the VI download"),
      isBehindFailed(m, /was cancelled: cancelled by the user: not this week/),
    );
    assert.equal(t.engine.getRun(v.id)?.status, "failed");
  });

  it("stops its prechecks at once when the management run fails", async () => {
    const { t, m, v } = await twoRuns({ precheckNeverFinishes: true });
    await t.engine.downloadBundles(v.id);
    const running = t.when((r) => r.id === v.id && r.status === "running_prechecks");
    const phase = t.engine.runPrechecks(v.id);
    await running;
    await t.engine.abandonRun(m.id, "its owner node is gone");
    await assert.rejects(settlesWithin(phase, "the VI prechecks"), isBehindFailed(m, /failed: its owner node is gone/));
  });

  it("leaves the acknowledgement gate at once when the management run is cancelled", async () => {
    const { t, m, v } = await twoRuns({ precheckFindings: "warnings" });
    await t.engine.downloadBundles(v.id);
    await t.engine.runPrechecks(v.id);
    const waiting = t.when((r) => r.id === v.id && r.status === "waiting_for_alert_acknowledgement");
    const gate = t.engine.awaitAcknowledgement(v.id, WAIT_FOR_ACK);
    await waiting;
    await t.engine.cancel(m.id, "change freeze");
    await assert.rejects(
      settlesWithin(gate, "the VI gate"),
      isBehindFailed(m, /was cancelled: cancelled by the user: change freeze/),
    );
    assert.match(t.engine.getRun(v.id)?.failureReason ?? "", new RegExp(`management domain's run ${m.id}`));
  });

  it("fails a VI run between phases at once, and its next phase is refused with that reason", async () => {
    const { t, m, v } = await twoRuns();
    await t.engine.downloadBundles(v.id);
    await t.engine.cancel(m.id, "not now");
    const idle = t.engine.getRun(v.id);
    assert.equal(idle?.status, "failed");
    assert.equal(idle?.failureCode, "MANAGEMENT_DOMAIN_FIRST");
    await assert.rejects(
      t.engine.runPrechecks(v.id),
      (e: unknown) => e instanceof EngineError && e.code === "RUN_FAILED" && e.message.includes(m.id),
    );
  });

  it("fails a resumed VI phase at once when the management run failed before the restart", async () => {
    const { t, m, v } = await twoRuns();
    await t.engine.downloadBundles(v.id);
    const runs = t.engine
      .listRuns()
      .map((r) =>
        r.id === m.id
          ? { ...r, status: "failed" as const, failureReason: "lost power", failureCode: "RUN_FAILED" as const }
          : r,
      );
    const restarted = new UpgradeEngine({ client: clientFor(t.sim), store: new MemoryRunStore(runs), settings: FAST });
    try {
      await assert.rejects(
        settlesWithin(restarted.runPrechecks(v.id), "the resumed prechecks"),
        isBehindFailed(m, /failed: lost power/),
      );
      assert.equal(restarted.getRun(v.id)?.status, "failed");
    } finally {
      await restarted.close();
    }
  });
});
