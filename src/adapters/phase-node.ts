// The shared runtime of the four phase nodes: msg in -> engine phase -> msg out, with status badges,
// done(err) for Catch nodes, close that aborts waits, cancel messages, and pick-up of owned runs after a restart.
import { isTerminal, type Phase, type UpgradeEngine, type UpgradeRun } from "../engine";
import { cancelFromMessage, readCancelReason } from "./cancel-control";
import { getConnection } from "./config-access";
import type { ResumeAction } from "./handoff";
import type { VcfConnection } from "./connection";
import { matchesDomain, readClusterImages, readPhaseRequest, requireDomain, type PhaseRequest } from "./domain-ref";
import { InputError, toReadableError } from "./errors";
import { readFleetTag } from "./fleet-messages";
import { t, useCatalog } from "./i18n";
import { carriesEndedReport, markdownLimit, phaseMessage, type MarkdownLimit } from "./messages";
import { actorOf } from "./actor";
import type { DoneFunction, Node, NodeAPI, NodeDef, NodeMessage, SendFunction } from "./node-red-types";
import { settleInput } from "./settle-input";
import { errorBadge, phaseDoneBadge, runBadge } from "./status-badge";

export interface PhaseNodeDef extends NodeDef {
  server?: string;
  domain?: string;
  targetVersion?: string;
  markdownMaxBytes?: number | string;
  /** msg.cancel also cancels the run's upgrade and downloads in SDDC Manager (default); false: stop here only. */
  cancelInSddcManager?: boolean;
}

/** What one deployed phase node does with a run; created per node so it may keep its own state. */
export interface PhaseBehaviour {
  /**
   * Runs the engine phase for `runId`, owned by this node (the owner resumes it after a restart); `input` is the
   * message that asked for it (none when resumed).
   */
  execute(engine: UpgradeEngine, runId: string, signal: AbortSignal, input?: NodeMessage): Promise<UpgradeRun>;
  /** Handles a control message (one that carries no run to work on); resolves true when it was one. */
  control?(msg: NodeMessage): boolean | Promise<boolean>;
  /** Called once the node has started with a working connection (its status is cleared just before). */
  started?(): void;
}

/** A phase node type; everything not in here is shared by the four phase nodes. */
export interface PhaseSpec<TDef extends PhaseNodeDef> {
  type: string;
  phase: Phase;
  /** The download node starts a new run for the message's domain; the others continue the message's run. */
  startsRun?: boolean;
  behaviour(node: PhaseNode<TDef>): PhaseBehaviour;
}

/** The catalog key of what a node logs when it picks a run up after a restart or redeploy. */
const RESUME_LOG: Readonly<Record<Exclude<ResumeAction, "none">, string>> = {
  continue: "vcf-config.log.resumeContinue",
  send: "vcf-config.log.resumeSend",
  "send-again": "vcf-config.log.resumeSendAgain",
};

/** A run this node is working on: one controller (close aborts it) and the phase's promise. */
interface ActiveRun {
  controller: AbortController;
  settled: Promise<unknown>;
}

/** A message for a run this node is already working on: it gets this error, the output is sent once. */
export class AlreadyRunningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AlreadyRunningError";
  }
}

/** One deployed phase node: its runs in progress and their abort controllers. */
export class PhaseNode<TDef extends PhaseNodeDef> {
  readonly connection?: VcfConnection;
  private readonly active = new Map<string, ActiveRun>();
  /** Input messages of phases asked for but not yet taken up by the engine (it may refuse them). */
  private readonly unaccepted = new Map<string, NodeMessage>();
  /** Set when close() begins: from then on, failures of the node's phases are not reported. */
  private closeBegun = false;
  private readonly markdownLimit: MarkdownLimit;
  private readonly cleanups: Array<() => void> = [];
  private readonly behaviour: PhaseBehaviour;

  constructor(
    readonly RED: NodeAPI,
    readonly redNode: Node,
    readonly def: TDef,
    private readonly spec: PhaseSpec<TDef>,
  ) {
    this.markdownLimit = markdownLimit(def);
    this.behaviour = spec.behaviour(this);
    try {
      this.connection = getConnection(RED, def.server);
      const engine = this.connection.requireEngine();
      const onChange = (run: UpgradeRun): void => {
        this.keepInputOnceAccepted(run);
        if (this.active.has(run.id)) redNode.status(runBadge(run));
        if (run.report && run.report.outcome !== "successfully_completed" && run.ownerNodeId === redNode.id)
          void this.sendEndReport(run);
      };
      engine.on("change", onChange);
      this.cleanups.push(() => engine.off("change", onChange));
      this.cleanups.push(this.connection.registerResumer(redNode.id, (run, action) => this.resume(run, action)));
      redNode.status({});
      this.behaviour.started?.();
    } catch (err) {
      redNode.status(errorBadge(err));
    }
    redNode.on("input", (msg, send, done) => this.onInput(msg, send, done));
    // Waits until the aborted phases have stopped, so a node started by the same deploy can take their runs over.
    redNode.on("close", (_removed, done) => {
      this.close().then(done, done);
    });
  }

