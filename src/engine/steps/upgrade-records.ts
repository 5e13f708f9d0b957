// The domain's upgrades of a bundle in SDDC Manager, and recording one of them as this run's.
import type { Upgrade } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import type { PhaseContext } from "../run-handle";
import type { UpgradeRecord } from "../types";
import type { DomainScope } from "./upgradables";

/** This domain's upgrades of a bundle (bundles are shared between domains), any status. */
export async function upgradesOf(
  ctx: PhaseContext,
  scope: DomainScope,
  bundleId: string,
  signal = ctx.signal,
): Promise<Upgrade[]> {
  return (await ctx.client.listUpgrades({ bundleId }, { signal })).filter(
    (u) => u.bundleId === bundleId && (u.resourceUpgradeSpecs ?? []).some((r) => scope.resourceIds.has(r.resourceId)),
  );
}

/**
 * Records the upgrade as this run's (settling a pending upgrade or retry request) and returns its record (the existing
 * one when already recorded). `timing`: set when this run's own request started it now (see UpgradeRecord.timed).
 */
export async function adopt(
  ctx: PhaseContext,
  upgradeId: string,
  bundleId: string,
  kind: string,
  status: string | undefined,
  timing: Pick<UpgradeRecord, "timed" | "hosts" | "scheduledFor" | "windowEnd"> = {},
): Promise<UpgradeRecord> {
  const known = ctx.run.remote.upgrades[upgradeId];
  if (known) return known;
  const record: UpgradeRecord = {
    bundleId,
    upgradeId,
    componentType: kind,
    status: normalizeStatus(status),
    startedAt: new Date().toISOString(),
    ...timing,
  };
  await ctx.handle.update((r) => {
    r.remote.upgrades[upgradeId] = record;
    delete r.remote.upgradeRequest;
    delete r.remote.retryRequest;
  });
  return record;
}
