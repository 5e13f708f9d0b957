// What a vcf-config node owns: one client, one engine, one run store, and the phase nodes that resume runs.
import path from "node:path";
import {
  describeUnreadableRun,
  isTerminal,
  type EngineWarning,
  nextPhase,
  UpgradeEngine,
  type Phase,
  type UnreadableRun,
  type UpgradeRun,
} from "../engine";
import { FileRunStore, MemoryRunStore, type RunStore } from "../store";
import { VcfClient } from "../vcf/client";
import { buildClientOptions, type ClientLog, type Credentials } from "./client-options";
import {
  parseConnection,
  parseEngineSettings,
  sameOrigin,
  type ConnectionSettings,
  type VcfConfigDef,
} from "./config-settings";
import { describeError, toReadableError } from "./errors";
import { engineTextIn, t } from "./i18n";
import { phaseNodeWiredAfter, PHASE_NODE_TYPES, resumeAction, type ResumeAction } from "./handoff";
import { messageCopy } from "./message-copy";
import type { NodeMessage } from "./node-red-types";
import { RunBookkeeping } from "./run-bookkeeping";

/** Called with a run its owner node should pick up (after a restart or redeploy), and what to do with it. */
export type ResumeHandler = (run: UpgradeRun, action: Exclude<ResumeAction, "none">) => void;

/** A node's entry in the flow configuration (deployed, disabled, or on a disabled flow). */
export interface FlowNodeConfig {
  id: string;
  type: string;
  server?: unknown;
  wires?: string[][];
  /** Link-out and link-call nodes: the link-in nodes they reach. */
  links?: string[];
  /** Disabled. */
  d?: boolean;
}

export interface ConnectionDeps {
  def: VcfConfigDef;
  credentials: Credentials | undefined;
  /** RED.nodes.getNode, for the tls-config option. */
  lookupNode: (id: string) => unknown;
  /** The flow configuration of a node id (disabled nodes included); undefined when the flows do not hold it. */
  findInFlows: (id: string) => FlowNodeConfig | undefined;
  /** Node-RED's user directory; without it runs are kept in memory only. */
  userDir: string | undefined;
  log: ClientLog;
}

/** A deployed phase node instance, and the runs it has been offered. */
interface Resumer {
  handler: ResumeHandler;
  offered: Set<string>;
}

export class VcfConnection {
  readonly engine?: UpgradeEngine;
  /** The engine's client, for reads that are not part of a run (the vcf-status domain list). */
  readonly client?: VcfClient;
  /** The deployed URL and TLS settings: the Test connection route uses the stored credentials only with these. */
  readonly settings?: ConnectionSettings;
  /** Why there is no engine: a configuration problem, reported to every node that uses this connection. */
  readonly problem?: Error;
  /** The run store's directory (one file per run). */
  readonly storeFile?: string;
  private readonly bookkeeping?: RunBookkeeping;
  private readonly resumers = new Map<string, Resumer>();
  private passes: Promise<void> = Promise.resolve();
  /** Runs already reported as waiting for a disabled owner node. */
  private readonly waitingReported = new Set<string>();

  /** A warning for the user (Node-RED's log and the debug sidebar), already in the user's language. */
  private warn(text: string): void {
    const level = "warn";
    this.deps.log(level, text);
  }

  constructor(private readonly deps: ConnectionDeps) {
    try {
      const settings = parseConnection(deps.def);
      const client = new VcfClient(buildClientOptions(settings, deps.credentials, deps.lookupNode, deps.log));
      this.settings = settings;
      this.client = client;
      let store: RunStore;
      if (deps.userDir) {
        const fileStore = new FileRunStore(deps.userDir, runStoreName(deps.def.id));
        this.storeFile = fileStore.directory;
        store = fileStore;
      } else {
        this.warn(t("vcf-config.warnings.noUserDir"));
        store = new MemoryRunStore();
      }
      const engine = new UpgradeEngine({ client, store, settings: parseEngineSettings(deps.def) });
      engine.on("warning", (warning: EngineWarning) => this.warn(engineWarningText(warning)));
      this.engine = engine;
      let runsLoaded = false;
      engine.ready().then(
        () => {
          runsLoaded = true;
          for (const damaged of engine.unreadableRuns()) this.warn(unreadableRunWarning(damaged));
        },
        () => undefined,
      );
      const bookkeepingFile = deps.userDir ? path.join(deps.userDir, bookkeepingFileName(deps.def.id)) : undefined;
      // Until the engine has loaded its runs, none of them is known to be gone.
      // An unreadable run keeps its records too: it may be fixed by hand and read again.
      const isKnownRun = (runId: string): boolean =>
        !runsLoaded || engine.getRun(runId) !== undefined || engine.unreadableRuns().some((u) => u.runId === runId);
      // A resumed output is built from the copy: kept until the run has ended and its last output went out (a failed
      // run reports its failure with the message it has in hand).
      const needsMessage = (runId: string): boolean => {
        const run = runsLoaded ? engine.getRun(runId) : undefined;
        if (!run || !isTerminal(run.status)) return true;
        return run.status !== "failed" && !this.bookkeeping?.wasSent(runId, run.phase);
      };
      const bookkeeping = new RunBookkeeping(bookkeepingFile, (text) => this.warn(text), isKnownRun, needsMessage);
      this.bookkeeping = bookkeeping;
      engine.on("change", (run: UpgradeRun) => {
        if (isTerminal(run.status)) bookkeeping.forgetGoneRuns();
      });
    } catch (err) {
      this.problem = toReadableError(err);
    }
  }

