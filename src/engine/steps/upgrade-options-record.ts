// The run's upgrade options are recorded once, when its upgrade phase first starts, and said in its log.
import type { PhaseContext } from "../run-handle";
import { describeUpgradeOptions, type UpgradeOptions } from "../upgrade-options";

/** Records `options` unless the run has its own (a resumed run upgrades with what it started with). */
export async function recordUpgradeOptions(ctx: PhaseContext, options: UpgradeOptions | undefined): Promise<void> {
  if (ctx.run.upgradeOptions || !options) return;
  await ctx.handle.update((r) => {
    r.upgradeOptions = structuredClone(options);
  });
  await ctx.handle.log("info", `Upgrade options: ${describeUpgradeOptions(options)}`);
}
