// Runs one fleet (see types.ts): sends a start message per domain in the fleet's order, follows the runs the flow's
// phase nodes start for them (tagged with the fleet's id), and starts the next domains as slots free. Every change is
// saved before anything is sent, so after a restart the fleet continues: runs still active are followed, a start
// whose run never came is sent again (the message was lost with the process), and new starts happen as slots free.
import { randomUUID } from "node:crypto";
import type { UpgradeEngine, StartRefusal } from "../engine";
import { engineText, englishText } from "../catalog";
import { EngineError } from "../errors";
import { isTerminal } from "../transitions";
import type { UpgradeRun } from "../types";
import { fleetMembers } from "./members";
import { fleetDone, isActiveMember, nextStarts } from "./schedule";
import {
  DEFAULT_START_DEADLINE_MS,
  type FleetMember,
  type FleetRecord,
  type FleetSettings,
  type FleetStore,
} from "./types";

export interface FleetRunnerDeps {
  engine: UpgradeEngine;
  store: FleetStore;
  ownerNodeId: string;
  sddcManagerUrl?: string;
  /** How long a start message may take to become a run (default 30 min). */
  startDeadlineMs?: number;
  /** Sends a member's start message into the flow (the phase chain starts its run from it). */
  sendStart(fleet: FleetRecord, member: FleetMember): void;
  /** The fleet changed (a copy), e.g. for a status badge. */
  changed?(fleet: FleetRecord): void;
  /** The fleet has ended (a copy): every member done, failed, skipped or not started. */
  finished(fleet: FleetRecord): void;
  /** A failure of the fleet's own bookkeeping (saving it, cancelling a run). */
  failed(err: unknown): void;
}

export class FleetRunner {
  private fleet: FleetRecord | undefined;
  private readonly loaded: Promise<void>;
  /** Changes are applied one at a time, in order (events arrive while a save is under way). */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly deadlines = new Map<string, NodeJS.Timeout>();
  private closed = false;
  private readonly onChange = (run: UpgradeRun): void => {
    const fleet = this.fleet;
    // its own runs, and runs that were active when it started (followed, not started again)
    if (fleet && (run.fleet?.id === fleet.id || fleet.members.some((m) => m.runId === run.id)))
      void this.enqueue(() => this.runChanged(run));
  };
  private readonly onRefused = (refusal: StartRefusal): void => {
    if (this.fleet && refusal.fleetId === this.fleet.id) void this.enqueue(() => this.startRefused(refusal));
  };

  constructor(private readonly deps: FleetRunnerDeps) {
    this.loaded = deps.store.load().then(
      (f) => {
        this.fleet = f;
      },
      (err: unknown) => {
        // Kept as it is: it may hold a fleet half done, which a new fleet would otherwise replace.
        throw new EngineError(
          "RUN_UNREADABLE",
          engineText("fleetUnreadable", { detail: err instanceof Error ? err.message : String(err) }),
          { fix: engineText("fleetUnreadableFix") },
        );
      },
    );
    this.loaded.catch(() => undefined); // reported by the methods that wait for it
    deps.engine.on("change", this.onChange);
    deps.engine.on("startRefused", this.onRefused);
  }

  /** A copy of the fleet (the newest, running or ended), if any. */
  current(): FleetRecord | undefined {
    return this.fleet && structuredClone(this.fleet);
  }

