import type { Upgradable, Upgrade } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { EngineError, isAbort } from "../errors";
import { isTransientError } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { UpgradeRecord } from "../types";
import { delay, describeDuration } from "../wait";
import { finalValidation } from "./final-validation";
import { describePendingWait, onlyPending } from "./pending-wait";
import { collectTaskErrors, describeApiErrors } from "./task-errors";
import {
  KIND_LABELS, buildUpgradeSpec, classifyComponents, sameEsxVersion, upgradableTypes, type ComponentKind,
} from "./upgrade-specs";

const SUCCEEDED = new Set(["COMPLETED_WITH_SUCCESS", "SUCCESSFUL", "COMPLETED"]);
const FAILED = new Set(["COMPLETED_WITH_FAILURE", "FAILED", "CANCELLED", "CANCELED", "SKIPPED"]);
/** Upgradable statuses meaning "an upgrade exists and is running or planned". */
const UNDERWAY = new Set(["IN_PROGRESS", "SCHEDULED"]);
/** More rounds than any real domain needs; stops a server that keeps offering work forever. */
const MAX_ROUNDS = 40;

function label(record: Pick<UpgradeRecord, "componentType" | "bundleId">): string {
  const kind = KIND_LABELS[record.componentType as ComponentKind] ?? record.componentType;
  return `${kind} (bundle ${record.bundleId})`;
}

/** The domain's upgradables: the system-wide list filtered to the domain, else the per-domain call. */
async function domainUpgradables(ctx: PhaseContext): Promise<Upgradable[]> {
  const { client, run } = ctx;
  try {
    const mine = (await client.getSystemUpgradables(ctx.opts)).filter((u) => u.resource?.resourceId === run.domainId);
    if (mine.length > 0) return mine;
  } catch (err) {
    if (isAbort(err, ctx.signal)) throw err;
  }
  return client.getUpgradables(run.domainId, run.targetVersion, ctx.opts);
}

/** Progress in the upgrade phase: 55..95 % by finished components. */
async function reportProgress(ctx: PhaseContext, text: string, remaining: number): Promise<void> {
  const done = Object.values(ctx.run.remote.upgrades).filter((u) => u.finishedAt).length;
  await ctx.handle.step(text, 55 + (40 * done) / Math.max(1, done + remaining));
}

async function failureOf(ctx: PhaseContext, record: UpgradeRecord, upgrade: Upgrade): Promise<EngineError> {
  const status = normalizeStatus(upgrade.status);
  let detail: { message: string; remediation?: string } = { message: `status ${status}` };
  const task = await ctx.client.getTask(upgrade.taskId || upgrade.id, ctx.opts).catch(() => undefined);
  if (task) detail = describeApiErrors(collectTaskErrors(task), detail.message);
  return new EngineError("REMOTE_FAILURE", `The upgrade of ${label(record)} failed: ${detail.message}`, {
    fix: detail.remediation ?? "Look at the task in SDDC Manager, fix the cause and retry it there, then start the run again",
  });
}

/**
 * Polls SDDC Manager's own upgrade. Its API vanishes meanwhile: errors start an outage clock (recorded, so it
 * survives restarts); once a readiness probe answers again, wait the settle time and log in afresh.
 */
function sddcPoller(ctx: PhaseContext, record: UpgradeRecord): (signal: AbortSignal | undefined) => Promise<Upgrade> {
  const outageKey = `sddc-outage:${record.bundleId}`;
  return async (signal) => {
    const outageUntil = ctx.run.deadlines[outageKey];
    try {
      if (outageUntil !== undefined) {
        await ctx.client.getDomains({ signal });
        await ctx.handle.log("info", `SDDC Manager answers again; waiting ${describeDuration(ctx.settings.sddcSettleMs)} for its services to settle`);
        await delay(ctx.settings.sddcSettleMs, signal);
        ctx.client.invalidateSession();
        await ctx.client.login({ signal });
        await ctx.handle.update((r) => { delete r.deadlines[outageKey]; });
        await ctx.handle.log("info", "Logged in to SDDC Manager afresh after its restart");
      }
      return await ctx.client.getUpgrade(record.upgradeId, { signal });
    } catch (err) {
      if (isAbort(err, signal) || err instanceof EngineError) throw err;
      if (outageUntil === undefined) {
        const budget = ctx.settings.sddcOutageBudgetMs;
        await ctx.handle.update((r) => { r.deadlines[outageKey] = new Date(Date.now() + budget).toISOString(); });
        await ctx.handle.log("warning", `SDDC Manager's API is unavailable while it upgrades itself (${(err as Error).message}); waiting up to ${describeDuration(budget)}`);
      } else if (Date.now() > Date.parse(outageUntil)) {
        throw new EngineError("DEADLINE", `SDDC Manager's API stayed unavailable longer than the outage budget (${describeDuration(ctx.settings.sddcOutageBudgetMs)})`, {
          fix: "Check the SDDC Manager appliance (console, services) before starting the run again",
        });
      }
      throw err;
    }
  };
}

