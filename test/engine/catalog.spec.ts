// The engine words its own records from the en-US catalog file without Node-RED: the same text RED._ gives for the
// same id and parameters, so the log and Catch never disagree in English.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { EngineError, engineText, englishText, verbatimText, type EngineTextParams } from "../../nodes/engine";
import { ENTRY_CAP } from "../../nodes/vcf/text-cap";
import { english, LOCALES_DIR, useNodeRedCatalogs } from "../support/catalog";

const PLURAL = /_(zero|one|two|few|many|other)$/;

function engineSection(): Record<string, string> {
  const file = path.join(LOCALES_DIR, "en-US", "vcf-config.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { "vcf-config": { engine: Record<string, string> } })[
    "vcf-config"
  ].engine;
}

describe("engine: texts from the catalog", function () {
  before(() => useNodeRedCatalogs());

  it("words every engine text as Node-RED's i18next does, plural forms included", () => {
    const section = engineSection();
    for (const [key, template] of Object.entries(section)) {
      const id = key.replace(PLURAL, "");
      const params: EngineTextParams = {};
      for (const [, name] of template.matchAll(/__(.+?)__/g)) if (name) params[name] = `<${name}>`;
      const counts = PLURAL.test(key) ? [1, 2] : [undefined];
      for (const count of counts) {
        const withCount = count === undefined ? params : { ...params, count };
        assert.equal(englishText(engineText(id, withCount)), english(`vcf-config.engine.${id}`, withCount), key);
      }
    }
  });

  it("words nested texts and lists in place, and leaves a missing parameter empty", () => {
    const text = engineText("remoteWorkContinues", {
      work: [engineText("workDownload", { bundleId: "b1" }), engineText("workPrecheck", { id: "p1" })],
    });
    assert.equal(
      englishText(text),
      "Cancelled here only: remote work already started continues in SDDC Manager (download of bundle b1, precheck run p1); follow or stop it there",
    );
    assert.equal(englishText(engineText("runBusy", { runId: "r1" })), "Run r1 is busy in phase ");
  });

  it("an error's message and fix are the English of its texts; quoted texts are capped", () => {
    const long = "x".repeat(ENTRY_CAP + 50);
    const err = new EngineError("REMOTE_FAILURE", engineText("finalValidationFailed", { error: long }), {
      fix: verbatimText("Retry later"),
    });
    assert.match(String(err.text.params.error), /^x+… \(50 more characters\)$/, "the parameter, for every language");
    assert.match(err.message, /^The final validation failed: x+… \(\d+ more characters\)$/);
    assert.ok(err.message.length < ENTRY_CAP + 30, "the English message");
    assert.equal(err.fix, "Retry later");
    assert.deepEqual(err.fixText, { id: "quoted", params: { text: "Retry later" } });
  });
});
