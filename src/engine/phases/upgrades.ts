import type { Bundle, Task, Upgradable, Upgrade, UpgradeSpec } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";
import { engineText } from "../catalog";
import { EngineError, errorText, isAbort } from "../errors";
import { isRefusal, isTransientError } from "../remote-errors";
import type { PhaseContext } from "../run-handle";
import type { UpgradeRecord, UpgradeRequest } from "../types";
import { finalValidation } from "../steps/final-validation";
import { longWorkFirstPollMs } from "../wait";
import { findLostWork, outcomeUnknown } from "../steps/lost-answer";
import { describePendingWait, onlyPending } from "../steps/pending-wait";
import { confirmSddcManager, sddcPoller } from "../steps/sddc-manager";
import { sharedBundle } from "../shared-reads";
import { SubTaskTracker } from "../steps/subtask-progress";
import { hostsOfSpec } from "../steps/cluster-hosts";
import { resolveRetry, retryFailedUpgrade } from "../steps/task-retry";
import { adopt, upgradesOf } from "../steps/upgrade-records";
import { type DomainScope, domainScope, isAvailable, isUnderway, openUpgradables } from "../steps/upgradables";
import { failureOf, label, labelText, upgradeEnded, upgradeFailed } from "../steps/upgrade-status";
import {
  KIND_LABELS,
  buildUpgradeSpec,
  classifyComponents,
  upgradableTypes,
  type ComponentKind,
} from "../steps/upgrade-specs";
import { windowGate, type GateResult, type WindowGateDeps } from "../windows/gate";
import { noteOverrun } from "../windows/overrun";
import { awaitScheduledStart, scheduledSpec } from "../windows/scheduled";

/** More rounds than any real domain needs; stops a server that keeps offering work forever. */
const MAX_ROUNDS = 40;

/** What one upgradeComponents call knows besides the run. */
interface LoopState extends DomainScope {
  /** AVAILABLE bundles found to have nothing left to upgrade (e.g. every cluster at the target): not started again. */
  nothingToDo: Set<string>;
  /** What the maintenance-window gate needs (measured durations). */
  windows: WindowGateDeps;
}

/**
 * Enters starting_upgrades (once). A run with a maintenance window enters it when its first component starts: while
 * it waits for the window before the first component it stays in alerts_were_acknowledged.
 */
async function startingUpgrades(ctx: PhaseContext): Promise<void> {
  if (ctx.run.status === "alerts_were_acknowledged")
    await ctx.handle.to("starting_upgrades", "Starting the component upgrades");
}

/** How many of the run's recorded upgrades have finished. */
function finishedUpgrades(ctx: PhaseContext): number {
  return Object.values(ctx.run.remote.upgrades).filter((u) => u.finishedAt).length;
}

/** Progress in the upgrade phase: 55..95 % by finished components (`partly`: the share done of the running one). */
async function reportProgress(ctx: PhaseContext, text: string, remaining: number, partly = 0): Promise<void> {
  const done = finishedUpgrades(ctx);
  await ctx.handle.step(text, 55 + (40 * (done + partly)) / Math.max(1, done + remaining));
}

/**
 * Polls one component upgrade to its end (3 h per component by default); a failure fails the run. `justStarted`:
 * the POST's answer was the first look.
 */
