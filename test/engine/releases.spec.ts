import * as assert from "node:assert/strict";
import { EngineError, chooseRelease, compareVersions } from "../../nodes/engine";
import type { DomainFutureRelease } from "../../nodes/vcf/types";

function release(version: string, min: string, applicable = true): DomainFutureRelease {
  return {
    product: "VCF",
    version,
    minCompatibleVcfVersion: min,
    bom: [],
    applicabilityStatus: applicable ? "APPLICABLE" : "NOT_APPLICABLE",
  };
}

describe("engine: release choice", () => {
  it("compares 4-part versions numerically, not as strings", () => {
    assert.ok(compareVersions("5.2.10.0", "5.2.9.0") > 0);
    assert.ok(compareVersions("5.2.1.0", "5.2.1") === 0);
    assert.ok(compareVersions("5.2.0.0-24108943", "5.2.1.0") < 0);
  });

  it("takes the oldest applicable release newer than current whose minimum the domain meets", () => {
    const list = [
      release("5.2.2.0", "5.2.0.0"),
      release("5.2.10.0", "5.2.0.0"),
      release("5.2.1.0", "5.1.0.0"),
      release("5.2.1.1", "5.2.1.0"),
    ];
    assert.equal(chooseRelease("5.2.0.0", list)?.version, "5.2.1.0");
  });

  it("skips NOT_APPLICABLE releases and releases whose minimum is above current", () => {
    const list = [release("5.2.1.0", "5.1.0.0", false), release("5.2.1.1", "5.2.1.0"), release("5.2.2.0", "5.2.0.0")];
    assert.equal(chooseRelease("5.2.0.0", list)?.version, "5.2.2.0");
  });

  it("gives undefined when there is no update", () => {
    assert.equal(chooseRelease("5.2.1.0", [release("5.2.1.0", "5.1.0.0"), release("5.2.0.0", "5.1.0.0")]), undefined);
    assert.equal(chooseRelease("5.2.1.0", []), undefined);
  });

  it("without a requested target, prefers the target already selected on the domain when it is applicable", () => {
    const list = [release("5.2.1.0", "5.1.0.0"), release("5.2.2.0", "5.2.0.0"), release("5.2.1.1", "5.2.1.0")];
    assert.equal(chooseRelease("5.2.0.0", list, undefined, "5.2.2.0")?.version, "5.2.2.0");
    assert.equal(
      chooseRelease("5.2.0.0", list, undefined, "5.2.1.1")?.version,
      "5.2.1.0",
      "not applicable from here: the oldest instead",
    );
    assert.equal(chooseRelease("5.2.0.0", list, undefined, "")?.version, "5.2.1.0");
    assert.equal(chooseRelease("5.2.0.0", list, "5.2.1.0", "5.2.2.0")?.version, "5.2.1.0", "a requested target wins");
  });

  it("accepts an explicit applicable target", () => {
    const list = [release("5.2.1.0", "5.1.0.0"), release("5.2.2.0", "5.2.0.0")];
    assert.equal(chooseRelease("5.2.0.0", list, "5.2.2.0")?.version, "5.2.2.0");
  });

  for (const [target, why] of [
    ["5.2.1.1", "not applicable"],
    ["5.3.0.0", "not among"],
    ["5.2.0.0", "already at"],
    ["latest", "not a version"],
  ] as const) {
    it(`refuses targetVersion ${target} with a BAD_INPUT naming the field (${why})`, () => {
      const list = [release("5.2.1.0", "5.1.0.0"), release("5.2.1.1", "5.2.1.0", false)];
      assert.throws(
        () => chooseRelease("5.2.0.0", list, target),
        (err: unknown) => {
          assert.ok(err instanceof EngineError);
          assert.equal(err.code, "BAD_INPUT");
          assert.equal(err.field, "targetVersion");
          assert.match(err.message, /targetVersion/);
          assert.match(err.message, new RegExp(why));
          return true;
        },
      );
    });
  }
});
