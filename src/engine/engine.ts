import { EventEmitter } from "node:events";
import type { VcfClient } from "../vcf/client";
import type { Domain } from "../vcf/types";
import { capText, LINE_CAP } from "../vcf/text-cap";
import type { RunStore } from "./run-store";
import { engineText, englishText, verbatimText, type EngineText } from "./catalog";
import { EngineError, abortError, asEngineError, isAbort } from "./errors";
import { discoverDomain, lookupDomain, type DomainDiscovery } from "./discovery";
import { managementRunFailure } from "./management-first";
import { chooseTarget } from "./target-choice";
import { newRun } from "./new-run";
import { computePlan } from "./plan/compute";
import type { PlanRequest, UpgradePlan } from "./plan/types";
import { AcknowledgementGates, checkPolicy } from "./phases/acknowledgement";
import { downloadBundles } from "./phases/download";
import { runPrechecks } from "./phases/prechecks";
import { upgradeComponents } from "./phases/upgrades";
import { PhaseContext, RunHandle } from "./run-handle";
import { remoteWorkWarning } from "./remote-work";
import { cancelInSddcManager, cancellationText } from "./remote-cancel";
import { rideOutApiAbsence, startWhenApiBack, upgradesSddcManager } from "./api-away";
import { resolveSettings } from "./settings";
import { appendLog, deepFreeze, isTerminal, transition } from "./transitions";
import { recordApiAndOutsideWork } from "./outside-work";
import { PHASE_STATUSES, ownerCannotAct, previousPhase, repairPhaseMarks } from "./ownership";
import { describeUnreadableRun, type UnreadableRun } from "./unreadable-run";
import { takeFreshBackup } from "./phases/backup";
import { checkUpgradeOptions } from "./upgrade-options";
import { recordUpgradeOptions } from "./steps/upgrade-options-record";
import { measurements } from "./plan/estimates";
import { applyWindow, checkSwitchoverWindow, type WindowRequest } from "./windows/run-window";
import { checkWindowSetting } from "./windows/parse";
import { buildRunReport } from "./report/build";
import type { RunReport } from "./report/types";
import type {
  AckPolicy,
  Actor,
  BackupOptions,
  DomainStatusView,
  EngineSettings,
  Phase,
  StartRunRequest,
  UpgradeRun,
} from "./types";
import { DEFAULT_BACKUP_OPTIONS, FLOW_ACTOR } from "./types";

export interface EngineDeps {
  client: VcfClient;
  store: RunStore;
  settings?: Partial<EngineSettings>;
  /** The clock (epoch ms) waits, deadlines and the credential grace are measured on; default Date.now. */
  now?: () => number;
}

/** A "warning" event: a code and its parameters, worded by the adapter in the user's language. */
export interface EngineWarning {
  code: "RUN_REPAIRED_ON_LOAD" | "RUN_FAILED_ON_LOAD";
  params: { runId: string; domain: string; detail: EngineText };
}

/** The run has ended (failed, or completed: also once the completed pause has passed). */
function hasEnded(run: UpgradeRun): boolean {
  return run.finishedAt !== undefined && run.outcome !== undefined && isTerminal(run.status);
}

function warning(code: EngineWarning["code"], run: UpgradeRun, detail: EngineText): EngineWarning {
  return { code, params: { runId: run.id, domain: run.domainName, detail } };
}

/**
 * A copy of the run for callers and listeners: their changes never reach the engine's run. The log entries are frozen
 * (appendLog, load) and shared, not copied: the log is most of a run, and a copy is made on every change.
 */
function snapshot(run: UpgradeRun): UpgradeRun {
  const { log, ...rest } = run;
  return { ...structuredClone(rest), log: [...log] };
}

/** A "startRefused" event: a fleet's start (StartRunRequest.fleet) that made no run, and why (English). */
export interface StartRefusal {
  fleetId: string;
  /** The domain as the start named it (id or name). */
  domain: string;
  reason: string;
}

/** How a cancel treats the run's remote work. */
export interface CancelOptions {
  /** Also cancel its running upgrade and downloads in SDDC Manager (default true); false: stop here only. */
  inSddcManager?: boolean;
  /** Who asked for the cancel (recorded in the run and its report). */
  by?: Actor;
}

