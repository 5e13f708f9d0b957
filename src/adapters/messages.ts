// Builds the messages the nodes send. Phase nodes reuse the incoming msg (keeping _msgid and user properties).
import {
  describeUpgradeOptions,
  isTerminal,
  plural,
  renderMarkdown,
  renderPlanMarkdown,
  renderReportMarkdown,
  statusText,
  type DomainStatusView,
  type DomainUpdateInfo,
  type Phase,
  type UpgradeOptions,
  type UpgradePlan,
  type UpgradeRun,
  type WindowStatus,
  windowStatus,
  type RunReport,
} from "../engine";
import { escapeMarkdown } from "../engine/markdown";
import { capText, NAME_CAP } from "../vcf/text-cap";
import { t } from "./i18n";
import type { NodeMessage } from "./node-red-types";
import { statusLists, type StatusLists } from "./status-lists";

/** What travels between phase nodes in msg.vcf; the run itself stays in the store. */
export interface VcfMessageInfo {
  domainId: string;
  domainName: string;
  runId: string;
  sourceVersion: string;
  targetVersion: string;
  phase: Phase;
  status: string;
  step: string;
  progress: number;
  summary: PhaseSummary;
}

export type PhaseSummary =
  | { phase: "download"; bundles: Array<{ bundleId: string; description?: string; downloadStatus?: string }> }
  | { phase: "prechecks"; errors: number; warnings: number; findings: UpgradeRun["findings"] }
  | { phase: "acknowledgement"; acknowledged: boolean; rule?: string }
  | {
      phase: "upgrade";
      components: Array<{ componentType: string; bundleId: string; upgradeId: string; status?: string }>;
      /** The downtime options the run upgraded with ({}: SDDC Manager's defaults). */
      options: UpgradeOptions;
    };

export interface MarkdownLimit {
  /** Cap in UTF-8 bytes of msg.markdown, and of vcf-status's payload.markdown, payload.log and payload.findings each. */
  markdownMaxBytes?: number;
}

/** A node's markdown cap as saved by the editor (number or text); no cap of its own when empty or not positive. */
export function markdownLimit(def: { markdownMaxBytes?: number | string }): MarkdownLimit {
  const max = Number(def.markdownMaxBytes);
  return Number.isFinite(max) && max > 0 ? { markdownMaxBytes: max } : {};
}

/**
 * Adds msg.vcf, msg.payload (a readable sentence), msg.markdown and msg.topic (domain name) to `msg`; for the phase
 * that ended the run, also its report (msg.report, msg.reportMarkdown).
 */
export function phaseMessage(
  msg: NodeMessage,
  run: UpgradeRun,
  phase: Phase,
  limit: MarkdownLimit = {},
  report?: RunReport,
): NodeMessage {
  const summary = summarize(run, phase);
  const vcf: VcfMessageInfo = {
    domainId: run.domainId,
    domainName: run.domainName,
    runId: run.id,
    sourceVersion: run.sourceVersion,
    targetVersion: run.targetVersion,
    phase,
    status: run.status,
    step: run.step,
    progress: run.progress,
    summary,
  };
  msg.topic = run.domainName;
  msg.vcf = vcf;
  msg.payload = report && report.outcome !== "successfully_completed" ? endSentence(report) : sentence(run, summary);
  msg.markdown = renderMarkdown(run, markdownOptions(limit));
  if (report) {
    msg.report = report;
    msg.reportMarkdown = renderReportMarkdown(report, markdownOptions(limit));
  }
  return msg;
}

/** True for a message an earlier phase node sent with the report of run `runOf(id)`, which has ended. */
export function carriesEndedReport(msg: NodeMessage, hasEnded: (runId: string) => boolean): boolean {
  const report = msg.report;
  if (typeof report !== "object" || report === null) return false;
  const runId = (report as { runId?: unknown }).runId;
  const vcf = msg.vcf as { runId?: unknown } | undefined;
  return typeof runId === "string" && vcf?.runId === runId && hasEnded(runId);
}

function endSentence(report: RunReport): string {
  const params = {
    domain: report.domainName,
    target: report.targetVersion,
    phase: report.phases.find((p) => p.result === "failed")?.phase ?? "",
    reason: report.failureReason ?? "",
  };
  return t(report.outcome === "cancelled" ? "vcf-config.report.cancelled" : "vcf-config.report.failed", params);
}

/** The payload vcf-status sends for one domain (for dashboards and Home Assistant sensors). */
export interface DomainStatusPayload extends StatusLists {
  domainId: string;
  domainName: string;
  status: string;
  statusText: string;
  step: string;
  progress: number;
  markdown: string;
  runId?: string;
  sourceVersion?: string;
  targetVersion?: string;
  outcome?: string;
  failureReason?: string;
  updatedAt?: string;
  /** The active run's remote work has shown no progress since `stalledSince` (the stall warning setting). */
  stalled: boolean;
  stalledSince?: string;
  /** While waiting for acknowledgement: since when, and how often it was announced again (the reminder setting). */
  waitingSince?: string;
  ackReminders?: number;
  /** The downtime options the run upgrades with, once its upgrade phase has started ({}: SDDC Manager's defaults). */
  upgradeOptions?: UpgradeOptions;
  /** The domain's newest plan (vcf-plan) while no run has started since; payload.markdown is then the plan's page. */
  plan?: UpgradePlan;
  /** The run's maintenance window: the next opening, whether it is open, what the run waits for. */
  window?: WindowStatus;
  /** The API SDDC Manager speaks for the run ("5.2" or "9.0", re-read after its own upgrade) and its version. */
  apiGeneration?: string;
  sddcManagerVersion?: string;
  /** What the run's release needs upgraded outside this package first (e.g. VCF Operations). */
  outsideWork?: string[];
  /** The report of the domain's latest run once it has ended, and the report as markdown (capped like markdown). */
  report?: RunReport;
  reportMarkdown?: string;
}

