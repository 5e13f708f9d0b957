// Reads several runs of one SDDC Manager make of the same thing at the same time (the bundle every domain downloads,
// the system-wide upgradables every domain's component loop watches), shared per client: one answer serves every
// caller that accepts its age, so N runs waiting on one thing cost about one poll instead of N.
import type { VcfClient } from "../vcf/client";
import type { Bundle } from "../vcf/types";
import { engineText } from "./catalog";
import { abortError } from "./errors";

interface Read {
  startedAt: number;
  answer: Promise<unknown>;
}

const latest = new WeakMap<VcfClient, Map<string, Read>>();

export interface SharedReadOptions {
  /** How long ago the read may have started (0: only a read started now); a caller's own freshness bound. */
  maxAgeMs: number;
  /** Ends this caller's wait for the answer; the read itself goes on for the others. */
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * The answer of the newest read of `key` if it started at most `maxAgeMs` ago (in flight or answered), else of a new
 * `read`. A failed read is forgotten at once: its callers get the failure, the next caller reads again. Callers share
 * the answer's object and must not change it.
 */
export function sharedRead<T>(
  client: VcfClient,
  key: string,
  read: () => Promise<T>,
  o: SharedReadOptions,
): Promise<T> {
  const now = (o.now ?? Date.now)();
  const reads = latest.get(client) ?? new Map<string, Read>();
  latest.set(client, reads);
  let current = reads.get(key);
  if (!current || now - current.startedAt > o.maxAgeMs) {
    const started: Read = { startedAt: now, answer: read() };
    started.answer.catch(() => {
      if (reads.get(key) === started) reads.delete(key);
    });
    reads.set(key, started);
    current = started;
  }
  return untilAborted(current.answer as Promise<T>, o.signal);
}

/** `answer`, or the engine's ABORTED error as soon as `signal` aborts. */
function untilAborted<T>(answer: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return answer;
  if (signal.aborted) return Promise.reject(abortError(engineText("read")));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(engineText("read")));
    signal.addEventListener("abort", onAbort, { once: true });
    answer.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The bundle as read now or, at most `maxAgeMs` ago, by another run of the same SDDC Manager. */
export function sharedBundle(
  client: VcfClient,
  bundleId: string,
  maxAgeMs: number,
  signal: AbortSignal | undefined,
): Promise<Bundle> {
  return sharedRead(client, `bundle:${bundleId}`, () => client.getBundle(bundleId), { maxAgeMs, signal });
}