/** A cancel stopping a phase: the phase says when it has stopped, then waits until the cancel has finished. */
interface CancelStop {
  stopped: () => void;
  finished: Promise<void>;
}

/** A phase being worked on; `stop` ends its local work (cancel() aborts it with the cancellation error as reason). */
interface InflightPhase {
  phase: Phase;
  promise: Promise<UpgradeRun>;
  stop: AbortController;
}

/**
 * Drives domain upgrades; emits "change" (run: UpgradeRun snapshot) on every transition, log entry and progress,
 * "warning" (text) when a run loaded from the store needed repair, and "startRefused" (StartRefusal) when a fleet's
 * start made no run.
 */
export class UpgradeEngine extends EventEmitter {
  readonly settings: EngineSettings;
  private readonly client: VcfClient;
  private readonly store: RunStore;
  private readonly now: () => number;
  private readonly runs = new Map<string, UpgradeRun>();
  private readonly loaded: Promise<void>;
  private readonly closing = new AbortController();
  private readonly inflight = new Map<string, InflightPhase>();
  /** Runs whose phase a cancel is stopping: the cancel fails them itself once SDDC Manager has answered. */
  private readonly cancelling = new Map<string, CancelStop>();
  /** Chains the starts: one at a time, in call order, so each sees the runs started before it (see startRun). */
  private startQueue: Promise<unknown> = Promise.resolve();
  /** Starts, phases, cancellations and store writes not yet settled; close() waits for them. */
  private readonly unsettled = new Set<Promise<unknown>>();
  /** The shutdown begun by the first close(); it resolves once nothing touches the store any more. */
  private shutdownDone: Promise<void> | undefined;
  private readonly gates = new AcknowledgementGates();
  /** The newest plan per domain id (kept in memory: a plan is shown until a run starts, see latestPlan). */
  private readonly plans = new Map<string, UpgradePlan>();
  private readonly pauseTimers = new Map<string, NodeJS.Timeout>();
  /** The backup options of the upgrade nodes on this connection (by node id), for the readiness checks. */
  private readonly backupOptions = new Map<string, BackupOptions>();
  /** Stored entries the store could not read as runs: their domains get no new run until they are resolved. */
  private unreadable: UnreadableRun[] = [];

  constructor(deps: EngineDeps) {
    super();
    // Every node using the connection listens for "change" (phase and status nodes): as many as the flow has, not a leak.
    this.setMaxListeners(0);
    this.settings = resolveSettings(deps.settings);
    this.client = deps.client;
    this.store = deps.store;
    this.now = deps.now ?? Date.now;
    this.loaded = this.load();
    this.loaded.catch(() => undefined); // reported through ready() and every async method
  }

  /** Resolves once the store's runs are loaded; every async method waits for it too. */
  ready(): Promise<void> {
    return this.loaded;
  }

  private async load(): Promise<void> {
    for (const run of await this.store.load()) {
      for (const entry of run.log) deepFreeze(entry);
      this.runs.set(run.id, run);
      await this.checkLoadedRun(run);
      if (run.status === "successfully_completed") this.schedulePauseEnd(run);
    }
    this.unreadable = this.store.unreadableRuns?.() ?? [];
  }

  /**
   * A loaded run must be one its owner acts on (see ownership.ts): a missing phase mark is repaired, a run no phase
   * can take is failed. Either is logged in the run and emitted as "warning" (an EngineWarning: adapters word it).
   */
  private async checkLoadedRun(run: UpgradeRun): Promise<void> {
    const repaired = repairPhaseMarks(run);
    if (repaired) {
      appendLog(run, "warning", "run", englishText(engineText("repairedOnLoad", { detail: repaired })));
      this.emit("warning", warning("RUN_REPAIRED_ON_LOAD", run, repaired));
      await this.commit(run);
    }
    const stuck = isTerminal(run.status) ? undefined : ownerCannotAct(run);
    if (stuck) {
      this.emit("warning", warning("RUN_FAILED_ON_LOAD", run, stuck));
      const failure = new EngineError("RUN_FAILED", engineText("failedOnLoad", { detail: stuck }), {
        fix: engineText("startNewRunForDomain"),
      });
      await this.failRun(run, failure);
    }
  }

  private async usable(): Promise<void> {
    if (this.closing.signal.aborted) throw new EngineError("ABORTED", engineText("engineClosed"));
    await this.loaded;
  }

