// The run report as a markdown page for the change record: a header (outcome, versions, who, when, gate, options,
// retries, SDDC Manager's outage), then phases, components, findings and remote operations as tables, within a byte
// cap (tables lose rows, counted, before the cap would cut text). English, from the catalog's "engine" section.
import { engineText, englishText, type EngineText } from "../catalog";
import { escapeMarkdown, renderFindings } from "../markdown";
import { cappedTable, estimateCell, formatDuration } from "../plan/markdown";
import { DEFAULT_SETTINGS } from "../types";
import { describeUpgradeOptions } from "../upgrade-options";
import { byteLength, truncateBytes } from "../utf8-bytes";
import type { ReportActor, ReportComponent, ReportOutcome, ReportPhase, ReportTimes, RunReport } from "./types";

const en = (text: EngineText): string => englishText(text);

function unknownText(): string {
  return en(engineText("reportUnknown"));
}

export function outcomeText(outcome: ReportOutcome | "not started"): string {
  switch (outcome) {
    case "successfully_completed":
      return en(engineText("reportSucceeded"));
    case "failed":
      return en(engineText("reportFailed"));
    case "cancelled":
      return en(engineText("reportCancelled"));
    case "not started":
      return en(engineText("reportNotStarted"));
  }
}

/** "alice (dashboard)", "flow", "unknown". */
function actorText(actor: ReportActor): string {
  if (actor.via === "flow" || actor.via === "unknown") return escapeMarkdown(actor.name);
  return `${escapeMarkdown(actor.name)} (${actor.via})`;
}

export function durationText(ms: number | undefined): string {
  return ms === undefined ? unknownText() : formatDuration(ms);
}

function cell(value: string | undefined): string {
  return value === undefined ? unknownText() : escapeMarkdown(value);
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |\n`;
}

function timeCells(t: ReportTimes): string[] {
  return [cell(t.startedAt), cell(t.finishedAt), durationText(t.durationMs)];
}

function header(r: RunReport): string {
  const lines = [
    en(engineText("reportOutcome", { outcome: outcomeText(r.outcome), runId: escapeMarkdown(r.runId) })),
    en(engineText("reportVersions", { from: escapeMarkdown(r.sourceVersion), to: escapeMarkdown(r.targetVersion) })),
    en(engineText("reportStarted", { at: cell(r.run.startedAt), who: actorText(r.startedBy) })),
    en(engineText("reportEnded", { at: cell(r.run.finishedAt), duration: durationText(r.run.durationMs) })),
  ];
  if (r.failureReason) lines.push(en(engineText("reportFailure", { reason: escapeMarkdown(r.failureReason) })));
  if (r.cancelledBy) lines.push(en(engineText("reportCancelledBy", { who: actorText(r.cancelledBy) })));
  lines.push(en(engineText("reportGate", { rule: cell(r.gate.rule) })));
  if (r.gate.acknowledgedBy) {
    const params = { who: actorText(r.gate.acknowledgedBy), at: cell(r.gate.acknowledgedAt) };
    lines.push(en(engineText("reportAcknowledged", params)));
  }
  if (r.options)
    lines.push(en(engineText("reportOptions", { options: escapeMarkdown(describeUpgradeOptions(r.options)) })));
  if (r.backup) {
    const status = [r.backup.status, r.backup.taskId].filter((v): v is string => v !== undefined);
    lines.push(en(engineText("reportBackup", { status: escapeMarkdown(status.join(", ")) || unknownText() })));
  }
  if (r.window) {
    const window = escapeMarkdown(r.window.windows.join("; "));
    const line = r.window.scheduleInSddcManager
      ? engineText("reportWindowScheduled", { window })
      : engineText("reportWindow", { window });
    lines.push(en(line));
    const overruns = r.window.overruns.map((o) => `${o.component} (${o.finishedAt} > ${o.windowEnd})`);
    if (overruns.length)
      lines.push(en(engineText("reportWindowOverruns", { items: escapeMarkdown(overruns.join("; ")) })));
  }
  const estimate = r.estimateTotalMs === undefined ? unknownText() : formatDuration(r.estimateTotalMs);
  lines.push(en(engineText("reportEstimate", { estimate })));
  lines.push(en(engineText("reportRetries", { count: r.retries.total })));
  const outage = r.sddcManagerOutage;
  lines.push(
    outage
      ? en(engineText("reportOutage", { duration: formatDuration(outage.totalMs), count: outage.periods.length }))
      : en(engineText("reportNoOutage")),
  );
  const title = `## ${en(engineText("reportTitle", { domain: escapeMarkdown(r.domainName) }))}\n\n`;
  // Two spaces end each line with a line break.
  return title + lines.map((l) => `${l}  \n`).join("");
}

