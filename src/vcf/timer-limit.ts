/**
 * Node's timers take at most 2^31-1 ms (about 24.8 days); a longer delay fires after 1 ms. Every timer of the
 * package is armed through `timerMs`, so a long wait wakes up early and re-checks instead of spinning.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` made safe for setTimeout: 0 for negative or NaN, at most MAX_TIMER_MS. */
export function timerMs(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_TIMER_MS);
}