  // ---- persistence and events ----

  private readonly commit = async (run: UpgradeRun, kind: "durable" | "progress" = "durable"): Promise<void> => {
    run.updatedAt = new Date().toISOString();
    // The change that ends the run carries its report: made once, stored with it, sent by the node that ended it.
    if (hasEnded(run) && !run.report) run.report = this.buildReport(run);
    try {
      // One copy for every listener, none without one.
      if (this.listenerCount("change") > 0) this.emit("change", snapshot(run));
    } catch {
      // a listener's failure must not break the run
    }
    if (kind === "progress" && this.store.saveLater) this.store.saveLater(run);
    else await this.tracked(this.store.save(run));
  };

  private tracked<T>(work: Promise<T>): Promise<T> {
    this.unsettled.add(work);
    const forget = (): void => {
      this.unsettled.delete(work);
    };
    work.then(forget, forget);
    return work;
  }

  /** The caller's signal, also aborted when the engine closes. */
  private untilClosed(signal: AbortSignal | undefined): AbortSignal {
    return signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
  }

  private handle(run: UpgradeRun): RunHandle {
    return new RunHandle(run, this.commit, this.now);
  }

  private buildReport(run: UpgradeRun): RunReport {
    return buildRunReport(run, { runs: [...this.runs.values()], settings: this.settings });
  }

  /** Records the failure (reason and remediation in the log) and returns the error to throw. */
  private async failRun(run: UpgradeRun, err: unknown): Promise<EngineError> {
    const e = asEngineError(err);
    if (!isTerminal(run.status)) {
      run.failureReason = capText(e.message, LINE_CAP);
      run.failureCode = e.code;
      run.outcome = "failed";
      run.finishedAt = new Date().toISOString();
      transition(
        run,
        "failed",
        e.fix ? `${e.message.replace(/[.\s]+$/, "")}. Remediation: ${e.fix}` : e.message,
        "error",
      );
      await this.commit(run);
      await this.failRunsBehind(run);
    }
    return e;
  }

  /**
   * The VI runs started behind `failed` (a management domain's run) fail at once, whatever they wait for (downloads,
   * prechecks, the gate, a component): a phase under way is stopped with the reason, an idle run is failed here.
   */
  private async failRunsBehind(failed: UpgradeRun): Promise<void> {
    for (const run of [...this.runs.values()]) {
      if (run.managementRunId !== failed.id || isTerminal(run.status)) continue;
      const reason = managementRunFailure(run, (id) => this.runs.get(id));
      if (!reason) continue;
      const running = this.inflight.get(run.id);
      if (running)
        running.stop.abort(reason); // its phase fails with this reason (see executePhase)
      else await this.failRun(run, reason);
    }
  }

  // ---- discovery ----

  async resolveDomain(ref: string, signal?: AbortSignal): Promise<Domain> {
    return (await lookupDomain(this.client, ref, signal)).domain;
  }

  /**
   * Every domain SDDC Manager lists, each with its update information or the error that kept it from being read. The
   * domains are asked all at once; the client's request limit keeps that from becoming a burst.
   */
  async discoverUpdates(signal?: AbortSignal): Promise<DomainDiscovery[]> {
    await this.usable();
    const domains = await this.client.getDomains({ signal });
    return Promise.all(domains.map((d) => discoverDomain(this.client, d, this.domainStatus(d.id).status, signal)));
  }

  // ---- planning ----

  /**
   * What a run of the domain would do now (see plan/compute.ts), computed by the run's own code on a draft run.
   * Changes nothing in SDDC Manager; emits "plan" (a copy) for the status nodes.
   */
  async planUpgrade(req: PlanRequest, signal?: AbortSignal): Promise<UpgradePlan> {
    await this.usable();
    const deps = {
      client: this.client,
      settings: this.settings,
      now: this.now,
      runs: [...this.runs.values()],
      activeRunOf: (id: string) => this.activeRun(id),
      freshBackup: this.freshBackupExpected(),
    };
    const plan = await this.tracked(computePlan(deps, req, this.untilClosed(signal)));
    this.plans.set(plan.domainId, plan);
    try {
      this.emit("plan", structuredClone(plan));
    } catch {
      // a listener's failure must not break the plan
    }
    return structuredClone(plan);
  }

