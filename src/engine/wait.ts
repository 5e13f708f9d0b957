import { setTimeout as sleep } from "node:timers/promises";
import { timerMs } from "../vcf/timer-limit";
import { engineText, type EngineText } from "./catalog";
import { EngineError, abortError, isAbort } from "./errors";
import { isTransientError } from "./remote-errors";

export interface WaitOptions<T> {
  /** Names the wait in errors, e.g. "Download of bundle X". */
  what: EngineText;
  poll: (signal: AbortSignal | undefined, look: PollLook) => Promise<T>;
  /** The wait ends when this holds for a polled value. */
  until: (value: T) => boolean;
  /** Absolute end (epoch ms); past it the wait fails with DEADLINE, also while a poll is in flight. */
  deadline: number;
  /**
   * The first poll runs to its end even past the deadline (bounded by the client's request limit): for look-ups
   * whose window may be shorter than one request and must look at least once.
   */
  completeFirstPoll?: boolean;
  intervalMs: number;
  maxIntervalMs: number;
  signal?: AbortSignal;
  /**
   * The caller has just looked (the answer of the call that started the work, or a read): the first poll comes
   * after the base interval instead of at once.
   */
  justLooked?: boolean;
  /**
   * With `justLooked`: how long the first poll waits (default: the base interval). Work that takes long by nature (a
   * component upgrade) waits the longest interval: looking sooner costs polls and finds it running.
   */
  firstPollAfterMs?: number;
  /** Called with every polled value (progress, logging). */
  onValue?: (value: T) => void | Promise<void>;
  /** Which poll errors to wait through (with exponential back-off); others end the wait. */
  retryOn?: (err: unknown) => boolean;
  /** Told about every tolerated error (for the log). */
  onRetry?: (err: unknown, consecutive: number) => void | Promise<void>;
  now?: () => number;
}

/** What a poll may settle for. */
export interface PollLook {
  /**
   * How old an answer another run read of the same thing may be (see shared-reads.ts): half the time since this
   * wait's previous poll, so a shared answer still comes after that poll; 0 for a first look.
   */
  maxAgeMs: number;
}

/**
 * The engine's one sleep: `ms`, or rejects with the engine's ABORTED error as soon as the signal aborts. Beyond Node's
 * timer limit it returns early (see timerMs), so the caller's loop re-checks.
 */
export async function delay(
  ms: number,
  signal: AbortSignal | undefined,
  what: EngineText = engineText("wait"),
): Promise<void> {
  try {
    await sleep(timerMs(ms), undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw abortError(what);
    throw err;
  }
}

export function describeDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Math.round(s)} s`;
  const m = s / 60;
  if (m < 120) return `${Math.round(m)} min`;
  return `${Math.round((m / 60) * 10) / 10} h`;
}

/** A poll may settle for an answer read this share of the time it slept ago (see PollLook). */
const SHARED_AGE_SHARE = 0.5;

/**
 * A wait polls again after this share of the time it has lasted (see pollInterval): 1 doubles the time waited per
 * poll, so work is seen ending at most its own duration late (never later than the longest interval), and the climb
 * from the base to the longest interval costs few polls.
 */
const WAITED_SHARE = 1;

/**
 * The first poll of work that takes minutes at the least (a component upgrade, a precheck run) after it started: four
 * base intervals (at most the longest one); the first polls of the climb to the longest interval would find it running.
 */
export function longWorkFirstPollMs(settings: { pollIntervalMs: number }): number {
  return 4 * settings.pollIntervalMs;
}

/**
 * The interval after a poll: a share of the time the wait has lasted so far, between the base and the longest
 * interval. So a wait is quick to see work that ends soon, and long work costs one poll per longest interval; a
 * status or progress figure that changes on every poll does not keep the wait at its base interval.
 */
export function pollInterval(waitedMs: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, Math.max(baseMs, waitedMs * WAITED_SHARE));
}

/** The one polling loop of the engine: every wait for remote work goes through here. */
export async function waitUntil<T>(o: WaitOptions<T>): Promise<T> {
  const now = o.now ?? Date.now;
  const retryOn = o.retryOn ?? isTransientError;
  const base = Math.max(1, o.intervalMs);
  const max = Math.max(base, o.maxIntervalMs);
  const started = now();
  let errors = 0;
  let polls = 0;
  let slept = 0;
  if (o.justLooked) {
    const first = Math.min(max, Math.max(base, o.firstPollAfterMs ?? base));
    slept = Math.min(first, Math.max(0, o.deadline - now()));
    await delay(slept, o.signal, o.what);
  }
  for (;;) {
    if (o.signal?.aborted) throw abortError(o.what);
    let value: T | undefined;
    let polled = false;
    try {
      const whole = polls === 0 && o.completeFirstPoll === true;
      polls += 1;
      const look: PollLook = { maxAgeMs: slept * SHARED_AGE_SHARE };
      value = await (whole ? o.poll(o.signal, look) : pollWithin(o, look, now));
      polled = true;
    } catch (err) {
      if (isAbort(err, o.signal)) throw abortError(o.what);
      if (err instanceof EngineError || !retryOn(err)) throw err;
      errors += 1;
      await o.onRetry?.(err, errors);
    }
    if (polled) {
      const v = value as T;
      errors = 0;
      await o.onValue?.(v);
      if (o.until(v)) return v;
    }
    const wait = errors > 0 ? Math.min(max, base * 2 ** (errors - 1)) : pollInterval(now() - started, base, max);
    const remaining = o.deadline - now();
    if (remaining <= 0) throw deadlineError(o);
    slept = Math.min(wait, remaining);
    await delay(slept, o.signal, o.what);
  }
}

function deadlineError(o: Pick<WaitOptions<unknown>, "what" | "deadline">): EngineError {
  return new EngineError(
    "DEADLINE",
    engineText("deadlinePassed", { what: o.what, deadline: new Date(o.deadline).toISOString() }),
  );
}

/**
 * One poll; if the deadline passes while it is in flight (a server trickling its answer), the poll is aborted and
 * the wait fails with DEADLINE at once. A poll that starts after the deadline (e.g. after a restart) still gets its
 * one look, bounded by the client's own request limit: the remote work may have finished meanwhile.
 */
async function pollWithin<T>(o: WaitOptions<T>, look: PollLook, now: () => number): Promise<T> {
  if (o.deadline - now() <= 0) return o.poll(o.signal, look);
  const expiry = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = o.deadline - now();
    if (left <= 0) expiry.abort();
    else timer = setTimeout(arm, timerMs(left));
  };
  arm();
  const signal = o.signal ? AbortSignal.any([o.signal, expiry.signal]) : expiry.signal;
  const poll = o.poll(signal, look);
  // a poll that ignores its signal is left behind; its late failure must not go unhandled
  poll.catch(() => undefined);
  try {
    return await new Promise<T>((resolve, reject) => {
      const onExpiry = (): void => reject(deadlineError(o));
      expiry.signal.addEventListener("abort", onExpiry, { once: true });
      poll.then(resolve, reject).finally(() => expiry.signal.removeEventListener("abort", onExpiry));
    });
  } catch (err) {
    if (expiry.signal.aborted && !o.signal?.aborted) throw deadlineError(o);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
