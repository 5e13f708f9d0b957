// The fleet report: the sum of the domains' run reports (a domain without one did not start).
import * as assert from "node:assert/strict";
import {
  byteLength,
  renderFleetReportMarkdown,
  sumReports,
  type ReportOutcome,
  type RunReport,
} from "../../nodes/engine";

const T0 = Date.parse("2026-03-01T22:00:00.000Z");
const iso = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

/** A domain's report ending `outcome`, from minute `from` to minute `to` of the night. */
function report(domain: string, outcome: ReportOutcome, from: number, to: number, extra: Partial<RunReport> = {}) {
  const r: RunReport = {
    format: 1,
    runId: `run-${domain}`,
    domainId: `id-${domain}`,
    domainName: domain,
    outcome,
    sourceVersion: "5.1.0.0",
    targetVersion: "5.2.1.0",
    run: { startedAt: iso(from), finishedAt: iso(to), durationMs: (to - from) * 60_000 },
    startedBy: { name: "flow", via: "flow" },
    phases: [],
    components: [],
    findings: [],
    findingCounts: { errors: 0, warnings: 0 },
    gate: { acknowledged: false },
    retries: { total: 0, downloads: [], upgradeTasks: [], checkSetRunSentAgain: false },
    remoteIds: { downloadTasks: [], upgradeIds: [], retriedTaskIds: [] },
    createdAt: iso(to),
    ...extra,
  };
  return r;
}

describe("engine: the fleet report", () => {
  const entries = [
    report("m01", "successfully_completed", 0, 240, {
      sddcManagerOutage: { totalMs: 25 * 60_000, periods: [{ from: iso(10), to: iso(35) }] },
    }),
    report("w01", "successfully_completed", 240, 360, {
      retries: {
        total: 2,
        downloads: [{ bundleId: "b1", attempts: 3 }],
        upgradeTasks: [],
        checkSetRunSentAgain: false,
      },
    }),
    report("w02", "failed", 240, 300, { failureReason: "The upgrade of NSX failed: host in maintenance mode" }),
    report("w03", "cancelled", 300, 310, { failureReason: "cancelled by the user: window closed" }),
    { domainId: "id-w04", domainName: "w04" },
  ];

  it("counts the outcomes, sums the durations, spans first start to last end, one row per domain in order", () => {
    const fleet = sumReports(entries, new Date(iso(400)));
    assert.deepEqual(fleet.counts, { successfully_completed: 2, failed: 1, cancelled: 1, "not started": 1 });
    assert.equal(fleet.totalDurationMs, (240 + 120 + 60 + 10) * 60_000);
    assert.equal(fleet.spanMs, 360 * 60_000);
    assert.deepEqual([fleet.startedAt, fleet.finishedAt, fleet.createdAt], [iso(0), iso(360), iso(400)]);
    assert.deepEqual(
      fleet.rows.map((r) => [r.domainName, r.outcome, r.durationMs, r.sddcManagerOutageMs, r.retries]),
      [
        ["m01", "successfully_completed", 240 * 60_000, 25 * 60_000, 0],
        ["w01", "successfully_completed", 120 * 60_000, undefined, 2],
        ["w02", "failed", 60 * 60_000, undefined, 0],
        ["w03", "cancelled", 10 * 60_000, undefined, 0],
        ["w04", "not started", undefined, undefined, 0],
      ],
    );
    assert.equal(fleet.rows[2]?.failureReason, "The upgrade of NSX failed: host in maintenance mode");
  });

  it("an empty fleet and a fleet where nothing started: zero counts, no span", () => {
    const none = sumReports([]);
    assert.deepEqual(none.counts, { successfully_completed: 0, failed: 0, cancelled: 0, "not started": 0 });
    assert.equal(none.spanMs, undefined);
    const idle = sumReports([{ domainId: "a", domainName: "a" }]);
    assert.equal(idle.totalDurationMs, 0);
    assert.equal(idle.counts["not started"], 1);
  });

  it("renders the counts, the durations and a row per domain, within the byte cap", () => {
    const markdown = renderFleetReportMarkdown(sumReports(entries));
    for (const text of [
      "## VCF fleet report",
      "**Done:** 2 · **Failed:** 1 · **Cancelled:** 1 · **Not started:** 1",
      "**Runs' time together:** 7 h 10 min · **First start to last end:** 6 h",
      "| m01 | ✅ successfully completed | 5.1.0.0 → 5.2.1.0 | 4 h | 25 min | 0 | run-m01 |  |",
      "| w04 | not started |  |  |  | 0 |  |  |",
    ])
      assert.ok(markdown.includes(text), `${text} in\n${markdown}`);
    const many = sumReports(Array.from({ length: 200 }, (_, i) => report(`w${i}`, "failed", 0, 1)));
    const capped = renderFleetReportMarkdown(many, { maxBytes: 2048 });
    assert.ok(byteLength(capped) <= 2048, `${byteLength(capped)} bytes`);
    assert.match(capped, /_\d+ more row\(s\) not shown\._/);
  });
});