async function followUpgrade(
  ctx: PhaseContext,
  record: UpgradeRecord,
  windows: WindowGateDeps,
  justStarted = false,
): Promise<void> {
  if (record.scheduledFor) await awaitScheduledStart(ctx, record, windows);
  await startingUpgrades(ctx);
  const sddc = record.componentType === "SDDC_MANAGER";
  const subTasks = new SubTaskTracker(ctx, record, !sddc);
  const final = await ctx.wait({
    what: engineText("waitUpgrade", { what: labelText(record) }),
    deadlineKey: `upgrade:${record.upgradeId}`,
    deadlineMs: ctx.settings.componentDeadlineMs,
    expectOutage: sddc,
    poll: subTasks.follow(
      sddc ? sddcPoller(ctx, record) : (signal) => ctx.client.getUpgrade(record.upgradeId, { signal }),
    ),
    until: upgradeEnded,
    justLooked: justStarted,
    firstPollAfterMs: longWorkFirstPollMs(ctx.settings),
    retryOn: sddc
      ? (err) => !isAbort(err) && !(err instanceof EngineError) && (err as { kind?: string }).kind !== "tls"
      : isTransientError,
    onValue: async (u) => {
      const status = normalizeStatus(u.status);
      if (status !== record.status)
        await ctx.handle.update(() => {
          record.status = status;
        });
      const now = await subTasks.observe(u);
      await reportProgress(ctx, `Upgrading ${label(record)}: ${status}${now ? `, ${now.text}` : ""}`, 1, now?.share);
    },
  });
  if (upgradeFailed(final)) throw await failureOf(ctx, record, final, subTasks.lastTask);
  if (sddc) await confirmSddcManager(ctx, record);
  await ctx.handle.update(() => {
    record.finishedAt = new Date().toISOString();
  });
  await ctx.handle.log("success", `The upgrade of ${label(record)} completed`);
  await noteOverrun(ctx, record);
}

/** The domain's upgrade of the bundle that `request` started, looked for during the lookup window. */
function findRequested(ctx: PhaseContext, scope: DomainScope, request: UpgradeRequest): Promise<Upgrade | undefined> {
  return findLostWork(
    ctx,
    engineText("lostUpgrade", { what: labelText(request) }),
    `upgrade:${request.bundleId}:${request.requestedAt}`,
    async (signal) =>
      (await upgradesOf(ctx, scope, request.bundleId, signal)).find((u) => !request.priorUpgradeIds.includes(u.id)),
  );
}

/** What an upgrade found for a request takes over from it: its start time and window. */
function requestTiming(request: UpgradeRequest): Pick<UpgradeRecord, "scheduledFor" | "windowEnd"> {
  return {
    ...(request.scheduledFor ? { scheduledFor: request.scheduledFor } : {}),
    ...(request.windowEnd ? { windowEnd: request.windowEnd } : {}),
  };
}

/** A POST whose answer was lost: find the upgrade it started, never POST again. */
async function resolveRequest(
  ctx: PhaseContext,
  scope: DomainScope,
  request: UpgradeRequest,
  cause: unknown,
): Promise<UpgradeRecord> {
  const found = await findRequested(ctx, scope, request);
  if (!found) {
    throw outcomeUnknown(
      engineText("upgradeRequest", { what: labelText(request) }),
      request.requestedAt,
      cause,
      engineText("checkUpgradeOfBundle", { bundleId: request.bundleId, domain: ctx.run.domainName }),
    );
  }
  await ctx.handle.log(
    "info",
    `Found upgrade ${found.id} of ${label(request)} (status ${normalizeStatus(found.status)}), started by the request whose answer was lost`,
  );
  return adopt(ctx, found.id, request.bundleId, request.componentType, found.status, requestTiming(request));
}

/**
 * An upgrade request recorded before a restart without a recorded answer: it may have left or not (a crash between
 * recording it and sending it). Found: followed. Not found, with the bundle's upgradable still AVAILABLE for the
 * domain (nothing running or scheduled with it): the request never reached SDDC Manager, and the component loop sends
 * it now, once (said in the log). Anything else: the outcome is unknown, and the run stops asking the user to look.
 */
