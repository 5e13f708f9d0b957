// vcf-status's structured payload: the newest log entries and the precheck findings as data, each within the cap.
import assert from "node:assert/strict";
import { statusMessage, type DomainStatusPayload } from "../../nodes/adapters/messages";
import { STATUS_LOG_MAX_ENTRIES } from "../../nodes/adapters/status-lists";
import type { UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import {
  Collector,
  connectionOf,
  credentialsFor,
  getNode,
  helper,
  MANAGEMENT_DOMAIN,
  NODE_MODULES,
  nodeRedPerTest,
  upgradeChainFlow,
  type Msg,
} from "../support/nodes-harness";

const LEVELS = ["success", "error", "warning", "info"];
const PHASES = ["download", "prechecks", "acknowledgement", "upgrade", "run"];
const DEFAULT_CAP = 12 * 1024;

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

function payloadOf(msg: Msg): DomainStatusPayload {
  return msg.payload as DomainStatusPayload;
}

/** Every promise of the payload's lists that holds whatever the run looks like. */
function assertListsWithin(payload: DomainStatusPayload, cap: number): void {
  assert.ok(jsonBytes(payload.log) <= cap, `log ${jsonBytes(payload.log)} bytes > ${cap}`);
  assert.ok(jsonBytes(payload.findings) <= cap, `findings ${jsonBytes(payload.findings)} bytes > ${cap}`);
  assert.ok(payload.log.length <= STATUS_LOG_MAX_ENTRIES);
  for (const e of payload.log) {
    assert.deepEqual(Object.keys(e).sort(), ["at", "level", "phase", "text"]);
    assert.ok(LEVELS.includes(e.level), `level ${e.level}`);
    assert.ok(PHASES.includes(e.phase), `phase ${e.phase}`);
    assert.ok(!Number.isNaN(Date.parse(e.at)), `at ${e.at}`);
  }
  const times = payload.log.map((e) => Date.parse(e.at));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
    "oldest first, newest last",
  );
}

