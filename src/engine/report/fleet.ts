// A fleet's report: the sum of its domains' run reports (a domain without one did not start), as data and markdown.
import { engineText, englishText } from "../catalog";
import { escapeMarkdown } from "../markdown";
import { cappedTable } from "../plan/markdown";
import { DEFAULT_SETTINGS } from "../types";
import { byteLength, truncateBytes } from "../utf8-bytes";
import { durationText, outcomeText } from "./markdown";
import type { FleetReport, FleetReportRow, ReportOutcome, RunReport } from "./types";

/** A domain of the fleet: its run's report, or only its names when no run started. */
export type FleetEntry = RunReport | { domainId: string; domainName: string };

function isReport(entry: FleetEntry): entry is RunReport {
  return "runId" in entry;
}

function rowOf(entry: FleetEntry): FleetReportRow {
  if (!isReport(entry))
    return { domainId: entry.domainId, domainName: entry.domainName, outcome: "not started", retries: 0 };
  return {
    domainId: entry.domainId,
    domainName: entry.domainName,
    runId: entry.runId,
    outcome: entry.outcome,
    sourceVersion: entry.sourceVersion,
    targetVersion: entry.targetVersion,
    ...(entry.run.durationMs !== undefined ? { durationMs: entry.run.durationMs } : {}),
    ...(entry.sddcManagerOutage ? { sddcManagerOutageMs: entry.sddcManagerOutage.totalMs } : {}),
    retries: entry.retries.total,
    ...(entry.failureReason ? { failureReason: entry.failureReason } : {}),
  };
}

/** The earliest (or latest) of some ISO times. */
function edge(values: Array<string | undefined>, pick: "first" | "last"): string | undefined {
  const known = values.filter((v): v is string => v !== undefined).sort();
  return pick === "first" ? known[0] : known.at(-1);
}

export function sumReports(entries: readonly FleetEntry[], now: Date = new Date()): FleetReport {
  const rows = entries.map(rowOf);
  const counts: Record<ReportOutcome | "not started", number> = {
    successfully_completed: 0,
    failed: 0,
    cancelled: 0,
    "not started": 0,
  };
  for (const r of rows) counts[r.outcome] += 1;
  const reports = entries.filter(isReport);
  const startedAt = edge(
    reports.map((r) => r.run.startedAt),
    "first",
  );
  const finishedAt = edge(
    reports.map((r) => r.run.finishedAt),
    "last",
  );
  const span = startedAt && finishedAt ? Date.parse(finishedAt) - Date.parse(startedAt) : NaN;
  return {
    format: 1,
    counts,
    totalDurationMs: rows.reduce((sum, r) => sum + (r.durationMs ?? 0), 0),
    ...(Number.isFinite(span) && span >= 0 ? { spanMs: span } : {}),
    ...(startedAt ? { startedAt } : {}),
    ...(finishedAt ? { finishedAt } : {}),
    rows,
    createdAt: now.toISOString(),
  };
}

function fleetRow(r: FleetReportRow): string {
  const versions = r.sourceVersion && r.targetVersion ? `${r.sourceVersion} → ${r.targetVersion}` : "";
  const cells = [
    escapeMarkdown(r.domainName),
    outcomeText(r.outcome),
    escapeMarkdown(versions),
    r.runId ? durationText(r.durationMs) : "",
    r.sddcManagerOutageMs !== undefined ? durationText(r.sddcManagerOutageMs) : "",
    String(r.retries),
    escapeMarkdown(r.runId ?? ""),
    escapeMarkdown(r.failureReason ?? ""),
  ];
  return `| ${cells.join(" | ")} |\n`;
}

export function renderFleetReportMarkdown(fleet: FleetReport, options: { maxBytes?: number } = {}): string {
  const max = Math.max(256, options.maxBytes ?? DEFAULT_SETTINGS.logMaxBytes);
  const c = fleet.counts;
  const lines = [
    `## ${englishText(engineText("fleetReportTitle"))}`,
    "",
    englishText(
      engineText("fleetReportCounts", {
        done: c.successfully_completed,
        failed: c.failed,
        cancelled: c.cancelled,
        notStarted: c["not started"],
      }),
    ) + "  ",
    englishText(
      engineText("fleetReportDurations", {
        total: durationText(fleet.totalDurationMs),
        span: durationText(fleet.spanMs),
      }),
    ) + "  ",
  ];
  let out = truncateBytes(lines.join("\n") + "\n", max);
  out += cappedTable(
    englishText(engineText("fleetReportDomains")),
    englishText(engineText("fleetReportHead")) + "\n|---|---|---|---|---|---|---|---|\n",
    fleet.rows.map(fleetRow),
    max - byteLength(out),
  );
  return out;
}
