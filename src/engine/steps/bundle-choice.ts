// Which bundles a release needs when it lists no patch bundles: per component of the domain that changes, the
// PATCH bundle from the domain's current version to the release's version (UPGRADE-API.md §3).
import type { Bundle, BundleComponent } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { engineText } from "../catalog";
import { EngineError, errorText, isAbort } from "../errors";
import type { PhaseContext } from "../run-handle";
import { sameVersion, withVersions } from "../versions";
import { domainScope, openUpgradables } from "./upgradables";
import { BOM_NAMES, kindOfType } from "./upgrade-specs";

export interface Need {
  name: string;
  from?: string;
  to: string;
}

function bundleName(b: Bundle): string {
  return b.description ? `${b.description} (${b.id})` : b.id;
}

/** A bundle component that takes the needed component from its current version (where known) to the target. */
function covers(c: BundleComponent, need: Need): boolean {
  const kind = kindOfType(c.type);
  if (!kind || BOM_NAMES[kind] !== need.name) return false;
  if (c.imageType && normalizeStatus(c.imageType) !== "PATCH") return false;
  if (!sameVersion(c.toVersion, need.to)) return false;
  return !need.from || !c.fromVersion || sameVersion(c.fromVersion, need.from);
}

/** The domain's components whose version changes, with their current version where SDDC Manager reports it. */
export async function componentsToUpdate(ctx: PhaseContext): Promise<Need[]> {
  const current = await ctx.once("currentRelease", () => ctx.client.getCurrentRelease(ctx.run.domainId, ctx.opts));
  const now = new Map((current?.bom ?? []).map((e) => [e.name, e.version]));
  return withVersions(ctx.run.targetRelease.bom)
    .filter((e) => !sameVersion(now.get(e.name), e.version))
    .map((e) => {
      const from = now.get(e.name);
      return from ? { name: e.name, from, to: e.version } : { name: e.name, to: e.version };
    });
}

/** Bundles the target release needs (a run downloads them, a plan lists them): its patch bundles, or the fallback. */
export async function neededBundles(ctx: PhaseContext): Promise<string[]> {
  const release = ctx.run.targetRelease;
  return release.patchBundleIds.length > 0 ? release.patchBundleIds : fallbackBundles(ctx);
}

/** Bundle ids of the fallback: matched bundles plus the domain's upgradables; a component only a RECALLED bundle covers fails. */
async function fallbackBundles(ctx: PhaseContext): Promise<string[]> {
  const release = ctx.run.targetRelease;
  await ctx.handle.log(
    "info",
    `Release ${release.version} lists no patch bundles; choosing the PATCH bundles of the domain's changing components`,
  );
  const needs = await componentsToUpdate(ctx);
  const bundles = await ctx.client.getBundles(undefined, ctx.opts);
  const ids = new Set<string>();
  const uncovered: string[] = [];
  for (const need of needs) {
    const candidates = bundles.filter((b) => (b.components ?? []).some((c) => covers(c, need)));
    const recalled = candidates.filter((b) => normalizeStatus(b.downloadStatus) === "RECALLED");
    const usable = candidates.filter((b) => !recalled.includes(b));
    if (recalled.length > 0 && usable.length === 0) {
      throw new EngineError(
        "REMOTE_FAILURE",
        engineText("onlyRecalledBundles", {
          component: need.name,
          from: need.from ?? "?",
          to: need.to,
          bundles: recalled.map(bundleName).join(", "),
        }),
        { fix: engineText("onlyRecalledBundlesFix") },
      );
    }
    if (recalled.length > 0) {
      await ctx.handle.log(
        "warning",
        `Skipping recalled bundle(s) ${recalled.map(bundleName).join(", ")}; ${usable.map(bundleName).join(", ")} covers ${need.name}`,
      );
    }
    for (const b of usable) ids.add(b.id);
    if (usable.length === 0) uncovered.push(`${need.name} ${need.from ?? "?"} → ${need.to}`);
  }
  try {
    for (const u of await openUpgradables(ctx, await domainScope(ctx))) if (u.bundleId) ids.add(u.bundleId);
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
    await ctx.handle.log("warning", `Could not read the upgradables to cross-check the bundles (${errorText(err)})`);
  }
  if (uncovered.length > 0 && ids.size > 0) {
    await ctx.handle.log(
      "warning",
      `No bundle in the depot list matches: ${uncovered.join(", ")}; the upgrade will use what SDDC Manager offers`,
    );
  }
  return [...ids];
}
