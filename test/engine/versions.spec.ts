import * as assert from "node:assert/strict";
import { compareVersions, sameVersion } from "../../nodes/engine";

describe("engine: version rules", () => {
  it("compares bases numerically and builds only when both sides have one", () => {
    assert.ok(sameVersion("8.0.3-0.0.24280767", "8.0.3-24280767"), "vLCM base image spelling of ESXi");
    assert.ok(sameVersion("8.0.3.00300-24305161", "8.0.3.300-24305161"));
    assert.ok(sameVersion("5.2.1.0", "5.2.1.0-24307856"), "a VCF version matches any build");
    assert.ok(!sameVersion("8.0.3-24280767", "8.0.3-24280768"), "different builds");
    assert.ok(!sameVersion("5.2.1.0", "5.2.1.1"));
    assert.ok(!sameVersion(undefined, "5.2.1.0") && !sameVersion("", "5.2.1.0"));
    assert.ok(compareVersions("5.10.0.0", "5.9.0.0") > 0);
  });
});