  /**
   * The domain's newest plan when no run has started since it was made and none is active (a run shows what
   * happens; a plan made during a run does not replace its log).
   */
  latestPlan(domainId: string): UpgradePlan | undefined {
    const plan = this.plans.get(domainId);
    const run = this.latestRun(domainId);
    if (!plan || (run && (run.createdAt > plan.createdAt || !isTerminal(run.status)))) return undefined;
    return structuredClone(plan);
  }

  // ---- starting a run ----

  /**
   * Starts are handled one at a time, in call order: each sees the runs started before it. So a VI domain's
   * start that follows its management domain's (e.g. two messages to the download node) finds that run active.
   */
  startRun(req: StartRunRequest, signal?: AbortSignal): Promise<UpgradeRun> {
    const turn = this.tracked(this.startQueue.then(() => this.start(req, this.untilClosed(signal))));
    this.startQueue = turn.catch(() => undefined);
    const fleetId = req.fleet?.id;
    if (fleetId) turn.catch((err: unknown) => this.refusedForFleet(fleetId, req.domain, err));
    return turn;
  }

  /** A fleet follows its starts through "change"; one that made no run is told with "startRefused" (not after close). */
  private refusedForFleet(fleetId: string, domain: unknown, err: unknown): void {
    if (this.closing.signal.aborted) return;
    const refusal: StartRefusal = { fleetId, domain: String(domain), reason: asEngineError(err).message };
    try {
      this.emit("startRefused", refusal);
    } catch {
      // a listener's failure must not break the start
    }
  }

  private async start(req: StartRunRequest, signal: AbortSignal): Promise<UpgradeRun> {
    await this.usable();
    return startWhenApiBack(() => this.startOnce(req, signal), {
      upgrading: () => [...this.runs.values()].some((r) => !isTerminal(r.status) && upgradesSddcManager(r)),
      client: this.client,
      settings: this.settings,
      signal,
    });
  }

  private async startOnce(req: StartRunRequest, signal: AbortSignal): Promise<UpgradeRun> {
    const choice = await chooseTarget(
      {
        client: this.client,
        activeRunOf: (id) => this.activeRun(id),
        admit: (domain) => {
          this.refuseUnreadable(domain);
          this.refuseBusy(domain);
        },
        shareMs: this.settings.maxPollIntervalMs,
      },
      req,
      signal,
    );
    const { domain, release, waitsFor, clusterImages } = choice;
    const run = newRun(domain, choice.sourceVersion, release, req.ownerNodeId);
    if (req.sddcManagerUrl) run.sddcManagerUrl = req.sddcManagerUrl;
    if (req.fleet) run.fleet = structuredClone(req.fleet);
    run.startedBy = { ...(req.startedBy ?? FLOW_ACTOR) };
    if (clusterImages) run.clusterImages = clusterImages;
    if (waitsFor?.managementRunId) run.managementRunId = waitsFor.managementRunId;
    transition(
      run,
      "update_process_started",
      `Update process started: ${domain.name} ${choice.sourceVersion} → ${release.version} (${choice.reason})`,
    );
    if (waitsFor) appendLog(run, "info", "run", waitsFor.note);
    recordApiAndOutsideWork(run, choice);
    this.runs.set(run.id, run);
    this.cancelPauseTimers(domain.id);
    await this.commit(run);
    await this.prune(domain.id);
    return snapshot(run);
  }

  /** A stored run of the domain that cannot be read may be active (its remote work going on): no second one. */
  private refuseUnreadable(domain: Domain): void {
    const damaged = this.unreadable.find(
      (u) => u.domainId === domain.id || (u.domainId === undefined && u.domainName === domain.name),
    );
    if (!damaged) return;
    throw new EngineError(
      "RUN_UNREADABLE",
      engineText("runUnreadable", { description: describeUnreadableRun(damaged), domain: domain.name }),
      { field: "domain", fix: engineText("runUnreadableFix", { file: damaged.file }) },
    );
  }

  private refuseBusy(domain: Domain): void {
    const active = this.activeRun(domain.id);
    if (active) {
      throw new EngineError(
        "DOMAIN_BUSY",
        engineText("domainBusy", { domain: domain.name, runId: active.id, status: active.status, phase: active.phase }),
        { field: "domain", fix: engineText("domainBusyFix") },
      );
    }
  }

