// vcf-fleet's messages: per domain the start message its phase chain begins with (output 1), the summary (output 2),
// and its status badge; and the fleet's tag that the run-starting node reads from msg.fleet.
import { fleetSentence, fleetSummary, renderFleetMarkdown } from "../engine/fleet/summary";
import {
  renderFleetReportMarkdown,
  sumReports,
  type FleetEntry,
  type FleetMember,
  type FleetRecord,
  type RunFleetTag,
  type RunReport,
} from "../engine";
import { t } from "./i18n";
import type { MarkdownLimit } from "./messages";
import type { NodeMessage, NodeStatus } from "./node-red-types";
import { idleBadge } from "./status-badge";

/**
 * The message a single run starts from (like vcf-updates' output behind a change node): msg.domain, msg.targetVersion
 * when the fleet has one, msg.fleet naming the fleet and the domain's place in it, and the properties of the message
 * that started the fleet (e.g. msg.user).
 */
export function fleetStartMessage(fleet: FleetRecord, member: FleetMember): NodeMessage {
  const position = fleet.members.findIndex((m) => m.domainId === member.domainId) + 1;
  const tag: RunFleetTag = {
    id: fleet.id,
    ...(fleet.settings.ackPolicy ? { ackPolicy: fleet.settings.ackPolicy } : {}),
  };
  return {
    ...structuredClone(fleet.input ?? {}),
    topic: member.domainName,
    domain: member.domainName,
    ...(fleet.settings.targetVersion ? { targetVersion: fleet.settings.targetVersion } : {}),
    fleet: { ...tag, domainId: member.domainId, domainName: member.domainName, position, of: fleet.members.length },
    payload: t("vcf-fleet.payload.start", { domain: member.domainName, position, count: fleet.members.length }),
  };
}

/**
 * Output 2: the summary in msg.payload (see engine/fleet/summary.ts), its table in msg.markdown, and the fleet's report
 * for the change record (the domains' run reports summed; a domain without an ended run as not started) in
 * msg.report and msg.reportMarkdown.
 */
export function fleetSummaryMessage(
  fleet: FleetRecord,
  limit: MarkdownLimit,
  reportOf: (runId: string) => RunReport | undefined,
): NodeMessage {
  const summary = fleetSummary(fleet);
  const entries = fleet.members.map(
    (m): FleetEntry => (m.runId ? reportOf(m.runId) : undefined) ?? { domainId: m.domainId, domainName: m.domainName },
  );
  const report = sumReports(entries);
  return {
    ...structuredClone(fleet.input ?? {}),
    topic: "fleet",
    payload: summary,
    markdown: renderFleetMarkdown(summary, limit.markdownMaxBytes),
    text: fleetSentence(summary),
    report,
    reportMarkdown: renderFleetReportMarkdown(report, { maxBytes: limit.markdownMaxBytes }),
  };
}

/** The tag of a fleet's start message (msg.fleet.id), for the run; undefined for any other message. */
export function readFleetTag(msg: NodeMessage): RunFleetTag | undefined {
  const fleet = msg.fleet as { id?: unknown; ackPolicy?: unknown } | undefined;
  if (typeof fleet !== "object" || fleet === null || typeof fleet.id !== "string" || fleet.id === "") return undefined;
  const tag: RunFleetTag = { id: fleet.id.slice(0, 100) };
  const rule = fleet.ackPolicy as Record<string, unknown> | undefined;
  if (typeof rule === "object" && rule !== null)
    tag.ackPolicy = {
      ignoreAlerts: rule.ignoreAlerts === true,
      alsoIgnoreErrors: rule.alsoIgnoreErrors === true,
      failOnErrors: rule.failOnErrors === true,
    };
  return tag;
}

export function fleetBadge(fleet: FleetRecord): NodeStatus {
  const count = (...states: string[]): number => fleet.members.filter((m) => states.includes(m.state)).length;
  const params = {
    running: count("starting", "running"),
    done: count("done"),
    failed: count("failed"),
    pending: count("pending"),
    notStarted: count("not_started"),
    skipped: count("skipped"),
  };
  if (fleet.status === "running") return { fill: "blue", shape: "ring", text: t("vcf-fleet.status.running", params) };
  const bad = params.failed > 0 || params.notStarted > 0;
  if (fleet.status === "cancelled")
    return { fill: "yellow", shape: "ring", text: t("vcf-fleet.status.cancelled", params) };
  return bad
    ? { fill: "red", shape: "ring", text: t("vcf-fleet.status.finished", params) }
    : { ...idleBadge(t("vcf-fleet.status.finished", params)), fill: "green" };
}
