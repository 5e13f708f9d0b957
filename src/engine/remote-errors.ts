import { isVcfApiError } from "../vcf/errors";
import { capText, TEXT_CAP } from "../vcf/text-cap";
import type { ApiErrorBody } from "../vcf/types";

/** Errors worth polling through: the network, timeouts, 5xx, throttling, and auth loss while a service restarts. */
export function isTransientError(err: unknown): boolean {
  if (!isVcfApiError(err)) return false;
  if (err.kind === "aborted" || err.kind === "tls") return false;
  if (err.retryable || err.kind === "network" || err.kind === "timeout" || err.kind === "auth") return true;
  const status = err.status ?? 0;
  return status >= 500 || status === 429 || status === 408 || status === 401;
}

/** SDDC Manager refused the credentials (after the client's own renewal and replay). */
export function isAuthError(err: unknown): boolean {
  return isVcfApiError(err) && (err.kind === "auth" || err.status === 401);
}

/**
 * The server answered a write with a 4xx: it refused the request, so nothing was started. Anything else
 * (timeout, dropped connection, 5xx, an unreadable 2xx) leaves the outcome unknown.
 */
export function isRefusal(err: unknown): boolean {
  const status = httpStatusOf(err) ?? 0;
  return status >= 400 && status < 500;
}

export function httpStatusOf(err: unknown): number | undefined {
  return isVcfApiError(err) ? err.status : undefined;
}

export function errorCodeOf(err: unknown): string | undefined {
  return isVcfApiError(err) ? err.errorCode : undefined;
}

export function remediationOf(err: unknown): string | undefined {
  return isVcfApiError(err) ? err.remediationMessage : undefined;
}

export interface FailureText {
  message: string;
  remediation?: string;
}

/** One readable message and remediation from API error bodies (duplicates removed), each at most TEXT_CAP characters. */
export function describeApiErrors(errors: readonly ApiErrorBody[], fallback: string): FailureText {
  const unique = (values: (string | undefined)[]) => [
    ...new Set(values.filter((v): v is string => !!v && v.trim() !== "")),
  ];
  const messages = unique(errors.map((e) => e.message ?? e.errorCode));
  const remediations = unique(errors.map((e) => e.remediationMessage));
  const out: FailureText = { message: capText(messages.length > 0 ? messages.join("; ") : fallback, TEXT_CAP) };
  if (remediations.length > 0) out.remediation = capText(remediations.join("; "), TEXT_CAP);
  return out;
}

/**
 * SDDC Manager's API is away, as while it restarts for its own upgrade: no answer, a proxy's 502/503/504, a 5xx
 * without the API's error body, or a refused session. A JSON error from the API itself is an answer, not absence.
 */
export function isApiAway(err: unknown): boolean {
  if (!isVcfApiError(err) || err.kind === "aborted" || err.kind === "tls") return false;
  if (err.kind === "network" || err.kind === "timeout" || err.kind === "auth") return true;
  const status = err.status ?? 0;
  return status === 401 || status === 502 || status === 503 || status === 504 || (status >= 500 && !err.errorCode);
}