  /** Keeps the newest `keepRunsPerDomain` runs of a domain (active ones are never removed). */
  private async prune(domainId: string): Promise<void> {
    const old = this.runsOf(domainId)
      .slice(0, -this.settings.keepRunsPerDomain)
      .filter((r) => isTerminal(r.status));
    for (const run of old) {
      this.runs.delete(run.id);
      await this.tracked(this.store.remove(run.id));
    }
  }

  // ---- phases ----

  downloadBundles(runId: string, signal?: AbortSignal, ownerNodeId?: string): Promise<UpgradeRun> {
    return this.runPhase(runId, "download", signal, ownerNodeId, downloadBundles);
  }

  runPrechecks(runId: string, signal?: AbortSignal, ownerNodeId?: string): Promise<UpgradeRun> {
    return this.runPhase(runId, "prechecks", signal, ownerNodeId, (ctx) =>
      runPrechecks(ctx, { freshBackup: this.freshBackupExpected() }),
    );
  }

  /**
   * An upgrade node announces its backup options (undefined: it is gone). The readiness checks run before the
   * upgrade node has the run, so a missing backup configuration counts as an error when any upgrade node on this
   * connection takes a fresh backup, or when none has announced itself (the option's default is on).
   */
  declareBackupOptions(nodeId: string, options: BackupOptions | undefined): void {
    if (options) this.backupOptions.set(nodeId, { ...options });
    else this.backupOptions.delete(nodeId);
  }

  private freshBackupExpected(): boolean {
    const all = [...this.backupOptions.values()];
    return all.length === 0 || all.some((o) => o.freshBackup);
  }

  /**
   * The gate. Called again while it waits (e.g. "ignore alerts" switched on), the new policy applies to the
   * waiting gate and the same promise is returned.
   */
  async awaitAcknowledgement(
    runId: string,
    policy: AckPolicy,
    signal?: AbortSignal,
    ownerNodeId?: string,
  ): Promise<UpgradeRun> {
    checkPolicy(policy);
    await this.usable();
    const running = this.inflight.get(runId);
    if (running?.phase === "acknowledgement" && this.gates.applyPolicy(runId, policy)) return running.promise;
    const current = { ...policy };
    return this.runPhase(runId, "acknowledgement", signal, ownerNodeId, (ctx) => this.gates.pass(ctx, current));
  }

  /**
   * Releases a waiting gate (persisted, so it also counts after a restart); undefined when nothing waits. `by`: who
   * acknowledged (for the report).
   */
  acknowledge(domainOrRunId: string, by?: Actor): UpgradeRun | undefined {
    const run = this.findRun(domainOrRunId);
    if (!run || run.status !== "waiting_for_alert_acknowledgement") return undefined;
    if (!run.acknowledged) {
      run.acknowledged = true;
      run.acknowledgedBy = { ...(by ?? FLOW_ACTOR) };
      run.acknowledgedAt = new Date().toISOString();
      appendLog(run, "info", "acknowledgement", "Alerts acknowledged by the user");
      this.commit(run).catch((err: unknown) => this.emit("storeError", err));
    }
    this.gates.poke(run.id);
    return snapshot(run);
  }

  /**
   * `backup`: the fresh backup before the first component; a run resumed keeps the options it started with.
   * `options`: the upgrade options (msg.upgradeOptions over the node's), checked before anything starts: a bad one
   * rejects with a BAD_INPUT error naming the field, and the run stays as it was. Recorded in the run when the phase
   * first starts; a run that has them keeps its own (and `options` is then not looked at).
   * `window`: the maintenance window (msg.window or the node's, see windows/run-window.ts), checked like the options;
   * a component starts only inside it.
   */
  async upgradeComponents(
    runId: string,
    signal?: AbortSignal,
    ownerNodeId?: string,
    backup: BackupOptions = DEFAULT_BACKUP_OPTIONS,
    options?: unknown,
    window?: WindowRequest,
  ): Promise<UpgradeRun> {
    // async: a bad option rejects the returned promise (before the phase starts)
    const recorded = this.runs.get(runId)?.upgradeOptions;
    const checked = recorded ? undefined : checkUpgradeOptions(options);
    const windowSetting = window && checkWindowSetting(window.setting, window.source);
    const source = window?.source ?? "node";
    checkSwitchoverWindow(recorded ?? checked, this.runs.get(runId)?.window, windowSetting, source);
    return this.runPhase(runId, "upgrade", signal, ownerNodeId, async (ctx) => {
      await recordUpgradeOptions(ctx, checked);
      if (windowSetting !== undefined) await applyWindow(ctx.handle, windowSetting, source);
      // The fresh backup: at once without a window, else when the window lets the first component start.
      let backedUp = false;
      const backupOnce = async (): Promise<boolean> => {
        if (backedUp) return false;
        backedUp = true;
        await takeFreshBackup(ctx, backup);
        return true;
      };
      if (!ctx.run.window) await backupOnce();
      await upgradeComponents(ctx, {
        measured: () => measurements([...this.runs.values()]),
        beforeFirstStart: backupOnce,
      });
      this.schedulePauseEnd(ctx.run);
    });
  }

