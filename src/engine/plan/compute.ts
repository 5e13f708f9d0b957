// A plan is a run that is never started: a draft run (kept nowhere, announced to no one) goes through the run's own
// code for the target choice, the bundles, the component bodies, the readiness checks and, when asked, the check-sets.
// Only reads and queries reach SDDC Manager: no download, no target set, no upgrade, no backup, no task retried.
import type { VcfClient } from "../../vcf/client";
import type { Bundle } from "../../vcf/types";
import { capText, LINE_CAP } from "../../vcf/text-cap";
import { engineText, englishText } from "../catalog";
import { errorText, isAbort } from "../errors";
import { newRun } from "../new-run";
import { recordApiAndOutsideWork } from "../outside-work";
import { rideOutApiAbsence } from "../api-away";
import { runPrechecks } from "../phases/prechecks";
import { readinessStep } from "../readiness/prechecks-step";
import { PhaseContext, RunHandle } from "../run-handle";
import { neededBundles } from "../steps/bundle-choice";
import { clusterHostCounts } from "../steps/cluster-hosts";
import { chooseTarget } from "../target-choice";
import { READINESS_CHECKS, type EngineSettings, type Finding, type UpgradeRun } from "../types";
import { planComponents, planBundle, type PlannedComponents, type PlannedStep } from "./components";
import { estimateFor, measurements } from "./estimates";
import { notePreviews } from "./preview";
import type { PlanComponent, PlanRequest, UpgradePlan } from "./types";

export interface PlanDeps {
  client: VcfClient;
  settings: EngineSettings;
  now: () => number;
  /** This config node's runs: their measured durations replace the default estimates. */
  runs: readonly UpgradeRun[];
  activeRunOf: (domainId: string) => UpgradeRun | undefined;
  /** Whether the upgrade would take a fresh backup first (a missing backup configuration is then an error). */
  freshBackup: boolean;
}

/** The notes worth showing beside the tables: what the draft logged, without the findings (they have a table). */
function notesOf(draft: UpgradeRun): UpgradePlan["notes"] {
  return draft.log
    .filter((e) => !(typeof e.details === "object" && e.details !== null && "finding" in e.details))
    .map((e) => ({ level: e.level, text: capText(e.text, LINE_CAP) }));
}

/** The names of the images the ESXi steps use (as the ESXi body's choice read them). */
async function nameImages(ctx: PhaseContext, steps: PlannedStep[]): Promise<void> {
  if (!steps.some((s) => s.cluster?.image)) return;
  const personalities = await ctx.once("personalities", () => ctx.client.getPersonalities(undefined, ctx.opts));
  for (const s of steps) {
    const image = s.cluster?.image;
    const name = image && personalities.find((p) => p.personalityId === image.id)?.personalityName;
    if (image && name) image.name = capText(name, LINE_CAP);
  }
}

/** Host counts for the ESXi estimates; without them the estimate assumes one host per cluster (and says so). */
async function hostCounts(ctx: PhaseContext): Promise<Map<string, number>> {
  try {
    return await clusterHostCounts(ctx);
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
    await ctx.handle.log(
      "warning",
      `Could not read the clusters' hosts (${errorText(err)}); ESXi estimates assume one host per cluster`,
    );
    return new Map();
  }
}

/** The check-sets for the target on the draft (the run's own prechecks code, from its first check-set step). */
async function checkSetFindings(ctx: PhaseContext, deps: PlanDeps): Promise<Finding | undefined> {
  ctx.run.status = "initializing_prechecks";
  try {
    await runPrechecks(ctx, { freshBackup: deps.freshBackup });
    return undefined;
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
    return {
      name: "Upgrade plan",
      severity: "WARNING",
      description: englishText(engineText("planPrechecksFailed", { error: errorText(err) })),
      remediation: englishText(engineText("planPrechecksFailedFix")),
      source: "plan",
    };
  }
}

/** The release's bundles as SDDC Manager describes them; recorded in the draft for the depot readiness check. */
async function readBundles(ctx: PhaseContext): Promise<Bundle[]> {
  const bundles: Bundle[] = [];
  for (const id of await neededBundles(ctx)) bundles.push(await ctx.client.getBundle(id, ctx.opts));
  for (const b of bundles)
    ctx.run.remote.bundles[b.id] = {
      bundleId: b.id,
      requested: false,
      downloadStatus: b.downloadStatus,
      ...(b.description ? { description: b.description } : {}),
    };
  return bundles;
}

export async function computePlan(deps: PlanDeps, req: PlanRequest, signal: AbortSignal): Promise<UpgradePlan> {
  const { client, settings } = deps;
  const choice = await chooseTarget({ client, activeRunOf: deps.activeRunOf }, req, signal);
  const draft = newRun(choice.domain, choice.sourceVersion, choice.release);
  if (choice.clusterImages) draft.clusterImages = choice.clusterImages;
  const ctx = new PhaseContext(client, settings, new RunHandle(draft, async () => undefined, deps.now), signal);
  // One pass: what the target choice read, and what one step reads, serves the later steps too.
  ctx.keepAnswers({ domain: choice.domain, currentRelease: choice.currentRelease });
  if (choice.waitsFor) await ctx.handle.log("info", choice.waitsFor.note);
  recordApiAndOutsideWork(draft, choice);

  let planned: PlannedComponents = { steps: [], problems: [] };
  let bundles: Bundle[] = [];
  let precheckProblem: Finding | undefined;
  // Like a phase, the plan waits for an API that went away midway, then reads again (its draft keeps what is done).
  await rideOutApiAbsence(ctx, engineText("planWork", { domain: draft.domainName }), async () => {
    bundles = await readBundles(ctx);
    planned = await planComponents(ctx, bundles, await hostCounts(ctx), choice.domain.type);
    await nameImages(ctx, planned.steps);
    await notePreviews(ctx, planned.steps);
    draft.status = "downloading_bundles";
    await readinessStep(ctx, { freshBackup: deps.freshBackup });
    if (req.runPrechecks) precheckProblem = await checkSetFindings(ctx, deps);
  });

  const measured = measurements(deps.runs);
  const components: PlanComponent[] = planned.steps.map((s) => ({
    ...s,
    estimate: estimateFor(s.kind, s.cluster?.hosts, measured, settings),
  }));
  const allBundles = bundles.map(planBundle);
  const toDownload = allBundles.filter((b) => b.downloadStatus.toUpperCase() !== "SUCCESSFUL");
  const off = settings.readinessChecksOff;
  return {
    domainId: choice.domain.id,
    domainName: choice.domain.name,
    ...(choice.domain.type ? { domainType: choice.domain.type } : {}),
    sourceVersion: choice.sourceVersion,
    targetVersion: choice.release.version,
    targetReason: choice.reason,
    createdAt: new Date().toISOString(),
    components,
    bundles: allBundles,
    downloads: { needed: toDownload.length, totalMB: toDownload.reduce((sum, b) => sum + (b.sizeMB ?? 0), 0) },
    estimate: {
      totalMs: components.reduce((sum, c) => sum + c.estimate.ms, 0),
      measured: components.filter((c) => c.estimate.source === "measured").length,
      defaults: components.filter((c) => c.estimate.source === "default").length,
    },
    findings: [...planned.problems, ...(precheckProblem ? [precheckProblem] : []), ...draft.findings],
    readiness: { ran: READINESS_CHECKS.filter((c) => !off.includes(c)), off: [...off] },
    ...(draft.remote.checkSetRunId ? { precheckRunId: draft.remote.checkSetRunId } : {}),
    notes: notesOf(draft),
    api: choice.api,
    outsideWork: choice.outsideWork,
  };
}