  /**
   * Starts a new fleet; refused while one runs. Reads the domains from SDDC Manager; a domain whose run is already
   * active is followed, not started again.
   */
  async start(settings: FleetSettings, input: Record<string, unknown>, signal?: AbortSignal): Promise<FleetRecord> {
    await this.loaded;
    this.refuseWhileRunning();
    const members = fleetMembers(
      (await this.deps.engine.discoverUpdates(signal)).map((d) => d.info),
      settings,
    );
    this.refuseWhileRunning(); // a second start may have come meanwhile
    for (const m of members) {
      const active = this.deps.engine.activeRunFor(m.domainId);
      if (!active) continue;
      Object.assign(m, { state: "running", runId: active.id, targetVersion: active.targetVersion });
      delete m.reason;
    }
    const now = new Date().toISOString();
    this.fleet = {
      id: randomUUID(),
      ownerNodeId: this.deps.ownerNodeId,
      ...(this.deps.sddcManagerUrl ? { sddcManagerUrl: this.deps.sddcManagerUrl } : {}),
      settings,
      status: "running",
      members,
      createdAt: now,
      updatedAt: now,
      input,
    };
    await this.enqueue(() => this.advance());
    return structuredClone(this.fleet);
  }

  /** After a restart or redeploy: follows the fleet's runs again and sends the starts that were lost. */
  resume(): Promise<void> {
    return this.enqueue(async () => {
      await this.loaded;
      await this.deps.engine.ready();
      const fleet = this.fleet;
      if (!fleet || fleet.status !== "running") return;
      for (const m of fleet.members.filter(isActiveMember)) {
        const run = this.runOf(m);
        if (run) this.follow(m, run);
        else if (m.state === "running")
          this.end(m, "failed", englishText(engineText("fleetRunGone", { runId: m.runId ?? "" })));
        else {
          this.armDeadline(m);
          this.deps.sendStart(structuredClone(fleet), structuredClone(m));
        }
      }
      await this.advance();
    });
  }

  /**
   * Stops new starts and cancels the fleet's active runs (`inSddcManager`: their remote work too); a start message
   * still on its way is cancelled when its run appears.
   */
  cancel(reason: string, inSddcManager: boolean): Promise<FleetRecord | undefined> {
    return this.enqueue(async () => {
      await this.loaded;
      const fleet = this.fleet;
      if (!fleet || fleet.status !== "running") return undefined;
      fleet.stopReason = englishText(engineText("fleetCancelled", { reason }));
      fleet.cancelled = true;
      const runs = fleet.members.filter((m) => m.state === "running" && m.runId).map((m) => m.runId as string);
      await this.advance();
      for (const runId of runs)
        this.deps.engine.cancel(runId, reason, { inSddcManager }).catch((err: unknown) => this.deps.failed(err));
      return structuredClone(fleet);
    });
  }

  /** Releases the gate of every run of the fleet waiting for acknowledgement; returns their domains. */
  acknowledge(): string[] {
    const running = this.fleet?.members.filter((m) => m.state === "running" && m.runId) ?? [];
    return running
      .filter((m) => this.deps.engine.acknowledge(m.runId as string) !== undefined)
      .map((m) => m.domainName);
  }

  /** Stops listening and waits for the last save; the stored fleet stays for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.deps.engine.off("change", this.onChange);
    this.deps.engine.off("startRefused", this.onRefused);
    for (const timer of this.deadlines.values()) clearTimeout(timer);
    this.deadlines.clear();
    await this.queue.catch(() => undefined);
  }

  private refuseWhileRunning(): void {
    const fleet = this.fleet;
    if (fleet?.status !== "running") return;
    const active = fleet.members.filter(isActiveMember).map((m) => `${m.domainName} (${m.runId ?? m.state})`);
    throw new EngineError(
      "FLEET_RUNNING",
      engineText("fleetRunning", {
        fleetId: fleet.id,
        active: active.join(", ") || "-",
        pending: fleet.members.filter((m) => m.state === "pending").length,
      }),
      { fix: engineText("fleetRunningFix") },
    );
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(work);
    this.queue = turn.catch((err: unknown) => this.deps.failed(err));
    return turn;
  }

  /** The member's run: the one recorded, else the newest run the fleet's start made for its domain. */
  private runOf(m: FleetMember): UpgradeRun | undefined {
    const engine = this.deps.engine;
    if (m.runId) return engine.getRun(m.runId);
    const id = this.fleet?.id;
    return engine
      .listRuns()
      .filter((r) => r.fleet?.id === id && r.domainId === m.domainId)
      .at(-1);
  }

