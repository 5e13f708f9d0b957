import assert from "node:assert/strict";
import { capText } from "../../nodes/vcf/text-cap";
import { VcfApiError } from "../../nodes/vcf/errors";

describe("capText: one bound for server and input texts", () => {
  it("keeps short texts, cuts long ones saying how much is left out, and never splits a character", () => {
    assert.equal(capText("short", 10), "short");
    assert.equal(capText("0123456789", 10), "0123456789");
    assert.equal(capText("0123456789abc", 10), "0123456789… (3 more characters)");
    assert.equal(capText("ab😀cd", 3), "ab… (4 more characters)");
  });

  it("bounds every text of a client error, whatever the server sent", () => {
    const long = "z".repeat(100_000);
    const e = new VcfApiError({
      kind: "http",
      method: "GET",
      path: "/v1/x",
      retryable: false,
      message: long,
      errorCode: long,
      remediationMessage: long,
    });
    assert.ok(e.message.length <= 2100 && /more characters\)$/.test(e.message));
    assert.ok((e.errorCode ?? "").length <= 230);
    assert.ok((e.remediationMessage ?? "").length <= 1030);
  });
});
