import { engineText } from "./catalog";
import { EngineError } from "./errors";
import { DEFAULT_SETTINGS, READINESS_CHECKS, type EngineSettings, type ReadinessCheck } from "./types";

type NumberSetting = Exclude<keyof EngineSettings, "readinessChecksOff">;

/** Settings that may be zero (a pause, settle time, retry or warning period can be skipped); the others must be positive. */
const MAY_BE_ZERO: ReadonlySet<keyof EngineSettings> = new Set([
  "completedPauseMs",
  "sddcSettleMs",
  "downloadRetries",
  "passwordWarnDays",
  "certificateWarnDays",
  "stallWarningMs",
  "ackReminderMs",
  "windowMarginMs",
]);
const INTEGERS: ReadonlySet<keyof EngineSettings> = new Set([
  "downloadConcurrency",
  "keepRunsPerDomain",
  "taskPollEvery",
  "downloadRetries",
  "passwordWarnDays",
  "certificateWarnDays",
]);

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * The largest value of each time setting, in ms. Polling less often than hourly would miss a finished upgrade for too
 * long; no single wait needs more than 30 days (longer than Node's 24.8-day timer limit: waits re-arm their timers).
 * No component takes a day (an ESXi host, per host), so a larger estimate is a typing error; a stall or a reminder
 * noticed after more than a week comes too late to matter.
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
  backupDeadlineMs: 30 * DAY_MS,
  backupMaxAgeMs: 30 * DAY_MS,
  estimateSddcManagerMs: DAY_MS,
  estimateNsxMs: DAY_MS,
  estimateVcenterMs: DAY_MS,
  estimateEsxHostMs: DAY_MS,
  stallWarningMs: 7 * DAY_MS,
  ackReminderMs: 7 * DAY_MS,
  windowMarginMs: DAY_MS,
};

/**
 * The largest value of each count setting. More than 10 download attempts only hides a broken depot; warning about
 * expiry more than a year ahead warns about everything.
 */
export const SETTING_MAX_COUNT: Readonly<Partial<Record<keyof EngineSettings, number>>> = {
  downloadRetries: 10,
  passwordWarnDays: 365,
  certificateWarnDays: 365,
};

/** Defaults plus overrides, each checked: a bad value names the setting and what it must be. */
export function resolveSettings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  const merged: EngineSettings = { ...DEFAULT_SETTINGS };
  if (overrides.readinessChecksOff !== undefined)
    merged.readinessChecksOff = checkReadinessOff(overrides.readinessChecksOff);
  for (const key of Object.keys(DEFAULT_SETTINGS) as NumberSetting[]) {
    if ((key as keyof EngineSettings) === "readinessChecksOff") continue;
    const value = overrides[key];
    if (value === undefined) continue;
    const min = MAY_BE_ZERO.has(key) ? 0 : key === "logMaxBytes" ? 256 : Number.MIN_VALUE;
    const max = SETTING_MAX_MS[key] ?? SETTING_MAX_COUNT[key] ?? Number.MAX_SAFE_INTEGER;
    const ok =
      typeof value === "number" &&
      Number.isFinite(value) &&
      value >= min &&
      value <= max &&
      (!INTEGERS.has(key) || Number.isInteger(value));
    if (!ok) {
      const upTo = max === Number.MAX_SAFE_INTEGER ? "" : engineText("settingAtMost", { max });
      const must = INTEGERS.has(key)
        ? engineText("settingWholeNumber", { min: MAY_BE_ZERO.has(key) ? 0 : 1, upTo })
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

/** The readiness checks switched off: names from READINESS_CHECKS only. */
function checkReadinessOff(value: unknown): readonly ReadinessCheck[] {
  const known = (v: unknown): v is ReadinessCheck => READINESS_CHECKS.includes(v as ReadinessCheck);
  if (Array.isArray(value) && value.every(known)) return [...new Set(value)];
  throw new EngineError("BAD_INPUT", engineText("readinessOffInvalid", { value: String(JSON.stringify(value)) }), {
    field: "settings.readinessChecksOff",
    fix: engineText("readinessOffInvalidFix", { checks: READINESS_CHECKS.join(", ") }),
  });
}