/**
 * @param plan the domain's current plan, shown until a run starts
 * @param report the report of the domain's latest run, once it has ended
 */
export function statusMessage(
  listed: { id: string; name: string },
  view: DomainStatusView,
  limit: MarkdownLimit = {},
  plan?: UpgradePlan,
  report?: RunReport,
): NodeMessage {
  // the name may come straight from SDDC Manager's domain list
  const domain = { id: listed.id, name: capText(listed.name, NAME_CAP) };
  const run = view.run;
  const payload: DomainStatusPayload = {
    domainId: domain.id,
    domainName: domain.name,
    status: view.status,
    statusText: statusText(view, domain.name),
    step: view.step,
    progress: view.progress,
    markdown: plan
      ? renderPlanMarkdown(plan, markdownOptions(limit))
      : run
        ? renderMarkdown(run, markdownOptions(limit))
        : `**${escapeMarkdown(domain.name)}**: no upgrade has run yet.`,
    ...(run ? statusLists(run, limit.markdownMaxBytes) : { log: [], logOmitted: 0, findings: [], findingsOmitted: 0 }),
    stalled: run?.stalledSince !== undefined && !isTerminal(run.status),
  };
  if (run) {
    payload.runId = run.id;
    payload.sourceVersion = run.sourceVersion;
    payload.targetVersion = run.targetVersion;
    if (run.outcome) payload.outcome = run.outcome;
    if (run.failureReason) payload.failureReason = run.failureReason;
    payload.updatedAt = run.updatedAt;
    if (run.upgradeOptions) payload.upgradeOptions = run.upgradeOptions;
    if (run.api) payload.apiGeneration = run.api.generation;
    if (run.api?.sddcManagerVersion) payload.sddcManagerVersion = capText(run.api.sddcManagerVersion, NAME_CAP);
    if (run.outsideWork?.length) payload.outsideWork = [...run.outsideWork];
    if (payload.stalled) payload.stalledSince = run.stalledSince;
    if (run.status === "waiting_for_alert_acknowledgement" && run.waitingSince) {
      payload.waitingSince = run.waitingSince;
      payload.ackReminders = run.ackReminders ?? 0;
    }
    if (run.window) payload.window = windowStatus(run.window, Date.now(), !isTerminal(run.status));
  }
  if (plan) payload.plan = plan;
  if (report) {
    payload.report = report;
    payload.reportMarkdown = renderReportMarkdown(report, markdownOptions(limit));
  }
  return { topic: domain.name, payload };
}

/**
 * vcf-plan's output: the plan in msg.payload, its markdown page in msg.markdown, the domain in msg.domain (a download
 * node wired after it upgrades that domain) and msg.topic; the rest of `msg` is kept.
 */
export function planMessage(msg: NodeMessage, plan: UpgradePlan, limit: MarkdownLimit = {}): NodeMessage {
  return {
    ...msg,
    topic: plan.domainName,
    domain: plan.domainName,
    payload: plan,
    markdown: renderPlanMarkdown(plan, markdownOptions(limit)),
  };
}

/** One vcf-updates message per domain. */
export function updatesMessage(msg: NodeMessage, info: DomainUpdateInfo): NodeMessage {
  return { ...msg, topic: info.domainName, payload: info };
}

/** The named properties of `from`, in that order (absent ones as undefined). */
function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, from[key]])) as Pick<T, K>;
}

function summarize(run: UpgradeRun, phase: Phase): PhaseSummary {
  switch (phase) {
    case "download":
      return {
        phase,
        bundles: Object.values(run.remote.bundles).map((b) => pick(b, ["bundleId", "description", "downloadStatus"])),
      };
    case "prechecks": {
      const errors = run.findingCounts?.errors ?? run.findings.filter((f) => f.severity === "ERROR").length;
      const warnings = run.findingCounts?.warnings ?? run.findings.filter((f) => f.severity === "WARNING").length;
      return { phase, errors, warnings, findings: run.findings };
    }
    case "acknowledgement":
      return { phase, acknowledged: run.acknowledged, rule: run.acknowledgementRule };
    case "upgrade":
      return {
        phase,
        components: Object.values(run.remote.upgrades).map((u) =>
          pick(u, ["componentType", "bundleId", "upgradeId", "status"]),
        ),
        options: run.upgradeOptions ?? {},
      };
  }
}

function sentence(run: UpgradeRun, summary: PhaseSummary): string {
  const domain = run.domainName;
  switch (summary.phase) {
    case "download":
      return `${domain}: ${plural(summary.bundles.length, "bundle")} for VCF ${run.targetVersion} downloaded`;
    case "prechecks":
      return `${domain}: prechecks for VCF ${run.targetVersion} done with ${plural(summary.errors, "error")} and ${plural(summary.warnings, "warning")}`;
    case "acknowledgement":
      return `${domain}: acknowledgement gate passed${summary.rule ? ` (${summary.rule})` : ""}`;
    case "upgrade":
      return `${domain}: upgraded from VCF ${run.sourceVersion} to ${run.targetVersion} (${plural(summary.components.length, "component")}; upgrade options: ${describeUpgradeOptions(summary.options)})`;
  }
}

function markdownOptions(limit: MarkdownLimit): { maxBytes?: number } {
  return limit.markdownMaxBytes ? { maxBytes: limit.markdownMaxBytes } : {};
}
