import type { ApiIdentity } from "../vcf/generation";
import type { Finding, LogEntry, LogLevel, UpgradeRun, UpgradeStatus } from "./types";
import { DEFAULT_SETTINGS } from "./types";
import { describeUpgradeOptions } from "./upgrade-options";
import { byteLength, truncateBytes } from "./utf8-bytes";

export interface MarkdownOptions {
  /** Cap in UTF-8 bytes (default 12 KiB); the header and the newest entries are kept. */
  maxBytes?: number;
}

export const ICONS: Record<LogLevel, string> = { success: "✅", error: "❌", warning: "⚠️", info: "ℹ️" };

export const STATUS_LABELS: Record<UpgradeStatus, string> = {
  waiting_for_initiation: "Waiting for initiation",
  update_process_started: "Update process started",
  downloading_bundles: "Downloading bundles",
  setting_new_vcf_version_target: "Setting the new VCF version target",
  initializing_prechecks: "Initializing prechecks",
  running_prechecks: "Running prechecks",
  evaluating_prechecks: "Evaluating prechecks",
  prechecks_done: "Prechecks done",
  waiting_for_alert_acknowledgement: "Waiting for alert acknowledgement",
  alerts_were_acknowledged: "Alerts were acknowledged",
  starting_upgrades: "Upgrading components",
  successfully_completed: "Successfully completed",
  failed: "Failed",
};

/** Escapes markdown and HTML in text that came from the API or the user; newlines become `<br>`. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|~#])/g, "\\$1")
    .replace(/\r?\n/g, "<br>");
}

/** "9.0 (SDDC Manager 9.0.0.0-24703748)" for the run's header. */
function apiText(api: ApiIdentity): string {
  return `${api.generation}${api.sddcManagerVersion ? ` (SDDC Manager ${escapeMarkdown(api.sddcManagerVersion)})` : ""}`;
}

function renderHeader(run: UpgradeRun): string {
  const lines = [
    `## VCF upgrade: ${escapeMarkdown(run.domainName)}`,
    "",
    `**Status:** ${STATUS_LABELS[run.status]} (\`${run.status}\`) · **Progress:** ${run.progress} %  `,
    `**Versions:** ${escapeMarkdown(run.sourceVersion)} → ${escapeMarkdown(run.targetVersion)}  `,
    `**Step:** ${escapeMarkdown(run.step)}  `,
    `**Started:** ${run.createdAt}${run.finishedAt ? ` · **Finished:** ${run.finishedAt}` : ""}  `,
  ];
  if (run.outcome && run.status === "waiting_for_initiation") {
    lines.push(`**Last run:** ${STATUS_LABELS[run.outcome]}  `);
  }
  if (run.failureReason) lines.push(`**Failure:** ${escapeMarkdown(run.failureReason)}  `);
  const backup = run.remote.backup;
  if (backup?.status || backup?.taskId) {
    const task = backup.taskId ? ` (task ${escapeMarkdown(backup.taskId)})` : "";
    lines.push(`**Fresh SDDC Manager backup:** ${escapeMarkdown(backup.status ?? "running")}${task}  `);
  }
  if (run.api) lines.push(`**SDDC Manager API:** ${apiText(run.api)}  `);
  if (run.outsideWork?.length)
    lines.push(`**First, outside this package:** ${escapeMarkdown(run.outsideWork.join("; "))}  `);
  if (run.acknowledgementRule) lines.push(`**Alerts:** ${escapeMarkdown(run.acknowledgementRule)}  `);
  if (run.upgradeOptions)
    lines.push(`**Upgrade options:** ${escapeMarkdown(describeUpgradeOptions(run.upgradeOptions))}  `);
  return lines.join("\n") + "\n";
}

function findingRow(f: Finding): string {
  const icon = f.severity === "ERROR" ? ICONS.error : ICONS.warning;
  const cells = [
    `${icon} ${f.severity}`,
    f.source ?? "precheck",
    f.name,
    f.resource ?? "",
    f.description,
    f.remediation ?? "",
  ];
  return `| ${cells.map((c, i) => (i === 0 ? c : escapeMarkdown(c))).join(" | ")} |`;
}

/** The findings table under `title`; rows are dropped (and counted) to stay within `budget` bytes. */
export function renderFindings(findings: Finding[], budget: number, title = "Precheck findings"): string {
  if (findings.length === 0) return "";
  const head = `\n### ${title}\n\n| Severity | Source | Check | Resource | Description | Remediation |\n|---|---|---|---|---|---|\n`;
  let out = head;
  let shown = 0;
  for (const f of findings) {
    const row = findingRow(f) + "\n";
    if (byteLength(out + row) + 80 > budget) break;
    out += row;
    shown += 1;
  }
  if (shown < findings.length) out += `\n_${findings.length - shown} more finding(s) not shown._\n`;
  return out;
}

function renderEntry(e: LogEntry): string {
  return `- \`${e.at.replace("T", " ").replace(/\.\d+Z$/, "Z")}\` ${ICONS[e.level]} **${e.phase}**: ${escapeMarkdown(e.text)}\n`;
}

/** The run as markdown for dashboards and Home Assistant: header, findings, then the newest log entries. */
export function renderMarkdown(run: UpgradeRun, options: MarkdownOptions = {}): string {
  const max = Math.max(256, options.maxBytes ?? DEFAULT_SETTINGS.logMaxBytes);
  const header = truncateBytes(renderHeader(run), max);
  const top = header + renderFindings(run.findings, max - byteLength(header));
  const logTitle = "\n### Log\n\n";
  const omittedNote = (n: number) => `_${n} earlier entr${n === 1 ? "y" : "ies"} left out._\n`;
  const dropped = run.droppedLogEntries ?? 0;
  // Reserve room for the note so adding it never breaks the cap.
  let budget = max - byteLength(top) - byteLength(logTitle) - byteLength(omittedNote(run.log.length + dropped));
  if (budget <= 0) return top;
  const kept: string[] = [];
  for (const entry of [...run.log].reverse()) {
    let line = renderEntry(entry);
    // A single huge newest entry is shortened rather than hiding the whole log.
    if (kept.length === 0 && byteLength(line) > budget) line = truncateBytes(line, budget - 5) + "…\n";
    const size = byteLength(line);
    if (size > budget) break;
    kept.unshift(line);
    budget -= size;
  }
  const omitted = run.log.length - kept.length + dropped;
  return top + logTitle + (omitted > 0 ? omittedNote(omitted) : "") + kept.join("");
}

/** A one-line state for Home Assistant (under 255 characters). */
export function statusText(
  view: { status: UpgradeStatus; step: string; progress: number },
  domainName?: string,
): string {
  const prefix = domainName ? `${domainName}: ` : "";
  const text = `${prefix}${STATUS_LABELS[view.status]} (${view.progress} %) - ${view.step}`.replace(/\s+/g, " ");
  const chars = Array.from(text);
  return chars.length <= 254 ? text : chars.slice(0, 253).join("") + "…";
}
