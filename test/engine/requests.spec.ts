// How much the engine asks SDDC Manager: read from the simulator's request log, bounds in polls (never in ms).
import * as assert from "node:assert/strict";
import type { EngineSettings, UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator, SimExchange, SimulatorOptions } from "../../nodes/sim/index";
import { pollInterval } from "../../nodes/engine/wait";
import { countPerPath, countRequests, requestsTo } from "../support/request-log";
import { type FaultProxy, startFaultProxy } from "./fault-proxy";
import { EngineUnderTest, WAIT_FOR_ACK, clientFor, managementDomain, simulator } from "./harness";
import { eventually } from "../support/eventually";

/** The 200 answers to GET `path`. */
function answered(log: readonly SimExchange[], path: string | RegExp): SimExchange[] {
  return requestsTo(log, "GET", path).filter((e) => e.status === 200);
}

describe("engine: asks SDDC Manager less", function () {
  let sim: RunningSimulator | undefined;
  let proxy: FaultProxy | undefined;
  const engines: EngineUnderTest[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((t) => t.engine.close()));
    await proxy?.stop();
    proxy = undefined;
    await sim?.stop();
    sim = undefined;
  });

  function engineOn(s: RunningSimulator, settings: Partial<EngineSettings> = {}, baseUrl?: string): EngineUnderTest {
    const t = new EngineUnderTest(s, undefined, settings, baseUrl);
    engines.push(t);
    return t;
  }

  /** The management domain's run and every VI domain's, started in that order, finished together. */
  async function fleetRun(t: EngineUnderTest, s: RunningSimulator): Promise<UpgradeRun[]> {
    const domains = await clientFor(s).getDomains();
    const ordered = [...domains].sort((a, b) => Number(b.type === "MANAGEMENT") - Number(a.type === "MANAGEMENT"));
    const started: UpgradeRun[] = [];
    for (const d of ordered) started.push(await t.engine.startRun({ domain: d.name }));
    return Promise.all(started.map((r) => t.finishRun(r.id)));
  }

  function assertAllCompleted(runs: readonly UpgradeRun[]): void {
    assert.deepEqual(
      runs.map((r) => r.status),
      runs.map(() => "successfully_completed"),
      runs.map((r) => r.failureReason).join("; "),
    );
  }

  it("follows an upgrade with one request per poll: every Nth poll (taskPollEvery, default 5) reads its task instead of the upgrade, and the task is read once more at the end", async () => {
    // NSX and vCenter take "forever" until the engine has polled each 12 times; then the simulator's clock moves
    // them on. So the number of polls does not depend on how fast a busy machine runs.
    const LONG_SECONDS = 10 ** 7;
    sim = await simulator("happy", {
      faults: { durations: { nsxUpgradeSeconds: LONG_SECONDS, vcenterUpgradeSeconds: LONG_SECONDS } },
    });
    const s = sim;
    const t = engineOn(s);
    const started = await t.engine.startRun({ domain: (await managementDomain(s)).name });
    const finished = t.finishRun(started.id);
    for (const componentType of ["NSX_T_MANAGER", "VCENTER"]) {
      const polled = (): boolean => {
        const upgrades = Object.values(t.engine.getRun(started.id)?.remote.upgrades ?? {});
        const id = upgrades.find((u) => u.componentType === componentType)?.upgradeId;
        return id !== undefined && answered(s.requestLog(), `/v1/upgrades/${id}`).length >= 12;
      };
      assert.ok(await eventually(polled, 60_000), `${componentType} polled 12 times`);
      s.advanceClock(LONG_SECONDS);
    }
    const run = await finished;
    assert.equal(run.status, "successfully_completed", run.failureReason);
    const log = sim.requestLog();
    const upgrades = Object.values(run.remote.upgrades);
    assert.equal(upgrades.length, 4);
    let allPolls = 0;
    for (const u of upgrades) {
      const polls = answered(log, `/v1/upgrades/${u.upgradeId}`).length;
      const taskReads = countRequests(log, "GET", `/v1/tasks/${u.upgradeId}`);
      allPolls += polls;
      assert.ok(
        taskReads >= 1 && taskReads <= Math.floor((polls + taskReads) / 5) + 1,
        `${u.componentType}: ${taskReads} task reads, ${polls} upgrade polls`,
      );
      // SDDC Manager's own upgrade reads its task beside the poll that rides out its outage.
      if (u.componentType === "SDDC_MANAGER") continue;
      // U = the upgrade read, T = its task: "UUUUT UUUUT ... U(ended)T". Were the task read beside the upgrade, five
      // upgrade reads would come before each task read.
      const sequence = answered(log, new RegExp(`^/v1/(upgrades|tasks)/${u.upgradeId}$`))
        .map((e) => (e.path.startsWith("/v1/tasks/") ? "T" : "U"))
        .join("");
      for (const between of sequence.split("T").slice(0, -2))
        assert.equal(between, "UUUU", `${u.componentType}: every 5th poll reads the task instead: ${sequence}`);
    }
    assert.ok(allPolls >= 20, `${allPolls} upgrade polls in all`);
    assert.ok(
      run.log.some((e) => /^ESXi: step \d+ of 6 SUCCESSFUL: /.test(e.text)),
      "the sub-tasks are still logged",
    );
  });

  it("a /v1/system/upgradables that answers 404 is asked once, and again only after SDDC Manager has upgraded itself", async () => {
    sim = await simulator("happy");
    let asked = 0;
    proxy = await startFaultProxy(sim.url, (req) => {
      if (req.method !== "GET" || req.path !== "/v1/system/upgradables") return undefined;
      asked += 1;
      return {
        status: 404,
        body: JSON.stringify({ errorCode: "NOT_FOUND", message: "No endpoint GET /v1/system/upgradables" }),
      };
    });
    const t = engineOn(sim, {}, proxy.url);
    const domains = await clientFor(sim).getDomains();
    for (const d of [...domains].sort((a, b) => Number(b.type === "MANAGEMENT") - Number(a.type === "MANAGEMENT"))) {
      const run = await t.fullRun(d.name);
      assert.equal(run.status, "successfully_completed", run.failureReason);
      assert.equal(
        run.log.filter((e) => /GET \/v1\/system\/upgradables .*; using the domain's own upgradables list/.test(e.text))
          .length,
        1,
        "said once per run",
      );
    }
    assert.equal(domains.length, 2);
    assert.equal(asked, 2, "once before and once after SDDC Manager's own upgrade, for both runs together");
  });

  it("lists a bundle's upgrades (GET /v1/upgrades?bundleId=) once per component step, for the management domain and 3 VI domains at once", async () => {
    sim = await simulator("many-domains", { domains: 3 });
    const t = engineOn(sim, { componentDeadlineMs: 60_000 });
    const runs = await fleetRun(t, sim);
    assertAllCompleted(runs);
    const log = sim.requestLog();
    const steps = countRequests(log, "POST", "/v1/upgrades");
    assert.equal(steps, 4 + 3 * 3, "SDDC Manager, NSX, vCenter, ESXi; then NSX, vCenter, ESXi per VI domain");
    assert.equal(countRequests(log, "GET", "/v1/upgrades"), steps, "one list per step");
    for (const run of runs) {
      for (const u of Object.values(run.remote.upgrades))
        assert.ok(answered(log, `/v1/upgrades/${u.upgradeId}`).length > 0, "followed by id");
    }
  });

  it("a target version SDDC Manager already has is read once by the target step: no PATCH, no second read to confirm it", async () => {
    sim = await simulator("happy");
    const t = engineOn(sim);
    const domain = await managementDomain(sim);
    const run = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(run.id);
    await clientFor(sim).setTargetVersion(domain.id, { targetVersion: run.targetVersion });
    sim.clearRequestLog();
    const done = await t.engine.runPrechecks(run.id);
    assert.ok(done.log.some((e) => e.text === `Target version ${run.targetVersion} is already set`));
    const log = sim.requestLog();
    assert.equal(countRequests(log, "PATCH", `/v1/releases/domains/${domain.id}`), 0);
    assert.equal(countRequests(log, "GET", `/v1/releases/domains/${domain.id}`), 1);
  });

  it("the domains that reach a component step together share one read of its bundle", async () => {
    sim = await simulator("many-domains", { domains: 3 });
    // A longest poll interval far beyond the test: every read of a bundle in the upgrade phase may serve the others.
    const t = engineOn(sim, { componentDeadlineMs: 60_000, maxPollIntervalMs: 60_000 });
    const domains = await clientFor(sim).getDomains();
    const ordered = [...domains].sort((a, b) => Number(b.type === "MANAGEMENT") - Number(a.type === "MANAGEMENT"));
    const started: UpgradeRun[] = [];
    for (const d of ordered) started.push(await t.engine.startRun({ domain: d.name }));
    for (const r of started) {
      await t.engine.downloadBundles(r.id);
      await t.engine.runPrechecks(r.id);
      await t.engine.awaitAcknowledgement(r.id, WAIT_FOR_ACK);
    }
    sim.clearRequestLog();
    const runs = await Promise.all(started.map((r) => t.engine.upgradeComponents(r.id)));
    assertAllCompleted(runs);
    const users = new Map<string, number>();
    for (const r of runs)
      for (const id of new Set(Object.values(r.remote.upgrades).map((u) => u.bundleId)))
        users.set(id, (users.get(id) ?? 0) + 1);
    assert.ok(
      [...users.values()].some((n) => n > 1),
      "the domains share bundles",
    );
    const sddcBundle = Object.values(runs[0]?.remote.upgrades ?? {}).find(
      (u) => u.componentType === "SDDC_MANAGER",
    )?.bundleId;
    const reads = countPerPath(sim.requestLog(), "GET", /^\/v1\/bundles\/[^/]+$/);
    for (const [bundleId, n] of users) {
      const read = reads.get(`/v1/bundles/${bundleId}`) ?? 0;
      // SDDC Manager's bundle is read once more to confirm its version after its upgrade.
      assert.ok(read <= (bundleId === sddcBundle ? 2 : 1), `bundle ${bundleId} of ${n} domain(s): read ${read} times`);
    }
  });

  it("polls a running precheck less and less often while its progress changes on every poll", async () => {
    const options: SimulatorOptions = { faults: { durations: { checkSetRunSeconds: 100_000 } } }; // 1 s at the test time scale
    sim = await simulator("happy", options);
    const t = engineOn(sim, { pollIntervalMs: 2, maxPollIntervalMs: 100 });
    const run = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
    await t.engine.downloadBundles(run.id);
    await t.engine.runPrechecks(run.id);
    const polls = answered(sim.requestLog(), /^\/v1\/system\/check-sets\/[^/]+$/);
    const progress = new Set(
      polls.map(
        (e) =>
          (e.responseBody as { discoveryProgress?: { percentageComplete?: number } }).discoveryProgress
            ?.percentageComplete,
      ),
    );
    assert.ok(progress.size >= 5, `the progress changed while polled (${[...progress].join(", ")})`);
    const spanMs = Date.parse(polls.at(-1)?.at ?? "") - Date.parse(polls[0]?.at ?? "");
    // From 2 ms to 100 ms the interval doubles the time waited: about 6 polls, then one per 100 ms.
    assert.ok(polls.length <= 10 + spanMs / 100, `${polls.length} polls in ${spanMs} ms`);
  });

  it("the runs of one SDDC Manager that wait for the same bundle share their reads of it", async () => {
    sim = await simulator("many-domains", { domains: 3, faults: { downloadNeverFinishes: true } });
    const settings = { pollIntervalMs: 50, maxPollIntervalMs: 200, downloadDeadlineMs: 2000 };
    const t = engineOn(sim, settings);
    const domains = await clientFor(sim).getDomains();
    const ordered = [...domains].sort((a, b) => Number(b.type === "MANAGEMENT") - Number(a.type === "MANAGEMENT"));
    const runs: UpgradeRun[] = [];
    for (const d of ordered) runs.push(await t.engine.startRun({ domain: d.name }));
    const ended = await Promise.allSettled(runs.map((r) => t.engine.downloadBundles(r.id)));
    assert.ok(
      ended.every((e) => e.status === "rejected"),
      "no download finishes",
    );
    // One wait polls about this often before its deadline (more polls when the machine is busy is impossible: fewer).
    let onePoll = 0;
    for (let waited = settings.pollIntervalMs; waited < settings.downloadDeadlineMs; onePoll++)
      waited += pollInterval(waited, settings.pollIntervalMs, settings.maxPollIntervalMs);
    const reads = countPerPath(sim.requestLog(), "GET", /^\/v1\/bundles\/[^/]+$/);
    const waitedOnByAll = [...reads.entries()].sort((a, b) => b[1] - a[1])[0];
    assert.ok(waitedOnByAll, "bundles were read");
    // Four runs each polling on their own would read it about 4 x onePoll times.
    assert.ok(
      waitedOnByAll[1] <= 1.5 * onePoll + runs.length,
      `${waitedOnByAll[0]}: ${waitedOnByAll[1]} reads by ${runs.length} runs; one wait polls about ${onePoll} times`,
    );
  });

  it("a fleet's starts share one domain list and the management domain's release; its readiness checks share SDDC Manager's own state", async () => {
    sim = await simulator("many-domains", { domains: 3 });
    // A longest poll interval far beyond the test: every read of SDDC Manager's own state may serve the other runs.
    const t = engineOn(sim, { maxPollIntervalMs: 60_000 });
    const domains = await clientFor(sim).getDomains();
    const mgmt = domains.find((d) => d.type === "MANAGEMENT");
    const ordered = [...domains].sort((a, b) => Number(b.type === "MANAGEMENT") - Number(a.type === "MANAGEMENT"));
    sim.clearRequestLog();
    const runs: UpgradeRun[] = [];
    for (const d of ordered) runs.push(await t.engine.startRun({ domain: d.name }));
    let log = sim.requestLog();
    assert.equal(countRequests(log, "GET", "/v1/domains"), 1, "one domain list for 4 starts");
    const mgmtReleaseReads = requestsTo(log, "GET", "/v1/releases").filter((e) => e.query.domainId === mgmt?.id);
    assert.equal(mgmtReleaseReads.length, 2, "the management domain's own start, and one read for the 3 VI starts");
    const startLog = log;
    sim.clearRequestLog();
    await Promise.all(runs.map((r) => t.engine.downloadBundles(r.id)));
    await Promise.all(runs.map((r) => t.engine.runPrechecks(r.id)));
    log = sim.requestLog();
    for (const path of ["/v1/system/backup-configuration", "/v1/system/settings/depot"])
      assert.equal(countRequests(log, "GET", path), 1, `${path}: one read for ${runs.length} runs`);
    // The starts read the SDDC Managers for the API generation; that read serves the readiness checks too.
    const managerReads =
      countRequests(startLog, "GET", "/v1/sddc-managers") + countRequests(log, "GET", "/v1/sddc-managers");
    assert.equal(managerReads, 1, `/v1/sddc-managers: one read for ${runs.length} runs`);
    const backupLists = requestsTo(log, "GET", "/v1/tasks").filter((e) => e.query.resourceType === "SDDC_MANAGER");
    assert.equal(backupLists.length, 1, "one list of SDDC Manager's backup tasks");
    const failedLists = requestsTo(log, "GET", "/v1/tasks").filter((e) => e.query.taskStatus === "FAILED");
    assert.equal(failedLists.length, runs.length + 1, "the failed tasks of each domain, and of SDDC Manager once");
  });

  it("while SDDC Manager upgrades itself and its API is away, the VI runs do not ask their own upgradables list besides the system-wide one", async () => {
    sim = await simulator("many-domains", { domains: 2, faults: { outageSeconds: 100_000 } }); // about a second
    const t = engineOn(sim, { componentDeadlineMs: 60_000, sddcOutageBudgetMs: 60_000 });
    const runs = await fleetRun(t, sim);
    assertAllCompleted(runs);
    const log = sim.requestLog();
    const away = (e: SimExchange): boolean => e.status === 0 || e.status === 401 || e.status >= 500;
    const systemAway = requestsTo(log, "GET", "/v1/system/upgradables").filter(away).length;
    assert.ok(systemAway > 0, "the VI runs polled the system-wide list during the outage");
    const ownAway = requestsTo(log, "GET", /^\/v1\/upgradables\/domains\/[^/]+$/).filter(away);
    assert.equal(ownAway.length, 0, `${ownAway.length} per-domain lists asked while the API was away`);
  });
});
