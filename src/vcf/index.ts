export { VcfClient } from "./client";
export type { VcfClientOptions, CallOptions, VcfLogLevel } from "./client";
export { VcfApiError, isVcfApiError } from "./errors";
export type { VcfErrorKind } from "./errors";
export { normalizeStatus } from "./status";
export type { VcfTlsOptions } from "./tls";
export type { RetrySettings } from "./http/retry";
export * from "./types";