  engine(): UpgradeEngine {
    if (!this.connection) return getConnection(this.RED, this.def.server).requireEngine();
    return this.connection.requireEngine();
  }

  /** The runs this node is working on right now. */
  activeRuns(): UpgradeRun[] {
    const engine = this.connection?.engine;
    if (!engine) return [];
    return [...this.active.keys()].flatMap((id) => engine.getRun(id) ?? []);
  }

  /** The unfinished runs this node owns, also those it has not picked up yet after a restart or redeploy. */
  ownedRuns(): UpgradeRun[] {
    const engine = this.connection?.engine;
    if (!engine) return [];
    return engine.listRuns().filter((r) => r.ownerNodeId === this.redNode.id && !isTerminal(r.status));
  }

  /** True once the node is closing (redeploy, restart): failures of its phases are not reported any more. */
  get closing(): boolean {
    return this.closeBegun;
  }

  /** The run a message is about: its msg.vcf.runId, else the active run of its domain. */
  findRun(request: PhaseRequest): UpgradeRun {
    const run = this.lookupRun(request);
    if (run) return run;
    if (request.runId) {
      throw new InputError("msg.vcf.runId", t("vcf-config.errors.runUnknown", { runId: request.runId }));
    }
    throw new InputError("domain", t("vcf-config.errors.noRunForDomain", { domain: requireDomain(request) }));
  }

  /** Like findRun, but undefined when there is no such run. */
  lookupRun(request: PhaseRequest): UpgradeRun | undefined {
    const engine = this.engine();
    if (request.runId) return engine.getRun(request.runId);
    const ref = requireDomain(request);
    const known = engine.listRuns().find((r) => matchesDomain(r, ref));
    return known ? engine.activeRunFor(known.domainId) : undefined;
  }

  private onInput(msg: NodeMessage, send: SendFunction, done: DoneFunction): void {
    // After close the run resumes when the node is back; a message refused while its phase runs keeps that badge.
    void settleInput(this.redNode, this.handleInput(msg, send), done, {
      closing: () => this.closeBegun,
      keepsBadge: (err) => err instanceof AlreadyRunningError,
    });
  }

  private async handleInput(msg: NodeMessage, send: SendFunction): Promise<void> {
    await this.connection?.recordsReady(); // what a message records is added to the file's content, not replaced by it
    // The report of a run that ended at an earlier phase node travels on to the end of the chain.
    if (carriesEndedReport(msg, (runId) => this.engine().report(runId) !== undefined)) return send(msg);
    const cancelReason = readCancelReason(msg, this.redNode.name || this.redNode.id);
    if (cancelReason !== undefined) return cancelFromMessage(this, msg, cancelReason);
    if (await this.behaviour.control?.(msg)) return;
    const engine = this.engine();
    const request = readPhaseRequest(msg, this.def);
    let runId: string;
    if (this.spec.startsRun) {
      const clusterImages = readClusterImages(msg);
      const fleet = readFleetTag(msg);
      const started = await engine.startRun({
        domain: requireDomain(request),
        targetVersion: request.targetVersion,
        ownerNodeId: this.redNode.id,
        sddcManagerUrl: this.connection?.settings?.baseUrl,
        startedBy: actorOf(msg),
        ...(clusterImages ? { clusterImages } : {}),
        ...(fleet ? { fleet } : {}),
      });
      runId = started.id;
    } else {
      runId = this.findRun(request).id;
    }
    const run = await this.execute(runId, msg);
    await this.deliver(msg, run, send);
  }

