// Maintenance windows in runs against the simulator: a run waits for its window (on an injected clock, no wall-time
// waits), never starts a component that does not fit, waits on after a restart, and with "schedule in SDDC Manager"
// creates the next upgrade once with the opening as its start time, reschedules it when the window changes and
// cancels it on a cancel.
import * as assert from "node:assert/strict";
import { EngineError, type UpgradeRun, type WindowRequest } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { MemoryRunStore, type RunStore } from "../../nodes/store";
import type { Upgrade } from "../../nodes/vcf/types";
import { checkContract, loadSpec } from "../support/openapi-contract";
import { requestsTo, upgradePostsPerBundle } from "../support/request-log";
import { EngineUnderTest, TestClock, clientFor, managementDomain, simulator, stopAll, tempStore } from "./harness";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A one-off window from `startMs` for `hours`, as msg.window gives it. */
function once(startMs: number, hours: number, scheduleInSddcManager = false): WindowRequest {
  const window = { start: iso(startMs), end: iso(startMs + hours * HOUR) };
  return { setting: scheduleInSddcManager ? { windows: [window], scheduleInSddcManager } : window, source: "message" };
}

/** The upgrade phase of `runId` with a window (msg.window or the node's), other arguments as the node passes them. */
function upgradeIn(t: EngineUnderTest, runId: string, window: WindowRequest): Promise<UpgradeRun> {
  return t.engine.upgradeComponents(runId, undefined, undefined, undefined, undefined, window);
}

const postsOfUpgrades = (sim: RunningSimulator): number => requestsTo(sim.requestLog(), "POST", "/v1/upgrades").length;

function assertOnePostPerComponent(sim: RunningSimulator): void {
  for (const [bundle, n] of upgradePostsPerBundle(sim.requestLog()))
    assert.equal(n, 1, `POST /v1/upgrades for ${bundle}: ${n} times`);
}

