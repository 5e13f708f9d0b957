// Reads a vcf-config node definition (as saved by the editor) into client and engine settings.
// Every problem is reported with the editor label of the field and what to enter instead.
import {
  READINESS_CHECKS,
  SETTING_MAX_COUNT,
  SETTING_MAX_MS,
  type EngineSettings,
  type ReadinessCheck,
} from "../engine";
import { DEFAULT_TIMEOUT_MS, MAX_REQUEST_TIMEOUT_MS } from "../vcf/client";
import { DEFAULT_RETRY } from "../vcf/http/retry";
import { capText, ENTRY_CAP, NAME_CAP } from "../vcf/text-cap";
import { caCertificateProblem } from "../vcf/tls";
import { t } from "./i18n";
import type { NodeDef } from "./node-red-types";

export type TlsMode = "verify" | "ca" | "tls-config" | "insecure";
export const TLS_MODES: readonly TlsMode[] = ["verify", "ca", "tls-config", "insecure"];

/** The vcf-config properties; numbers arrive as numbers or as the strings the form saved. */
export interface VcfConfigDef extends NodeDef {
  url?: string;
  tlsMode?: string;
  ca?: string;
  tls?: string;
  requestTimeout?: number | string;
  retryAttempts?: number | string;
  retryDelay?: number | string;
  pollInterval?: number | string;
  maxPollInterval?: number | string;
  downloadDeadline?: number | string;
  validationDeadline?: number | string;
  precheckDeadline?: number | string;
  componentDeadline?: number | string;
  sddcOutageBudget?: number | string;
  sddcSettle?: number | string;
  authGrace?: number | string;
  downloadConcurrency?: number | string;
  completedPause?: number | string;
  backupDeadline?: number | string;
  downloadRetries?: number | string;
  /** minutes, 0: off */
  stallWarning?: number | string;
  /** hours, 0: off */
  ackReminder?: number | string;
  /** Readiness checks: each on unless false (flows saved before they existed: on). */
  readinessBackup?: boolean;
  readinessPasswords?: boolean;
  readinessCertificates?: boolean;
  readinessFailedTasks?: boolean;
  readinessDepot?: boolean;
  /** hours */
  backupMaxAge?: number | string;
  passwordWarnDays?: number | string;
  certificateWarnDays?: number | string;
  /** A plan's default estimates, in minutes (ESXi: per host) */
  estimateSddcManager?: number | string;
  estimateNsx?: number | string;
  estimateVcenter?: number | string;
  estimateEsxHost?: number | string;
  /** minutes: the margin a component's estimate gets when it must fit in a maintenance window */
  windowMargin?: number | string;
}

/** The editor's on/off field of each readiness check. */
export const READINESS_FIELDS: Readonly<Record<ReadinessCheck, keyof VcfConfigDef>> = {
  backup: "readinessBackup",
  passwords: "readinessPasswords",
  certificates: "readinessCertificates",
  failedTasks: "readinessFailedTasks",
  depot: "readinessDepot",
};

export interface ConnectionSettings {
  baseUrl: string;
  tlsMode: TlsMode;
  /** PEM text, for tlsMode "ca". */
  ca?: string;
  /** id of a core tls-config node, for tlsMode "tls-config". */
  tlsConfigId?: string;
  requestTimeoutMs: number;
  /** For reads only: the client never repeats a POST or PATCH. */
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
}

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(capText(message, ENTRY_CAP));
    this.name = "ConfigError";
  }
}

const URL_PATTERN = /^https?:\/\/[^\s/?#@]+(:\d+)?\/?$/i;

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/**
 * The base URL without a trailing slash; only scheme, host and port (every API path starts with /v1/).
 * Plain http is refused except to this machine (127.0.0.0/8, ::1, localhost), where the simulator runs:
 * elsewhere it would send the password unencrypted.
 */
export function parseBaseUrl(value: unknown): string {
  const text = typeof value === "string" ? value.trim() : "";
  // Any "@" at all: a password may hold "/", "?", "#" or spaces, so no rule can tell where user information ends,
  // and an SDDC Manager URL never needs one. The text is not echoed: it may hold a password.
  if (text.includes("@")) {
    throw new ConfigError("url", t("vcf-config.errors.urlUserinfo"));
  }
  const url = URL_PATTERN.test(text) ? urlOrNull(text) : null;
  if (!url) {
    throw new ConfigError("url", t("vcf-config.errors.urlInvalid", { url: text }));
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new ConfigError("url", t("vcf-config.errors.urlHttp", { url: text, host: url.host }));
  }
  return text.replace(/\/$/, "");
}

function urlOrNull(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** localhost, 127.0.0.0/8 or ::1 (as URL.hostname gives it: IPv6 in brackets). */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The same scheme, host and port (URL origins compare the host case-insensitively and drop a default port). */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return a === b;
  }
}

export function parseTlsMode(value: unknown): TlsMode {
  if (value === undefined || value === "") return "verify";
  const mode = TLS_MODES.find((m) => m === value);
  if (!mode)
    throw new ConfigError(
      "tlsMode",
      t("vcf-config.errors.tlsModeUnknown", { mode: String(value), modes: TLS_MODES.join(", ") }),
    );
  return mode;
}

