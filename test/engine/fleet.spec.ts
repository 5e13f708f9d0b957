// The fleet's rules as pure functions: the order (management domain first and alone, then the VI domains N at a
// time), the failure policy, and the fleet view's state line and capped table.
import * as assert from "node:assert/strict";
import { fleetDone, nextStarts } from "../../nodes/engine/fleet/schedule";
import { estimatedEnd, fleetView, type FleetViewRow } from "../../nodes/engine/fleet/view";
import { DEFAULT_SETTINGS } from "../../nodes/engine";
import { makeRun } from "./run-fixture";
import type { FleetMember, FleetRecord, FleetSettings, MemberState } from "../../nodes/engine";

function member(domainName: string, state: MemberState = "pending"): FleetMember {
  return { domainId: `id-${domainName}`, domainName, management: domainName.startsWith("m"), state };
}

function fleet(members: FleetMember[], settings: Partial<FleetSettings> = {}): FleetRecord {
  return {
    id: "f1",
    ownerNodeId: "n1",
    settings: { domains: "all", concurrency: 2, onFailure: "stop", ...settings },
    status: "running",
    members,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  };
}

const names = (members: FleetMember[]): string[] => members.map((m) => m.domainName);

/** Marks the members named as `state`. */
function mark(f: FleetRecord, state: MemberState, ...domains: string[]): void {
  for (const m of f.members) if (domains.includes(m.domainName)) m.state = state;
}

describe("engine: fleet order and failure policy", () => {
  it("starts the management domain alone, then the VI domains two at a time, in order", () => {
    const f = fleet(["m01", "w01", "w02", "w03", "w04", "w05"].map((n) => member(n)));
    assert.deepEqual(names(nextStarts(f)), ["m01"]);
    mark(f, "running", "m01");
    assert.deepEqual(names(nextStarts(f)), [], "the VI domains wait for the management domain");
    mark(f, "done", "m01");
    assert.deepEqual(names(nextStarts(f)), ["w01", "w02"]);
    mark(f, "running", "w01", "w02");
    assert.deepEqual(names(nextStarts(f)), []);
    mark(f, "done", "w02");
    assert.deepEqual(names(nextStarts(f)), ["w03"], "a free slot takes the next in order");
    mark(f, "running", "w03");
    mark(f, "done", "w01", "w03");
    assert.deepEqual(names(nextStarts(f)), ["w04", "w05"]);
    mark(f, "done", "w04", "w05");
    assert.ok(fleetDone(f));
  });

  it('"stop": a failure starts nothing more; the pending domains are not started, with the reason', () => {
    const f = fleet(["m01", "w01", "w02", "w03"].map((n) => member(n, n === "m01" ? "done" : "pending")));
    mark(f, "running", "w01", "w02");
    mark(f, "failed", "w01");
    assert.deepEqual(names(nextStarts(f)), []);
    assert.equal(f.members[3]?.state, "not_started");
    assert.match(String(f.members[3]?.reason), /w01 failed/);
    assert.equal(f.members[2]?.state, "running", "the running domain goes on");
    assert.ok(!fleetDone(f));
  });

  it('"continue": a failure leaves the others starting; a failed management domain stops every VI domain', () => {
    const goOn = fleet(
      ["m01", "w01", "w02", "w03"].map((n) => member(n, n === "m01" ? "done" : "pending")),
      {
        onFailure: "continue",
      },
    );
    mark(goOn, "failed", "w01");
    assert.deepEqual(names(nextStarts(goOn)), ["w02", "w03"]);
    const managementFailed = fleet(
      ["m01", "w01"].map((n) => member(n)),
      { onFailure: "continue" },
    );
    mark(managementFailed, "failed", "m01");
    assert.deepEqual(names(nextStarts(managementFailed)), []);
    assert.match(String(managementFailed.members[1]?.reason), /management domain m01/);
    assert.ok(fleetDone(managementFailed));
  });
});

describe("engine: fleet view", () => {
  const row = (i: number, status: FleetViewRow["status"]): FleetViewRow => ({
    sddcManager: "sddc-manager-with-a-rather-long-name.example.com",
    domainId: `id-${i}`,
    domainName: `lab-w${String(i).padStart(2, "0")}`,
    version: "5.2.0.0",
    targetVersion: "5.2.1.0",
    status,
    step: "Upgrading the ESXi hosts of cluster lab-cl01: 3 of 8 hosts done, the fourth in maintenance mode",
    progress: 60,
    stalled: false,
  });

  it("counts per status, one state line under 255 characters, and a table within the cap", () => {
    const statuses = ["starting_upgrades", "failed", "successfully_completed", "downloading_bundles"] as const;
    const rows = Array.from({ length: 60 }, (_, i) => row(i, statuses[i % 4] ?? "failed"));
    const view = fleetView(rows, 4096);
    assert.deepEqual(view.counts, {
      starting_upgrades: 15,
      failed: 15,
      successfully_completed: 15,
      downloading_bundles: 15,
    });
    assert.equal(
      view.state,
      "60 domains: 15 Upgrading components, 15 Failed, 15 Successfully completed, 15 Downloading bundles",
    );
    assert.ok(Buffer.byteLength(view.markdown) <= 4096, String(Buffer.byteLength(view.markdown)));
    assert.match(view.markdown, /more row\(s\) not shown/);
    assert.match(view.markdown, /\| lab-w00 \| 5\.2\.0\.0 → 5\.2\.1\.0 \| Upgrading components \|/);
  });

  it("estimates an active run's end from the measured runs, else from its components' defaults; a finished run's is its end", () => {
    const start = "2026-01-01T10:00:00.000Z";
    const bom = [
      { name: "NSX_T_MANAGER", version: "4.2" },
      { name: "VCENTER", version: "8.0.3" },
    ];
    const active = makeRun({ id: "a", createdAt: start, status: "starting_upgrades" });
    active.targetRelease.bom = bom;
    const byDefault = Date.parse(start) + DEFAULT_SETTINGS.estimateNsxMs + DEFAULT_SETTINGS.estimateVcenterMs;
    assert.equal(estimatedEnd(active, [active], DEFAULT_SETTINGS, 0), new Date(byDefault).toISOString());
    const earlier = makeRun({
      id: "b",
      status: "successfully_completed",
      outcome: "successfully_completed",
      createdAt: "2025-12-01T10:00:00.000Z",
      finishedAt: "2025-12-01T13:00:00.000Z",
    });
    assert.equal(estimatedEnd(active, [earlier, active], DEFAULT_SETTINGS, 0), "2026-01-01T13:00:00.000Z");
    assert.equal(estimatedEnd(earlier, [earlier], DEFAULT_SETTINGS, 0), earlier.finishedAt);
    const late = Date.parse("2026-01-02T00:00:00.000Z");
    assert.equal(
      estimatedEnd(active, [earlier, active], DEFAULT_SETTINGS, late),
      new Date(late).toISOString(),
      "never before now",
    );
  });
});
