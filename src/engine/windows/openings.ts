// When the run's windows are open: the opening at or after an instant, and whether a component fits in one.
import type { Opening, WindowDef } from "./types";
import { WEEKDAYS } from "./types";
import { addDays, instantOf, localAt, weekdayOf } from "./zone";

const HOUR_MS = 3600_000;
/** Weekly openings are looked for this many days back (one still open) and ahead (the next one). */
const DAYS_BACK = 8;
const DAYS_AHEAD = 15;

/** The openings of one weekly window that end after `fromMs`, in order, within the next two weeks. */
function weeklyOpenings(w: Extract<WindowDef, { kind: "weekly" }>, fromMs: number): Opening[] {
  const [hour = 0, minute = 0] = w.start.split(":").map(Number);
  const today = localAt(fromMs, w.timeZone);
  const days = new Set(w.days.map((d) => WEEKDAYS.indexOf(d)));
  const out: Opening[] = [];
  for (let offset = -DAYS_BACK; offset <= DAYS_AHEAD; offset++) {
    const date = addDays(today.year, today.month, today.day, offset);
    if (!days.has(weekdayOf(date.year, date.month, date.day))) continue;
    const startMs = instantOf({ ...date, hour, minute }, w.timeZone);
    const endMs = startMs + w.hours * HOUR_MS;
    if (endMs > fromMs) out.push({ startMs, endMs, timeZone: w.timeZone });
  }
  return out;
}

/** Every opening of the windows that ends after `fromMs` (weekly ones for the next two weeks), earliest first. */
export function openingsAfter(windows: readonly WindowDef[], fromMs: number): Opening[] {
  const all = windows.flatMap((w) => {
    if (w.kind === "weekly") return weeklyOpenings(w, fromMs);
    const opening = { startMs: Date.parse(w.start), endMs: Date.parse(w.end), timeZone: "UTC" };
    return opening.endMs > fromMs ? [opening] : [];
  });
  return all.sort((a, b) => a.startMs - b.startMs || b.endMs - a.endMs);
}

/** Where a component of `needMs` (estimate plus margin) may start at `nowMs` or later. */
export type Slot =
  | { kind: "now"; opening: Opening }
  | { kind: "later"; opening: Opening }
  /** No opening ahead is long enough (`longestMs`: the longest one), or there is none ahead at all (0). */
  | { kind: "never"; longestMs: number };

/**
 * The opening a component needing `needMs` starts in: the one open now when what is left of it is enough, else the
 * first later one that is long enough.
 */
export function slotFor(windows: readonly WindowDef[], nowMs: number, needMs: number): Slot {
  const openings = openingsAfter(windows, nowMs);
  for (const opening of openings) {
    const from = Math.max(opening.startMs, nowMs);
    if (opening.endMs - from < needMs) continue;
    return { kind: opening.startMs <= nowMs ? "now" : "later", opening };
  }
  return { kind: "never", longestMs: Math.max(0, ...openings.map((o) => o.endMs - Math.max(o.startMs, nowMs))) };
}

/** The opening that is open at `nowMs`, if any (the one ending last when they overlap). */
export function openAt(windows: readonly WindowDef[], nowMs: number): Opening | undefined {
  return openingsAfter(windows, nowMs)
    .filter((o) => o.startMs <= nowMs)
    .sort((a, b) => b.endMs - a.endMs)[0];
}

/** The start of the window open at `nowMs` or of the next one; undefined when none is ahead. */
export function nextOpening(windows: readonly WindowDef[], nowMs: number): Opening | undefined {
  return openingsAfter(windows, nowMs)[0];
}
