// Wall-clock time in an IANA time zone with Intl alone: the zone's offset at an instant, and the instant of a
// local date and time (which follows the zone's daylight-saving rules).

/** A local date and time in a zone; month 1-12. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the zone (e.g. Europe/Berlin). */
export function isTimeZone(name: string): boolean {
  try {
    partsFormatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The local date and time at `ms` in `timeZone`. */
export function localAt(ms: number, timeZone: string): LocalTime & { second: number } {
  const parts: Record<string, number> = {};
  for (const p of partsFormatter(timeZone).formatToParts(new Date(ms)))
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at `ms`, in ms (Berlin in winter: +3 600 000). */
function offsetAt(ms: number, timeZone: string): number {
  const l = localAt(ms, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Half a day: zones change their offset at most once within it. */
const HALF_DAY_MS = 12 * 3600_000;

/**
 * The instant of a local time in the zone. A time the clocks skip (spring forward) comes out one hour later, like a
 * wall clock; a time that occurs twice (fall back) is its first occurrence.
 */
export function instantOf(local: LocalTime, timeZone: string): number {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // The offsets half a day before and after: the same except around a change.
  const before = asUtc - offsetAt(asUtc - HALF_DAY_MS, timeZone);
  const after = asUtc - offsetAt(asUtc + HALF_DAY_MS, timeZone);
  const shows = (ms: number): boolean => {
    const l = localAt(ms, timeZone);
    return l.day === local.day && l.hour === local.hour && l.minute === local.minute;
  };
  const showing = [before, after].filter(shows);
  // Skipped: with the offset before the change, the time lands after the jump (02:30 CET is 03:30 CEST).
  return showing.length > 0 ? Math.min(...showing) : before;
}

/** The weekday (0 = Sunday) of a calendar date. */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** The calendar date `days` after the given one. */
export function addDays(
  year: number,
  month: number,
  day: number,
  days: number,
): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** E.g. "Sat 22:00 CET": the instant as its local weekday, time and zone abbreviation. */
export function showLocal(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(new Date(ms));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("weekday")} ${get("day")} ${get("month")} ${get("hour")}:${get("minute")} ${get("timeZoneName")}`;
}
