// The components a run would upgrade, in SDDC Manager's order, with the bodies the run would send: the plan calls
// the run's own spec builder (buildUpgradeSpec), so what it shows is what the run then requests.
import type { Bundle, UpgradeSpec } from "../../vcf/types";
import { capText, NAME_CAP } from "../../vcf/text-cap";
import { asEngineError, isAbort } from "../errors";
import { isManagementDomain } from "../management-first";
import type { PhaseContext } from "../run-handle";
import type { Finding } from "../types";
import { componentsToUpdate } from "../steps/bundle-choice";
import { domainScope, type DomainScope } from "../steps/upgradables";
import {
  BOM_NAMES,
  KIND_LABELS,
  buildUpgradeSpec,
  classifyComponents,
  kindOfType,
  type ComponentKind,
} from "../steps/upgrade-specs";
import type { PlanBundle, PlanComponent } from "./types";

/** SDDC Manager offers the components in this order (UPGRADE-API.md §6.1). */
const ORDER: readonly ComponentKind[] = ["SDDC_MANAGER", "NSX_T_MANAGER", "VCENTER", "ESX_HOST"];

/** A component without its estimate (added once every component is known). */
export type PlannedStep = Omit<PlanComponent, "estimate">;

export interface PlannedComponents {
  steps: PlannedStep[];
  /** What kept a component from being planned (the run would stop there too). */
  problems: Finding[];
}

export function planBundle(b: Bundle): PlanBundle {
  return {
    bundleId: b.id,
    ...(b.description ? { description: capText(b.description, NAME_CAP) } : {}),
    ...(typeof b.sizeMB === "number" && Number.isFinite(b.sizeMB) ? { sizeMB: b.sizeMB } : {}),
    downloadStatus: capText(b.downloadStatus ?? "", NAME_CAP),
  };
}

function versionsOf(bundle: Bundle, kind: ComponentKind): { fromVersion?: string; toVersion?: string } {
  const c = bundle.components?.find((x) => kindOfType(x.type) === kind);
  return {
    ...(c?.fromVersion ? { fromVersion: capText(c.fromVersion, NAME_CAP) } : {}),
    ...(c?.toVersion ? { toVersion: capText(c.toVersion, NAME_CAP) } : {}),
  };
}

/** ESXi: one step per cluster of the spec (the whole domain when the spec names none). */
function esxSteps(base: PlannedStep, spec: UpgradeSpec, scope: DomainScope, hosts: Map<string, number>): PlannedStep[] {
  if (spec.resourceType !== "CLUSTER") return [{ ...base, name: KIND_LABELS.ESX_HOST }];
  return spec.resourceUpgradeSpecs.map((r) => {
    const name = scope.clusterNames.get(r.resourceId);
    const count = hosts.get(r.resourceId);
    const image = r.personalitySpec?.personalityId;
    return {
      ...base,
      name: `${KIND_LABELS.ESX_HOST} ${name ?? r.resourceId}`,
      cluster: {
        id: r.resourceId,
        ...(name ? { name } : {}),
        ...(count ? { hosts: count } : {}),
        ...(image ? { image: { id: image } } : { baseline: true as const }),
      },
    };
  });
}

function nsxParts(spec: UpgradeSpec, scope: DomainScope): PlannedStep["nsx"] {
  const input = spec.nsxtUpgradeUserInputSpecs?.[0];
  if (!input) return undefined;
  return {
    hostClusters: (input.nsxtHostClusterUpgradeSpecs ?? []).map(
      (c) => scope.clusterNames.get(c.hostClusterId) ?? c.hostClusterId,
    ),
    edgeClusters: (input.nsxtEdgeClusterUpgradeSpecs ?? []).map((c) => c.edgeClusterId),
  };
}

/** Why a bundle is not a step of this domain's upgrade, or undefined when it is one. */
async function notThisDomains(
  ctx: PhaseContext,
  kind: ComponentKind,
  changing: ReadonlySet<string>,
  managementDomain: boolean,
): Promise<string | undefined> {
  if (kind === "SDDC_MANAGER" && !managementDomain)
    return `SDDC Manager is upgraded with the management domain, not with ${ctx.run.domainName}`;
  if ((kind === "SDDC_MANAGER" || kind === "VCENTER") && !changing.has(BOM_NAMES[kind]))
    return `${KIND_LABELS[kind]} already runs ${ctx.run.targetVersion}'s version`;
  return undefined;
}

function problem(component: string, err: unknown): Finding {
  const e = asEngineError(err);
  return {
    name: "Upgrade plan",
    severity: "ERROR",
    resource: component,
    description: e.message,
    ...(e.fix ? { remediation: e.fix } : {}),
    code: e.code,
    source: "plan",
  };
}

/**
 * The steps for the release's bundles (`bundles`, read by the caller): each classified as the run classifies it,
 * skipped where the run would find nothing to do, and scoped by the body the run would send.
 */
export async function planComponents(
  ctx: PhaseContext,
  bundles: readonly Bundle[],
  hosts: Map<string, number>,
  domainType: string | undefined,
): Promise<PlannedComponents> {
  const scope: DomainScope = await domainScope(ctx);
  const changing = new Set((await componentsToUpdate(ctx)).map((c) => c.name));
  const steps: PlannedStep[] = [];
  const problems: Finding[] = [];
  for (const bundle of bundles) {
    try {
      const kind = classifyComponents(
        bundle.id,
        (bundle.components ?? []).map((c) => c.type),
      );
      const skip = await notThisDomains(ctx, kind, changing, isManagementDomain({ type: domainType }));
      if (skip) {
        await ctx.handle.log("info", skip);
        continue;
      }
      const spec = await buildUpgradeSpec(ctx, kind, bundle, scope);
      if (!spec) continue;
      const base: PlannedStep = {
        kind,
        name: KIND_LABELS[kind],
        ...versionsOf(bundle, kind),
        bundle: planBundle(bundle),
      };
      if (kind === "ESX_HOST") steps.push(...esxSteps(base, spec, scope, hosts));
      else {
        const nsx = kind === "NSX_T_MANAGER" ? nsxParts(spec, scope) : undefined;
        steps.push(nsx ? { ...base, nsx } : base);
      }
    } catch (err) {
      if (isAbort(err, ctx.signal)) throw err;
      problems.push(problem(planBundle(bundle).description ?? bundle.id, err));
    }
  }
  steps.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind));
  return { steps, problems };
}
