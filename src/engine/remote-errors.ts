import { isVcfApiError } from "../vcf/errors";

/** Errors worth polling through: the network, timeouts, 5xx, throttling, and auth loss while a service restarts. */
export function isTransientError(err: unknown): boolean {
  if (!isVcfApiError(err)) return false;
  if (err.kind === "aborted" || err.kind === "tls") return false;
  if (err.retryable || err.kind === "network" || err.kind === "timeout" || err.kind === "auth") return true;
  const status = err.status ?? 0;
  return status >= 500 || status === 429 || status === 408 || status === 401;
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
