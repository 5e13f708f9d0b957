// The estate at a glance (vcf-status in "fleet view" mode): one row per domain with its version, status, step,
// progress and an estimated end, counts per status, a short state for Home Assistant and a markdown table.
import { escapeMarkdown, STATUS_LABELS } from "../markdown";
import { estimateFor, measurements } from "../plan/estimates";
import { cappedTable } from "../plan/markdown";
import { kindOfType } from "../steps/upgrade-specs";
import { isTerminal } from "../transitions";
import type { DomainStatusView, EngineSettings, UpgradeRun, UpgradeStatus } from "../types";
import { byteLength, truncateBytes } from "../utf8-bytes";

export interface FleetViewRow {
  /** The SDDC Manager (its config node's name or URL). */
  sddcManager: string;
  domainId: string;
  domainName: string;
  /** The version the domain runs now (the target once its run completed). */
  version?: string;
  targetVersion?: string;
  status: UpgradeStatus;
  step: string;
  progress: number;
  runId?: string;
  /** When its active run should end (ISO), from measured runs or the default estimates; the end of a finished one. */
  estimatedEnd?: string;
  stalled: boolean;
}

export interface FleetView {
  rows: FleetViewRow[];
  /** Domains per status (only statuses some domain has). */
  counts: Partial<Record<UpgradeStatus, number>>;
  /** One line under 255 characters (a Home Assistant state). */
  state: string;
  markdown: string;
}

/** The mean length of the successful runs (creation to end), the measured estimate of a whole run. */
function measuredRunMs(runs: readonly UpgradeRun[]): number | undefined {
  const lengths = runs
    .filter((r) => r.outcome === "successfully_completed" && r.finishedAt)
    .map((r) => Date.parse(r.finishedAt as string) - Date.parse(r.createdAt))
    .filter((ms) => Number.isFinite(ms) && ms >= 0);
  return lengths.length > 0 ? lengths.reduce((a, b) => a + b, 0) / lengths.length : undefined;
}

/** The run's components' estimates (plan/estimates.ts), summed: SDDC Manager, NSX, vCenter, ESXi of its release. */
function componentsMs(run: UpgradeRun, runs: readonly UpgradeRun[], settings: EngineSettings): number {
  const kinds = new Set(run.targetRelease.bom.map((b) => kindOfType(b.name)).filter((k) => k !== undefined));
  const measured = measurements(runs);
  return [...kinds].reduce((sum, kind) => sum + estimateFor(kind, undefined, measured, settings).ms, 0);
}

/**
 * A run's estimated end: its end once finished; while active its start plus the measured mean run (else its
 * components' estimates), never before `now`.
 */
export function estimatedEnd(
  run: UpgradeRun,
  runs: readonly UpgradeRun[],
  settings: EngineSettings,
  now: number,
): string | undefined {
  if (isTerminal(run.status)) return run.finishedAt;
  const ms = measuredRunMs(runs) ?? componentsMs(run, runs, settings);
  return new Date(Math.max(now, Date.parse(run.createdAt) + ms)).toISOString();
}

export interface FleetViewInput {
  sddcManager: string;
  domain: { id: string; name: string };
  view: DomainStatusView;
  /** The domain's version as SDDC Manager last reported it (a run completed since then gives its target). */
  currentVersion?: string;
  estimatedEnd?: string;
}

export function fleetViewRow(input: FleetViewInput): FleetViewRow {
  const { view } = input;
  const run = view.run;
  const completed = run?.outcome === "successfully_completed" && isTerminal(run.status);
  const row: FleetViewRow = {
    sddcManager: input.sddcManager,
    domainId: input.domain.id,
    domainName: input.domain.name,
    status: view.status,
    step: view.step,
    progress: view.progress,
    stalled: run?.stalledSince !== undefined && !isTerminal(run.status),
  };
  const version = completed ? run.targetVersion : (input.currentVersion ?? run?.sourceVersion);
  if (version) row.version = version;
  if (run) {
    row.runId = run.id;
    row.targetVersion = run.targetVersion;
  }
  if (input.estimatedEnd) row.estimatedEnd = input.estimatedEnd;
  return row;
}

/** "6 domains: 4 Completed, 1 Starting upgrades, 1 Failed", under 255 characters. */
function stateLine(rows: readonly FleetViewRow[], counts: FleetView["counts"]): string {
  const parts = Object.entries(counts).map(([s, n]) => `${n} ${STATUS_LABELS[s as UpgradeStatus]}`);
  const text = `${rows.length} domain${rows.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
  const chars = Array.from(text);
  return chars.length <= 254 ? text : chars.slice(0, 253).join("") + "…";
}

export function fleetView(rows: FleetViewRow[], maxBytes: number): FleetView {
  const counts: FleetView["counts"] = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const state = stateLine(rows, counts);
  const max = Math.max(256, maxBytes);
  const head = truncateBytes(`## VCF estate\n\n**${escapeMarkdown(state)}**\n`, max);
  const lines = rows.map(
    (r) =>
      `| ${escapeMarkdown(r.sddcManager)} | ${escapeMarkdown(r.domainName)} | ${escapeMarkdown(r.version ?? "")}${r.targetVersion && r.targetVersion !== r.version ? ` → ${escapeMarkdown(r.targetVersion)}` : ""} | ${STATUS_LABELS[r.status]}${r.stalled ? " ⚠️ stalled" : ""} | ${escapeMarkdown(r.step)} | ${r.progress} % | ${r.estimatedEnd ?? ""} |\n`,
  );
  const markdown =
    head +
    cappedTable(
      "Domains",
      "| SDDC Manager | Domain | Version | Status | Step | Progress | Estimated end |\n|---|---|---|---|---|---|---|\n",
      lines,
      max - byteLength(head),
    );
  return { rows, counts, state, markdown };
}
