// vcf-status renders a domain's whole state (markdown, log, findings) into each message it sends. Under many busy
// domains, rendering it for every step, log entry and progress figure costs more than the upgrades themselves. So a
// domain's finer changes are sent at most once per interval, the newest state winning, while a change of its status
// is sent at once: every status a run passes through still goes out, and the last change always does.

/** Runs `task` after `ms`; returns what cancels it. Tests pass their own to drive time without waiting. */
export type Schedule = (task: () => void, ms: number) => () => void;

export const timerSchedule: Schedule = (task, ms) => {
  const timer = setTimeout(task, ms);
  return () => clearTimeout(timer);
};

export class ChangeCoalescer<T> {
  /** The status last sent per key. */
  private readonly sentStatus = new Map<string, string>();
  /** The newest unsent change per key, with what cancels its scheduled send. */
  private readonly pending = new Map<string, { value: T; cancel: () => void }>();

  /**
   * @param send sends `value`'s current state; it calls sent() with the status it sent
   * @param intervalMs how long a change with an unchanged status may wait (0: each is sent at once)
   */
  constructor(
    private readonly send: (value: T) => void,
    private readonly intervalMs: number,
    private readonly schedule: Schedule = timerSchedule,
  ) {}

  /** `key` changed and has `status` now: sent at once when the status differs from the one last sent, else soon. */
  changed(key: string, status: string, value: T): void {
    const waiting = this.pending.get(key);
    if (this.intervalMs <= 0 || this.sentStatus.get(key) !== status) {
      waiting?.cancel();
      this.pending.delete(key);
      this.send(value);
      return;
    }
    if (waiting) {
      waiting.value = value;
      return;
    }
    const entry: { value: T; cancel: () => void } = { value, cancel: () => undefined };
    this.pending.set(key, entry);
    entry.cancel = this.schedule(() => {
      this.pending.delete(key);
      this.send(entry.value);
    }, this.intervalMs);
  }

  /** The current state of `key` went out with `status` (on a change or on request): what was waiting is in it. */
  sent(key: string, status: string): void {
    this.pending.get(key)?.cancel();
    this.pending.delete(key);
    this.sentStatus.set(key, status);
  }

  /** Drops what waits (the node is closing; its next start sends the current state of every domain). */
  close(): void {
    for (const { cancel } of this.pending.values()) cancel();
    this.pending.clear();
  }
}
