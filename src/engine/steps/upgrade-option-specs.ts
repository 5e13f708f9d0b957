// The run's upgrade options (upgrade-options.ts) as the UpgradeSpec fields of the 5.2.1 spec: only what was chosen.
import type {
  EsxUpgradeOptionsSpec,
  NsxtUpgradeUserInputSpec,
  ResourceUpgradeSpec,
  VcenterUpgradeUserInputSpec,
} from "../../vcf/types";
import { engineText } from "../catalog";
import { EngineError } from "../errors";
import type { PhaseContext } from "../run-handle";
import { nextOpening } from "../windows/openings";
import {
  RETRY_COUNT,
  RETRY_DELAY_SECONDS,
  type EsxOptions,
  type MaintenanceModeFailure,
  type NsxOptions,
  type Order,
  type VcenterOptions,
} from "../upgrade-options";

/**
 * esxUpgradeFailureAction. The spec's schema requires retryCount and retryDelay with either action, while its field
 * notes say they apply to RETRY only: with FAIL they carry the lowest values allowed (inferred: ignored with FAIL).
 */
function failureAction(failure: MaintenanceModeFailure): EsxUpgradeOptionsSpec["esxUpgradeFailureAction"] {
  if (failure.action === "RETRY") return { ...failure };
  return { action: "FAIL", retryCount: RETRY_COUNT.min, retryDelay: RETRY_DELAY_SECONDS.min };
}

/** esxUpgradeOptionsSpec (which the spec applies to image-based clusters); undefined when nothing was chosen. */
function esxOptionsSpec(options: EsxOptions): EsxUpgradeOptionsSpec | undefined {
  const spec: EsxUpgradeOptionsSpec = {};
  if (options.quickBoot !== undefined) spec.enableQuickboot = options.quickBoot;
  if (options.quickPatch !== undefined) spec.enableQuickPatch = options.quickPatch;
  if (options.evacuateOfflineVms !== undefined) spec.evacuateOfflineVms = options.evacuateOfflineVms;
  if (options.enforceHclValidation !== undefined) spec.enforceHclValidation = options.enforceHclValidation;
  const failure = options.maintenanceModeFailure;
  if (failure) spec.esxUpgradeFailureAction = failureAction(failure);
  return Object.keys(spec).length > 0 ? spec : undefined;
}

/**
 * One cluster's entry. Image-based: every option in esxUpgradeOptionsSpec. Baseline: quick boot and evacuation in the
 * ResourceUpgradeSpec flags of their own (the spec's baseline fields); the image-only options are logged as not sent.
 */
export async function esxClusterEntry(
  ctx: PhaseContext,
  entry: ResourceUpgradeSpec,
  imageBased: boolean,
  name: string | undefined,
): Promise<ResourceUpgradeSpec> {
  const options = ctx.run.upgradeOptions?.esx ?? {};
  if (imageBased) {
    const spec = esxOptionsSpec(options);
    return spec ? { ...entry, esxUpgradeOptionsSpec: spec } : entry;
  }
  const result: ResourceUpgradeSpec = { ...entry };
  if (options.quickBoot !== undefined) result.enableQuickboot = options.quickBoot;
  if (options.evacuateOfflineVms !== undefined) result.evacuateOfflineVms = options.evacuateOfflineVms;
  const imageOnly = [
    options.quickPatch !== undefined ? "quick patch" : "",
    options.enforceHclValidation !== undefined ? "HCL validation" : "",
    options.maintenanceModeFailure ? "the maintenance-mode failure action" : "",
  ].filter((o) => o !== "");
  if (imageOnly.length > 0)
    await ctx.handle.log(
      "warning",
      `Cluster ${name ?? entry.resourceId} is managed with baselines: ${imageOnly.join(", ")} apply to image-based clusters only and are not sent for it`,
    );
  return result;
}

/** The domain-wide entry (SDDC Manager listed no clusters): every option chosen goes with it, SDDC Manager applies what fits. */
export function esxDomainEntry(entry: ResourceUpgradeSpec, options: EsxOptions): ResourceUpgradeSpec {
  const spec = esxOptionsSpec(options);
  return spec ? { ...entry, esxUpgradeOptionsSpec: spec } : entry;
}

/**
 * parallelUpgrade for a cluster request: the order chosen, else true when image-based and baseline clusters share
 * the request (the spec allows that only in parallel), else not sent. One at a time with mixed clusters is refused.
 */
export function esxParallel(order: Order | undefined, mixed: boolean): boolean | undefined {
  if (order === "sequential" && mixed)
    throw new EngineError("BAD_INPUT", engineText("esxSequentialMixed"), {
      field: "upgradeOptions.esx.clusters",
      fix: engineText("esxSequentialMixedFix"),
    });
  if (order) return order === "parallel";
  return mixed ? true : undefined;
}

/** nsxtUpgradeOptions with the orders chosen; undefined when none was. */
export function nsxOptions(options: NsxOptions | undefined): NsxtUpgradeUserInputSpec["nsxtUpgradeOptions"] {
  if (!options?.hostClusters && !options?.edgeClusters) return undefined;
  return {
    ...(options.hostClusters ? { isHostClustersUpgradeParallel: options.hostClusters === "parallel" } : {}),
    ...(options.edgeClusters ? { isEdgeClustersUpgradeParallel: options.edgeClusters === "parallel" } : {}),
  };
}

/** vcenterUpgradeUserInputSpecs' entry for the mechanism chosen; undefined when none was (the minimal body). */
export async function vcenterInput(
  ctx: PhaseContext,
  options: VcenterOptions | undefined,
): Promise<VcenterUpgradeUserInputSpec | undefined> {
  if (!options?.mechanism) return undefined;
  const domain = await ctx.once("domain", () => ctx.client.getDomain(ctx.run.domainId, ctx.opts));
  const vcenterId = domain.vcenters?.[0]?.id;
  if (!vcenterId)
    throw new EngineError("REMOTE_FAILURE", engineText("noVcenterId", { domain: ctx.run.domainName }), {
      fix: engineText("noVcenterIdFix"),
    });
  const network = options.temporaryNetwork;
  const input: VcenterUpgradeUserInputSpec = {
    resourceId: vcenterId,
    upgradeMechanism: options.mechanism,
    // The spec requires temporaryNetwork whenever this object is sent; an in-place upgrade deploys no second
    // appliance, so it gets the mode that asks for no address (inferred: the spec says nothing about InPlace).
    temporaryNetwork:
      network?.mode === "STATIC"
        ? {
            networkMode: "STATIC",
            ipAddress: network.ipAddress,
            subnetMask: network.subnetMask,
            gateway: network.gateway,
          }
        : { networkMode: "AUTOMATIC" },
  };
  if (options.switchover?.when === "at") input.startSwitchoverTimestamp = options.switchover.at;
  if (options.switchover?.when === "window") {
    // At the start of the next window; with the window open now: as soon as ready (nothing sent).
    const now = ctx.handle.now();
    const opening = nextOpening(ctx.run.window?.windows ?? [], now);
    if (opening && opening.startMs > now) input.startSwitchoverTimestamp = new Date(opening.startMs).toISOString();
    await ctx.handle.log(
      "info",
      `vCenter switchover: ${input.startSwitchoverTimestamp ?? "as soon as ready (the maintenance window is open)"}`,
    );
  }
  return input;
}