  private async runChanged(run: UpgradeRun): Promise<void> {
    const m = this.fleet?.members.find((x) => x.domainId === run.domainId && (x.runId ?? run.id) === run.id);
    if (!m || !isActiveMember(m)) return;
    const stateBefore = m.state;
    this.follow(m, run);
    if (m.state !== stateBefore) await this.advance();
  }

  /** Takes the run's news into the member: its run id and target, and its end. */
  private follow(m: FleetMember, run: UpgradeRun): void {
    if (m.state === "starting") {
      Object.assign(m, { state: "running", runId: run.id, targetVersion: run.targetVersion });
      this.clearDeadline(m);
      // a start message that was on its way when the fleet was cancelled
      const fleet = this.fleet;
      if (fleet?.cancelled && fleet.stopReason && !isTerminal(run.status))
        this.deps.engine.cancel(run.id, fleet.stopReason).catch((err: unknown) => this.deps.failed(err));
    }
    if (!isTerminal(run.status)) return;
    if (run.status === "failed" || run.outcome === "failed")
      this.end(m, "failed", run.failureReason ?? englishText(engineText("unknownReason")));
    else this.end(m, "done");
  }

  private async startRefused(refusal: StartRefusal): Promise<void> {
    const ref = refusal.domain.toLowerCase();
    const m = this.fleet?.members.find(
      (x) => x.state === "starting" && (x.domainId === refusal.domain || x.domainName.toLowerCase() === ref),
    );
    if (!m) return;
    // A start sent again (after a redeploy) while the first was still starting its run: that run is the member's.
    const run = this.runOf(m);
    if (run) this.follow(m, run);
    else this.end(m, "failed", refusal.reason);
    await this.advance();
  }

  private end(m: FleetMember, state: "done" | "failed", reason?: string): void {
    this.clearDeadline(m);
    m.state = state;
    m.finishedAt = new Date().toISOString();
    if (reason) m.reason = reason;
  }

  /** Starts what may start, saves, then sends the starts; ends the fleet when nothing is left. */
  private async advance(): Promise<void> {
    const fleet = this.fleet;
    if (!fleet || this.closed) return;
    const starts = nextStarts(fleet);
    for (const m of starts) Object.assign(m, { state: "starting", startRequestedAt: new Date().toISOString() });
    const ended = fleet.status === "running" && fleetDone(fleet);
    if (ended) {
      fleet.status = fleet.cancelled ? "cancelled" : "finished";
      fleet.finishedAt = new Date().toISOString();
    }
    fleet.updatedAt = new Date().toISOString();
    await this.deps.store.save(fleet);
    if (this.closed) return; // the next instance sends them (resume)
    for (const m of starts) {
      this.armDeadline(m);
      this.deps.sendStart(structuredClone(fleet), structuredClone(m));
    }
    this.deps.changed?.(structuredClone(fleet));
    if (ended) this.deps.finished(structuredClone(fleet));
  }

  private armDeadline(m: FleetMember): void {
    const ms = this.deps.startDeadlineMs ?? DEFAULT_START_DEADLINE_MS;
    const since = Date.parse(m.startRequestedAt ?? "") || Date.now();
    const timer = setTimeout(
      () =>
        this.enqueue(async () => {
          const current = this.fleet?.members.find((x) => x.domainId === m.domainId);
          if (current?.state !== "starting") return;
          const minutes = Math.round((ms / 60_000) * 10) / 10;
          this.end(current, "failed", englishText(engineText("fleetNoRun", { minutes })));
          await this.advance();
        }).catch(() => undefined),
      Math.max(0, since + ms - Date.now()),
    );
    timer.unref();
    this.clearDeadline(m);
    this.deadlines.set(m.domainId, timer);
  }

  private clearDeadline(m: FleetMember): void {
    const timer = this.deadlines.get(m.domainId);
    if (timer) clearTimeout(timer);
    this.deadlines.delete(m.domainId);
  }
}