  /**
   * Changes the maintenance window of a run whose upgrade phase is under way or ahead (msg.window while it waits):
   * a wait for the old window ends, and a component scheduled in SDDC Manager is rescheduled. `setting` null removes
   * it. Resolves with the run; undefined when the run is not active. A bad window rejects naming the field.
   */
  async changeWindow(runId: string, setting: unknown): Promise<UpgradeRun | undefined> {
    await this.usable();
    const checked = checkWindowSetting(setting, "message");
    const run = this.runs.get(runId);
    if (!run || isTerminal(run.status)) return undefined;
    checkSwitchoverWindow(run.upgradeOptions, run.window, checked, "message");
    await applyWindow(this.handle(run), checked, "message");
    return snapshot(run);
  }

  /**
   * Stops the active run of a domain (or the run with this id) here and fails it with "cancelled by the user:
   * <reason>"; the domain can then start a new run. Unless `inSddcManager` is false, its running upgrade and downloads
   * are cancelled in SDDC Manager too (the answers in the run's log and remoteCancellations); what goes on there (a
   * check-set run, a validation, a backup, or what SDDC Manager refused to stop) is named in a warning. Resolves with
   * the run once its phase has stopped; undefined when nothing is active.
   */
  cancel(domainOrRunId: string, reason: string, options: CancelOptions = {}): Promise<UpgradeRun | undefined> {
    return this.tracked(this.cancelRun(domainOrRunId, reason, options.inSddcManager !== false, options.by));
  }

  private async cancelRun(
    domainOrRunId: string,
    reason: string,
    inSddcManager: boolean,
    by: Actor | undefined,
  ): Promise<UpgradeRun | undefined> {
    await this.usable();
    const run = this.findRun(domainOrRunId);
    if (!run || isTerminal(run.status)) return undefined;
    run.cancelledBy = { ...(by ?? FLOW_ACTOR) };
    const why = typeof reason === "string" && reason.trim() !== "" ? reason.trim() : engineText("noReasonGiven");
    const cancellation = new EngineError("CANCELLED", engineText("cancelledByUser", { why }), {
      fix: engineText("cancelledByUserFix"),
    });
    const running = this.inflight.get(run.id);
    let finished = (): void => undefined;
    if (running) {
      // The phase stops, then waits while this fails the run (after what SDDC Manager answered): its caller sees the
      // cancellation once the run has failed.
      const stop: CancelStop = { stopped: () => undefined, finished: new Promise((r) => (finished = r)) };
      const stopped = new Promise<void>((r) => (stop.stopped = r));
      this.cancelling.set(run.id, stop);
      running.stop.abort(cancellation);
      await Promise.race([stopped, running.promise.catch(() => undefined)]);
    }
    try {
      await this.cancelHere(run, cancellation, inSddcManager);
    } finally {
      this.cancelling.delete(run.id);
      finished();
    }
    return snapshot(run);
  }

  /** The cancellation's records: in SDDC Manager too unless told otherwise, what goes on there, the failure. */
  private async cancelHere(run: UpgradeRun, cancellation: EngineError, inSddcManager: boolean): Promise<void> {
    if (inSddcManager) {
      run.remoteCancellations = await cancelInSddcManager(this.client, run, this.closing.signal);
      for (const c of run.remoteCancellations)
        appendLog(run, c.accepted ? "info" : "warning", "run", englishText(cancellationText(c)));
    }
    const warning = remoteWorkWarning(run);
    if (warning) appendLog(run, "warning", "run", englishText(warning));
    await this.failRun(run, cancellation);
  }

