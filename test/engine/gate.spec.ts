import * as assert from "node:assert/strict";
import { decideGate } from "../../nodes/engine/phases/acknowledgement";
import { englishText, type AckPolicy, type Finding } from "../../nodes/engine";

const warning: Finding = { name: "w", severity: "WARNING", description: "w" };
const error: Finding = { name: "e", severity: "ERROR", description: "e" };
const policy = (p: Partial<AckPolicy> = {}): AckPolicy => ({
  ignoreAlerts: false,
  alsoIgnoreErrors: false,
  failOnErrors: false,
  ...p,
});

describe("engine: acknowledgement rules", () => {
  it("continues without findings", () => {
    assert.equal(decideGate([], policy(), false).action, "continue");
  });
  it("waits on warnings unless ignore alerts is on", () => {
    assert.equal(decideGate([warning], policy(), false).action, "wait");
    const d = decideGate([warning], policy({ ignoreAlerts: true }), false);
    assert.deepEqual(d.action, "continue");
    assert.match(d.action === "continue" ? d.rule : "", /Ignore alerts/);
  });
  it("ignore alerts skips warnings only; errors need also-ignore-errors or an acknowledgement", () => {
    const d = decideGate([warning, error], policy({ ignoreAlerts: true }), false);
    assert.equal(d.action, "wait");
    assert.match(d.action === "wait" ? d.reason : "", /skips warnings only/);
    assert.equal(decideGate([error], policy({ alsoIgnoreErrors: true }), false).action, "wait");
    assert.equal(decideGate([error], policy({ ignoreAlerts: true, alsoIgnoreErrors: true }), false).action, "continue");
    assert.equal(decideGate([error], policy(), true).action, "continue");
  });
  it("fails on errors when told to, even with ignore alerts", () => {
    const d = decideGate(
      [error, warning],
      policy({ failOnErrors: true, ignoreAlerts: true, alsoIgnoreErrors: true }),
      false,
    );
    assert.equal(d.action, "fail");
    assert.match(d.action === "fail" ? englishText(d.reason) : "", /1 error and 1 warning/);
    assert.equal(decideGate([warning], policy({ failOnErrors: true }), false).action, "wait");
  });
});
