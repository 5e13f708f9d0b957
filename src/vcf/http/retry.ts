import { VcfApiError } from "../errors";
import { timerMs } from "../timer-limit";

export interface RetrySettings {
  /** total attempts including the first one */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8000 };

/** Exponential backoff with jitter: a random delay between half and all of base * 2^(attempt-1), capped. */
export function backoffDelayMs(attempt: number, settings: RetrySettings, random: () => number = Math.random): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Waits `ms`, or rejects with `abortReason()` as soon as the signal fires (the client's sleep between retries).
 * Any `ms` is safe: beyond Node's timer limit (about 24.8 days) it returns early, so the caller's loop re-checks.
 */
export function abortableDelay(ms: number, signal: AbortSignal | undefined, abortReason: () => Error): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason());
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, timerMs(ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Settles like `promise`, but rejects with an "aborted" error first if the signal fires. */
export function raceWithSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  method: string,
  path: string,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortedError(method, path));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(method, path));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export function abortedError(method: string, path: string): VcfApiError {
  return new VcfApiError({ kind: "aborted", message: "request aborted by the caller", method, path, retryable: false });
}
