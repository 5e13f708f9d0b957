// The run report: made once when a run ends (success, failure, cancel), stored with the run, and rendered as markdown
// within the byte cap; old stored runs without the new records still give a report, saying "unknown".
import * as assert from "node:assert/strict";
import {
  buildRunReport,
  byteLength,
  DEFAULT_SETTINGS,
  renderReportMarkdown,
  type RunReport,
  type UpgradeRun,
} from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { BOM_NAMES, type ComponentKind } from "../../nodes/engine/steps/upgrade-specs";
import { defined } from "../support/defined";
import { EngineUnderTest, managementDomain, simulator, stopAll, WAIT_FOR_ACK } from "./harness";

const ALICE = { name: "alice", via: "message" } as const;
const BOB = { name: "bob", via: "dashboard" } as const;
const CAROL = { name: "c0ffee", via: "home-assistant" } as const;

const DONE_BEFORE_UPGRADE = [
  ["download", "done"],
  ["prechecks", "done"],
  ["acknowledgement", "done"],
];

function phaseResults(report: RunReport): string[][] {
  return report.phases.map((p) => [p.phase, p.result]);
}

/** The run's stored report (what engine.report gives too). */
function storedReport(t: EngineUnderTest, runId: string): RunReport {
  const report = defined(t.engine.getRun(runId)?.report, "the stored report");
  assert.deepEqual(t.engine.report(runId), report, "engine.report gives the stored report");
  return report;
}

function assertTimes(what: string, t: { startedAt?: string; finishedAt?: string; durationMs?: number }): void {
  const start = Date.parse(defined(t.startedAt, `${what} start`));
  const end = Date.parse(defined(t.finishedAt, `${what} end`));
  assert.ok(end >= start, what);
  assert.equal(t.durationMs, end - start, `${what} duration`);
}

