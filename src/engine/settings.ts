import { engineText } from "./catalog";
import { EngineError } from "./errors";
import { DEFAULT_SETTINGS, type EngineSettings } from "./types";

/** Settings that may be zero (a pause or settle time can be skipped); every other one must be positive. */
const MAY_BE_ZERO: ReadonlySet<keyof EngineSettings> = new Set(["completedPauseMs", "sddcSettleMs"]);
const INTEGERS: ReadonlySet<keyof EngineSettings> = new Set([
  "downloadConcurrency",
  "keepRunsPerDomain",
  "taskPollEvery",
]);

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * The largest value of each time setting, in ms. Polling less often than hourly would miss a finished upgrade for too
 * long; no single wait needs more than 30 days (longer than Node's 24.8-day timer limit: waits re-arm their timers).
 */
export const SETTING_MAX_MS: Readonly<Partial<Record<keyof EngineSettings, number>>> = {
  pollIntervalMs: HOUR_MS,
  maxPollIntervalMs: HOUR_MS,
  downloadDeadlineMs: 30 * DAY_MS,
  validationDeadlineMs: 30 * DAY_MS,
  precheckDeadlineMs: 30 * DAY_MS,
  componentDeadlineMs: 30 * DAY_MS,
  sddcOutageBudgetMs: 30 * DAY_MS,
  authGraceMs: 30 * DAY_MS,
  sddcSettleMs: DAY_MS,
  completedPauseMs: DAY_MS,
};

/** Defaults plus overrides, each checked: a bad value names the setting and what it must be. */
export function resolveSettings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  const merged: EngineSettings = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof EngineSettings)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    const min = MAY_BE_ZERO.has(key) ? 0 : key === "logMaxBytes" ? 256 : Number.MIN_VALUE;
    const max = SETTING_MAX_MS[key] ?? Number.MAX_SAFE_INTEGER;
    const ok =
      typeof value === "number" &&
      Number.isFinite(value) &&
      value >= min &&
      value <= max &&
      (!INTEGERS.has(key) || Number.isInteger(value));
    if (!ok) {
      const upTo = SETTING_MAX_MS[key] === undefined ? "" : engineText("settingAtMost", { max });
      const must = INTEGERS.has(key)
        ? engineText("settingWholeNumber", { upTo })
        : key === "logMaxBytes"
          ? engineText("settingBytes", { upTo })
          : MAY_BE_ZERO.has(key)
            ? engineText("settingZeroOrMore", { upTo })
            : engineText("settingPositive", { upTo });
      throw new EngineError(
        "BAD_INPUT",
        engineText("settingInvalid", { key, value: String(JSON.stringify(value)), must }),
        {
          field: `settings.${key}`,
          fix: engineText("settingInvalidFix", { key, must, default: DEFAULT_SETTINGS[key] }),
        },
      );
    }
    merged[key] = value;
  }
  return merged;
}
