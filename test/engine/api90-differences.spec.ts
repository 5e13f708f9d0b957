// Each difference of the 9.0 API (UPGRADE-API.md §15) that the engine reads, taken one by one: every test fails
// if the engine read the answer as a strict 5.2.1 client would.
import * as assert from "node:assert/strict";
import type { DomainFutureRelease, Validation } from "../../nodes/vcf/types";
import { generationOfVersion, identityOf } from "../../nodes/vcf/generation";
import { chooseRelease } from "../../nodes/engine/releases";
import { validationFindings } from "../../nodes/engine/steps/validation";
import { summarize } from "../../nodes/engine/steps/subtask-progress";
import { withVersions } from "../../nodes/engine/versions";
import { decideGate } from "../../nodes/engine/phases/acknowledgement";
import { workOutsideThisApi } from "../../nodes/engine/outside-work";
import type { AckPolicy, Finding } from "../../nodes/engine";

const LET_EVERYTHING_PASS: AckPolicy = { ignoreAlerts: true, alsoIgnoreErrors: true, failOnErrors: false };

function release(version: string, extra: Partial<DomainFutureRelease> = {}): DomainFutureRelease {
  return { product: "VCF", version, bom: [], applicabilityStatus: "APPLICABLE", ...extra };
}

describe("engine: the 9.0 API's answers (UPGRADE-API.md §15)", () => {
  it("tells the API generation from SDDC Manager's version, not from an error", () => {
    assert.equal(generationOfVersion("9.0.1.0-24962180"), "9.0");
    assert.equal(generationOfVersion("5.2.1.0-24307856"), "5.2");
    assert.equal(generationOfVersion("not a version"), undefined);
    assert.deepEqual(identityOf([{ id: "a", version: "9.0.0.0-24703748" }]), {
      generation: "9.0",
      sddcManagerVersion: "9.0.0.0-24703748",
    });
    assert.deepEqual(identityOf([{ id: "a" }]), { generation: "5.2" }, "no version: only calls both generations have");
  });

  it("a validation with resultStatus WARNING (5.2.1: FAILED_WITH_WARNINGS) gives warnings, also from checks without description and severity", () => {
    const warned: Validation = {
      id: "v",
      executionStatus: "COMPLETED",
      resultStatus: "WARNING",
      validationChecks: [
        { resultStatus: "FAILED", errorResponse: { message: "Not every bundle is downloaded yet" } },
        { resultStatus: "SUCCEEDED" },
      ],
    };
    const findings = validationFindings(warned);
    assert.deepEqual(
      findings.map((f) => [f.name, f.severity, f.description]),
      [["Target validation check", "WARNING", "Not every bundle is downloaded yet"]],
    );
    const failed = validationFindings({ ...warned, resultStatus: "FAILED" });
    assert.equal(failed[0]?.severity, "ERROR", "without severity, a check of a FAILED validation is an error");
  });

  it("a SKIPPED sub-task has ended: the progress counts it and the current step is the one running", () => {
    const summary = summarize([
      { name: "VCF Operations integration update", status: "SKIPPED" },
      { name: "Stage the bundle", status: "SUCCESSFUL" },
      { name: "Apply the upgrade", status: "IN_PROGRESS" },
      { name: "Post-upgrade", status: "PENDING" },
    ]);
    assert.equal(summary?.share, 0.5);
    assert.equal(summary?.text, "step 3 of 4: Apply the upgrade (IN_PROGRESS)");
    const done = summarize([
      { name: "Skipped", status: "SKIPPED" },
      { name: "Done", status: "SUCCESSFUL" },
    ]);
    assert.equal(done?.share, 1);
  });

  it("a release without minCompatibleVcfVersion is applicable by its status", () => {
    const releases = [release("9.0.1.0"), release("9.0.2.0", { minCompatibleVcfVersion: "9.0.1.0" })];
    assert.equal(chooseRelease("9.0.0.0", releases)?.version, "9.0.1.0");
    assert.equal(chooseRelease("9.0.0.0", releases, "9.0.1.0")?.version, "9.0.1.0");
  });

  it("a BOM entry without version names nothing to upgrade", () => {
    const bom = [
      { name: "VCENTER", version: "9.0.1.0-24957454" },
      { name: "VCF_OPS_FLEET_MANAGEMENT", publicName: "VCF Operations fleet management" },
    ];
    assert.deepEqual(
      withVersions(bom).map((e) => e.name),
      ["VCENTER"],
    );
  });
});

describe("engine: work outside this API (VCF Operations first)", () => {
  const vcenter = { name: "VCENTER", version: "9.0.0.0-24755230", lifecycleManagedBy: "SDDC_MANAGER_VCF" };
  const ops = { name: "VCF_OPS", publicName: "VCF Operations", version: "9.0.0.0-1", lifecycleManagedBy: "VCF_OPS" };

  it("5.x -> 9.x needs VCF Operations and its fleet management first; 5.2 -> 5.2 needs nothing", () => {
    assert.match(workOutsideThisApi("5.2.1.0", { version: "9.0.0.0", bom: [] }, []).join(), /VCF Operations fleet/);
    assert.deepEqual(workOutsideThisApi("5.2.0.0", { version: "5.2.1.0", bom: [] }, []), []);
  });

  it("on 9.x: a changing product that another product upgrades (lifecycleManagedBy) is named; unchanged ones are not", () => {
    const current = [vcenter, ops];
    const same = workOutsideThisApi(
      "9.0.0.0",
      { version: "9.0.1.0", bom: [{ ...vcenter, version: "9.0.1.0-2" }, ops] },
      current,
    );
    assert.deepEqual(same, []);
    const newer = workOutsideThisApi(
      "9.0.0.0",
      { version: "9.0.1.0", bom: [{ ...ops, version: "9.0.1.0-7" }] },
      current,
    );
    assert.deepEqual(newer, ["VCF Operations to 9.0.1.0-7 (upgraded by VCF_OPS)"]);
  });

  it("the gate waits for an acknowledgement of that work whatever the policy, then passes; errors still fail first", () => {
    const work = ["VCF Operations to 9.0.0.0"];
    const waiting = decideGate([], LET_EVERYTHING_PASS, false, work);
    assert.equal(waiting.action, "wait");
    assert.match(
      waiting.action === "wait" ? waiting.reason : "",
      /Upgrade first, outside this package: VCF Operations/,
    );
    assert.equal(decideGate([], LET_EVERYTHING_PASS, true, work).action, "continue");
    const error: Finding = { name: "check", severity: "ERROR", description: "broken" };
    const strict: AckPolicy = { ignoreAlerts: false, alsoIgnoreErrors: false, failOnErrors: true };
    assert.equal(decideGate([error], strict, false, work).action, "fail");
    assert.equal(decideGate([], LET_EVERYTHING_PASS, false).action, "continue", "without such work nothing changes");
  });
});
