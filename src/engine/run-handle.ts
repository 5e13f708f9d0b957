import type { VcfClient } from "../vcf/client";
import type { Domain, Personality, Release } from "../vcf/types";
import { appendLog, stepText, transition } from "./transitions";
import type { EngineSettings, LogLevel, UpgradeRun, UpgradeStatus } from "./types";
import { STATUS_PHASE } from "./transitions";
import { ToleratedErrors } from "./tolerated-errors";
import { describeDuration, waitUntil, type WaitOptions } from "./wait";

/**
 * Persists and announces the run after each change. "durable" (the default) resolves once the change is on disk;
 * "progress" (step text and progress only, which a resumed phase sets again) resolves at once and is written later.
 */
export type CommitFn = (run: UpgradeRun, kind?: "durable" | "progress") => Promise<void>;

/** A live run plus the one way to change it: every mutation is persisted and emitted. */
export class RunHandle {
  /** When the run last showed progress (a new status, step or percentage), on `now`'s clock. */
  private progressAt: number;

  constructor(
    readonly run: UpgradeRun,
    private readonly commit: CommitFn,
    /** The clock (epoch ms) deadlines and waits are measured on. */
    readonly now: () => number = Date.now,
  ) {
    this.progressAt = now();
  }

  async to(status: UpgradeStatus, text: string, level: LogLevel = "info"): Promise<void> {
    transition(this.run, status, text, level);
    this.progressAt = this.now();
    await this.commit(this.run);
  }

  async log(level: LogLevel, text: string, details?: unknown): Promise<void> {
    appendLog(this.run, level, STATUS_PHASE[this.run.status], text, details);
    await this.commit(this.run);
  }

  /** Finer progress without a log entry; not durable at once (a crash may lose the newest step and progress). */
  async step(full: string, progress?: number): Promise<void> {
    const text = stepText(full);
    if (text === this.run.step && (progress === undefined || Math.round(progress) === this.run.progress)) return;
    this.run.step = text;
    if (progress !== undefined) this.run.progress = Math.max(0, Math.min(100, Math.round(progress)));
    this.run.updatedAt = new Date().toISOString();
    this.progressAt = this.now();
    const since = this.run.stalledSince;
    if (since === undefined) return this.commit(this.run, "progress");
    delete this.run.stalledSince;
    appendLog(this.run, "info", STATUS_PHASE[this.run.status], `Progress again (no progress since ${since}): ${text}`);
    await this.commit(this.run);
  }

  /**
   * Marks the run stalled (once, with a warning) when nothing has progressed for `afterMs` (0: never); called on every
   * answered poll, so a wait whose answers never change is noticed. Progress clears it (see step and to).
   */
  async checkStall(afterMs: number): Promise<void> {
    if (afterMs <= 0 || this.run.stalledSince !== undefined || this.now() - this.progressAt < afterMs) return;
    const since = new Date(this.progressAt).toISOString();
    this.run.stalledSince = since;
    await this.log(
      "warning",
      `No progress since ${since} (${describeDuration(this.now() - this.progressAt)}): ${this.run.step}`,
    );
  }

  /** Records remote ids and other facts; persisted before the caller goes on. */
  async update(mutate: (run: UpgradeRun) => void): Promise<void> {
    mutate(this.run);
    this.run.updatedAt = new Date().toISOString();
    await this.commit(this.run);
  }

  /** The absolute deadline for `key`, recorded on first use so it survives restarts. */
  async deadline(key: string, durationMs: number): Promise<number> {
    const recorded = this.run.deadlines[key];
    if (recorded !== undefined) return Date.parse(recorded);
    const at = this.now() + durationMs;
    await this.update((r) => {
      r.deadlines[key] = new Date(at).toISOString();
    });
    return at;
  }
}

export type PhaseWaitOptions<T> = Omit<
  WaitOptions<T>,
  "deadline" | "intervalMs" | "maxIntervalMs" | "signal" | "onRetry" | "now"
> & {
  deadlineKey: string;
  deadlineMs: number;
  /** SDDC Manager's own upgrade: its API is meant to vanish and refuse old logins; the caller announces and bounds that. */
  expectOutage?: boolean;
  /** A wait for a time (a maintenance window), not for remote work: it is never taken for a stall. */
  forTime?: boolean;
};

/** Another run of this engine by id (e.g. the management domain's run a VI run waits for). */
export type RunLookup = (runId: string) => UpgradeRun | undefined;

/** What every phase function gets. */
/** The reads `PhaseContext.once` may keep: a domain's record, its current release, the cluster images. */
export interface KeptAnswers {
  domain: Domain;
  currentRelease: Release | undefined;
  personalities: Personality[];
}

export class PhaseContext {
  /** Set by keepAnswers: the answers `once` hands out again. */
  private kept?: Map<keyof KeptAnswers, Promise<unknown>>;

  constructor(
    readonly client: VcfClient,
    readonly settings: EngineSettings,
    readonly handle: RunHandle,
    readonly signal: AbortSignal,
    readonly runById: RunLookup = () => undefined,
  ) {}

  get run(): UpgradeRun {
    return this.handle.run;
  }

  /**
   * `waitUntil` with the engine's intervals, this run's recorded deadline and the abort signal; the errors it
   * polls through are logged and shown in the step (see ToleratedErrors).
   */
  async wait<T>(o: PhaseWaitOptions<T>): Promise<T> {
    const deadline = await this.handle.deadline(o.deadlineKey, o.deadlineMs);
    const { now } = this.handle;
    const tolerated = new ToleratedErrors(this.handle, o.what, this.settings, o.expectOutage ?? false, now);
    const { onValue } = o;
    return waitUntil({
      ...o,
      onRetry: (err, consecutive) => tolerated.failed(err, consecutive),
      onValue: async (value) => {
        await tolerated.answered();
        await onValue?.(value);
        if (!o.forTime) await this.handle.checkStall(this.settings.stallWarningMs);
      },
      deadline,
      intervalMs: this.settings.pollIntervalMs,
      maxIntervalMs: this.settings.maxPollIntervalMs,
      signal: this.signal,
      now,
    });
  }

  /**
   * From now on `once` reads each thing at most once in this context, starting with the answers given (read before
   * it). For a plan's single pass; a run's phases read afresh, as what they read changes while they go on.
   */
  keepAnswers(known: Partial<KeptAnswers>): void {
    this.kept = new Map(
      Object.entries(known).map(([key, value]) => [key as keyof KeptAnswers, Promise.resolve(value)]),
    );
  }

  /** `read()`; after keepAnswers, the answer of the first read of `key` that did not fail. */
  once<K extends keyof KeptAnswers>(key: K, read: () => Promise<KeptAnswers[K]>): Promise<KeptAnswers[K]> {
    const kept = this.kept;
    if (!kept) return read();
    const earlier = kept.get(key) as Promise<KeptAnswers[K]> | undefined;
    if (earlier) return earlier;
    const answer = read();
    kept.set(key, answer);
    answer.catch(() => kept.delete(key));
    return answer;
  }

  get opts(): { signal: AbortSignal } {
    return { signal: this.signal };
  }
}
