// Reads a vcf-config node definition (as saved by the editor) into client and engine settings.
// Every problem is reported with the editor label of the field and what to enter instead.
import type { EngineSettings } from "../engine";
import { caCertificateProblem } from "../vcf/tls";
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
}

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
  constructor(readonly field: string, message: string) {
    super(message);
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
    throw new ConfigError("url", "SDDC Manager URL contains user information (user:password@): remove it and enter the credentials in the Username and Password fields");
  }
  const url = URL_PATTERN.test(text) ? urlOrNull(text) : null;
  if (!url) {
    throw new ConfigError("url", `SDDC Manager URL "${text}" is not valid: enter https://<sddc-manager-fqdn> (scheme, host and optional port, no path)`);
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new ConfigError("url", `SDDC Manager URL "${text}" uses http://, which would send the password unencrypted: use https://${url.host} (http:// is accepted only for this machine: localhost, 127.x.x.x, [::1])`);
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
  if (!mode) throw new ConfigError("tlsMode", `TLS option "${String(value)}" is unknown: choose one of ${TLS_MODES.join(", ")}`);
  return mode;
}

export function parseConnection(def: VcfConfigDef): ConnectionSettings {
  const baseUrl = parseBaseUrl(def.url);
  const tlsMode = parseTlsMode(def.tlsMode);
  const settings: ConnectionSettings = {
    baseUrl,
    tlsMode,
    requestTimeoutMs: positiveNumber(def.requestTimeout, 30, "requestTimeout", "Request timeout", "seconds") * SECOND,
    retry: parseRetry(def),
  };
  if (tlsMode === "ca") {
    const ca = (def.ca ?? "").trim();
    const problem = caCertificateProblem(ca);
    if (problem) {
      throw new ConfigError("ca", `Custom CA is not a usable PEM certificate: ${problem}. Paste the CA certificate as exported, including the BEGIN/END CERTIFICATE lines`);
    }
    settings.ca = ca;
  }
  if (tlsMode === "tls-config") {
    if (!def.tls) throw new ConfigError("tls", "TLS configuration is empty: select a TLS configuration node or choose another TLS option");
    settings.tlsConfigId = def.tls;
  }
  return settings;
}

const MAX_RETRY_DELAY_MS = 8 * SECOND;

function parseRetry(def: VcfConfigDef): ConnectionSettings["retry"] {
  const maxAttempts = positiveNumber(def.retryAttempts, 4, "retryAttempts", "Read attempts", "attempts");
  if (!Number.isInteger(maxAttempts)) throw new ConfigError("retryAttempts", "Read attempts must be a whole number (1 or more)");
  const baseDelayMs = positiveNumber(def.retryDelay, 0.5, "retryDelay", "First retry after", "seconds") * SECOND;
  return { maxAttempts, baseDelayMs, maxDelayMs: Math.max(MAX_RETRY_DELAY_MS, baseDelayMs) };
}

/** Engine settings in milliseconds; omitted fields keep the engine defaults. */
export function parseEngineSettings(def: VcfConfigDef): Partial<EngineSettings> {
  const settings: Partial<EngineSettings> = {};
  const put = (key: keyof EngineSettings, value: number | undefined): void => {
    if (value !== undefined) settings[key] = value;
  };
  put("pollIntervalMs", optionalNumber(def.pollInterval, "pollInterval", "Poll interval", "seconds", SECOND));
  put("maxPollIntervalMs", optionalNumber(def.maxPollInterval, "maxPollInterval", "Longest poll interval", "seconds", SECOND));
  put("downloadDeadlineMs", optionalNumber(def.downloadDeadline, "downloadDeadline", "Deadline per bundle download", "minutes", MINUTE));
  put("validationDeadlineMs", optionalNumber(def.validationDeadline, "validationDeadline", "Validation deadline", "minutes", MINUTE));
  put("precheckDeadlineMs", optionalNumber(def.precheckDeadline, "precheckDeadline", "Precheck deadline", "minutes", MINUTE));
  put("componentDeadlineMs", optionalNumber(def.componentDeadline, "componentDeadline", "Component deadline", "minutes", MINUTE));
  put("sddcOutageBudgetMs", optionalNumber(def.sddcOutageBudget, "sddcOutageBudget", "SDDC Manager outage budget", "minutes", MINUTE));
  put("sddcSettleMs", optionalNumber(def.sddcSettle, "sddcSettle", "Settle time after the outage", "minutes", MINUTE, true));
  put("authGraceMs", optionalNumber(def.authGrace, "authGrace", "Credential grace", "minutes", MINUTE));
  put("completedPauseMs", optionalNumber(def.completedPause, "completedPause", "Pause after success", "seconds", SECOND, true));
  const concurrency = optionalNumber(def.downloadConcurrency, "downloadConcurrency", "Parallel downloads", "bundles", 1);
  if (concurrency !== undefined && !Number.isInteger(concurrency)) {
    throw new ConfigError("downloadConcurrency", "Parallel downloads must be a whole number of bundles (1 or more)");
  }
  put("downloadConcurrency", concurrency);
  return settings;
}

function optionalNumber(
  value: unknown, field: string, label: string, unit: string, factor: number, zeroAllowed = false,
): number | undefined {
  if (isEmpty(value)) return undefined;
  return positiveNumber(value, undefined, field, label, unit, zeroAllowed) * factor;
}

function positiveNumber(
  value: unknown, fallback: number | undefined, field: string, label: string, unit: string, zeroAllowed = false,
): number {
  if (isEmpty(value) && fallback !== undefined) return fallback;
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroAllowed)) {
    const least = zeroAllowed ? "0 or more" : "more than 0";
    throw new ConfigError(field, `${label} must be a number of ${unit} (${least}), not "${String(value)}"`);
  }
  return n;
}

/** Not set: missing in flows saved before the field existed, or left blank in the form (the default applies). */
function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}