/** After SDDC Manager's upgrade: fresh session, terminal status re-read, and the new version reported. */
async function confirmSddcManager(ctx: PhaseContext, record: UpgradeRecord): Promise<void> {
  ctx.client.invalidateSession();
  await ctx.client.login(ctx.opts);
  const again = await ctx.client.getUpgrade(record.upgradeId, ctx.opts);
  if (!SUCCEEDED.has(normalizeStatus(again.status))) throw await failureOf(ctx, record, again);
  const bundle = await ctx.client.getBundle(record.bundleId, ctx.opts);
  const expected = bundle.components?.find((c) => normalizeStatus(c.type).startsWith("SDDC_MANAGER"))?.toVersion ??
    ctx.run.targetRelease.bom.find((e) => e.name === "SDDC_MANAGER_VCF")?.version;
  if (!expected) return;
  const managers = await ctx.wait({
    what: `SDDC Manager reporting version ${expected}`,
    deadlineKey: `sddc-version:${record.bundleId}`,
    deadlineMs: ctx.settings.validationDeadlineMs,
    poll: (signal) => ctx.client.getSddcManagers({ signal }),
    until: (list) => list.some((m) => m.version !== undefined && sameEsxVersion(m.version, expected)),
  });
  const version = managers.find((m) => m.version)?.version ?? expected;
  await ctx.handle.log("success", `SDDC Manager now runs ${version}`);
}

/** Polls one component upgrade to its end (3 h per component by default); a failure fails the run. */
async function followUpgrade(ctx: PhaseContext, record: UpgradeRecord): Promise<void> {
  const sddc = record.componentType === "SDDC_MANAGER";
  const final = await ctx.wait({
    what: `The upgrade of ${label(record)}`,
    deadlineKey: `upgrade:${record.bundleId}`,
    deadlineMs: ctx.settings.componentDeadlineMs,
    poll: sddc ? sddcPoller(ctx, record) : (signal) => ctx.client.getUpgrade(record.upgradeId, { signal }),
    until: (u) => SUCCEEDED.has(normalizeStatus(u.status)) || FAILED.has(normalizeStatus(u.status)),
    stateKey: (u) => normalizeStatus(u.status),
    retryOn: sddc ? (err) => !isAbort(err) && !(err instanceof EngineError) && (err as { kind?: string }).kind !== "tls" : isTransientError,
    onValue: async (u) => {
      const status = normalizeStatus(u.status);
      if (status !== record.status) await ctx.handle.update(() => { record.status = status; });
      await reportProgress(ctx, `Upgrading ${label(record)}: ${status}`, 1);
    },
  });
  if (FAILED.has(normalizeStatus(final.status))) throw await failureOf(ctx, record, final);
  if (sddc) await confirmSddcManager(ctx, record);
  await ctx.handle.update(() => { record.finishedAt = new Date().toISOString(); });
  await ctx.handle.log("success", `The upgrade of ${label(record)} completed`);
}

/** Whether an upgrade works on this run's domain (bundles are shared between domains). */
async function domainResourceIds(ctx: PhaseContext): Promise<Set<string>> {
  const domain = await ctx.client.getDomain(ctx.run.domainId, ctx.opts);
  return new Set([domain.id, ...(domain.clusters ?? []).map((c) => c.id)]);
}

/** This domain's upgrade for the bundle that already exists (running or done): attach instead of POSTing again. */
async function existingUpgrade(ctx: PhaseContext, bundleId: string): Promise<Upgrade | undefined> {
  const all = (await ctx.client.listUpgrades({ bundleId }, ctx.opts)).filter((u) => u.bundleId === bundleId);
  if (all.length === 0) return undefined;
  const mine = await domainResourceIds(ctx);
  const live = all.filter((u) => !FAILED.has(normalizeStatus(u.status)) &&
    (u.resourceUpgradeSpecs ?? []).some((r) => mine.has(r.resourceId)));
  return live.find((u) => !SUCCEEDED.has(normalizeStatus(u.status))) ?? live[0];
}

/**
 * Starts the upgrade of one upgradable (or attaches to the existing one) and follows it. Without
 * `mayStart` (the upgradable is underway, started elsewhere) it only attaches; false when there was nothing to attach to.
 */
