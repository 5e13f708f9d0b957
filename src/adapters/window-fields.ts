// vcf-upgrade's maintenance window: the editor's fields in the shape of msg.window, and which of the two applies.
import type { WindowRequest } from "../engine";
import type { NodeMessage } from "./node-red-types";

/** The editor's window fields. */
export interface WindowFields {
  /** "" (no window), "weekly" or "once". */
  windowMode?: string;
  /** Weekly: days as "Sat,Sun", local start time "22:00", hours, IANA time zone. */
  windowDays?: string;
  windowStart?: string;
  windowHours?: number | string;
  windowTimeZone?: string;
  /** Once: ISO 8601 date-times with a time zone. */
  windowOnceStart?: string;
  windowOnceEnd?: string;
  /** Create the next component's upgrade in SDDC Manager with the window's opening as its start time. */
  windowSchedule?: boolean;
}

/** The node's window as msg.window would give it (null: none); the engine checks every value. */
export function nodeWindow(def: WindowFields): unknown {
  const mode = def.windowMode ?? "";
  if (mode !== "weekly" && mode !== "once") return null;
  const window =
    mode === "weekly"
      ? {
          days: (def.windowDays ?? "")
            .split(",")
            .map((d) => d.trim())
            .filter((d) => d !== ""),
          start: def.windowStart ?? "",
          hours: def.windowHours ?? "",
          timeZone: def.windowTimeZone ?? "",
        }
      : { start: def.windowOnceStart ?? "", end: def.windowOnceEnd ?? "" };
  return { windows: [window], scheduleInSddcManager: def.windowSchedule === true };
}

/** msg.window (null removes the window) when the message has one, else the node's. */
export function windowRequest(def: WindowFields, msg: NodeMessage | undefined): WindowRequest {
  if (msg && Object.hasOwn(msg, "window") && msg.window !== undefined)
    return { setting: msg.window, source: "message" };
  return { setting: nodeWindow(def), source: "node" };
}