describe("nodes: vcf-status payload.log and payload.findings", function () {
  const perTest = nodeRedPerTest();
  let sim: RunningSimulator;

  async function runToTheEnd(statusCap?: number): Promise<{ statuses: Collector; run: UpgradeRun }> {
    sim = await perTest.startSim({ scenario: "precheck-warnings" });
    const flow = upgradeChainFlow(sim, { ack: { ignoreAlerts: true } });
    const status = flow.find((n) => n.id === "status");
    if (status && statusCap !== undefined) status.markdownMaxBytes = statusCap;
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const statuses = new Collector("statusOut");
    const done = new Collector("done");
    getNode("download").receive({ payload: "start" });
    await done.waitFor(() => true, "the upgrade output");
    await statuses.waitFor((m) => payloadOf(m).status === "successfully_completed", "the completed status");
    const run = connectionOf()
      .engine?.listRuns()
      .find((r) => r.domainName === MANAGEMENT_DOMAIN);
    assert.ok(run, "the engine has the run");
    return { statuses, run };
  }

  it("sends the run's newest entries (newest last) and the precheck findings of a precheck-warnings run", async () => {
    const { statuses, run } = await runToTheEnd();
    for (const msg of statuses.messages) assertListsWithin(payloadOf(msg), DEFAULT_CAP);
    const final = payloadOf(statuses.messages.find((m) => payloadOf(m).status === "successfully_completed") as Msg);
    assert.ok(final.log.length > 0, "the log is not empty");
    assert.equal(final.log.at(-1)?.level, "success");
    assert.match(final.log.at(-1)?.text ?? "", /Domain lab-m01 is at \d/, "the newest entry is last");
    assert.equal(final.apiGeneration, "5.2", "the API SDDC Manager speaks");
    assert.match(final.sddcManagerVersion ?? "", /^5\.2\.1\.0-/, "its version, read again after its own upgrade");
    assertRunSlice(final, run);
    assert.ok(
      final.log.some((e) => e.level === "warning"),
      "the warnings the prechecks found are in the log",
    );

    assert.ok(final.findings.length > 0, "the findings are there");
    assert.equal(final.findings.length + final.findingsOmitted, run.findings.length);
    for (const f of final.findings) {
      assert.deepEqual(Object.keys(f).sort(), ["description", "name", "remediation", "resource", "severity"]);
      assert.equal(f.severity, "WARNING");
      assert.ok(f.name && f.description, JSON.stringify(f));
    }
    const waiting = statuses.messages.map(payloadOf).find((p) => p.status === "prechecks_done");
    assert.ok(waiting && waiting.findings.length > 0, "the findings arrive with the end of the prechecks");
  });

  it("says since when a run waits for acknowledgement and announces it again at the configured reminder interval", async () => {
    sim = await perTest.startSim({ scenario: "precheck-warnings" });
    // 0.00001 hours: 36 ms, so the reminders come while the test waits for them.
    const flow = upgradeChainFlow(sim, { config: { ackReminder: "0.00001" } });
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const statuses = new Collector("statusOut");
    getNode("download").receive({ payload: "start" });
    const reminded = await statuses.waitFor((m) => (payloadOf(m).ackReminders ?? 0) >= 2, "a second reminder");
    const payload = payloadOf(reminded);
    assert.equal(payload.status, "waiting_for_alert_acknowledgement");
    assert.ok(payload.waitingSince && !Number.isNaN(Date.parse(payload.waitingSince)));
    assert.equal(payload.stalled, false);
    assert.match(payload.log.at(-1)?.text ?? "", /^Still waiting for acknowledgement since /);
    const before = statuses.messages.map(payloadOf).find((p) => p.status === "prechecks_done");
    assert.equal(before?.waitingSince, undefined, "only while waiting");
    getNode("ack").receive({ acknowledge: true, domain: MANAGEMENT_DOMAIN });
    const passed = await statuses.waitFor((m) => payloadOf(m).status === "alerts_were_acknowledged", "the gate passed");
    assert.equal(payloadOf(passed).waitingSince, undefined);
  });

  it("keeps the newest entries within the node's cap, counts the rest, and shortens a newest entry too big on its own", async () => {
    const cap = 2048;
    const { statuses, run } = await runToTheEnd(cap);
    const final = payloadOf(statuses.messages.at(-1) as Msg);
    assertListsWithin(final, cap);
    assert.ok(jsonBytes(final.log) > cap - 400, "the cap is used, not left mostly empty");
    assert.ok(final.logOmitted > 0, "a whole run does not fit in 2 KiB");
    assertRunSlice(final, run);

    // A newest entry longer than the cap, with characters JSON escapes to several bytes.
    const huge = 'é"\n<b>'.repeat(1000);
    const bigRun: UpgradeRun = {
      ...run,
      log: [...run.log, { ...(run.log.at(-1) as UpgradeRun["log"][number]), text: huge }],
    };
    const payload = payloadOf(
      statusMessage({ id: run.domainId, name: run.domainName }, { ...run, run: bigRun }, { markdownMaxBytes: 512 }),
    );
    assertListsWithin(payload, 512);
    assert.equal(payload.log.length, 1);
    const text = payload.log[0]?.text ?? "";
    assert.ok(text.endsWith("…") && huge.startsWith(text.slice(0, -1)), "cut, not mangled");
    assert.equal(payload.logOmitted, bigRun.log.length - 1);
  });
});

/** The payload's log is a run of consecutive entries of the run, unchanged, and `logOmitted` counts those before it. */
function assertRunSlice(payload: DomainStatusPayload, run: UpgradeRun): void {
  const first = payload.log[0];
  const start = run.log.findIndex((e) => e.at === first?.at && e.text === first.text);
  assert.ok(start >= 0, "the entries come from the run");
  assert.deepEqual(payload.log, run.log.slice(start, start + payload.log.length).map(pickEntry));
  assert.equal(payload.logOmitted, start + (run.droppedLogEntries ?? 0));
}

function pickEntry(
  e: UpgradeRun["log"][number] | undefined,
): Pick<UpgradeRun["log"][number], "at" | "level" | "phase" | "text"> {
  assert.ok(e);
  return { at: e.at, level: e.level, phase: e.phase, text: e.text };
}