async function upgradeOne(ctx: PhaseContext, u: Upgradable, mayStart: boolean): Promise<boolean> {
  const bundleId = u.bundleId;
  if (!bundleId) throw new EngineError("REMOTE_FAILURE", "SDDC Manager offers an upgradable without a bundle id");
  const bundle = await ctx.client.getBundle(bundleId, ctx.opts);
  const types = upgradableTypes(u);
  const kind = classifyComponents(bundleId, types.length > 0 ? types : (bundle.components ?? []).map((c) => c.type));
  const found = await existingUpgrade(ctx, bundleId);
  if (found) {
    await ctx.handle.update((r) => {
      r.remote.upgrades[bundleId] = { bundleId, upgradeId: found.id, componentType: kind, status: normalizeStatus(found.status), startedAt: new Date().toISOString() };
    });
    await ctx.handle.log("info", `Following the existing upgrade ${found.id} of ${label({ bundleId, componentType: kind })}`);
  } else if (!mayStart) {
    return false;
  } else {
    const downloadStatus = normalizeStatus(bundle.downloadStatus);
    if (downloadStatus !== "SUCCESSFUL") {
      throw new EngineError("REMOTE_FAILURE", `Bundle ${bundleId} for ${KIND_LABELS[kind]} is not downloaded (status ${downloadStatus})`, {
        fix: "Run the download phase again",
      });
    }
    const spec = await buildUpgradeSpec(ctx, kind, bundleId);
    const task = await ctx.client.startUpgrade(spec, ctx.opts);
    await ctx.handle.update((r) => {
      r.remote.upgrades[bundleId] = { bundleId, upgradeId: task.id, componentType: kind, status: normalizeStatus(task.status), startedAt: new Date().toISOString() };
    });
    await ctx.handle.log("info", `Started the upgrade of ${label({ bundleId, componentType: kind })}`, { upgradeId: task.id, spec });
  }
  await followUpgrade(ctx, ctx.run.remote.upgrades[bundleId] as UpgradeRecord);
  return true;
}

function isStartable(ctx: PhaseContext, u: Upgradable): boolean {
  const done = u.bundleId ? ctx.run.remote.upgrades[u.bundleId]?.finishedAt : undefined;
  return normalizeStatus(u.status) === "AVAILABLE" && !done;
}

/** An upgrade the server reports as underway that this run does not know yet. */
function isUnderway(u: Upgradable): boolean {
  return UNDERWAY.has(normalizeStatus(u.status));
}

/** The component loop: one AVAILABLE upgradable at a time until none is left, then the final validation. */
export async function upgradeComponents(ctx: PhaseContext): Promise<void> {
  if (ctx.run.status === "alerts_were_acknowledged") await ctx.handle.to("starting_upgrades", "Starting the component upgrades");
  let announced: string | undefined;
  for (let round = 0; ; round++) {
    if (round >= MAX_ROUNDS) {
      throw new EngineError("REMOTE_FAILURE", `The component upgrades did not settle after ${MAX_ROUNDS} rounds`, {
        fix: "Look at the upgradables of the domain in SDDC Manager",
      });
    }
    const unfinished = Object.values(ctx.run.remote.upgrades).find((r) => !r.finishedAt);
    if (unfinished) {
      await ctx.handle.log("info", `Continuing to follow the upgrade of ${label(unfinished)}`);
      await followUpgrade(ctx, unfinished);
      continue;
    }
    const list = await domainUpgradables(ctx);
    await reportProgress(ctx, `Upgrading: ${list.length} component step(s) left`, list.length);
    const startable = list.find((u) => isStartable(ctx, u));
    if (startable && await upgradeOne(ctx, startable, true)) continue;
    const underway = list.find(isUnderway);
    if (underway && await upgradeOne(ctx, underway, false)) continue;
    if (list.length === 0) break;
    // Nothing to start: wait until the server offers the next step, changes the list, or clears it.
    const finished = Object.values(ctx.run.remote.upgrades).filter((r) => r.finishedAt).length;
    const listKey = (l: Upgradable[]) => l.map((u) => `${u.bundleId}:${normalizeStatus(u.status)}`).join(",");
    const before = listKey(list);
    const stale = list.find((u) => normalizeStatus(u.status) === "AVAILABLE" && !isStartable(ctx, u));
    if (onlyPending(list) && announced !== before) {
      announced = before;
      await ctx.handle.log("info", await describePendingWait(ctx, list));
    }
    await ctx.wait({
      what: stale
        ? `SDDC Manager still offers bundle ${stale.bundleId} after its upgrade completed; waiting for it to clear`
        : `SDDC Manager offering the next upgrade (${before})`,
      deadlineKey: `next-upgradable:${finished}`,
      // A finished upgrade that is still offered should clear quickly; a PENDING step may wait for another domain.
      deadlineMs: stale ? ctx.settings.validationDeadlineMs : ctx.settings.componentDeadlineMs,
      poll: () => domainUpgradables(ctx),
      until: (l) => l.length === 0 || l.some((u) => isStartable(ctx, u)) || listKey(l) !== before,
      stateKey: listKey,
    });
  }
  await finalValidation(ctx);
}