async function resolveRequestBeforeRestart(
  ctx: PhaseContext,
  scope: DomainScope,
  request: UpgradeRequest,
): Promise<void> {
  await ctx.handle.log(
    "info",
    `An upgrade request for ${label(request)} was recorded without an answer (before a restart, or while SDDC Manager was away); looking for it in SDDC Manager`,
  );
  const found = await findRequested(ctx, scope, request);
  if (found) {
    await ctx.handle.log(
      "info",
      `Found upgrade ${found.id} of ${label(request)} (status ${normalizeStatus(found.status)}): the request had reached SDDC Manager`,
    );
    await adopt(ctx, found.id, request.bundleId, request.componentType, found.status, requestTiming(request));
    return;
  }
  const upgradable = (await openUpgradables(ctx, scope)).find((u) => u.bundleId === request.bundleId);
  if (!upgradable || !isAvailable(upgradable)) {
    throw outcomeUnknown(
      engineText("upgradeRequest", { what: labelText(request) }),
      request.requestedAt,
      undefined,
      upgradable
        ? engineText("checkUpgradableStatus", {
            bundleId: request.bundleId,
            status: normalizeStatus(upgradable.status),
          })
        : engineText("checkUpgradableGone", { bundleId: request.bundleId }),
    );
  }
  await ctx.handle.update((r) => {
    delete r.remote.upgradeRequest;
  });
  await ctx.handle.log(
    "warning",
    `The upgrade request for ${label(request)} recorded at ${request.requestedAt} never reached SDDC Manager (the engine stopped before sending it, or the request was lost on the way): no upgrade of bundle ${request.bundleId} on domain ${ctx.run.domainName}, and its upgradable is still AVAILABLE. Sending it now, once`,
  );
}

/**
 * POSTs the upgrade once. The domain's earlier upgrades of the bundle (`prior`, listed for this step) are recorded
 * first, so a lost answer can be resolved.
 */
async function postUpgrade(
  ctx: PhaseContext,
  scope: DomainScope,
  kind: ComponentKind,
  immediate: UpgradeSpec,
  prior: readonly Upgrade[],
  hosts: number | undefined,
  gate: Exclude<GateResult, { kind: "waited" }>,
): Promise<UpgradeRecord> {
  const { bundleId } = immediate;
  const scheduledFor = gate.kind === "schedule" ? new Date(gate.opening.startMs).toISOString() : undefined;
  const windowEnd = gate.kind === "schedule" ? new Date(gate.opening.endMs).toISOString() : gate.windowEnd;
  const spec = scheduledFor ? scheduledSpec(immediate, scheduledFor) : immediate;
  const request: UpgradeRequest = {
    bundleId,
    componentType: kind,
    priorUpgradeIds: prior.map((u) => u.id),
    requestedAt: new Date().toISOString(),
    ...(scheduledFor ? { scheduledFor } : {}),
    ...(windowEnd ? { windowEnd } : {}),
  };
  await ctx.handle.update((r) => {
    r.remote.upgradeRequest = request;
  });
  let task: Task;
  try {
    task = await ctx.client.startUpgrade(spec, ctx.opts);
  } catch (err) {
    if (isRefusal(err)) {
      await ctx.handle.update((r) => {
        delete r.remote.upgradeRequest;
      });
      throw err;
    }
    if (isAbort(err, ctx.signal)) throw err;
    await ctx.handle.log(
      "warning",
      `No answer to the upgrade request for ${label(request)} (${errorText(err)}); looking for the upgrade in SDDC Manager instead of sending the request again`,
    );
    return resolveRequest(ctx, scope, request, err);
  }
  const record = await adopt(ctx, task.id, bundleId, kind, task.status, {
    timed: true,
    ...(hosts ? { hosts } : {}),
    ...requestTiming(request),
  });
  await ctx.handle.log(
    "info",
    scheduledFor
      ? `Scheduled the upgrade of ${label(record)} in SDDC Manager for ${scheduledFor} (upgrade ${task.id})`
      : `Started the upgrade of ${label(record)}`,
    { upgradeId: task.id, spec },
  );
  return record;
}

/**
 * Follows the domain's running upgrade of the upgradable's bundle, else (with `mayStart`) starts a new one.
 * "none": nothing to attach to and not allowed to start; "nothing": every part already runs the target.
 */