  /**
   * Records that the phase's output leaves, then sends it: a crash between the two loses a message rather than
   * repeating one, and a lost one is sent again when the next phase's node never took the run over (handoff.ts). Not
   * after close: the engine has the phase done, and the node's next instance (after the redeploy or restart) sends
   * it when it picks the run up.
   */
  private async deliver(msg: NodeMessage, run: UpgradeRun, send: SendFunction): Promise<void> {
    if (this.closeBegun) return;
    const report = this.engine().report(run.id);
    const out = phaseMessage(msg, run, this.spec.phase, this.markdownLimit, report);
    await this.connection?.outputSending(run.id, this.spec.phase);
    if (this.closeBegun) {
      this.connection?.outputNotSent(run.id, this.spec.phase);
      return;
    }
    send(out);
  }

  /**
   * A run that failed or was cancelled while this node owned it (its phase ran here, or the run waited after it): its
   * report leaves once, on a message of its own (the input message goes to Catch with the error), and phase nodes
   * wired after this one pass it on. A successful run's report rides on the upgrade node's usual output.
   */
  private async sendEndReport(run: UpgradeRun): Promise<void> {
    if (this.closeBegun || !this.connection || !(await this.connection.reportSending(run.id))) return;
    const report = this.engine().report(run.id);
    if (!report || this.closeBegun) return;
    this.redNode.send(phaseMessage({}, run, run.phase, this.markdownLimit, report));
  }

  /**
   * A run this node owned before a restart or redeploy: finish it (or take its finished phase) and send the output as
   * usual, on a message made of the kept copy of the phase's input message (see message-copy.ts); a failure goes to
   * Catch with that message.
   */
  private resume(run: UpgradeRun, action: Exclude<ResumeAction, "none">): void {
    if (this.active.has(run.id) || this.closeBegun) return;
    const msg: NodeMessage = { ...this.connection?.inputOf(run.id), topic: run.domainName };
    this.redNode.log(t(RESUME_LOG[action], { phase: this.spec.phase, runId: run.id, domain: run.domainName }));
    this.execute(run.id).then(
      (finished) => this.deliver(msg, finished, (out) => this.redNode.send(out)),
      (err: unknown) => {
        if (this.closeBegun) return;
        const readable = toReadableError(err);
        this.redNode.status(errorBadge(err));
        this.redNode.error(readable, msg);
      },
    );
  }

  /**
   * Runs the phase for `runId`, one request per run at a time at this node; a second one is refused.
   * @param input the message that asked for the phase (none when resumed); kept for a resumed output
   */
  private async execute(runId: string, input?: NodeMessage): Promise<UpgradeRun> {
    const engine = this.engine();
    if (this.active.has(runId)) {
      const run = engine.getRun(runId);
      const params = { phase: this.spec.phase, runId, domain: run?.domainName ?? "" };
      throw new AlreadyRunningError(
        t(run ? "vcf-config.errors.alreadyRunning" : "vcf-config.errors.alreadyRunningNoDomain", params),
      );
    }
    if (input) this.unaccepted.set(runId, input);
    const controller = new AbortController();
    const work = this.behaviour.execute(engine, runId, controller.signal, input);
    const settled = work
      .catch(() => undefined)
      .finally(() => {
        this.active.delete(runId);
        this.unaccepted.delete(runId);
      });
    this.active.set(runId, { controller, settled });
    const run = await work;
    if (!this.closeBegun) this.redNode.status(phaseDoneBadge(run, this.spec.phase));
    return run;
  }

  /**
   * Keeps the input message of the run's phase once the engine has taken the phase up (its first change in that phase),
   * so a message it refuses (wrong status, failed run) or one for a phase already done does not replace the kept copy.
   */
  private keepInputOnceAccepted(run: UpgradeRun): void {
    const input = this.unaccepted.get(run.id);
    if (!input || run.phase !== this.spec.phase || run.completedPhases.includes(run.phase)) return;
    this.unaccepted.delete(run.id);
    this.connection?.inputReceived(run.id, input);
  }

  /** Aborts the phases under way and resolves once they have stopped. */
  private async close(): Promise<void> {
    this.closeBegun = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    const running = [...this.active.values()];
    for (const { controller } of running) controller.abort();
    await Promise.all(running.map((r) => r.settled));
    this.redNode.status({});
  }
}

/** Registers a phase node type whose behaviour is `spec`. */
export function registerPhaseNode<TDef extends PhaseNodeDef>(RED: NodeAPI, spec: PhaseSpec<TDef>): void {
  useCatalog(RED);
  function PhaseNodeType(this: Node, def: TDef): void {
    RED.nodes.createNode(this, def);
    new PhaseNode(RED, this, def, spec);
  }
  RED.nodes.registerType(spec.type, PhaseNodeType);
}