function phaseRow(p: ReportPhase): string {
  return row([p.phase, p.result, ...timeCells(p)]);
}

function componentRow(c: ReportComponent): string {
  const name = c.hosts ? `${c.name} (${c.hosts})` : c.name;
  const estimate = c.estimate ? estimateCell(c.estimate) : unknownText();
  const id = c.retriedTaskId ? `${c.upgradeId} (${c.retriedTaskId})` : c.upgradeId;
  return row([
    escapeMarkdown(name),
    cell(c.fromVersion),
    cell(c.toVersion),
    cell(c.status),
    ...timeCells(c),
    estimate,
    escapeMarkdown(id),
  ]);
}

/** One row per remote operation: what it is, and its id. */
function remoteRows(r: RunReport): string[] {
  const ids = r.remoteIds;
  const rows: Array<[EngineText, string | undefined]> = [
    ...ids.downloadTasks.map((d): [EngineText, string] => [
      engineText("reportDownloadTask", { bundleId: d.bundleId }),
      d.taskId,
    ]),
    [engineText("reportTargetValidation"), ids.targetValidationId],
    [engineText("reportCheckSetQuery"), ids.checkSetQueryId],
    [engineText("reportCheckSetRun"), ids.checkSetRunId],
    [engineText("reportBackupTask"), ids.backupTaskId],
    ...ids.upgradeIds.map((id): [EngineText, string] => [engineText("reportUpgrade"), id]),
    ...ids.retriedTaskIds.map((id): [EngineText, string] => [engineText("reportRetriedTask"), id]),
    [engineText("reportFinalValidation"), ids.finalValidationId],
    ...(r.remoteCancellations ?? []).map((c): [EngineText, string] => [
      engineText("reportCancellation", { answer: c.answer }),
      c.id,
    ]),
  ];
  return rows.flatMap(([what, id]) => (id === undefined ? [] : [row([escapeMarkdown(en(what)), escapeMarkdown(id)])]));
}

export interface ReportMarkdownOptions {
  /** Cap in UTF-8 bytes (default 12 KiB). */
  maxBytes?: number;
}

export function renderReportMarkdown(report: RunReport, options: ReportMarkdownOptions = {}): string {
  const max = Math.max(256, options.maxBytes ?? DEFAULT_SETTINGS.logMaxBytes);
  let out = truncateBytes(header(report), max);
  const left = (): number => max - byteLength(out);
  out += cappedTable(
    en(engineText("reportPhasesTitle")),
    en(engineText("reportPhasesHead")) + "\n|---|---|---|---|---|\n",
    report.phases.map(phaseRow),
    left(),
  );
  out += cappedTable(
    en(engineText("reportComponentsTitle")),
    en(engineText("reportComponentsHead")) + "\n|---|---|---|---|---|---|---|---|---|\n",
    report.components.map(componentRow),
    left(),
  );
  out += renderFindings(report.findings, left(), en(engineText("reportFindingsTitle")));
  out += cappedTable(
    en(engineText("reportRemoteTitle")),
    en(engineText("reportRemoteHead")) + "\n|---|---|\n",
    remoteRows(report),
    left(),
  );
  return out;
}
