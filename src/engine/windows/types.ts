// A maintenance window as the run keeps it (persisted in UpgradeRun.window): times are instants (ISO, UTC) or a
// weekly rule in an IANA time zone, so daylight-saving changes follow the zone and never a fixed offset.

export const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One window: once (start and end as instants), or every week on the days given, at a local time, for some hours. */
export type WindowDef =
  | { kind: "once"; start: string; end: string }
  | { kind: "weekly"; days: Weekday[]; start: string; hours: number; timeZone: string };

/** One concrete opening of a window: [startMs, endMs) on the engine's clock, and the zone to show it in. */
export interface Opening {
  startMs: number;
  endMs: number;
  timeZone: string;
}

/** The run's window setting: when components may start, and how the next one is started. */
export interface RunWindow {
  windows: WindowDef[];
  /**
   * Create the next component's upgrade in SDDC Manager with the opening as its start time (it starts even if
   * Node-RED is down then); otherwise the engine waits and starts it itself.
   */
  scheduleInSddcManager: boolean;
  /** Where it came from: a message's window stays with the run; the node's follows the node (a redeploy changes it). */
  source: "node" | "message";
  /** While the run waits for a window: the opening it waits for and the component that comes next. */
  waitingFor?: { opensAt: string; timeZone: string; component: string; estimateMs: number };
  /** Components that were still running when their window ended (for reports; each one also in the log). */
  overruns?: { component: string; windowEnd: string; finishedAt: string }[];
}
