// Duration estimates: the settings' defaults (UPGRADE-API.md §11) until this config node's own runs have measured
// the component; ESXi scales with the hosts remediated.
import type { ComponentKind } from "../steps/upgrade-specs";
import type { EngineSettings, UpgradeRun } from "../types";
import type { DurationEstimate } from "./types";

export interface Measurement {
  runId: string;
  kind: string;
  ms: number;
  hosts?: number;
  /** When the measured upgrade ended (a report's estimate counts only what was measured before its component). */
  finishedAt: string;
}

/** The component durations the runs measured: upgrades they started themselves and saw complete. */
export function measurements(runs: readonly UpgradeRun[]): Measurement[] {
  return runs.flatMap((run) =>
    Object.values(run.remote.upgrades).flatMap((u) => {
      if (!u.timed || !u.finishedAt) return [];
      const ms = Date.parse(u.finishedAt) - Date.parse(u.startedAt);
      if (!Number.isFinite(ms) || ms < 0) return [];
      return [
        { runId: run.id, kind: u.componentType, ms, finishedAt: u.finishedAt, ...(u.hosts ? { hosts: u.hosts } : {}) },
      ];
    }),
  );
}

type EstimateSetting = "estimateSddcManagerMs" | "estimateNsxMs" | "estimateVcenterMs";
const DEFAULT_MS: Readonly<Record<Exclude<ComponentKind, "ESX_HOST">, EstimateSetting>> = {
  SDDC_MANAGER: "estimateSddcManagerMs",
  NSX_T_MANAGER: "estimateNsxMs",
  VCENTER: "estimateVcenterMs",
};

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function measured(ms: number, from: readonly Measurement[]): DurationEstimate {
  return { ms: Math.round(ms), source: "measured", runs: new Set(from.map((m) => m.runId)).size };
}

/**
 * ESXi for `hosts` hosts: the mean of earlier upgrades of the same host count where there are some, else the mean
 * time per host of every measured ESXi upgrade times `hosts`, else the default per host.
 */
function esxEstimate(hosts: number, all: readonly Measurement[], settings: EngineSettings): DurationEstimate {
  const counted = all.filter((m) => m.kind === "ESX_HOST" && m.hosts);
  const same = counted.filter((m) => m.hosts === hosts);
  if (same.length > 0) return measured(mean(same.map((m) => m.ms)), same);
  if (counted.length > 0) {
    const perHost = counted.reduce((a, m) => a + m.ms, 0) / counted.reduce((a, m) => a + (m.hosts ?? 0), 0);
    return measured(perHost * hosts, counted);
  }
  return { ms: settings.estimateEsxHostMs * hosts, source: "default" };
}

/** The estimate for one planned component; `hosts`: the ESXi cluster's host count (1 when unknown). */
export function estimateFor(
  kind: ComponentKind,
  hosts: number | undefined,
  all: readonly Measurement[],
  settings: EngineSettings,
): DurationEstimate {
  if (kind === "ESX_HOST") return esxEstimate(Math.max(1, hosts ?? 1), all, settings);
  const mine = all.filter((m) => m.kind === kind);
  if (mine.length > 0) return measured(mean(mine.map((m) => m.ms)), mine);
  return { ms: settings[DEFAULT_MS[kind]], source: "default" };
}
