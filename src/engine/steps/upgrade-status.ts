// Reading an Upgrade's status and explaining its failure.
import type { Task, Upgrade } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { engineText, englishText, type EngineText } from "../catalog";
import { EngineError, fixOr } from "../errors";
import { describeApiErrors } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { UpgradeRecord } from "../types";
import { collectTaskErrors } from "./task-errors";
import { KIND_LABELS, type ComponentKind } from "./upgrade-specs";

const SUCCEEDED = new Set(["COMPLETED_WITH_SUCCESS", "SUCCESSFUL", "COMPLETED"]);
const FAILED = new Set(["COMPLETED_WITH_FAILURE", "FAILED", "CANCELLED", "CANCELED", "SKIPPED"]);

export function upgradeSucceeded(u: Pick<Upgrade, "status">): boolean {
  return SUCCEEDED.has(normalizeStatus(u.status));
}

export function upgradeFailed(u: Pick<Upgrade, "status">): boolean {
  return FAILED.has(normalizeStatus(u.status));
}

export function upgradeEnded(u: Pick<Upgrade, "status">): boolean {
  return upgradeSucceeded(u) || upgradeFailed(u);
}

/** The component's name, e.g. "NSX". */
export function componentName(record: Pick<UpgradeRecord, "componentType">): string {
  return KIND_LABELS[record.componentType as ComponentKind] ?? record.componentType;
}

/** The component and its bundle, e.g. "NSX (bundle 0b3e…)". */
export function labelText(record: Pick<UpgradeRecord, "componentType" | "bundleId">): EngineText {
  return engineText("componentBundle", { component: componentName(record), bundleId: record.bundleId });
}

export function label(record: Pick<UpgradeRecord, "componentType" | "bundleId">): string {
  return englishText(labelText(record));
}

/**
 * The failure of an upgrade, with the task's messages and remediation when SDDC Manager gives them (`known`: the
 * task as read after the upgrade ended, else it is read here).
 */
export async function failureOf(
  ctx: PhaseContext,
  record: UpgradeRecord,
  upgrade: Upgrade,
  known?: Task,
): Promise<EngineError> {
  const status = normalizeStatus(upgrade.status);
  let detail: { message: string; remediation?: string } = { message: `status ${status}` };
  const task = known ?? (await ctx.client.getTask(upgrade.taskId || upgrade.id, ctx.opts).catch(() => undefined));
  if (task) detail = describeApiErrors(collectTaskErrors(task), detail.message);
  return new EngineError(
    "REMOTE_FAILURE",
    engineText("upgradeFailed", { what: labelText(record), error: detail.message }),
    {
      fix: fixOr(detail.remediation, engineText("upgradeFailedFix")),
    },
  );
}