export function parseConnection(def: VcfConfigDef): ConnectionSettings {
  const baseUrl = parseBaseUrl(def.url);
  const tlsMode = parseTlsMode(def.tlsMode);
  const settings: ConnectionSettings = {
    baseUrl,
    tlsMode,
    requestTimeoutMs: numberOf(def.requestTimeout, TIME_FIELDS.requestTimeout, DEFAULT_TIMEOUT_MS),
    retry: parseRetry(def),
  };
  if (tlsMode === "ca") {
    const ca = (def.ca ?? "").trim();
    const problem = caCertificateProblem(ca);
    if (problem) {
      throw new ConfigError("ca", t("vcf-config.errors.caUnusable", { problem }));
    }
    settings.ca = ca;
  }
  if (tlsMode === "tls-config") {
    if (!def.tls) throw new ConfigError("tls", t("vcf-config.errors.tlsEmpty"));
    settings.tlsConfigId = def.tls;
  }
  return settings;
}

/** One number field of the form: its editor label (the form's catalog key), unit, and the range it accepts (in that unit). */
interface NumberField {
  field: keyof VcfConfigDef;
  unit: "seconds" | "minutes" | "hours" | "days" | "attempts" | "bundles" | "retries";
  /** ms per unit (1 for counts) */
  factor: number;
  zeroAllowed?: boolean;
  /** the largest value accepted, in `unit` (none for counts) */
  max?: number;
}

type TimeField =
  | "requestTimeout"
  | "retryDelay"
  | "pollInterval"
  | "maxPollInterval"
  | "downloadDeadline"
  | "validationDeadline"
  | "precheckDeadline"
  | "componentDeadline"
  | "sddcOutageBudget"
  | "sddcSettle"
  | "authGrace"
  | "completedPause"
  | "backupDeadline"
  | "stallWarning"
  | "ackReminder"
  | "estimateSddcManager"
  | "estimateNsx"
  | "estimateVcenter"
  | "estimateEsxHost"
  | "windowMargin";

function timeField(
  field: TimeField | "backupMaxAge",
  unit: "seconds" | "minutes" | "hours",
  maxMs: number | undefined,
  zeroAllowed = false,
): NumberField {
  const factor = unit === "seconds" ? SECOND : unit === "minutes" ? MINUTE : 60 * MINUTE;
  return { field, unit, factor, zeroAllowed, max: (maxMs ?? 0) / factor };
}

/**
 * The time fields and their maxima (the editor's validators in nodes/vcf-config.html agree): above about 24.8 days
 * Node's timers fire at once, so every time setting is bounded. A retry needs no more than a minute's pause.
 */
export const TIME_FIELDS: Readonly<Record<TimeField, NumberField>> = {
  requestTimeout: timeField("requestTimeout", "seconds", MAX_REQUEST_TIMEOUT_MS),
  retryDelay: timeField("retryDelay", "seconds", MINUTE),
  pollInterval: timeField("pollInterval", "seconds", SETTING_MAX_MS.pollIntervalMs),
  maxPollInterval: timeField("maxPollInterval", "seconds", SETTING_MAX_MS.maxPollIntervalMs),
  downloadDeadline: timeField("downloadDeadline", "minutes", SETTING_MAX_MS.downloadDeadlineMs),
  validationDeadline: timeField("validationDeadline", "minutes", SETTING_MAX_MS.validationDeadlineMs),
  precheckDeadline: timeField("precheckDeadline", "minutes", SETTING_MAX_MS.precheckDeadlineMs),
  componentDeadline: timeField("componentDeadline", "minutes", SETTING_MAX_MS.componentDeadlineMs),
  sddcOutageBudget: timeField("sddcOutageBudget", "minutes", SETTING_MAX_MS.sddcOutageBudgetMs),
  sddcSettle: timeField("sddcSettle", "minutes", SETTING_MAX_MS.sddcSettleMs, true),
  authGrace: timeField("authGrace", "minutes", SETTING_MAX_MS.authGraceMs),
  completedPause: timeField("completedPause", "seconds", SETTING_MAX_MS.completedPauseMs, true),
  backupDeadline: timeField("backupDeadline", "minutes", SETTING_MAX_MS.backupDeadlineMs),
  stallWarning: timeField("stallWarning", "minutes", SETTING_MAX_MS.stallWarningMs, true),
  ackReminder: timeField("ackReminder", "hours", SETTING_MAX_MS.ackReminderMs, true),
  estimateSddcManager: timeField("estimateSddcManager", "minutes", SETTING_MAX_MS.estimateSddcManagerMs),
  estimateNsx: timeField("estimateNsx", "minutes", SETTING_MAX_MS.estimateNsxMs),
  estimateVcenter: timeField("estimateVcenter", "minutes", SETTING_MAX_MS.estimateVcenterMs),
  estimateEsxHost: timeField("estimateEsxHost", "minutes", SETTING_MAX_MS.estimateEsxHostMs),
  windowMargin: timeField("windowMargin", "minutes", SETTING_MAX_MS.windowMarginMs, true),
};
/** The time fields of the engine's settings: each sets the setting of its name plus "Ms" (the others are the client's). */
type EngineTimeField = Exclude<TimeField, "requestTimeout" | "retryDelay">;
const ENGINE_TIME_FIELDS = (Object.keys(TIME_FIELDS) as TimeField[]).filter(
  (f): f is EngineTimeField => f !== "requestTimeout" && f !== "retryDelay",
);
const BACKUP_MAX_AGE = timeField("backupMaxAge", "hours", SETTING_MAX_MS.backupMaxAgeMs);

