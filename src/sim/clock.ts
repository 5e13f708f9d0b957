/** Simulated clock: real elapsed time multiplied by a time scale, plus manual jumps. */
export class SimClock {
  private readonly realStartMs: number;
  private jumpedMs = 0;

  constructor(
    readonly timeScale: number,
    private readonly realNow: () => number = Date.now,
  ) {
    this.realStartMs = realNow();
  }

  /** Simulated epoch milliseconds (starts at the real wall time of construction). */
  nowMs(): number {
    return Math.floor(this.realStartMs + (this.realNow() - this.realStartMs) * this.timeScale + this.jumpedMs);
  }

  advance(simSeconds: number): void {
    if (!Number.isFinite(simSeconds) || simSeconds < 0) {
      throw new RangeError(`advanceClock needs a finite number of seconds >= 0, got ${simSeconds}`);
    }
    this.jumpedMs += simSeconds * 1000;
  }
}

export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}
