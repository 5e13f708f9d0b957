import * as assert from "node:assert/strict";
import { ALLOWED_TRANSITIONS, EngineError, UPGRADE_STATUSES, isTerminal, transition } from "../../nodes/engine";
import { makeRun } from "./run-fixture";

describe("engine: status transitions", () => {
  it("knows exactly the 13 documented statuses", () => {
    assert.deepEqual(Object.keys(ALLOWED_TRANSITIONS).sort(), [...UPGRADE_STATUSES].sort());
    assert.equal(UPGRADE_STATUSES.length, 13);
  });

  it("allows the happy sequence and logs every move", () => {
    const run = makeRun({ status: "waiting_for_initiation" });
    const sequence = [
      "update_process_started",
      "downloading_bundles",
      "setting_new_vcf_version_target",
      "initializing_prechecks",
      "running_prechecks",
      "evaluating_prechecks",
      "prechecks_done",
      "waiting_for_alert_acknowledgement",
      "alerts_were_acknowledged",
      "starting_upgrades",
      "successfully_completed",
      "waiting_for_initiation",
    ] as const;
    for (const s of sequence) transition(run, s, `to ${s}`);
    assert.equal(run.log.length, sequence.length);
    assert.equal(run.log.at(-1)?.text, "to waiting_for_initiation");
  });

  it("rejects illegal moves without changing the run", () => {
    const run = makeRun({ status: "downloading_bundles" });
    assert.throws(
      () => transition(run, "starting_upgrades", "skip"),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === "WRONG_STATUS" &&
        /downloading_bundles to starting_upgrades/.test(e.message),
    );
    assert.equal(run.status, "downloading_bundles");
    assert.equal(run.log.length, 0);
    const failed = makeRun({ status: "failed" });
    assert.throws(() => transition(failed, "update_process_started", "again"));
  });

  it("can fail from every non-terminal status", () => {
    for (const s of UPGRADE_STATUSES.filter((x) => !isTerminal(x))) {
      assert.ok(ALLOWED_TRANSITIONS[s].includes("failed"), s);
    }
  });
});
