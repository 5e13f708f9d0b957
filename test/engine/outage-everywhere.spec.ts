// A VI domain's phase that runs while the management domain's SDDC Manager upgrades itself (its API away): every
// single call of the phase, not only its polls, waits for the API within the outage budget, and the run completes.
import * as assert from "node:assert/strict";
import * as net from "node:net";
import type { Phase, UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator, SimExchange } from "../../nodes/sim/index";
import { eventually } from "../support/eventually";
import { type FaultProxy, type ProxiedRequest, startFaultProxy } from "./fault-proxy";
import { EngineUnderTest, WAIT_FOR_ACK, managementAndVi, simulator, stopAll } from "./harness";

/** Simulated seconds: far longer than the test, ended by moving the simulator's clock. */
const OUTAGE_SECONDS = 10 ** 7;
const SETTINGS = {
  sddcOutageBudgetMs: 60_000,
  downloadDeadlineMs: 60_000,
  precheckDeadlineMs: 60_000,
  componentDeadlineMs: 60_000,
  validationDeadlineMs: 60_000,
};

/** POST /v1/upgrades per bundle and resource (bundles are shared between domains). */
function upgradePostsPerDomainBundle(log: readonly SimExchange[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of log.filter(
    (x) => x.method === "POST" && x.path === "/v1/upgrades" && x.status >= 200 && x.status < 300,
  )) {
    const body = e.requestBody as { bundleId?: string; resourceUpgradeSpecs?: { resourceId?: string }[] } | undefined;
    const key = `${body?.bundleId} on ${body?.resourceUpgradeSpecs?.[0]?.resourceId}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const PHASES_BEFORE: Readonly<Record<Phase, Phase[]>> = {
  download: [],
  prechecks: ["download"],
  acknowledgement: ["download", "prechecks"],
  upgrade: ["download", "prechecks", "acknowledgement"],
};

describe("engine: a VI run's phase during the management domain's SDDC Manager outage", function () {
  this.timeout(60_000);
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await stopAll([t], proxy, sim);
    proxy = undefined;
  });

  function runPhase(runId: string, phase: Phase): Promise<UpgradeRun> {
    if (phase === "download") return t.engine.downloadBundles(runId);
    if (phase === "prechecks") return t.engine.runPrechecks(runId);
    if (phase === "acknowledgement") return t.engine.awaitAcknowledgement(runId, WAIT_FOR_ACK);
    return t.engine.upgradeComponents(runId);
  }

  for (const phase of ["download", "prechecks", "upgrade"] as const) {
    it(`${phase}: waits for the API, then completes; nothing is started twice`, async () => {
      sim = await simulator("many-domains", { domains: 1, faults: { outageSeconds: OUTAGE_SECONDS } });
      t = new EngineUnderTest(sim, undefined, SETTINGS);
      const { mgmt, vi } = await managementAndVi(sim);
      const management = await t.engine.startRun({ domain: mgmt.name });
      const viRun = await t.engine.startRun({ domain: vi.name });
      for (const before of PHASES_BEFORE[phase]) await runPhase(viRun.id, before);

      const outage = t.when(
        (r) => r.id === management.id && r.log.some((e) => /unavailable while it upgrades itself/.test(e.text)),
      );
      const managementDone = t.finishRun(management.id);
      await outage;
      const waiting = t.when(
        (r) => r.id === viRun.id && r.log.some((e) => /no answer from SDDC Manager .*waiting up to/.test(e.text)),
      );
      const viPhase = runPhase(viRun.id, phase);
      await waiting;
      assert.notEqual(t.engine.getRun(viRun.id)?.status, "failed");
      sim.advanceClock(OUTAGE_SECONDS);

      const afterPhase = await viPhase;
      assert.ok(
        afterPhase.completedPhases.includes(phase),
        `${phase} done: ${afterPhase.failureReason ?? afterPhase.status}`,
      );
      assert.ok(afterPhase.log.some((e) => /SDDC Manager answers again: The .* phase continues/.test(e.text)));
      for (const next of (["download", "prechecks", "acknowledgement", "upgrade"] as const).slice(
        PHASES_BEFORE[phase].length + 1,
      )) {
        await runPhase(viRun.id, next);
      }
      assert.equal((await managementDone).status, "successfully_completed");
      assert.equal(
        t.engine.getRun(viRun.id)?.outcome,
        "successfully_completed",
        t.engine.getRun(viRun.id)?.failureReason,
      );
      for (const [key, n] of upgradePostsPerDomainBundle(sim.requestLog()))
        assert.equal(n, 1, `POST /v1/upgrades for ${key}: ${n} times`);
    });
  }

  it("setting the target: a PATCH that meets the outage is resolved by reading the release view, then the run completes", async () => {
    sim = await simulator("many-domains", { domains: 1, faults: { outageSeconds: OUTAGE_SECONDS } });
    const { mgmt, vi } = await managementAndVi(sim);
    const targetPath = `/v1/releases/domains/${vi.id}`;
    // The VI domain's PATCH of its target is held at a proxy until the management domain's SDDC Manager is away.
    let patchArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (patchArrived = resolve));
    let releasePatch!: () => void;
    const released = new Promise<void>((resolve) => (releasePatch = resolve));
    proxy = await startFaultProxy(sim.url, () => undefined, undefined, {
      hold: (req) => {
        if (req.method !== "PATCH" || req.path !== targetPath) return undefined;
        patchArrived();
        return released;
      },
    });
    // A long request timeout: the held PATCH is to meet the outage, not a timeout of its own.
    t = new EngineUnderTest(sim, undefined, SETTINGS, proxy.url, { requestTimeoutMs: 20_000 });
    const management = await t.engine.startRun({ domain: mgmt.name });
    const viRun = await t.engine.startRun({ domain: vi.name });
    await t.engine.downloadBundles(viRun.id);
    const viPrechecks = t.engine.runPrechecks(viRun.id);
    await arrived;

    const outage = t.when(
      (r) => r.id === management.id && r.log.some((e) => /unavailable while it upgrades itself/.test(e.text)),
    );
    const managementDone = t.finishRun(management.id);
    await outage;
    const waitingOrFailed = t.when(
      (r) =>
        r.id === viRun.id &&
        (r.status === "failed" || r.log.some((e) => /no answer from SDDC Manager .*waiting up to/.test(e.text))),
    );
    releasePatch();
    const seen = await waitingOrFailed;
    assert.notEqual(seen.status, "failed", seen.failureReason);
    sim.advanceClock(OUTAGE_SECONDS);

    const afterPrechecks = await viPrechecks;
    assert.ok(
      afterPrechecks.completedPhases.includes("prechecks"),
      `prechecks done: ${afterPrechecks.failureReason ?? afterPrechecks.status}`,
    );
    const log = sim.requestLog();
    const patches = log.filter((e) => e.method === "PATCH" && e.path === targetPath);
    assert.ok(
      patches.some((e) => e.status !== 200),
      `the PATCH met the outage: ${patches.map((e) => e.status).join(", ")}`,
    );
    assert.equal(patches.filter((e) => e.status === 200).length, 1, "the target was set once");
    const lastPatch = log.lastIndexOf(patches.at(-1)!);
    assert.ok(
      log.slice(0, lastPatch).some((e) => e.method === "GET" && e.path === targetPath && e.status === 200),
      "the release view was read after the outage, before the target was sent again",
    );
    await t.engine.awaitAcknowledgement(viRun.id, WAIT_FOR_ACK);
    await t.engine.upgradeComponents(viRun.id);
    assert.equal((await managementDone).status, "successfully_completed");
    assert.equal(
      t.engine.getRun(viRun.id)?.outcome,
      "successfully_completed",
      t.engine.getRun(viRun.id)?.failureReason,
    );
  });

  // "answer": the request reached SDDC Manager (the backup started), its answer is lost. "request": the request
  // itself meets the outage (SDDC Manager never sees it). Either is held at a proxy until the management domain's
  // SDDC Manager is away.
  for (const lost of ["answer", "request"] as const) {
    it(`the fresh backup: a request ${lost === "answer" ? "whose answer is lost" : "that never reaches SDDC Manager"} while it is away is resolved by looking after the outage; one backup`, async () => {
      // No scheduled backup on record: the simulator dates it relative to its clock, so the clock moved past the
      // outage would list it as a backup newer than the request (the backup readiness check is off for the same reason).
      sim = await simulator("many-domains", {
        domains: 1,
        faults: { outageSeconds: OUTAGE_SECONDS, lastBackupHoursAgo: -1 },
      });
      const { mgmt, vi } = await managementAndVi(sim);
      let posted!: () => void;
      const reached = new Promise<void>((resolve) => (posted = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let held = false;
      const holdFirstBackupPost = (req: ProxiedRequest, kind: typeof lost): boolean => {
        if (held || lost !== kind || req.method !== "POST" || req.path !== "/v1/backups/tasks") return false;
        held = true;
        posted();
        return true;
      };
      proxy = await startFaultProxy(sim.url, () => undefined, undefined, {
        hold: (req) => (holdFirstBackupPost(req, "request") ? released : undefined),
        holdAnswer: (req) => (holdFirstBackupPost(req, "answer") ? released.then(() => "drop" as const) : undefined),
      });
      const settings = { ...SETTINGS, readinessChecksOff: ["backup" as const] };
      t = new EngineUnderTest(sim, undefined, settings, proxy.url, { requestTimeoutMs: 20_000 });
      const management = await t.engine.startRun({ domain: mgmt.name });
      const viRun = await t.engine.startRun({ domain: vi.name });
      for (const before of PHASES_BEFORE.upgrade) await runPhase(viRun.id, before);
      // The management run takes no backup of its own: every backup request is the VI run's.
      const noBackup = { freshBackup: false, onFailure: "fail" } as const;
      const viUpgrade = t.engine.upgradeComponents(viRun.id);
      await reached;

      const outage = t.when(
        (r) => r.id === management.id && r.log.some((e) => /unavailable while it upgrades itself/.test(e.text)),
      );
      const managementDone = (async () => {
        for (const before of PHASES_BEFORE.upgrade) await runPhase(management.id, before);
        return t.engine.upgradeComponents(management.id, undefined, undefined, noBackup);
      })();
      await outage;
      const waitingOrFailed = t.when(
        (r) =>
          r.id === viRun.id &&
          (r.status === "failed" || r.log.some((e) => /no answer from SDDC Manager .*waiting up to/.test(e.text))),
      );
      release();
      const seen = await waitingOrFailed;
      assert.notEqual(seen.status, "failed", seen.failureReason);
      sim.advanceClock(OUTAGE_SECONDS);

      const done = await viUpgrade;
      assert.equal(done.status, "successfully_completed", done.failureReason);
      assert.equal((await managementDone).status, "successfully_completed");
      const started = sim
        .requestLog()
        .filter((e) => e.method === "POST" && e.path === "/v1/backups/tasks" && e.status === 202);
      assert.equal(started.length, 1, "one backup started");
      const taskId = (started[0]?.responseBody as { id?: string } | undefined)?.id;
      assert.equal(done.remote.backup?.taskId, taskId, "the run followed that backup");
      assert.equal(done.remote.backup?.status, "SUCCESSFUL");
      if (lost === "answer") {
        assert.equal(done.remote.backup?.sentAgain, undefined, "the lost answer's backup was found: never sent again");
        assert.ok(done.log.some((e) => e.text.includes(`backup task ${taskId}, started by the unanswered request`)));
      } else {
        assert.equal(done.remote.backup?.sentAgain, true);
        assert.ok(
          done.log.some((e) => /backup request sent at .* never reached SDDC Manager .* sent again, once/.test(e.text)),
        );
      }
    });
  }

  it("a VI start while SDDC Manager upgrades itself waits for the API, then starts", async () => {
    sim = await simulator("many-domains", { domains: 1, faults: { outageSeconds: OUTAGE_SECONDS } });
    t = new EngineUnderTest(sim, undefined, SETTINGS);
    const { mgmt, vi } = await managementAndVi(sim);
    const management = await t.engine.startRun({ domain: mgmt.name });
    const outage = t.when(
      (r) => r.id === management.id && r.log.some((e) => /unavailable while it upgrades itself/.test(e.text)),
    );
    const managementDone = t.finishRun(management.id);
    await outage;
    const seenBefore = sim.requestLog().length;
    const start = t.engine.startRun({ domain: vi.name });
    // The start's own calls meet the outage (dropped or 503) before the outage ends.
    assert.ok(
      await eventually(() =>
        sim
          .requestLog()
          .slice(seenBefore)
          .some((e) => e.path === "/v1/domains" && e.status !== 200),
      ),
      "the start met the outage",
    );
    sim.advanceClock(OUTAGE_SECONDS);
    const viRun = await start;
    assert.equal(viRun.status, "update_process_started");
    assert.equal((await managementDone).outcome, "successfully_completed");
    await t.finishRun(viRun.id);
    assert.equal(
      t.engine.getRun(viRun.id)?.outcome,
      "successfully_completed",
      t.engine.getRun(viRun.id)?.failureReason,
    );
  });

  it("without SDDC Manager's own upgrade under way, a start that cannot reach SDDC Manager fails at once", async () => {
    sim = await simulator();
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    // A wait would last the outage budget, far beyond this test's timeout.
    t = new EngineUnderTest(sim, undefined, { ...SETTINGS, sddcOutageBudgetMs: 3_600_000 }, `http://127.0.0.1:${port}`);
    await assert.rejects(t.engine.startRun({ domain: "lab-m01" }), /ECONNREFUSED|connect/i);
  });
});
