// The maintenance-window model: openings in a time zone across daylight-saving changes, whether a component fits,
// and a bad window refused naming the field and the fix.
import * as assert from "node:assert/strict";
import { EngineError, checkWindowSetting, type WindowDef } from "../../nodes/engine";
import { openingsAfter, slotFor } from "../../nodes/engine/windows/openings";
import { describeSpan } from "../../nodes/engine/windows/describe";

const HOUR = 3600_000;
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();

function weekly(days: string[], start: string, hours: number, timeZone = "Europe/Berlin"): WindowDef[] {
  const setting = checkWindowSetting({ days, start, hours, timeZone }, "message");
  assert.ok(setting);
  return setting.windows;
}

describe("engine: maintenance windows (model)", () => {
  it("a weekly window follows Europe/Berlin across the spring change: Saturday 22:00 is 21:00Z, then 20:00Z", () => {
    // 2026-03-29 is the last Sunday of March: clocks go from 02:00 CET to 03:00 CEST.
    const windows = weekly(["Sat"], "22:00", 8);
    const [first, second] = openingsAfter(windows, at("2026-03-25T12:00:00Z"));
    assert.equal(iso(first?.startMs ?? 0), "2026-03-28T21:00:00.000Z", "22:00 CET");
    assert.equal(iso(first?.endMs ?? 0), "2026-03-29T05:00:00.000Z", "8 hours later (07:00 CEST)");
    assert.equal(iso(second?.startMs ?? 0), "2026-04-04T20:00:00.000Z", "22:00 CEST");
  });

  it("a weekly window follows Europe/Berlin across the autumn change, and its local time stays 22:00", () => {
    // 2026-10-25 is the last Sunday of October: clocks go from 03:00 CEST back to 02:00 CET.
    const windows = weekly(["Saturday"], "22:00", 8);
    const [first, second] = openingsAfter(windows, at("2026-10-20T12:00:00Z"));
    assert.equal(iso(first?.startMs ?? 0), "2026-10-24T20:00:00.000Z", "22:00 CEST");
    assert.equal(iso(second?.startMs ?? 0), "2026-10-31T21:00:00.000Z", "22:00 CET");
  });

  it("a local time the clocks skip opens an hour later; one that occurs twice opens at its first occurrence", () => {
    const skipped = openingsAfter(weekly(["Sun"], "02:30", 2), at("2026-03-27T00:00:00Z"))[0];
    assert.equal(iso(skipped?.startMs ?? 0), "2026-03-29T01:30:00.000Z", "03:30 CEST: 02:30 does not exist that day");
    const twice = openingsAfter(weekly(["Sun"], "02:30", 2), at("2026-10-23T00:00:00Z"))[0];
    assert.equal(iso(twice?.startMs ?? 0), "2026-10-25T00:30:00.000Z", "02:30 CEST, the first of the two");
  });

  it("a window still open counts from now; one that has ended is gone", () => {
    const windows = weekly(["Sat"], "22:00", 8);
    const open = openingsAfter(windows, at("2026-03-29T03:00:00Z"))[0];
    assert.equal(iso(open?.startMs ?? 0), "2026-03-28T21:00:00.000Z", "the Saturday night window, still open");
    const once = checkWindowSetting({ start: "2026-01-01T22:00:00Z", end: "2026-01-02T04:00:00Z" }, "message");
    assert.deepEqual(openingsAfter(once?.windows ?? [], at("2026-01-03T00:00:00Z")), []);
  });

  it("a component starts now only when its need fits in what is left; else in the first opening long enough", () => {
    const windows = [
      ...weekly(["Sat"], "22:00", 8),
      ...(checkWindowSetting({ start: "2026-03-25T10:00:00Z", end: "2026-03-25T13:00:00Z" }, "message")?.windows ?? []),
    ];
    const now = at("2026-03-25T11:00:00Z"); // 2 h left of the one-off window
    assert.equal(slotFor(windows, now, 2 * HOUR).kind, "now");
    const later = slotFor(windows, now, 2 * HOUR + 1);
    assert.equal(later.kind, "later");
    assert.equal(later.kind === "later" && iso(later.opening.startMs), "2026-03-28T21:00:00.000Z");
    const never = slotFor(windows, now, 9 * HOUR);
    assert.deepEqual(never, { kind: "never", longestMs: 8 * HOUR });
  });

  it("accepts one window, a list, or {windows, scheduleInSddcManager}; null, false and absent mean none", () => {
    assert.equal(checkWindowSetting(null, "message"), null);
    assert.equal(checkWindowSetting(undefined, "node"), null);
    assert.equal(checkWindowSetting(false, "message"), null);
    const list = checkWindowSetting(
      [
        { days: "sat, sun", start: "6:00", hours: "4.5", timeZone: "America/New_York" },
        { start: "2026-03-28T22:00:00+01:00", end: "2026-03-29T06:00:00+02:00" },
      ],
      "message",
    );
    assert.deepEqual(list, {
      windows: [
        { kind: "weekly", days: ["Sat", "Sun"], start: "06:00", hours: 4.5, timeZone: "America/New_York" },
        { kind: "once", start: "2026-03-28T21:00:00.000Z", end: "2026-03-29T04:00:00.000Z" },
      ],
      scheduleInSddcManager: false,
      source: "message",
    });
    const setting = checkWindowSetting(
      { windows: { days: ["Fri"], start: "20:00", hours: 10, timeZone: "UTC" }, scheduleInSddcManager: true },
      "node",
    );
    assert.equal(setting?.scheduleInSddcManager, true);
    assert.equal(setting?.source, "node");
  });

  it("refuses a bad window, naming the field and what to enter", () => {
    const cases: [unknown, string, RegExp][] = [
      [{ days: ["Sat"], start: "22:00", hours: 8, timeZone: "Mars/Olympus" }, "window.timeZone", /IANA time zone/],
      [{ days: ["Caturday"], start: "22:00", hours: 8, timeZone: "UTC" }, "window.days[0]", /weekdays/],
      [{ days: ["Sat"], start: "25:00", hours: 8, timeZone: "UTC" }, "window.start", /HH:MM/],
      [{ days: ["Sat"], start: "22:00", hours: 0, timeZone: "UTC" }, "window.hours", /above 0, at most 168/],
      [{ start: "2026-03-28T22:00:00Z", end: "2026-03-28T21:00:00Z" }, "window.end", /after the start/],
      [{ start: "2026-03-28 22:00", end: "2026-03-29T06:00:00Z" }, "window.start", /time zone/],
      [
        [
          { start: "2026-03-28T22:00:00Z", end: "2026-03-29T06:00:00Z" },
          { days: ["Sun"], start: "1:00", timeZone: "UTC" },
        ],
        "window[1].hours",
        /hours/,
      ],
      [{ windows: [], scheduleInSddcManager: true }, "window.windows", /a list of them/],
      [
        { windows: { start: "2026-03-28T22:00:00Z", end: "2026-03-29T06:00:00Z" }, schedule: true },
        "window.schedule",
        /one of windows, scheduleInSddcManager/,
      ],
      [{ start: "2026-03-28T22:00:00Z", end: "2026-03-29T06:00:00Z", zone: "UTC" }, "window.zone", /one of start, end/],
    ];
    for (const [value, field, allowed] of cases) {
      assert.throws(
        () => checkWindowSetting(value, "message"),
        (err: unknown) => {
          assert.ok(err instanceof EngineError, String(err));
          assert.equal(err.code, "BAD_INPUT");
          assert.equal(err.field, field, err.message);
          assert.match(err.message, new RegExp(field.replace(/[[\].]/g, "\\$&")));
          assert.match(err.message, allowed);
          assert.match(err.fix ?? "", allowed, "the fix says what to enter");
          return true;
        },
      );
    }
  });

  it("describes spans as a person would read them", () => {
    assert.equal(describeSpan(28 * HOUR), "1 d 4 h");
    assert.equal(describeSpan(40 * 60_000), "40 min");
    assert.equal(describeSpan(3 * HOUR + 20 * 60_000), "3 h 20 min");
    assert.equal(describeSpan(59_001), "1 min");
  });
});
