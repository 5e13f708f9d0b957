// The run report through the real Node-RED runtime: msg.report and msg.reportMarkdown on the last phase node's output
// (the upgrade node on success; the node whose phase ended the run on failure or cancel, passed on by the phase nodes
// after it), once per run, and payload.report in vcf-status once the run has ended. Who started, acknowledged and
// cancelled comes from msg.user, the dashboard's msg._client.user and a Home Assistant context.
import assert from "node:assert/strict";
import fs from "node:fs";
import type { DomainStatusPayload } from "../../nodes/adapters/messages";
import type { RunReport } from "../../nodes/engine";
import * as harness from "../support/nodes-harness";
import { defined } from "../support/defined";
import { eventually } from "../support/eventually";

const { Collector, MANAGEMENT_DOMAIN, getNode, connectionOf } = harness;
type Msg = harness.Msg;
type StatusPayload = DomainStatusPayload;

const payloadOf = (msg: Msg): StatusPayload => msg.payload as StatusPayload;
const reportOf = (msg: Msg): RunReport => msg.report as RunReport;

describe("nodes: the run report", function () {
  const perTest = harness.nodeRedPerTest();
  let done: harness.Collector;
  let statuses: harness.Collector;

  async function deploy(scenario: "precheck-warnings" | "upgrade-failure"): Promise<void> {
    const sim = await perTest.startSim({ scenario });
    await harness.helper.load(harness.NODE_MODULES, harness.upgradeChainFlow(sim), harness.credentialsFor(sim));
    done = new Collector("done");
    statuses = new Collector("statusOut");
  }

  /** vcf-status's message for the run's end status, which carries the report; none before it. */
  async function statusAtEnd(status: string, runId: string): Promise<StatusPayload> {
    const endMessage = await statuses.waitFor((m) => payloadOf(m).status === status, `the ${status} status`);
    const end = payloadOf(endMessage);
    assert.equal(end.runId, runId);
    const before = statuses.messages.slice(0, statuses.messages.indexOf(endMessage)).map(payloadOf);
    const earlier = before.filter((p) => p.runId === runId);
    assert.ok(earlier.length > 0 && earlier.every((p) => p.report === undefined), "no report while the run goes on");
    return end;
  }

  it("success: the upgrade node's output and vcf-status carry the report, with who started and who acknowledged", async () => {
    await deploy("precheck-warnings");
    getNode("download").receive({ payload: "start", user: { name: "alice" } });
    await statuses.waitFor((m) => payloadOf(m).status === "waiting_for_alert_acknowledgement", "the gate");
    // Dashboard 2.0 with an auth plugin names the user in msg._client.user.
    getNode("ack").receive({ acknowledge: true, _client: { socketId: "s1", user: { username: "bob" } } });
    const out = await done.waitFor(() => true, "the upgrade node's output");
    const report = reportOf(out);
    const runId = (out.vcf as { runId: string }).runId;
    assert.equal(report.runId, runId);
    assert.equal(report.outcome, "successfully_completed");
    assert.deepEqual(report.startedBy, { name: "alice", via: "message" });
    assert.deepEqual(report.gate.acknowledgedBy, { name: "bob", via: "dashboard" });
    assert.equal(report.components.length, 4);
    assert.ok(report.phases.every((p) => p.result === "done" && p.durationMs !== undefined));
    assert.match(String(out.reportMarkdown), /^## VCF upgrade report: lab-m01\n[\s\S]*✅ successfully completed/);
    assert.match(String(out.payload), /upgraded from VCF/);

    const end = await statusAtEnd("successfully_completed", runId);
    assert.deepEqual(end.report, report, "vcf-status carries the report kept with the run");
    assert.equal(end.reportMarkdown, out.reportMarkdown);
    assert.equal(done.messages.length, 1);
  });

  it("failure: the failing node sends the report, the nodes after it pass it on, vcf-status carries it", async () => {
    await deploy("upgrade-failure");
    getNode("download").receive({ payload: "start" });
    const out = await done.waitFor((m) => m.report !== undefined, "the failed run's report");
    const report = reportOf(out);
    assert.equal(report.outcome, "failed");
    assert.deepEqual(report.startedBy, { name: "flow", via: "flow" }, "a message that names no one");
    assert.deepEqual(report.gate, { rule: report.gate.rule, acknowledged: false }, "no findings: nobody acknowledged");
    assert.equal(report.phases.at(-1)?.result, "failed");
    assert.deepEqual((out.vcf as { status: string }).status, "failed");
    assert.match(
      String(out.payload),
      /^lab-m01: the upgrade to VCF \S+ failed in the upgrade phase: The upgrade of NSX/,
    );

    const end = await statusAtEnd("failed", report.runId);
    assert.deepEqual(end.report, report);
    assert.equal(done.messages.length, 1, "the report leaves once");
    // Recorded as sent in the connection's file beside the runs: a restart does not send it again.
    const file = defined(
      connectionOf()
        .files()
        .find((f) => f.endsWith(".json")),
      "the bookkeeping file",
    );
    assert.ok(await eventually(() => fs.existsSync(file) && fs.readFileSync(file, "utf8").includes('"report"')));
    const sent = (JSON.parse(fs.readFileSync(file, "utf8")) as { sent: Record<string, string[]> }).sent;
    assert.ok(sent[report.runId]?.includes("report"), JSON.stringify(sent));
    assert.equal(await connectionOf().reportSending(report.runId), false);
  });

  it("cancel: the node the run waits at sends the report, naming who cancelled from Home Assistant", async () => {
    await deploy("precheck-warnings");
    getNode("download").receive({ payload: "start", user: "alice" });
    await statuses.waitFor((m) => payloadOf(m).status === "waiting_for_alert_acknowledgement", "the gate");
    // A Home Assistant button's entity state carries the pressing user in its context.
    getNode("download").receive({
      cancel: true,
      domain: MANAGEMENT_DOMAIN,
      reason: "window closed",
      data: { entity_id: "button.vcf_cancel", context: { id: "c1", user_id: "ha-user-42" } },
    });
    const out = await done.waitFor((m) => m.report !== undefined, "the cancelled run's report");
    const report = reportOf(out);
    assert.equal(report.outcome, "cancelled");
    assert.deepEqual(report.cancelledBy, { name: "ha-user-42", via: "home-assistant" });
    assert.deepEqual(report.startedBy, { name: "alice", via: "message" });
    assert.deepEqual(
      report.phases.map((p) => p.result),
      ["done", "done", "failed", "not reached"],
    );
    assert.ok(String(out.reportMarkdown).includes("**Cancelled by:** ha-user-42 (home-assistant)"));
    assert.equal(out.cancel, undefined, "a message of its own, not the cancel message");

    const end = await statusAtEnd("failed", report.runId);
    assert.deepEqual(end.report, report);
    assert.equal(done.messages.length, 1);
  });
});
