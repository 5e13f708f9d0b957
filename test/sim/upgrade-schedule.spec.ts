// Scheduled upgrades in the simulator (UPGRADE-API.md §6.6, §14.3): resourceUpgradeSpecs[].scheduledTimestamp starts
// the upgrade at that time on the simulated clock; PATCH /v1/upgrades/{id} moves the time (shown in the upgrade),
// starts it now, or cancels it; a started upgrade can no longer be rescheduled.
import { strict as assert } from "node:assert";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { call, getJson } from "../support/sim-http";
import type { Task } from "./sim-flow";
import { Flow } from "./sim-flow";

interface UpgradeBody {
  status: string;
  resourceUpgradeSpecs: { upgradeNow?: boolean; scheduledTimestamp?: string }[];
}

const DAY_S = 86_400;

describe("simulator: scheduled upgrades", function () {
  let sim: RunningSimulator;
  let flow: Flow;
  afterEach(async () => sim.stop());

  /** The first component's upgrade, created to start `days` from now. */
  async function scheduled(days: number): Promise<{ id: string; at: string }> {
    sim = await startSimulator({ scenario: "happy" });
    flow = new Flow(sim);
    await flow.login();
    const domainId = (await flow.domain()).id;
    await flow.setTarget(domainId);
    await flow.downloadAll(domainId);
    const first = (await flow.upgradables(domainId))[0];
    const at = new Date(Date.now() + days * DAY_S * 1000).toISOString();
    const task = await flow.post<Task>(
      "/v1/upgrades",
      {
        bundleId: first?.bundleId,
        resourceType: "DOMAIN",
        resourceUpgradeSpecs: [{ resourceId: domainId, upgradeNow: false, scheduledTimestamp: at }],
      },
      202,
    );
    return { id: task.id, at };
  }

  const upgrade = (id: string): Promise<UpgradeBody> => getJson<UpgradeBody>(sim, `/v1/upgrades/${id}`, flow.token);
  const patch = (id: string, body: unknown) => call(sim, "PATCH", `/v1/upgrades/${id}`, { token: flow.token, body });
  /** Days on the simulated clock; the token has expired by then. */
  async function advanceDays(days: number): Promise<void> {
    sim.advanceClock(days * DAY_S);
    await flow.login();
  }

  it("starts at its time on the simulated clock, after a reschedule at the new one", async () => {
    const { id, at } = await scheduled(2);
    assert.deepEqual((await upgrade(id)).resourceUpgradeSpecs[0], {
      resourceId: (await flow.domain()).id,
      upgradeNow: false,
      scheduledTimestamp: at,
    });
    assert.equal((await upgrade(id)).status, "SCHEDULED");
    const later = new Date(Date.parse(at) + 3 * DAY_S * 1000).toISOString();
    const moved = await patch(id, { scheduledTimestamp: later });
    assert.equal(moved.status, 200);
    assert.equal((await upgrade(id)).resourceUpgradeSpecs[0]?.scheduledTimestamp, later, "the new time is shown");
    await advanceDays(3);
    assert.equal((await upgrade(id)).status, "SCHEDULED", "not at the old time");
    await advanceDays(2 + 60 / DAY_S); // a minute past the new time
    assert.notEqual((await upgrade(id)).status, "SCHEDULED", "started at the new time");
    const refused = await patch(id, { scheduledTimestamp: later });
    assert.equal(refused.status, 400);
    assert.equal((refused.json as { errorCode?: string }).errorCode, "UPGRADE_NOT_RESCHEDULABLE");
  });

  it("starts now on upgradeNow, and a cancelled one never starts", async () => {
    const first = await scheduled(2);
    const now = await patch(first.id, { upgradeNow: true });
    assert.equal((now.json as UpgradeBody).status, "INPROGRESS");
    assert.deepEqual(
      (await upgrade(first.id)).resourceUpgradeSpecs.map((r) => [r.upgradeNow, r.scheduledTimestamp]),
      [[true, undefined]],
    );
    await sim.stop();

    const second = await scheduled(2);
    assert.equal((await patch(second.id, { markForCancellation: true })).status, 200);
    await advanceDays(3);
    assert.equal((await upgrade(second.id)).status, "CANCELLED");
  });
});
