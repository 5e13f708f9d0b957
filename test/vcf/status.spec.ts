import assert from "node:assert/strict";
import { normalizeStatus } from "../../nodes/vcf/status";

describe("normalizeStatus", function () {
  const cases: [string | undefined | null, string][] = [
    ["IN_PROGRESS", "IN_PROGRESS"],
    ["In Progress", "IN_PROGRESS"],
    ["INPROGRESS", "IN_PROGRESS"],
    ["in  progress ", "IN_PROGRESS"],
    ["SUCCESSFUL", "SUCCESSFUL"],
    ["Successful", "SUCCESSFUL"],
    ["SUCCESS", "SUCCESSFUL"],
    ["Pending", "PENDING"],
    ["COMPLETED_WITH_SUCCESS", "COMPLETED_WITH_SUCCESS"],
    ["Failed", "FAILED"],
    [undefined, ""],
    [null, ""],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${expected}`, function () {
      assert.equal(normalizeStatus(input), expected);
    });
  }
});
