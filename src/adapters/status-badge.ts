// Node status badges: colour and shape by state, short text (Node-RED shows it under the node).
import {
  formatDuration,
  isTerminal,
  type Phase,
  type UpgradePlan,
  type UpgradeRun,
  type UpgradeStatus,
} from "../engine";
import { shortText, statusHeadline } from "./errors";
import { t } from "./i18n";
import type { NodeStatus } from "./node-red-types";

type Look = Pick<NodeStatus, "fill" | "shape">;

const RUNNING: Look = { fill: "blue", shape: "ring" };
const LOOKS: Record<UpgradeStatus, Look> = {
  waiting_for_initiation: { fill: "grey", shape: "dot" },
  update_process_started: RUNNING,
  downloading_bundles: RUNNING,
  setting_new_vcf_version_target: RUNNING,
  initializing_prechecks: RUNNING,
  running_prechecks: RUNNING,
  evaluating_prechecks: RUNNING,
  prechecks_done: RUNNING,
  waiting_for_alert_acknowledgement: { fill: "yellow", shape: "ring" },
  alerts_were_acknowledged: RUNNING,
  starting_upgrades: RUNNING,
  successfully_completed: { fill: "green", shape: "dot" },
  failed: { fill: "red", shape: "ring" },
};

const BADGE_MAX = 80;

/** The node whose output label says what a phase has done ("bundles downloaded"). */
const PHASE_NODE: Record<Phase, string> = {
  download: "vcf-download-bundles",
  prechecks: "vcf-prechecks",
  acknowledgement: "vcf-await-ack",
  upgrade: "vcf-upgrade",
};

type DomainState = Pick<UpgradeRun, "domainName" | "status" | "step" | "progress">;

/**
 * The badge of a run while a node works on it: its status in the user's language, its progress, and the engine's
 * step (a line of the run's record, in English like the log). The catalog decides whether the step is shown: the
 * English badge has it, other languages leave it out rather than mix two languages in one line.
 */
export function runBadge(run: DomainState): NodeStatus {
  const text = t("vcf-config.status.run", {
    domain: run.domainName,
    status: t(`vcf-config.runStatus.${run.status}`),
    progress: run.progress,
    step: run.step,
  });
  return { ...LOOKS[run.status], text: shortText(text, BADGE_MAX) };
}

/** Failed first, then waiting for acknowledgement, then running; finished and idle domains last. */
function attentionRank(status: UpgradeStatus): number {
  if (status === "failed") return 0;
  if (status === "waiting_for_alert_acknowledgement") return 1;
  return isTerminal(status) ? 3 : 2;
}

/**
 * The badge of several domains: the one that most needs attention (the first of equals), with the count when
 * there is more than one, e.g. "2 domains; lab-m01: Waiting for alert acknowledgement …".
 */
export function domainsBadge(domains: readonly DomainState[]): NodeStatus {
  const first = domains.reduce<DomainState | undefined>(
    (best, d) => (!best || attentionRank(d.status) < attentionRank(best.status) ? d : best),
    undefined,
  );
  if (!first) return idleBadge(t("vcf-config.status.noDomains"));
  const badge = runBadge(first);
  return domains.length === 1
    ? badge
    : {
        ...badge,
        text: shortText(t("vcf-config.status.domains", { count: domains.length, first: badge.text ?? "" }), BADGE_MAX),
      };
}

/** The badge once a phase node has finished its part of the run. */
export function phaseDoneBadge(run: Pick<UpgradeRun, "domainName">, phase: Phase): NodeStatus {
  const done = t(`${PHASE_NODE[phase]}.outputLabel`);
  return {
    fill: "green",
    shape: "dot",
    text: shortText(t("vcf-config.status.phaseDone", { domain: run.domainName, done })),
  };
}

/** The badge of a failure: an error, or its readable sentence. */
export function errorBadge(err: unknown): NodeStatus {
  return { fill: "red", shape: "ring", text: shortText(statusHeadline(err)) };
}

/** Done, but not everything went through (the details went to Catch). */
export function warningBadge(text: string): NodeStatus {
  return { fill: "yellow", shape: "ring", text: shortText(text) };
}

/** While vcf-plan computes a domain's plan. */
export function planningBadge(domain: string): NodeStatus {
  return { ...RUNNING, text: shortText(t("vcf-plan.status.planning", { domain }), BADGE_MAX) };
}

/**
 * A finished plan, e.g. "lab-m01: 4 components, about 5 h 10 min, 2 warnings": green without findings, yellow with
 * (the plan itself succeeded; its findings are what to look at).
 */
export function planBadge(plan: UpgradePlan): NodeStatus {
  const errors = plan.findings.filter((f) => f.severity === "ERROR").length;
  const warnings = plan.findings.length - errors;
  const findings = [
    errors > 0 ? t("vcf-plan.status.errors", { count: errors }) : "",
    warnings > 0 ? t("vcf-plan.status.warnings", { count: warnings }) : "",
  ].filter(Boolean);
  const text = t("vcf-plan.status.done", {
    domain: plan.domainName,
    components: t("vcf-plan.status.components", { count: plan.components.length }),
    duration: formatDuration(plan.estimate.totalMs),
    findings: findings.length > 0 ? findings.join(", ") : t("vcf-plan.status.noFindings"),
  });
  return {
    fill: findings.length > 0 ? "yellow" : "green",
    shape: findings.length > 0 ? "ring" : "dot",
    text: shortText(text, BADGE_MAX),
  };
}

export function idleBadge(text: string): NodeStatus {
  return { fill: "grey", shape: "dot", text: shortText(text) };
}
