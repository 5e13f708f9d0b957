// Which API SDDC Manager speaks (5.2 or 9.0), read from its version: at a run's start and a plan's, and again once
// SDDC Manager's own upgrade has ended (a 5.2 -> 9.0 run crosses there, UPGRADE-API.md §15). The run keeps it, so
// its phases, a restart, the log and vcf-status all know it.
import type { VcfClient } from "../vcf/client";
import { identityOf, type ApiIdentity } from "../vcf/generation";
import type { SddcManager } from "../vcf/types";
import type { PhaseContext } from "./run-handle";
import { sharedRead } from "./shared-reads";

/** The shared-read key of GET /v1/sddc-managers: the readiness checks read the same list (see readiness/checks.ts). */
export const SDDC_MANAGERS_READ = "sddc-managers";

/**
 * GET /v1/sddc-managers, read as the API generation; a read another start made at most `shareMs` ago serves, and
 * this read serves the readiness checks that follow.
 */
export async function readApiIdentity(client: VcfClient, signal?: AbortSignal, shareMs = 0): Promise<ApiIdentity> {
  return identityOf(
    await sharedRead(client, SDDC_MANAGERS_READ, () => client.getSddcManagers(), { maxAgeMs: shareMs, signal }),
  );
}

/** The log line: "SDDC Manager 9.0.0.0-24703748 speaks the 9.0 API". */
export function describeApi(identity: ApiIdentity): string {
  const version = identity.sddcManagerVersion ?? "(version not reported; taken as 5.2)";
  return `SDDC Manager ${version} speaks the ${identity.generation} API`;
}

/**
 * Records what SDDC Manager speaks after its own upgrade (from the list `managers` just read); logs when the API
 * generation changed, e.g. "from now on" after a 5.2 -> 9.0 upgrade of SDDC Manager.
 */
export async function noteApiAfterUpgrade(ctx: PhaseContext, managers: readonly SddcManager[]): Promise<void> {
  const identity = identityOf(managers);
  const before = ctx.run.api?.generation;
  await ctx.handle.update((r) => {
    r.api = identity;
  });
  if (before !== identity.generation)
    await ctx.handle.log("info", `${describeApi(identity)} from now on (it spoke the ${before ?? "5.2"} API before)`);
}