async function upgradeOne(
  ctx: PhaseContext,
  loop: LoopState,
  u: Upgradable,
  mayStart: boolean,
): Promise<"followed" | "none" | "nothing" | "waited"> {
  const bundleId = u.bundleId;
  if (!bundleId) throw new EngineError("REMOTE_FAILURE", engineText("upgradableWithoutBundle"));
  // Read once, and only when needed: to classify an upgradable that names no types, and before starting. The domains
  // of a fleet reach the same step together: a read another run made within the longest poll interval serves (what is
  // used of it, the components and a finished download, does not change meanwhile).
  let cached: Bundle | undefined;
  const readBundle = async (): Promise<Bundle> =>
    (cached ??= await sharedBundle(ctx.client, bundleId, ctx.settings.maxPollIntervalMs, ctx.signal));
  const types = upgradableTypes(u);
  const kind = classifyComponents(
    bundleId,
    types.length > 0 ? types : ((await readBundle()).components ?? []).map((c) => c.type),
  );
  // Never a second upgrade of a bundle while one is running: attach to it (only to running ones, never to an old finished one).
  const earlier = await upgradesOf(ctx, loop, bundleId);
  const running = earlier.find((x) => !upgradeEnded(x));
  let record: UpgradeRecord;
  let posted = false;
  if (running) {
    record = await adopt(ctx, running.id, bundleId, kind, running.status);
    await ctx.handle.log("info", `Following the running upgrade ${running.id} of ${label(record)}`);
  } else if (!mayStart) {
    return "none";
  } else {
    const bundle = await readBundle();
    const downloadStatus = normalizeStatus(bundle.downloadStatus);
    if (downloadStatus !== "SUCCESSFUL") {
      throw new EngineError(
        "REMOTE_FAILURE",
        engineText("bundleNotDownloaded", { bundleId, component: KIND_LABELS[kind], status: downloadStatus }),
        { fix: engineText("bundleNotDownloadedFix") },
      );
    }
    const spec = await buildUpgradeSpec(ctx, kind, bundle, loop);
    if (!spec) {
      loop.nothingToDo.add(bundleId);
      return "nothing";
    }
    // Counted before the request: nothing may come between its answer and recording the upgrade id.
    let hosts: Promise<number | undefined> | undefined;
    const countHosts = (): Promise<number | undefined> =>
      kind === "ESX_HOST" ? (hosts ??= hostsOfSpec(ctx, spec)) : Promise.resolve(undefined);
    // A failed earlier upgrade is retried (a task retry cannot be scheduled): the run waits for the window itself.
    const gate = await windowGate(ctx, kind, countHosts, loop.windows, !earlier.some(upgradeFailed));
    if (gate.kind === "waited" || (await loop.windows.beforeFirstStart?.())) return "waited";
    if (gate.kind === "start") {
      if (gate.note) await ctx.handle.log("info", gate.note);
      await startingUpgrades(ctx);
    }
    const retried = await retryFailedUpgrade(ctx, earlier, bundleId, kind);
    posted = retried === undefined;
    if (retried && gate.kind === "start" && gate.windowEnd)
      await ctx.handle.update(() => {
        retried.windowEnd = gate.windowEnd;
      });
    record = retried ?? (await postUpgrade(ctx, loop, kind, spec, earlier, await countHosts(), gate));
  }
  await followUpgrade(ctx, record, loop.windows, posted);
  return "followed";
}

function listKey(list: readonly Upgradable[]): string {
  return list.map((u) => `${u.bundleId}:${normalizeStatus(u.status)}`).join(",");
}

