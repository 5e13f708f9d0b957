// The window's texts for the run's step and log (English run-log text, like every engine log line).
import { openingsAfter } from "./openings";
import type { Opening, WindowDef } from "./types";
import { showLocal } from "./zone";

const MINUTE_MS = 60_000;

/** A span as "1 d 4 h", "3 h 20 min" or "12 min" (rounded up to the minute). */
export function describeSpan(ms: number): string {
  const minutes = Math.max(0, Math.ceil(ms / MINUTE_MS));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

/** E.g. "Sat 28 Mar 22:00 CET (in 1 d 4 h)". */
export function describeOpening(opening: Opening, nowMs: number): string {
  return `${showLocal(opening.startMs, opening.timeZone)} (in ${describeSpan(opening.startMs - nowMs)})`;
}

/** One window as the log says it, e.g. "Sat, Sun 22:00 for 8 h (Europe/Berlin)". */
/** One window as a line: "Sat 22:00 for 8 h (Europe/Berlin)" or "<start> to <end>". */
export function describeWindowDef(w: WindowDef): string {
  if (w.kind === "once") return `${w.start} to ${w.end}`;
  return `${w.days.join(", ")} ${w.start} for ${w.hours} h (${w.timeZone})`;
}

/** The windows and the next opening, for the log when a window is set or changed. */
export function describeWindows(windows: readonly WindowDef[], nowMs: number): string {
  const next = openingsAfter(windows, nowMs)[0];
  const when = !next
    ? "no opening ahead"
    : next.startMs <= nowMs
      ? `open now until ${showLocal(next.endMs, next.timeZone)}`
      : `next opening ${describeOpening(next, nowMs)}`;
  return `${windows.map(describeWindowDef).join("; ")}: ${when}`;
}
