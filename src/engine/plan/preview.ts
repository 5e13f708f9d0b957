// 9.0 only: SDDC Manager previews what an upgrade of a bundle would touch (GET /v1/upgrades/preview, UPGRADE-API.md
// §15). The plan shows it beside its own steps, one note per bundle; a preview that fails is a note, not a failure.
import { speaks90 } from "../../vcf/generation";
import { normalizeStatus } from "../../vcf/status";
import { capText, LINE_CAP } from "../../vcf/text-cap";
import { errorText, isAbort } from "../errors";
import type { PhaseContext } from "../run-handle";
import type { PlannedStep } from "./components";

/** Resources named in one note at most; the rest are counted. */
const MAX_NAMED = 10;

/** Logs, on the plan's draft, SDDC Manager's preview of each planned bundle (nothing when it speaks 5.2). */
export async function notePreviews(ctx: PhaseContext, steps: readonly PlannedStep[]): Promise<void> {
  if (!speaks90(ctx.run.api)) return;
  // one preview per bundle (the ESXi steps of all clusters share one)
  const bundles = new Map(steps.map((s) => [s.bundle.bundleId, s.bundle.description ?? s.bundle.bundleId]));
  for (const [bundleId, bundle] of bundles) {
    try {
      const preview = await ctx.client.getUpgradePreview(bundleId, ctx.run.domainId, ctx.opts);
      const items = preview.upgradeItems ?? [];
      const named = items
        .slice(0, MAX_NAMED)
        .map((i) => `${i.resourceId} (${normalizeStatus(i.upgradeEligibility?.status) || "eligibility unknown"})`);
      const more = items.length > MAX_NAMED ? ` and ${items.length - MAX_NAMED} more` : "";
      await ctx.handle.log(
        "info",
        capText(
          `SDDC Manager's preview of the upgrade with ${bundle}: ${items.length} resource(s): ${named.join(", ")}${more}`,
          LINE_CAP,
        ),
      );
    } catch (err) {
      if (isAbort(err, ctx.signal)) throw err;
      await ctx.handle.log("warning", `No preview of the upgrade with ${bundle} from SDDC Manager: ${errorText(err)}`);
    }
  }
}
