import * as assert from "node:assert/strict";
import { renderMarkdown, statusText } from "../../nodes/engine";
import type { LogEntry } from "../../nodes/engine";
import { makeRun } from "./run-fixture";

function entries(n: number, text = "entry"): LogEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    at: new Date(Date.UTC(2024, 10, 4, 10, 0, i)).toISOString(),
    level: "info" as const,
    phase: "download" as const,
    text: `${text} ${i}`,
  }));
}

describe("engine: markdown renderer", () => {
  it("shows a header with domain, versions and status, and every entry with its icon", () => {
    const run = makeRun({
      status: "failed",
      failureReason: "boom",
      log: [
        { at: "2024-11-04T10:00:00.000Z", level: "success", phase: "download", text: "ok" },
        { at: "2024-11-04T10:00:01.000Z", level: "error", phase: "upgrade", text: "bad" },
        { at: "2024-11-04T10:00:02.000Z", level: "warning", phase: "prechecks", text: "hmm" },
        { at: "2024-11-04T10:00:03.000Z", level: "info", phase: "run", text: "fyi" },
      ],
    });
    const md = renderMarkdown(run);
    assert.match(md, /sfo-m01/);
    assert.match(md, /5\.2\.0\.0 → 5\.2\.1\.0/);
    assert.match(md, /`failed`/);
    assert.match(md, /2024-11-04 10:00:00Z` ✅ \*\*download\*\*: ok/);
    for (const icon of ["✅", "❌", "⚠️", "ℹ️"]) assert.ok(md.includes(icon), icon);
    assert.match(md, /\*\*Failure:\*\* boom/);
  });

  it("escapes markdown, HTML, pipes and newlines from the API", () => {
    const run = makeRun({
      findings: [
        {
          name: "a|b",
          severity: "WARNING",
          description: "line1\nline2 <script>x</script>",
          remediation: "*do* [this](http://x)",
        },
      ],
      log: [{ at: "2024-11-04T10:00:00.000Z", level: "info", phase: "run", text: "# heading `code` <b>&" }],
    });
    const md = renderMarkdown(run);
    assert.ok(md.includes("a\\|b"));
    assert.ok(md.includes("line1<br>line2 &lt;script&gt;x&lt;/script&gt;"));
    assert.ok(md.includes("\\*do\\* \\[this\\](http://x)"));
    assert.ok(md.includes("\\# heading \\`code\\` &lt;b&gt;&amp;"));
    assert.ok(!md.includes("<script>"));
    const tableRows = md.split("\n").filter((l) => l.startsWith("| ⚠️"));
    assert.equal(tableRows.length, 1);
    assert.equal(
      tableRows[0]?.split(/(?<!\\)\|/).length,
      8,
      "six cells (with the source): the pipe inside a cell is escaped",
    );
  });

  it("caps the size in UTF-8 bytes, keeping the header and the newest entries, and says how many were left out", () => {
    const run = makeRun({ log: entries(500, "ünïcödé ✅ entry") });
    const md = renderMarkdown(run, { maxBytes: 4096 });
    assert.ok(Buffer.byteLength(md, "utf8") <= 4096, `${Buffer.byteLength(md, "utf8")} bytes`);
    assert.match(md, /## VCF upgrade: sfo-m01/);
    assert.ok(md.includes("entry 499"), "newest entry kept");
    assert.ok(!md.includes("entry 0\n"), "oldest entry dropped");
    const shown = md.split("\n").filter((l) => l.startsWith("- `")).length;
    assert.match(md, new RegExp(`_${500 - shown} earlier entries left out\\._`));
  });

  it("defaults to 12 KiB and counts entries the run itself dropped", () => {
    const run = makeRun({ log: entries(300, "x".repeat(60)), droppedLogEntries: 7 });
    const md = renderMarkdown(run);
    assert.ok(Buffer.byteLength(md, "utf8") <= 12 * 1024);
    const shown = md.split("\n").filter((l) => l.startsWith("- `")).length;
    assert.match(md, new RegExp(`_${300 - shown + 7} earlier entries left out`));
  });

  it("keeps everything and adds no note when it fits", () => {
    const md = renderMarkdown(makeRun({ log: entries(3) }));
    assert.ok(!md.includes("left out"));
    assert.equal(md.split("\n").filter((l) => l.startsWith("- `")).length, 3);
  });

  it("gives a short status text under 255 characters", () => {
    const text = statusText(
      { status: "starting_upgrades", step: "Upgrading NSX ".repeat(40), progress: 61 },
      "sfo-m01",
    );
    assert.ok(text.length < 255);
    assert.match(text, /^sfo-m01: Upgrading components \(61 %\)/);
  });
});
