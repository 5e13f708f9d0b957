// The vCenter switchover "at the start of the next window": its migration starts outside the window and the request
// names the next opening as the switchover time; without a window the option is refused, naming it.
import * as assert from "node:assert/strict";
import { DEFAULT_SETTINGS, EngineError, checkUpgradeOptions, checkWindowSetting } from "../../nodes/engine";
import { PhaseContext, RunHandle } from "../../nodes/engine/run-handle";
import { vcenterInput } from "../../nodes/engine/steps/upgrade-option-specs";
import { windowGate } from "../../nodes/engine/windows/gate";
import type { RunningSimulator } from "../../nodes/sim/index";
import { EngineUnderTest, clientFor, managementDomain, simulator, stopAll } from "./harness";
import { makeRun } from "./run-fixture";

const RDM_AT_WINDOW = {
  vcenter: { mechanism: "ReducedDowntimeMigration", temporaryNetwork: { mode: "AUTOMATIC" }, switchover: "window" },
};

describe("engine: vCenter switchover at the start of the next window", () => {
  let sim: RunningSimulator;
  const engines: EngineUnderTest[] = [];
  afterEach(() => stopAll(engines, sim));

  async function contextAt(nowMs: number, window: unknown): Promise<PhaseContext> {
    const domain = await managementDomain(sim);
    const run = makeRun({
      domainId: domain.id,
      domainName: domain.name,
      status: "starting_upgrades",
      upgradeOptions: checkUpgradeOptions(RDM_AT_WINDOW),
      window: checkWindowSetting(window, "message") ?? undefined,
    });
    const handle = new RunHandle(
      run,
      () => Promise.resolve(),
      () => nowMs,
    );
    return new PhaseContext(clientFor(sim), DEFAULT_SETTINGS, handle, new AbortController().signal);
  }

  it("starts the vCenter outside the window and asks for the switchover when the next window opens", async () => {
    sim = await simulator("happy");
    const now = Date.parse("2026-03-25T12:00:00Z");
    const ctx = await contextAt(now, { days: ["Sat"], start: "22:00", hours: 8, timeZone: "Europe/Berlin" });
    const gate = await windowGate(ctx, "VCENTER", () => Promise.resolve(undefined), { measured: () => [] }, true);
    assert.equal(gate.kind, "start", "not held back by the closed window");
    const input = await vcenterInput(ctx, ctx.run.upgradeOptions?.vcenter);
    assert.equal(input?.upgradeMechanism, "ReducedDowntimeMigration");
    assert.equal(input?.startSwitchoverTimestamp, "2026-03-28T21:00:00.000Z", "Saturday 22:00 CET");
    assert.ok(ctx.run.log.some((e) => e.text.includes("switches over at the start of the next window")));
  });

  it("switches over as soon as ready while the window is open", async () => {
    sim = await simulator("happy");
    const now = Date.parse("2026-03-28T23:00:00Z");
    const ctx = await contextAt(now, { days: ["Sat"], start: "22:00", hours: 8, timeZone: "Europe/Berlin" });
    const input = await vcenterInput(ctx, ctx.run.upgradeOptions?.vcenter);
    assert.equal(input?.startSwitchoverTimestamp, undefined, "the window opened at 22:00 CET, an hour ago");
  });

  it("is refused without a window, naming the option", async () => {
    sim = await simulator("happy");
    const t = new EngineUnderTest(sim);
    engines.push(t);
    const run = await t.acknowledgedRun((await managementDomain(sim)).name);
    await assert.rejects(t.engine.upgradeComponents(run.id, undefined, undefined, undefined, RDM_AT_WINDOW), (err) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.field, "upgradeOptions.vcenter.switchover");
      assert.match(err.fix ?? "", /Set a maintenance window/);
      return true;
    });
  });
});