  /** The engine, or the configuration problem as an error naming what to fix. */
  requireEngine(): UpgradeEngine {
    if (!this.engine) throw this.problem ?? new Error(t("vcf-config.errors.notConfigured"));
    return this.engine;
  }

  /** A phase node instance announces it can finish runs it owns; returns the function that withdraws it. */
  registerResumer(nodeId: string, handler: ResumeHandler): () => void {
    const resumer: Resumer = { handler, offered: new Set() };
    this.resumers.set(nodeId, resumer);
    return () => {
      if (this.resumers.get(nodeId) === resumer) this.resumers.delete(nodeId);
    };
  }

  /** The files this connection keeps in the user directory (none without one). */
  files(): string[] {
    return [this.storeFile, this.bookkeeping?.file].filter((f): f is string => f !== undefined);
  }

  /**
   * A phase node is about to send the output of `phase` for this run; resolves once that is recorded, so that it is
   * not sent again after a restart or redeploy (see handoff.ts for when it is).
   */
  outputSending(runId: string, phase: Phase): Promise<void> {
    return this.bookkeeping?.recordSent(runId, phase) ?? Promise.resolve();
  }

  /**
   * The report of a run that failed or was cancelled is about to be sent: true the first time for the run (recorded
   * before it resolves, so a restart does not send it again either), false after.
   */
  async reportSending(runId: string): Promise<boolean> {
    if (!this.bookkeeping) return true;
    if (this.bookkeeping.wasSent(runId, "report")) return false;
    await this.bookkeeping.recordSent(runId, "report");
    return true;
  }

  /** The output recorded by outputSending was not sent after all (its node closed first). */
  outputNotSent(runId: string, phase: Phase): void {
    this.bookkeeping?.forgetSent(runId, phase);
  }

  /** A phase of the run started with `msg`: a copy of its plain-data properties is kept for a resumed output. */
  inputReceived(runId: string, msg: NodeMessage): void {
    this.bookkeeping?.recordMessage(runId, messageCopy(msg));
  }

  /** The kept copy of the message the run's current phase started with, if any. */
  inputOf(runId: string): NodeMessage | undefined {
    return this.bookkeeping?.messageOf(runId);
  }

  /** Resolves once the records kept beside the run file (e.g. the ignoreAlerts values) have been read. */
  recordsReady(): Promise<void> {
    return this.bookkeeping?.ready() ?? Promise.resolve();
  }

  /** The "ignore warnings" value the last ignoreAlerts message of await-ack node `nodeId` set, kept across restarts. */
  ignoreAlertsOverride(nodeId: string): boolean | undefined {
    return this.bookkeeping?.ignoreAlertsOf(nodeId);
  }

  /** Keeps the value for the node; undefined forgets it, so that the node's checkbox applies. */
  setIgnoreAlertsOverride(nodeId: string, value: boolean | undefined): void {
    this.bookkeeping?.setIgnoreAlerts(nodeId, value);
  }

  /**
   * After the flows (re)started: offers each unfinished run once to each new instance of the phase node that owns
   * it (so a restart, or a redeploy that recreated that node, picks it up; other deploys do not), with what it is to do
   * (handoff.ts): continue the phase, send its output, send it again when the next phase's node never took the run
   * over, or nothing. A successful run whose final output was not recorded as sent is offered too. A run whose owner
   * is disabled (or on a disabled flow) waits for it; a run whose owner is absent from the flows, or uses another
   * connection, is failed, and so is a run started against another SDDC Manager URL than the connection's (runs
   * stored without the URL are kept).
   * The ignoreAlerts values of await-ack nodes no longer in the flows with this connection are forgotten.
   * Passes run one after the other; the promise settles when this one has.
   */
  resumeRuns(): Promise<void> {
    const pass = this.passes.then(() => this.resumePass());
    this.passes = pass.catch(() => undefined);
    return pass;
  }

  private async resumePass(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    await engine.ready();
    await this.bookkeeping?.ready();
    this.bookkeeping?.forgetGoneRuns();
    // The value of a deleted node goes (also of one deleted while disabled: it was not running to hear it), and of one
    // moved to another connection; one pasted back with the same id starts from its checkbox.
    this.bookkeeping?.keepIgnoreAlertsOf((nodeId) => this.deps.findInFlows(nodeId)?.server === this.deps.def.id);
    for (const run of [...engine.resumableRuns(), ...this.unsentFinalOutputs(engine)]) {
      try {
        await this.resumeRun(engine, run);
      } catch (err) {
        this.warn(
          t("vcf-config.warnings.resumeFailed", { runId: run.id, domain: run.domainName, error: describeError(err) }),
        );
      }
    }
  }