describe("engine: maintenance windows in runs", () => {
  let sim: RunningSimulator;
  const engines: EngineUnderTest[] = [];
  const clock = new TestClock();
  afterEach(() => stopAll(engines, sim));

  function engineOn(store: RunStore = new MemoryRunStore(), settings = {}): EngineUnderTest {
    const t = new EngineUnderTest(sim, store, settings, sim.url, {}, clock.now);
    engines.push(t);
    return t;
  }

  /** The scenario's management domain, through downloads, prechecks and the gate. */
  async function acknowledged(t: EngineUnderTest): Promise<UpgradeRun> {
    return t.acknowledgedRun((await managementDomain(sim)).name);
  }

  const waiting = (r: UpgradeRun): boolean =>
    r.window?.waitingFor !== undefined && r.step.startsWith("Waiting for the maintenance window");

  it("waits for the window before the first component, in alerts_were_acknowledged, and starts at its opening", async () => {
    sim = await simulator("happy");
    const t = engineOn();
    const run = await acknowledged(t);
    const opens = clock.now() + 2 * HOUR;
    const seen = t.when(waiting);
    const done = upgradeIn(t, run.id, once(opens, 48));
    const wait = await seen;
    assert.equal(wait.status, "alerts_were_acknowledged", "the 13 statuses: the wait is in the step");
    assert.match(
      wait.step,
      /^Waiting for the maintenance window: opens \w{3} \d+ \w{3} \d\d:\d\d UTC \(in 2 h\); next: SDDC Manager, about 45 min plus a margin of 15 min$/,
    );
    assert.equal(wait.window?.waitingFor?.opensAt, iso(opens));
    // A minute on, more polls of the closed window (the step counts down): nothing starts before the opening.
    const later = t.when((r) => r.id === run.id && waiting(r) && /\(in 1 h 59 min\)/.test(r.step));
    clock.advance(60_000);
    await later;
    assert.equal(postsOfUpgrades(sim), 0, "no component started before the window opened");

    clock.advance(2 * HOUR - 60_000);
    const finished = await done;
    assert.equal(finished.status, "successfully_completed", finished.failureReason);
    assert.ok(postsOfUpgrades(sim) > 0);
    assert.deepEqual(t.statuses(run.id).slice(-3), [
      "alerts_were_acknowledged",
      "starting_upgrades",
      "successfully_completed",
    ]);
    const texts = finished.log.map((e) => e.text);
    assert.equal(texts.filter((x) => x.startsWith("Waiting for the maintenance window")).length, 1);
    assert.ok(
      texts.some((x) => x.startsWith("The maintenance window is open until")),
      texts.join("\n"),
    );
    assert.equal(finished.window?.waitingFor, undefined, "no longer waiting");
    const window = t.engine.report(run.id)?.window;
    assert.ok(window, "the report names the window");
    assert.equal(window.windows.length, 1);
    assert.equal(window.scheduleInSddcManager, false);
    assert.deepEqual(window.overruns, []);
  });

  it("does not start a component whose estimate plus the margin does not fit in what is left of the window", async () => {
    sim = await simulator("happy");
    const t = engineOn();
    const run = await acknowledged(t);
    const now = clock.now();
    // 50 minutes left of the open window: SDDC Manager needs 45 min plus 15 min margin. The next window fits.
    const windows = [
      { start: iso(now - HOUR), end: iso(now + 50 * 60_000) },
      { start: iso(now + DAY), end: iso(now + 3 * DAY) },
    ];
    const seen = t.when(waiting);
    const done = upgradeIn(t, run.id, {
      setting: windows,
      source: "message",
    });
    const wait = await seen;
    assert.equal(wait.window?.waitingFor?.opensAt, windows[1]?.start);
    assert.equal(wait.window?.waitingFor?.component, "SDDC Manager");
    assert.equal(postsOfUpgrades(sim), 0);
    clock.advance(DAY);
    const finished = await done;
    assert.equal(finished.status, "successfully_completed", finished.failureReason);
  });

  it("a component running past the window's end is not interrupted; the log says so, and no window left fails the run naming it", async () => {
    sim = await simulator("happy", { faults: { upgradeNeverFinishes: true } });
    const t = engineOn(new MemoryRunStore(), { componentDeadlineMs: 20 * DAY, sddcOutageBudgetMs: 20 * DAY });
    const run = await acknowledged(t);
    const started = t.when((r) => Object.keys(r.remote.upgrades).length > 0);
    const done = upgradeIn(t, run.id, once(clock.now(), 2));
    await started;
    clock.advance(3 * HOUR); // the window has ended while SDDC Manager upgrades itself
    sim.setFaults({ upgradeNeverFinishes: false });
    await assert.rejects(done, (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, "BAD_INPUT");
      assert.equal(err.field, "window");
      assert.match(err.message, /No maintenance window is ahead for NSX/);
      return true;
    });
    const failed = t.engine.getRun(run.id);
    assert.ok(
      failed?.log.some((e) =>
        /^SDDC Manager \(bundle .*\) ran past the maintenance window's end .* by 1 h/.test(e.text),
      ),
    );
    assert.equal(failed?.window?.overruns?.[0]?.component, "SDDC Manager");
    assert.equal(postsOfUpgrades(sim), 1, "NSX was not started");
  });

  it("a restart while waiting waits on for the same opening, then starts there", async () => {
    sim = await simulator("happy");
    const files = await tempStore();
    try {
      const first = engineOn(files.store());
      const run = await acknowledged(first);
      const opens = clock.now() + 5 * HOUR;
      const seen = first.when(waiting);
      const before = upgradeIn(first, run.id, once(opens, 48));
      before.catch(() => undefined);
      await seen;
      await first.engine.close();

      const second = engineOn(files.store());
      await second.engine.ready();
      assert.deepEqual(
        second.engine.resumableRuns().map((r) => r.id),
        [run.id],
      );
      const again = second.when(waiting);
      // resumed as the node does after a restart: the node's window (none) does not replace the message's
      const done = upgradeIn(second, run.id, {
        setting: null,
        source: "node",
      });
      const wait = await again;
      assert.equal(wait.window?.waitingFor?.opensAt, iso(opens));
      assert.equal(postsOfUpgrades(sim), 0);
      clock.advance(5 * HOUR);
      const finished = await done;
      assert.equal(finished.status, "successfully_completed", finished.failureReason);
      const waits = finished.log.filter((e) => e.text.startsWith("Waiting for the maintenance window"));
      assert.equal(waits.length, 1, "the wait is the same one, not announced again");
    } finally {
      await files.cleanup();
    }
  });

  describe("schedule in SDDC Manager", () => {
    /** The domain's upgrades in SDDC Manager. */
    const upgrades = (): Promise<Upgrade[]> => clientFor(sim).listUpgrades();
    const statusesInSddcManager = async (): Promise<string[]> => (await upgrades()).map((u) => u.status);
    const scheduledFor = (r: UpgradeRun): string | undefined =>
      Object.values(r.remote.upgrades).find((u) => u.scheduledFor)?.scheduledFor;

    it("creates the upgrade once although its POST's answer is lost, reschedules it when the window changes, and starts it when the window opens", async () => {
      sim = await simulator("happy", { faults: { dropResponseOf: ["POST /v1/upgrades"] } });
      const t = engineOn();
      const run = await acknowledged(t);
      // Far ahead: the simulated clock, 100 000 times faster, must not reach it during the test.
      const opens = clock.now() + 300 * DAY;
      const scheduled = t.when((r) => scheduledFor(r) === iso(opens));
      const done = upgradeIn(t, run.id, once(opens, 48, true));
      const first = await scheduled;
      assert.equal(first.status, "alerts_were_acknowledged");
      const [created, ...others] = await upgrades();
      assert.equal(others.length, 0, "one upgrade in SDDC Manager");
      assert.equal(created?.status, "SCHEDULED");
      assert.deepEqual(
        created?.resourceUpgradeSpecs.map((r) => [r.upgradeNow, r.scheduledTimestamp]),
        [[false, iso(opens)]],
      );
      assert.equal(postsOfUpgrades(sim), 1, "the lost answer was resolved by looking, not by a second POST");

      const later = opens + 7 * DAY;
      const moved = t.when((r) => scheduledFor(r) === iso(later));
      await t.engine.changeWindow(run.id, {
        windows: [{ start: iso(later), end: iso(later + 48 * HOUR) }],
        scheduleInSddcManager: true,
      });
      await moved;
      const [rescheduled] = await upgrades();
      assert.equal(rescheduled?.status, "SCHEDULED");
      assert.equal(
        rescheduled?.resourceUpgradeSpecs[0]?.scheduledTimestamp,
        iso(later),
        "SDDC Manager shows the new time",
      );

      // The window opens now: the upgrade starts now, and the components after it start inside the window.
      const startedNow = new Date().toISOString();
      const closes = iso(clock.now() + 3 * DAY);
      await t.engine.changeWindow(run.id, {
        windows: [{ start: iso(clock.now() - HOUR), end: closes }],
        scheduleInSddcManager: true,
      });
      const finished = await done;
      assert.equal(finished.status, "successfully_completed", finished.failureReason);
      const sddc = Object.values(finished.remote.upgrades).find((u) => u.componentType === "SDDC_MANAGER");
      assert.ok(sddc && sddc.startedAt >= startedNow, "its duration counts from its start, not from its scheduling");
      assert.equal(sddc.windowEnd, closes, "it starts in the new window");
      assertOnePostPerComponent(sim);
      const patches = requestsTo(sim.requestLog(), "PATCH", /^\/v1\/upgrades\//).map((e) => e.requestBody);
      assert.deepEqual(patches, [{ scheduledTimestamp: iso(later) }, { upgradeNow: true }]);
      assert.ok(finished.log.some((e) => e.text.startsWith("The maintenance window changed: rescheduled the upgrade")));
      assert.ok(finished.log.some((e) => /^The maintenance window changed: the upgrade .* starts now/.test(e.text)));
      // The scheduled POST, the reschedule and the start now, with SDDC Manager's answers, as the 5.2.1 spec has them
      // (the answers the fault dropped are no answers to check).
      if (loadSpec()) {
        const report = checkContract(sim.requestLog().filter((e) => e.status !== 0));
        assert.deepEqual(report.violations, []);
        assert.ok(report.requestsValidated > 0);
      }
    });

    it("a restart between the scheduled POST and its answer finds the upgrade instead of creating a second one", async () => {
      sim = await simulator("happy");
      const before = engineOn();
      const run = await acknowledged(before);
      const opens = clock.now() + 300 * DAY;
      let image: UpgradeRun | undefined;
      before.engine.on("change", (r: UpgradeRun) => {
        if (!image && r.remote.upgradeRequest?.scheduledFor && Object.keys(r.remote.upgrades).length === 0) image = r;
      });
      const recorded = before.when((r) => scheduledFor(r) !== undefined);
      void before.engine
        .upgradeComponents(run.id, undefined, undefined, undefined, undefined, once(opens, 48, true))
        .catch(() => undefined);
      await recorded;
      await before.engine.close();
      assert.ok(image, "the run as a crash between the request and its answer leaves it");

      const after = engineOn(new MemoryRunStore([image]));
      const found = after.when((r) => scheduledFor(r) === iso(opens));
      const done = after.engine.upgradeComponents(run.id);
      await found;
      const cancelled = await after.engine.cancel(run.id, "the window moved");
      await assert.rejects(done);
      assert.equal(postsOfUpgrades(sim), 1, "never a second upgrade");
      assert.ok(cancelled?.log.some((e) => /had reached SDDC Manager/.test(e.text)));
      assert.deepEqual(await statusesInSddcManager(), ["CANCELLED"]);
    });

    it("msg.cancel cancels the upgrade scheduled in SDDC Manager", async () => {
      sim = await simulator("happy");
      const t = engineOn();
      const run = await acknowledged(t);
      const opens = clock.now() + 300 * DAY;
      const scheduled = t.when((r) => scheduledFor(r) !== undefined);
      const done = upgradeIn(t, run.id, once(opens, 48, true));
      await scheduled;
      const cancelled = await t.engine.cancel(run.id, "change freeze");
      await assert.rejects(done, (err: unknown) => err instanceof EngineError && err.code === "CANCELLED");
      assert.equal(cancelled?.status, "failed");
      const [asked] = cancelled?.remoteCancellations ?? [];
      assert.equal(asked?.kind, "upgrade");
      assert.equal(asked?.accepted, true, asked?.answer);
      assert.deepEqual(await statusesInSddcManager(), ["CANCELLED"]);
    });
  });

  it("refuses a bad window before anything starts, naming the field and the fix", async () => {
    sim = await simulator("happy");
    const t = engineOn();
    const run = await acknowledged(t);
    const bad: WindowRequest = {
      setting: { days: ["Sat"], start: "22:00", hours: 8, timeZone: "Europe/Atlantis" },
      source: "message",
    };
    await assert.rejects(upgradeIn(t, run.id, bad), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.field, "window.timeZone");
      assert.match(err.fix ?? "", /Set window.timeZone to an IANA time zone, e.g. Europe\/Berlin/);
      return true;
    });
    assert.equal(t.engine.getRun(run.id)?.status, "alerts_were_acknowledged", "the run is as it was");
    assert.equal(postsOfUpgrades(sim), 0);
  });
});
