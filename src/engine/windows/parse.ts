// msg.window and the node's window fields as the run's RunWindow: every value checked, a bad one named with its fix.
import { capText, NAME_CAP } from "../../vcf/text-cap";
import { engineText, type EngineText } from "../catalog";
import { EngineError } from "../errors";
import { isoInstant } from "./instant";
import { WEEKDAYS, type RunWindow, type Weekday, type WindowDef } from "./types";
import { isTimeZone } from "./zone";

/** A weekly window lasts at most a week (longer ones would overlap themselves). */
export const MAX_WEEKLY_HOURS = 168;
const TIME_OF_DAY = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const ONCE_KEYS = ["start", "end"];
const WEEKLY_KEYS = ["days", "start", "hours", "timeZone"];
const SETTING_KEYS = ["windows", "scheduleInSddcManager"];

type Source = Record<string, unknown>;

function bad(field: string, value: unknown, allowed: EngineText): EngineError {
  return new EngineError(
    "BAD_INPUT",
    engineText("windowBad", { field, value: capText(JSON.stringify(value) ?? String(value), NAME_CAP), allowed }),
    { field, fix: engineText("windowBadFix", { field, allowed }) },
  );
}

function objectAt(field: string, value: unknown, known: readonly string[]): Source {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw bad(field, value, engineText("windowAllowedShape"));
  const source = value as Source;
  for (const key of Object.keys(source))
    if (!known.includes(key))
      throw bad(`${field}.${key}`, source[key], engineText("windowAllowedKeys", { known: known.join(", ") }));
  return source;
}

const FULL_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/** "Sat" or "Saturday", in any case. */
function weekday(field: string, value: unknown): Weekday {
  const text = typeof value === "string" ? value.trim().toLowerCase() : "";
  const index = FULL_NAMES.findIndex((name) => name === text || name.slice(0, 3) === text);
  const day = WEEKDAYS[index];
  if (day) return day;
  throw bad(field, value, engineText("windowAllowedDays", { days: WEEKDAYS.join(", ") }));
}

function checkOnce(field: string, source: Source): WindowDef {
  const start = isoInstant(source.start);
  if (start === undefined) throw bad(`${field}.start`, source.start, engineText("windowAllowedInstant"));
  const end = isoInstant(source.end);
  if (end === undefined || end <= start) throw bad(`${field}.end`, source.end, engineText("windowAllowedEnd"));
  return { kind: "once", start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

function checkWeekly(field: string, source: Source): WindowDef {
  const list = Array.isArray(source.days) ? source.days : typeof source.days === "string" ? source.days.split(",") : [];
  if (list.length === 0)
    throw bad(`${field}.days`, source.days, engineText("windowAllowedDays", { days: WEEKDAYS.join(", ") }));
  const days = [...new Set(list.map((d, i) => weekday(`${field}.days[${i}]`, d)))];
  const start = typeof source.start === "string" ? source.start.trim() : "";
  const time = TIME_OF_DAY.exec(start);
  if (!time) throw bad(`${field}.start`, source.start, engineText("windowAllowedTime"));
  const hours = typeof source.hours === "string" && source.hours.trim() !== "" ? Number(source.hours) : source.hours;
  if (typeof hours !== "number" || !Number.isFinite(hours) || hours <= 0 || hours > MAX_WEEKLY_HOURS)
    throw bad(`${field}.hours`, source.hours, engineText("windowAllowedHours", { max: MAX_WEEKLY_HOURS }));
  const timeZone = typeof source.timeZone === "string" ? source.timeZone.trim() : "";
  if (timeZone === "" || !isTimeZone(timeZone))
    throw bad(`${field}.timeZone`, source.timeZone, engineText("windowAllowedZone"));
  return { kind: "weekly", days, start: `${time[1]?.padStart(2, "0")}:${time[2]}`, hours, timeZone };
}

/** One window: {start, end} once, or {days, start, hours, timeZone} every week. */
function checkDef(field: string, value: unknown): WindowDef {
  const weekly = typeof value === "object" && value !== null && "days" in value;
  const source = objectAt(field, value, weekly ? WEEKLY_KEYS : ONCE_KEYS);
  return weekly ? checkWeekly(field, source) : checkOnce(field, source);
}

function checkList(field: string, value: unknown): WindowDef[] {
  if (!Array.isArray(value)) return [checkDef(field, value)];
  if (value.length === 0) throw bad(field, value, engineText("windowAllowedShape"));
  return value.map((v, i) => checkDef(`${field}[${i}]`, v));
}

/**
 * A window setting (msg.window, or the node's fields in the same shape) as the run keeps it; null when there is none
 * (null, false or absent: components start as soon as SDDC Manager offers them). Accepted: one window, a list of
 * windows, or {windows, scheduleInSddcManager}. A bad value is a BAD_INPUT error naming the field (e.g.
 * window.timeZone) and what it must be.
 */
export function checkWindowSetting(value: unknown, source: RunWindow["source"], field = "window"): RunWindow | null {
  if (value === undefined || value === null || value === false) return null;
  const setting = typeof value === "object" && !Array.isArray(value) && "windows" in value;
  if (!setting) return { windows: checkList(field, value), scheduleInSddcManager: false, source };
  const s = objectAt(field, value, SETTING_KEYS);
  const schedule = s.scheduleInSddcManager ?? false;
  if (typeof schedule !== "boolean")
    throw bad(`${field}.scheduleInSddcManager`, schedule, engineText("windowAllowedBoolean"));
  return { windows: checkList(`${field}.windows`, s.windows), scheduleInSddcManager: schedule, source };
}