  private async resumeRun(engine: UpgradeEngine, run: UpgradeRun): Promise<void> {
    const currentUrl = this.settings?.baseUrl;
    if (run.sddcManagerUrl && currentUrl && !sameOrigin(run.sddcManagerUrl, currentUrl)) {
      if (isTerminal(run.status)) return;
      // The reason is recorded in the run's log (English, like every log entry); the warning is shown in the UI language.
      const reason = `This run was started against ${run.sddcManagerUrl}; the config node now points at ${currentUrl}, so it is not continued there: start the upgrade again`;
      this.warn(
        t("vcf-config.warnings.otherUrl", {
          runId: run.id,
          domain: run.domainName,
          runUrl: run.sddcManagerUrl,
          currentUrl,
        }),
      );
      await engine.abandonRun(run.id, reason);
      return;
    }
    const ownerId = run.ownerNodeId;
    const resumer = ownerId ? this.resumers.get(ownerId) : undefined;
    if (resumer && ownerId) {
      if (resumer.offered.has(run.id)) return;
      resumer.offered.add(run.id);
      const action = this.resumeActionFor(run, ownerId);
      if (action !== "none") resumer.handler(run, action);
      return;
    }
    if (isTerminal(run.status)) return; // a final output whose node is gone: nobody to send it
    const owner = ownerId ? this.deps.findInFlows(ownerId) : undefined;
    if (owner && owner.server === this.deps.def.id) {
      if (!this.waitingReported.has(run.id)) {
        this.waitingReported.add(run.id);
        this.warn(
          t("vcf-config.warnings.ownerDisabled", {
            runId: run.id,
            domain: run.domainName,
            node: owner.id,
            type: owner.type,
          }),
        );
      }
      return;
    }
    const who = ownerId ? `node ${ownerId}` : "no node";
    await engine.abandonRun(
      run.id,
      `The run was owned by ${who}, which is no longer deployed with this SDDC Manager connection; start the upgrade again`,
    );
  }

  /** What the owner does with the run (see handoff.ts); a run left to the flow on purpose is reported once. */
  private resumeActionFor(run: UpgradeRun, ownerId: string): ResumeAction {
    const next = nextPhase(run.phase);
    const sent = this.bookkeeping?.wasSent(run.id, run.phase) ?? false;
    const nextPhaseWired =
      next !== undefined && phaseNodeWiredAfter(ownerId, next, this.deps.def.id, this.deps.findInFlows);
    const action = resumeAction(run, { sent, nextPhaseWired });
    if (action === "none" && next && !isTerminal(run.status) && !this.waitingReported.has(run.id)) {
      this.waitingReported.add(run.id);
      this.warn(
        t("vcf-config.warnings.leftToFlow", {
          runId: run.id,
          domain: run.domainName,
          status: run.status,
          phase: run.phase,
          nextType: PHASE_NODE_TYPES[next],
          node: ownerId,
        }),
      );
    }
    return action;
  }

  /** Each domain's latest run that ended successfully and whose final output is not recorded as sent (a crash came first). */
  private unsentFinalOutputs(engine: UpgradeEngine): UpgradeRun[] {
    const latest = new Map<string, UpgradeRun>();
    for (const run of engine.listRuns()) latest.set(run.domainId, run); // listRuns is oldest first
    return [...latest.values()].filter(
      (run) =>
        run.outcome === "successfully_completed" &&
        isTerminal(run.status) &&
        run.completedPhases.includes("upgrade") &&
        !this.bookkeeping?.wasSent(run.id, "upgrade"),
    );
  }

  /** Aborts waits and requests, then closes the client's connections; resolves once the files are final. Persisted runs stay for the next start. */
  async close(): Promise<void> {
    this.resumers.clear();
    await this.engine?.close();
    this.client?.close();
    await this.passes; // a resume pass under way may still record something
    await this.bookkeeping?.close();
  }
}

function unreadableRunWarning(damaged: UnreadableRun): string {
  const domain = damaged.domainName ?? damaged.domainId;
  return t(domain ? "vcf-config.warnings.unreadableRun" : "vcf-config.warnings.unreadableRunNoDomain", {
    description: engineTextIn(describeUnreadableRun(damaged)),
    domain: domain ?? "",
  });
}

/** A warning the engine reports with a code: its text in the UI language. */
function engineWarningText(warning: EngineWarning): string {
  return t(`vcf-config.engineWarnings.${warning.code}`, {
    ...warning.params,
    detail: engineTextIn(warning.params.detail),
  });
}

/** One run store (a directory, one file per run) per vcf-config node, in Node-RED's user directory. */
export function runStoreName(configNodeId: string): string {
  return `vcf-upgrade-runs-${safeId(configNodeId)}`;
}

/** The phase nodes' records beside the run directory: sent phase outputs, kept input messages, ignoreAlerts values. */
function bookkeepingFileName(configNodeId: string): string {
  return `vcf-upgrade-node-records-${safeId(configNodeId)}.json`;
}

function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, "_");
}