/** Whole-number count fields (0 allowed) with the engine's limits. */
function countField(field: keyof VcfConfigDef & keyof typeof SETTING_MAX_COUNT, unit: "retries" | "days") {
  return {
    field,
    unit,
    factor: 1,
    zeroAllowed: true,
    max: SETTING_MAX_COUNT[field],
  } satisfies NumberField;
}
const COUNT_FIELDS = {
  downloadRetries: countField("downloadRetries", "retries"),
  passwordWarnDays: countField("passwordWarnDays", "days"),
  certificateWarnDays: countField("certificateWarnDays", "days"),
} as const;
const RETRY_ATTEMPTS: NumberField = { field: "retryAttempts", unit: "attempts", factor: 1 };
const DOWNLOAD_CONCURRENCY: NumberField = { field: "downloadConcurrency", unit: "bundles", factor: 1 };

/** The field's label in the editor form (the same catalog key). */
function label(f: NumberField): string {
  return t(`vcf-config.label.${f.field}`);
}

function parseRetry(def: VcfConfigDef): ConnectionSettings["retry"] {
  const maxAttempts = numberOf(def.retryAttempts, RETRY_ATTEMPTS, DEFAULT_RETRY.maxAttempts);
  if (!Number.isInteger(maxAttempts))
    throw new ConfigError("retryAttempts", t("vcf-config.errors.wholeNumber", { label: label(RETRY_ATTEMPTS) }));
  const baseDelayMs = numberOf(def.retryDelay, TIME_FIELDS.retryDelay, DEFAULT_RETRY.baseDelayMs);
  return { maxAttempts, baseDelayMs, maxDelayMs: Math.max(DEFAULT_RETRY.maxDelayMs, baseDelayMs) };
}

/**
 * Engine settings in milliseconds; omitted fields keep the engine defaults. The editor's defaults (nodes/vcf-config.html)
 * are the same values: test/nodes/defaults.spec.ts holds them together.
 */
export function parseEngineSettings(def: VcfConfigDef): Partial<EngineSettings> {
  const settings: Partial<EngineSettings> = {};
  const put = (key: Exclude<keyof EngineSettings, "readinessChecksOff">, field: NumberField): void => {
    if (!isEmpty(def[field.field])) settings[key] = numberOf(def[field.field], field);
  };
  for (const field of ENGINE_TIME_FIELDS) put(`${field}Ms`, TIME_FIELDS[field]);
  put("downloadConcurrency", DOWNLOAD_CONCURRENCY);
  put("backupMaxAgeMs", BACKUP_MAX_AGE);
  for (const key of Object.keys(COUNT_FIELDS) as (keyof typeof COUNT_FIELDS)[]) {
    const field = COUNT_FIELDS[key];
    put(key, field);
    if (settings[key] !== undefined && !Number.isInteger(settings[key]))
      throw new ConfigError(
        field.field,
        t("vcf-config.errors.wholeNumberOf", { label: label(field), unit: t(`vcf-config.unit.${field.unit}`) }),
      );
  }
  const off = READINESS_CHECKS.filter((check) => def[READINESS_FIELDS[check]] === false);
  if (off.length > 0) settings.readinessChecksOff = off;
  if (settings.downloadConcurrency !== undefined && !Number.isInteger(settings.downloadConcurrency)) {
    throw new ConfigError(
      "downloadConcurrency",
      t("vcf-config.errors.wholeNumber", { label: label(DOWNLOAD_CONCURRENCY) }),
    );
  }
  return settings;
}

/** The field's value in ms (or as a count), `fallback` (in ms, or a count) when empty; out of range is refused. */
function numberOf(value: unknown, f: NumberField, fallback?: number): number {
  if (isEmpty(value) && fallback !== undefined) return fallback;
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !f.zeroAllowed) || (f.max !== undefined && n > f.max)) {
    const lowest = t(f.zeroAllowed ? "vcf-config.errors.zeroOrMore" : "vcf-config.errors.moreThanZero");
    const range = f.max === undefined ? lowest : t("vcf-config.errors.atMost", { lowest, max: f.max });
    throw new ConfigError(
      f.field,
      t("vcf-config.errors.numberOutOfRange", {
        label: label(f),
        unit: t(`vcf-config.unit.${f.unit}`),
        range,
        value: capText(String(value), NAME_CAP),
      }),
    );
  }
  return n * f.factor;
}

/** Not set: absent from the node's definition, or left blank (the default applies). */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}