/** Nothing to start: wait until SDDC Manager offers the next step, changes the list, or clears it. */
async function waitForNextStep(
  ctx: PhaseContext,
  loop: LoopState,
  list: Upgradable[],
  announced: Set<string>,
): Promise<void> {
  const finished = finishedUpgrades(ctx);
  const before = listKey(list);
  const stale = list.find((u) => isAvailable(u) && u.bundleId !== undefined && loop.nothingToDo.has(u.bundleId));
  const pending = onlyPending(list);
  if (pending && !announced.has(before)) {
    announced.add(before);
    await ctx.handle.log("info", await describePendingWait(ctx, list));
  }
  await ctx.wait({
    what: stale
      ? engineText("waitStaleBundle", { bundleId: String(stale.bundleId) })
      : engineText("waitNextUpgrade", { upgradables: before }),
    deadlineKey: `next-upgradable:${finished}`,
    // A bundle with nothing left should clear quickly; a PENDING step may wait for another domain.
    deadlineMs: stale ? ctx.settings.validationDeadlineMs : ctx.settings.componentDeadlineMs,
    poll: (_signal, look) => openUpgradables(ctx, loop, look),
    until: (l) => l.length === 0 || l.some((u) => isStartable(loop, u)) || listKey(l) !== before,
    justLooked: true,
  });
}

function isStartable(loop: LoopState, u: Upgradable): boolean {
  return isAvailable(u) && !(u.bundleId !== undefined && loop.nothingToDo.has(u.bundleId));
}

/** Follows the recorded upgrade that has not finished (one resumed after a restart); false when there is none. */
async function followUnfinished(ctx: PhaseContext, windows: WindowGateDeps): Promise<boolean> {
  const unfinished = Object.values(ctx.run.remote.upgrades).find((r) => !r.finishedAt);
  if (!unfinished) return false;
  await ctx.handle.log("info", `Continuing to follow the upgrade of ${label(unfinished)}`);
  await followUpgrade(ctx, unfinished, windows);
  return true;
}

/** The component loop: one AVAILABLE upgradable at a time until none is open, then the final validation. */
export async function upgradeComponents(
  ctx: PhaseContext,
  windows: WindowGateDeps = { measured: () => [] },
): Promise<void> {
  if (!ctx.run.window) await startingUpgrades(ctx);
  // Before anything else is read: a run resumed during SDDC Manager's own upgrade finds its API away, and only
  // following that upgrade rides the outage out within its budget.
  while (await followUnfinished(ctx, windows)) {
    /* one recorded upgrade at a time */
  }
  const loop: LoopState = { ...(await domainScope(ctx)), nothingToDo: new Set(), windows };
  const request = ctx.run.remote.upgradeRequest;
  if (request) await resolveRequestBeforeRestart(ctx, loop, request);
  const retry = ctx.run.remote.retryRequest;
  if (retry) {
    await ctx.handle.log(
      "info",
      `A retry of task ${retry.taskId} was sent before the restart without a recorded answer; looking for the upgrade ${retry.upgradeId} running again`,
    );
    await resolveRetry(ctx, retry, { cause: undefined });
  }
  const announced = new Set<string>();
  for (let round = 0; ; round++) {
    if (round >= MAX_ROUNDS) {
      throw new EngineError("REMOTE_FAILURE", engineText("upgradesUnsettled", { rounds: MAX_ROUNDS }), {
        fix: engineText("upgradesUnsettledFix"),
      });
    }
    if (await followUnfinished(ctx, windows)) continue;
    const list = await openUpgradables(ctx, loop);
    await reportProgress(ctx, `Upgrading: ${list.length} component step(s) left`, list.length);
    if (list.length === 0) break;
    const startable = list.find((u) => isStartable(loop, u));
    const outcome = startable && (await upgradeOne(ctx, loop, startable, true));
    if (outcome === "waited") {
      round -= 1; // a wait for the maintenance window is not a round of SDDC Manager's offers
      continue;
    }
    if (outcome === "followed") continue;
    const underway = list.find(isUnderway);
    if (underway && (await upgradeOne(ctx, loop, underway, false)) === "followed") continue;
    await waitForNextStep(ctx, loop, list, announced);
  }
  await startingUpgrades(ctx);
  await finalValidation(ctx);
}