  /** A run by id, else the active run of a domain given by id or name. */
  private findRun(domainOrRunId: string): UpgradeRun | undefined {
    return (
      this.runs.get(domainOrRunId) ??
      this.activeRun(domainOrRunId) ??
      [...this.runs.values()].find((r) => !isTerminal(r.status) && r.domainName === domainOrRunId)
    );
  }

  /** Fails a non-terminal run (e.g. its owner node is gone); undefined when there is no such run. */
  async abandonRun(runId: string, reason: string): Promise<UpgradeRun | undefined> {
    await this.usable();
    const run = this.runs.get(runId);
    if (!run || isTerminal(run.status)) return undefined;
    if (this.inflight.has(runId)) {
      throw new EngineError("WRONG_STATUS", engineText("runBusyNoAbandon", { runId, phase: run.phase }));
    }
    await this.failRun(run, new EngineError("RUN_FAILED", verbatimText(reason)));
    return snapshot(run);
  }

  /** Checks the run is where this phase can work, then runs it once (a second call joins the first). */
  private async runPhase(
    runId: string,
    phase: Phase,
    signal: AbortSignal | undefined,
    ownerNodeId: string | undefined,
    work: (ctx: PhaseContext) => Promise<void>,
  ): Promise<UpgradeRun> {
    await this.usable();
    const run = this.runs.get(runId);
    if (!run)
      throw new EngineError("RUN_NOT_FOUND", engineText("runNotFound", { runId }), {
        field: "runId",
        fix: engineText("runNotFoundFix"),
      });
    const running = this.inflight.get(runId);
    if (running) {
      if (running.phase === phase) return running.promise;
      throw new EngineError("WRONG_STATUS", engineText("runBusy", { runId, phase: running.phase }));
    }
    if (run.status === "failed") {
      throw new EngineError(
        "RUN_FAILED",
        engineText("runHasFailed", {
          runId,
          domain: run.domainName,
          reason: run.failureReason ?? engineText("unknownReason"),
        }),
        { fix: engineText("startNewRun") },
      );
    }
    if (run.completedPhases.includes(phase)) return snapshot(run);
    const behindFailed = managementRunFailure(run, (id) => this.runs.get(id)); // e.g. failed before a restart
    if (behindFailed) throw await this.failRun(run, behindFailed);
    const previous = previousPhase(phase);
    if ((previous && !run.completedPhases.includes(previous)) || !PHASE_STATUSES[phase].includes(run.status)) {
      const params = {
        runId,
        domain: run.domainName,
        status: run.status,
        phase,
        statuses: PHASE_STATUSES[phase].join(", "),
      };
      throw previous
        ? new EngineError("WRONG_STATUS", engineText("phaseNeedsPrevious", { ...params, previous }), {
            fix: engineText("runPreviousPhase", { previous }),
          })
        : new EngineError("WRONG_STATUS", engineText("phaseNeedsStatus", params), { fix: engineText("startNewRun") });
    }
    const stop = new AbortController();
    const combined = this.untilClosed(signal ? AbortSignal.any([signal, stop.signal]) : stop.signal);
    const promise = this.tracked(
      this.executePhase(run, phase, combined, ownerNodeId, work, stop.signal).finally(() =>
        this.inflight.delete(runId),
      ),
    );
    this.inflight.set(runId, { phase, promise, stop });
    return promise;
  }

  private async executePhase(
    run: UpgradeRun,
    phase: Phase,
    signal: AbortSignal,
    ownerNodeId: string | undefined,
    work: (ctx: PhaseContext) => Promise<void>,
    cancelled: AbortSignal,
  ): Promise<UpgradeRun> {
    const handle = this.handle(run);
    try {
      await handle.update((r) => {
        r.phase = phase;
        if (ownerNodeId) r.ownerNodeId = ownerNodeId;
        r.phaseTimes ??= {};
        r.phaseTimes[phase] ??= { startedAt: new Date().toISOString() };
      });
      const ctx = new PhaseContext(this.client, this.settings, handle, signal, (id) => this.runs.get(id));
      await rideOutApiAbsence(ctx, engineText("phaseWork", { phase }), () => work(ctx));
      // Phases with an end status were marked done with it (transition()); the download phase is marked here.
      if (!run.completedPhases.includes(phase))
        await handle.update((r) => {
          r.completedPhases.push(phase);
          const times = r.phaseTimes?.[phase];
          if (times) times.finishedAt ??= new Date().toISOString();
        });
      return snapshot(run);
    } catch (err) {
      const cancelling = this.cancelling.get(run.id);
      if (cancelled.aborted && cancelling) {
        cancelling.stopped();
        await cancelling.finished;
        throw cancelled.reason;
      }
      if (cancelled.aborted) throw await this.failRun(run, cancelled.reason);
      if (isAbort(err, signal)) throw abortError(engineText("phaseOfRun", { phase, runId: run.id }));
      throw await this.failRun(run, err);
    }
  }