describe("engine: the run report", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  afterEach(() => stopAll([t], sim));

  it("a successful run: who, versions and times per phase and component, estimates, gate, options, outage, remote ids", async () => {
    // SDDC Manager's own upgrade keeps its API away for a simulated 100000 s (1 s here): the polls meet it.
    sim = await simulator("precheck-warnings", { faults: { outageSeconds: 100_000 } });
    t = new EngineUnderTest(sim);
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name, startedBy: ALICE });
    await t.engine.downloadBundles(started.id);
    await t.engine.runPrechecks(started.id);
    const gate = t.engine.awaitAcknowledgement(started.id, WAIT_FOR_ACK);
    await t.when((r) => r.id === started.id && r.status === "waiting_for_alert_acknowledgement");
    assert.equal(t.engine.report(started.id), undefined, "no report while the run goes on");
    t.engine.acknowledge(started.id, BOB);
    await gate;
    const run = await t.engine.upgradeComponents(started.id, undefined, undefined, undefined, {
      esx: { quickBoot: true },
    });
    assert.equal(run.status, "successfully_completed", run.failureReason);
    const report = storedReport(t, run.id);

    assert.equal(report.outcome, "successfully_completed");
    assert.deepEqual([report.runId, report.domainId, report.domainName], [run.id, run.domainId, run.domainName]);
    assert.deepEqual([report.sourceVersion, report.targetVersion], [run.sourceVersion, run.targetVersion]);
    assert.deepEqual(report.startedBy, ALICE);
    assert.deepEqual(report.gate, {
      rule: run.acknowledgementRule,
      acknowledged: true,
      acknowledgedBy: BOB,
      acknowledgedAt: run.acknowledgedAt,
    });
    assert.ok(report.gate.rule, "the rule that passed the gate");
    assertTimes("the run", report.run);
    assert.equal(report.run.startedAt, run.createdAt);
    assert.equal(report.run.finishedAt, run.finishedAt);

    assert.deepEqual(phaseResults(report), [...DONE_BEFORE_UPGRADE, ["upgrade", "done"]]);
    for (const p of report.phases) assertTimes(p.phase, p);
    for (const [a, b] of report.phases.slice(0, -1).map((p, i) => [p, report.phases[i + 1]] as const))
      assert.ok(defined(a.finishedAt, a.phase) <= defined(b?.startedAt, "next phase"), `${a.phase} ends first`);

    assert.deepEqual(
      report.components.map((c) => c.componentType),
      Object.values(run.remote.upgrades).map((u) => u.componentType),
    );
    for (const c of report.components) {
      const record = defined(run.remote.upgrades[c.upgradeId], c.name);
      assertTimes(c.name, c);
      assert.equal(c.startedAt, record.startedAt);
      assert.equal(c.status, "COMPLETED_WITH_SUCCESS");
      assert.ok(c.fromVersion && c.toVersion && c.fromVersion !== c.toVersion, `${c.name} versions`);
      const bom = run.targetRelease.bom.find((b) => b.name === BOM_NAMES[c.componentType as ComponentKind]);
      assert.equal(c.toVersion, bom?.version, `${c.name} goes to the release's version`);
      // No earlier run has measured anything: every estimate is the setting's default.
      assert.equal(c.estimate?.source, "default", c.name);
    }
    const sddc = defined(
      report.components.find((c) => c.componentType === "SDDC_MANAGER"),
      "SDDC Manager",
    );
    assert.deepEqual(sddc.estimate, { ms: DEFAULT_SETTINGS.estimateSddcManagerMs, source: "default" });
    assert.equal(
      report.estimateTotalMs,
      report.components.reduce((a, c) => a + (c.estimate?.ms ?? 0), 0),
    );

    assert.deepEqual(report.options, { esx: { quickBoot: true } });
    assert.deepEqual(report.findings, run.findings);
    assert.ok(report.findingCounts.warnings > 0);
    assert.equal(report.retries.total, 0);

    const outage = defined(report.sddcManagerOutage, "SDDC Manager's outage");
    assert.ok(outage.periods.length >= 1);
    assert.ok(outage.totalMs > 0);
    const upgradePhase = defined(report.phases.at(-1), "upgrade phase");
    for (const p of outage.periods) {
      assert.ok(p.to !== undefined && p.from <= p.to, "a closed period");
      assert.ok(defined(upgradePhase.startedAt, "start") <= p.from && p.to <= defined(sddc.finishedAt, "end"));
    }
    assert.equal(
      outage.totalMs,
      outage.periods.reduce((a, p) => a + Date.parse(p.to ?? "") - Date.parse(p.from), 0),
    );

    const ids = report.remoteIds;
    assert.deepEqual(ids.downloadTasks.map((d) => d.bundleId).sort(), Object.keys(run.remote.bundles).sort());
    assert.deepEqual(ids.upgradeIds, Object.keys(run.remote.upgrades));
    assert.equal(ids.checkSetRunId, run.remote.checkSetRunId);
    assert.equal(ids.targetValidationId, run.remote.validationId);
    assert.equal(ids.finalValidationId, run.remote.finalValidationId);
    assert.ok(ids.checkSetRunId && ids.targetValidationId && ids.backupTaskId);

    // Made once: the later change (ready for the next upgrade) keeps it.
    await t.when((r) => r.id === run.id && r.status === "waiting_for_initiation");
    assert.deepEqual(storedReport(t, run.id), report);

    const markdown = renderReportMarkdown(report);
    for (const text of [
      `## VCF upgrade report: ${run.domainName}`,
      "✅ successfully completed",
      "by alice (message)",
      "**Acknowledged by:** bob (dashboard)",
      "**Upgrade options:** ESXi: quick boot on",
      "### Phases",
      "### Components",
      "### Findings",
      "### Remote operations",
      `| upgrade | ${sddc.upgradeId} |`,
      "**SDDC Manager outage:**",
    ])
      assert.ok(markdown.includes(text), `${text} in\n${markdown}`);
    const small = renderReportMarkdown(report, { maxBytes: 1500 });
    assert.ok(byteLength(small) <= 1500, `${byteLength(small)} bytes`);
    assert.match(small, /more row\(s\) not shown|more finding\(s\) not shown/);
  });

  it("a failed run: the phase it failed in, the failed component, the reason; a new run that retries the task counts it", async () => {
    sim = await simulator("upgrade-failure", { faults: { failAttempts: 1 } });
    t = new EngineUnderTest(sim);
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(t.finishRun(started.id), /The upgrade of NSX .* failed/);
    const report = storedReport(t, started.id);
    assert.equal(report.outcome, "failed");
    assert.equal(report.failureReason, t.engine.getRun(started.id)?.failureReason);
    assert.deepEqual(report.startedBy, { name: "flow", via: "flow" }, "a start that names no one");
    assert.deepEqual(phaseResults(report), [...DONE_BEFORE_UPGRADE, ["upgrade", "failed"]]);
    assertTimes("the failed phase", defined(report.phases.at(-1), "upgrade"));
    assert.equal(report.phases.at(-1)?.finishedAt, report.run.finishedAt, "the failed phase ends with the run");
    assert.deepEqual(
      report.components.map((c) => [c.componentType, c.status]),
      [
        ["SDDC_MANAGER", "COMPLETED_WITH_SUCCESS"],
        ["NSX_T_MANAGER", "COMPLETED_WITH_FAILURE"],
      ],
    );
    assert.match(renderReportMarkdown(report), /❌ failed[\s\S]*\*\*Failure:\*\* The upgrade of NSX/);

    const next = await t.engine.startRun({ domain: domain.name });
    const second = await t.finishRun(next.id);
    assert.equal(second.status, "successfully_completed", second.failureReason);
    const again = storedReport(t, second.id);
    const nsx = defined(
      again.components.find((c) => c.componentType === "NSX_T_MANAGER"),
      "NSX",
    );
    const retried = defined(nsx.retriedTaskId, "the retried task");
    assert.deepEqual(again.retries.upgradeTasks, [{ upgradeId: nsx.upgradeId, taskId: retried }]);
    assert.equal(again.retries.total, 1);
    assert.deepEqual(again.remoteIds.retriedTaskIds, [retried]);
  });

  it("a cancelled run: who cancelled, what SDDC Manager was asked to stop, the phases not reached", async () => {
    // NSX's stages last 10^8 simulated seconds each: the cancel arrives while its first one runs, however busy the
    // machine (with the usual durations a slow cancel met a finished upgrade that SDDC Manager no longer cancels)
    sim = await simulator("happy", { faults: { durations: { nsxUpgradeSeconds: 1e9 } } });
    t = new EngineUnderTest(sim);
    const run = await t.acknowledgedRun((await managementDomain(sim)).name);
    const phase = t.engine.upgradeComponents(run.id);
    await t.when((r) => Object.values(r.remote.upgrades).some((u) => u.componentType === "NSX_T_MANAGER"));
    await t.engine.cancel(run.id, "window closed", { by: CAROL });
    await assert.rejects(phase, /cancelled by the user: window closed/);
    const report = storedReport(t, run.id);
    assert.equal(report.outcome, "cancelled");
    assert.equal(report.failureCode, "CANCELLED");
    assert.deepEqual(report.cancelledBy, CAROL);
    assert.equal(report.phases.at(-1)?.result, "failed");
    assert.deepEqual(report.gate.acknowledged, false, "the gate passed by its rule, nobody acknowledged");
    assert.equal(report.gate.acknowledgedBy, undefined);
    assert.ok(report.gate.rule);
    const nsx = defined(
      report.components.find((c) => c.componentType === "NSX_T_MANAGER"),
      "NSX",
    );
    assert.deepEqual(
      report.remoteCancellations?.map((c) => [c.kind, c.id, c.accepted]),
      [["upgrade", nsx.upgradeId, true]],
    );
    const markdown = renderReportMarkdown(report);
    assert.ok(markdown.includes("⏹️ cancelled"), markdown);
    assert.ok(markdown.includes("**Cancelled by:** c0ffee (home-assistant)"), markdown);
  });

  it("a run stored before the report's records: unknown who and when, estimates measured by the runs before", async () => {
    sim = await simulator("happy");
    t = new EngineUnderTest(sim);
    const measured = await t.fullRun((await managementDomain(sim)).name);
    // The same run as an older version stored it, and one started after it.
    const old: UpgradeRun = structuredClone(measured);
    for (const key of ["startedBy", "phaseTimes", "sddcOutages", "report", "acknowledgedBy"] as const) delete old[key];
    old.id = "old-run";
    const later = Date.parse(measured.finishedAt ?? "") + 60_000;
    for (const u of Object.values(old.remote.upgrades)) u.startedAt = new Date(later).toISOString();
    const report = buildRunReport(old, { runs: [measured, old], settings: DEFAULT_SETTINGS });
    assert.deepEqual(report.startedBy, { name: "unknown", via: "unknown" });
    assert.deepEqual(
      report.phases.map((p) => [p.result, p.startedAt, p.durationMs]),
      report.phases.map(() => ["done", undefined, undefined]),
    );
    assert.equal(report.sddcManagerOutage, undefined);
    for (const c of report.components) {
      const before = defined(
        Object.values(measured.remote.upgrades).find((u) => u.componentType === c.componentType),
        c.name,
      );
      const ms = Date.parse(before.finishedAt ?? "") - Date.parse(before.startedAt);
      assert.deepEqual(c.estimate, { ms, source: "measured", runs: 1 }, c.name);
    }
    const markdown = renderReportMarkdown(report);
    assert.ok(markdown.includes("**Started:** " + old.createdAt + " by unknown"), markdown);
    assert.match(markdown, /\| download \| done \| unknown \| unknown \| unknown \|/);
  });
});
