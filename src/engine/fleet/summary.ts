// What a fleet did, for output 2 of vcf-fleet and the change record: per domain its state, run id, versions and
// reason, grouped as done / failed / not started / skipped, with counts and a markdown table. Each entry carries the
// run id, so the runs' own records (and reports) can be joined to it.
import { escapeMarkdown } from "../markdown";
import { cappedTable } from "../plan/markdown";
import { DEFAULT_SETTINGS } from "../types";
import { byteLength, truncateBytes } from "../utf8-bytes";
import type { FleetMember, FleetRecord, FleetSettings, FleetStatus, MemberState } from "./types";

export interface FleetSummaryEntry {
  domainId: string;
  domainName: string;
  management: boolean;
  state: MemberState;
  runId?: string;
  sourceVersion?: string;
  targetVersion?: string;
  reason?: string;
  finishedAt?: string;
}

export interface FleetSummary {
  fleetId: string;
  status: FleetStatus;
  sddcManagerUrl?: string;
  settings: FleetSettings;
  createdAt: string;
  finishedAt?: string;
  /** Why new starts stopped (the failure policy or a cancel). */
  stopReason?: string;
  counts: Record<MemberState, number>;
  done: FleetSummaryEntry[];
  failed: FleetSummaryEntry[];
  notStarted: FleetSummaryEntry[];
  skipped: FleetSummaryEntry[];
  /** Still running or waiting (a summary asked for while the fleet runs). */
  active: FleetSummaryEntry[];
  /** Every domain, in the fleet's order. */
  domains: FleetSummaryEntry[];
}

const STATES: readonly MemberState[] = ["pending", "starting", "running", "done", "failed", "skipped", "not_started"];

function entry(m: FleetMember): FleetSummaryEntry {
  const { startRequestedAt: _sent, ...rest } = m;
  return structuredClone(rest);
}

export function fleetSummary(fleet: FleetRecord): FleetSummary {
  const domains = fleet.members.map(entry);
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<MemberState, number>;
  for (const d of domains) counts[d.state] += 1;
  const inState = (...states: MemberState[]): FleetSummaryEntry[] => domains.filter((d) => states.includes(d.state));
  return {
    fleetId: fleet.id,
    status: fleet.status,
    ...(fleet.sddcManagerUrl ? { sddcManagerUrl: fleet.sddcManagerUrl } : {}),
    settings: structuredClone(fleet.settings),
    createdAt: fleet.createdAt,
    ...(fleet.finishedAt ? { finishedAt: fleet.finishedAt } : {}),
    ...(fleet.stopReason ? { stopReason: fleet.stopReason } : {}),
    counts,
    done: inState("done"),
    failed: inState("failed"),
    notStarted: inState("not_started"),
    skipped: inState("skipped"),
    active: inState("pending", "starting", "running"),
    domains,
  };
}

/** One line: "Fleet finished: 5 done, 1 failed, 0 not started, 0 skipped". */
export function fleetSentence(summary: FleetSummary): string {
  const c = summary.counts;
  const active = c.pending + c.starting + c.running;
  return (
    `Fleet ${summary.status}: ${c.done} done, ${c.failed} failed, ${c.not_started} not started, ${c.skipped} skipped` +
    (active > 0 ? `, ${active} running or waiting` : "")
  );
}

/** The summary as markdown within `maxBytes` (the table loses rows, counted, before text is cut). */
export function renderFleetMarkdown(summary: FleetSummary, maxBytes = DEFAULT_SETTINGS.logMaxBytes): string {
  const max = Math.max(256, maxBytes);
  const head = [
    `## VCF fleet ${escapeMarkdown(summary.fleetId)}`,
    "",
    `**${escapeMarkdown(fleetSentence(summary))}**  `,
    summary.stopReason ? `**Stopped:** ${escapeMarkdown(summary.stopReason)}  ` : "",
    `**Started:** ${summary.createdAt}${summary.finishedAt ? ` · **Ended:** ${summary.finishedAt}` : ""}`,
  ].filter(Boolean);
  const out = truncateBytes(head.join("\n") + "\n", max);
  const rows = summary.domains.map(
    (d) =>
      `| ${escapeMarkdown(d.domainName)}${d.management ? " (management)" : ""} | ${d.state} | ${escapeMarkdown(d.sourceVersion ?? "")} → ${escapeMarkdown(d.targetVersion ?? "")} | ${escapeMarkdown(d.runId ?? "")} | ${escapeMarkdown(d.reason ?? "")} |\n`,
  );
  return (
    out +
    cappedTable(
      "Domains",
      "| Domain | State | Versions | Run | Note |\n|---|---|---|---|---|\n",
      rows,
      max - byteLength(out),
    )
  );
}