  // ---- completed pause ----

  private schedulePauseEnd(run: UpgradeRun): void {
    const finished = Date.parse(run.finishedAt ?? run.updatedAt);
    const wait = Math.max(0, finished + this.settings.completedPauseMs - Date.now());
    const timer = setTimeout(() => {
      this.pauseTimers.delete(run.id);
      if (run.status !== "successfully_completed" || this.latestRun(run.domainId) !== run) return;
      transition(run, "waiting_for_initiation", "Ready for the next upgrade");
      this.commit(run).catch((err: unknown) => this.emit("storeError", err));
    }, wait);
    timer.unref();
    this.pauseTimers.set(run.id, timer);
  }

  private cancelPauseTimers(domainId: string): void {
    for (const run of this.runsOf(domainId)) {
      const timer = this.pauseTimers.get(run.id);
      if (timer) clearTimeout(timer);
      this.pauseTimers.delete(run.id);
    }
  }

  // ---- queries ----

  private runsOf(domainId: string): UpgradeRun[] {
    return [...this.runs.values()]
      .filter((r) => r.domainId === domainId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  private activeRun(domainId: string): UpgradeRun | undefined {
    return this.runsOf(domainId).find((r) => !isTerminal(r.status));
  }

  private latestRun(domainId: string): UpgradeRun | undefined {
    return this.runsOf(domainId).at(-1);
  }

  /**
   * The report of an ended run: the one made when it ended, else (a run stored before reports were made) one made now
   * from what the run recorded. Undefined while the run goes on.
   */
  report(id: string): RunReport | undefined {
    const run = this.runs.get(id);
    if (!run || !hasEnded(run)) return undefined;
    return structuredClone(run.report ?? this.buildReport(run));
  }

  getRun(id: string): UpgradeRun | undefined {
    const run = this.runs.get(id);
    return run && snapshot(run);
  }

  activeRunFor(domainId: string): UpgradeRun | undefined {
    const run = this.activeRun(domainId);
    return run && snapshot(run);
  }

  listRuns(): UpgradeRun[] {
    return [...this.runs.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(snapshot);
  }

  domainStatus(domainId: string): DomainStatusView {
    const run = this.latestRun(domainId);
    if (!run) return { status: "waiting_for_initiation", step: "No upgrade has run yet", progress: 0 };
    return { status: run.status, step: run.step, progress: run.progress, run: snapshot(run) };
  }

  /** The stored entries that could not be read as runs (kept in the store; their domains get no new run). */
  unreadableRuns(): UnreadableRun[] {
    return this.unreadable.map((u) => ({ ...u }));
  }

  /** Non-terminal runs (loaded from the store or interrupted), for their owner node to pick up. */
  resumableRuns(): UpgradeRun[] {
    return this.listRuns().filter((r) => !isTerminal(r.status) && !this.inflight.has(r.id));
  }

  /**
   * Aborts waits and requests, then resolves once the work under way has stopped and every store write has
   * landed, so nothing touches the run file afterwards. Persisted runs stay resumable. Idempotent.
   */
  close(): Promise<void> {
    this.shutdownDone ??= this.shutdown();
    return this.shutdownDone;
  }

  private async shutdown(): Promise<void> {
    this.closing.abort();
    for (const timer of this.pauseTimers.values()) clearTimeout(timer);
    this.pauseTimers.clear();
    await this.loaded.catch(() => undefined);
    while (this.unsettled.size > 0) await Promise.allSettled([...this.unsettled]);
    // The progress-only changes still waiting: a restart shows the step the run had when it stopped.
    await this.store.flush?.().catch((err: unknown) => this.emit("storeError", err));
  }
}
