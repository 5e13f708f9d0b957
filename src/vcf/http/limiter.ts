/**
 * At most `max` pieces of work at once, the others waiting in arrival order. One per client bounds the requests
 * one SDDC Manager has in flight from this package, however many domains ask at once.
 */
export class RequestLimiter {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`RequestLimiter needs a whole number of at least 1, got ${max}`);
  }

  /**
   * Runs `work` once a slot is free and frees the slot when it settles. `first` puts it at the head of the queue (token
   * renewals: every queued request waits for them). A signal that fires while queued rejects with `abortReason()`.
   */
  async run<T>(
    work: () => Promise<T>,
    options: { signal?: AbortSignal; first?: boolean; abortReason?: () => Error } = {},
  ): Promise<T> {
    await this.acquire(options);
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire({
    signal,
    first,
    abortReason,
  }: {
    signal?: AbortSignal;
    first?: boolean;
    abortReason?: () => Error;
  }): Promise<void> {
    const reason = (): Error => abortReason?.() ?? new Error("aborted while waiting for a free request slot");
    if (signal?.aborted) return Promise.reject(reason());
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener("abort", onAbort);
        this.running++;
        resolve();
      };
      const onAbort = (): void => {
        const index = this.queue.indexOf(grant);
        if (index >= 0) this.queue.splice(index, 1);
        reject(reason());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      if (first) this.queue.unshift(grant);
      else this.queue.push(grant);
    });
  }

  private release(): void {
    this.running--;
    this.queue.shift()?.();
  }
}
