// The plan as a markdown page for the change record, dashboards and Home Assistant: header, components, downloads,
// findings, notes; within a byte cap (the tables lose rows, counted, before the cap would cut text).
import { DEFAULT_SETTINGS, type ReadinessCheck } from "../types";
import { CHECK_NAMES } from "../readiness/checks";
import { plural } from "../plural";
import { ICONS, escapeMarkdown, renderFindings } from "../markdown";
import { byteLength, truncateBytes } from "../utf8-bytes";
import type { DurationEstimate, PlanComponent, UpgradePlan } from "./types";

/** "2 h 5 min", "40 min", "under 1 min". */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "under 1 min";
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** "1 h (default)", "40 min (measured in 2 earlier runs)". */
export function estimateCell(e: DurationEstimate): string {
  const source =
    e.source === "default" ? "default" : `measured in ${e.runs ?? 0} earlier run${e.runs === 1 ? "" : "s"}`;
  return `${formatDuration(e.ms)} (${source})`;
}

function scopeCell(c: PlanComponent): string {
  if (c.cluster) {
    const hosts = c.cluster.hosts ? `${plural(c.cluster.hosts, "host")}, ` : "";
    const image = c.cluster.image ? `image ${c.cluster.image.name ?? c.cluster.image.id}` : "baseline";
    return `${hosts}${image}`;
  }
  if (c.nsx) {
    const parts = [
      c.nsx.hostClusters.length > 0 ? `host clusters ${c.nsx.hostClusters.join(", ")}` : "",
      c.nsx.edgeClusters.length > 0 ? plural(c.nsx.edgeClusters.length, "edge cluster") : "",
    ].filter(Boolean);
    return parts.length > 0 ? `${parts.join("; ")}, then the managers` : "managers";
  }
  return c.kind === "ESX_HOST" ? "every host of the domain" : "";
}

function componentRow(c: PlanComponent, i: number): string {
  const cells = [
    String(i + 1),
    c.name,
    c.fromVersion ?? "",
    c.toVersion ?? "",
    c.bundle.description ?? c.bundle.bundleId,
    scopeCell(c),
    estimateCell(c.estimate),
  ];
  return `| ${cells.map(escapeMarkdown).join(" | ")} |\n`;
}

function checkNames(checks: readonly ReadinessCheck[]): string {
  return checks.map((c) => CHECK_NAMES[c]).join(", ");
}

function header(plan: UpgradePlan): string {
  const mb = plan.downloads.totalMB;
  const lines = [
    `## VCF upgrade plan: ${escapeMarkdown(plan.domainName)}`,
    "",
    `**Versions:** ${escapeMarkdown(plan.sourceVersion)} → ${escapeMarkdown(plan.targetVersion)} (${escapeMarkdown(plan.targetReason)})  `,
    `**Components:** ${plan.components.length} · **Estimate:** ${formatDuration(plan.estimate.totalMs)} ` +
      `(${plan.estimate.measured} measured, ${plan.estimate.defaults} default)  `,
    `**Downloads still needed:** ${plan.downloads.needed}${mb > 0 ? ` (${(mb / 1024).toFixed(1)} GB)` : ""}  `,
    `**Readiness checks:** ${checkNames(plan.readiness.ran) || "none"}${plan.readiness.off.length > 0 ? ` · off: ${checkNames(plan.readiness.off)}` : ""}  `,
    ...(plan.outsideWork.length > 0
      ? [`**First, outside this package:** ${escapeMarkdown(plan.outsideWork.join("; "))}  `]
      : []),
    `**Made:** ${plan.createdAt}${plan.precheckRunId ? ` · **Precheck run:** ${escapeMarkdown(plan.precheckRunId)}` : ""}  `,
  ];
  return lines.join("\n") + "\n";
}

/** A table with as many rows as fit in `budget` bytes, and a line counting the rest (also the fleet's and the report's tables). */
export function cappedTable(title: string, head: string, rows: string[], budget: number): string {
  if (rows.length === 0) return "";
  let out = `\n### ${title}\n\n${head}`;
  let shown = 0;
  for (const row of rows) {
    if (byteLength(out + row) + 80 > budget) break;
    out += row;
    shown += 1;
  }
  if (shown < rows.length) out += `\n_${rows.length - shown} more row(s) not shown._\n`;
  return out;
}

export function renderPlanMarkdown(plan: UpgradePlan, options: { maxBytes?: number } = {}): string {
  const max = Math.max(256, options.maxBytes ?? DEFAULT_SETTINGS.logMaxBytes);
  let out = truncateBytes(header(plan), max);
  const left = (): number => max - byteLength(out);
  out += cappedTable(
    "Components, in SDDC Manager's order",
    "| # | Component | From | To | Bundle | Scope | Estimate |\n|---|---|---|---|---|---|---|\n",
    plan.components.map(componentRow),
    left(),
  );
  if (plan.components.length === 0) out += "\n_Nothing to upgrade in this domain._\n";
  out += cappedTable(
    "Bundles",
    "| Bundle | Size | Download |\n|---|---|---|\n",
    plan.bundles.map(
      (b) =>
        `| ${escapeMarkdown(b.description ?? b.bundleId)} | ${b.sizeMB !== undefined ? `${b.sizeMB} MB` : ""} | ${escapeMarkdown(b.downloadStatus)} |\n`,
    ),
    left(),
  );
  out += renderFindings(plan.findings, left(), "Findings");
  out += cappedTable(
    "Notes",
    "",
    plan.notes.map((n) => `- ${ICONS[n.level]} ${escapeMarkdown(n.text)}\n`),
    left(),
  );
  return out;
}
