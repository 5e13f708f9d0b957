/**
 * The one error type of the client. It carries what a caller needs to decide (kind, status, API error code,
 * retryable) and what a human needs to act (message, remediation), and never a token, password or header:
 * it is built only from the method, the path, the status and the parsed error body.
 */
import { capOptional, capText, ENTRY_CAP, NAME_CAP, TEXT_CAP } from "./text-cap";

export type VcfErrorKind = "http" | "network" | "timeout" | "aborted" | "tls" | "auth";

export interface VcfApiErrorInit {
  kind: VcfErrorKind;
  message: string;
  method: string;
  path: string;
  retryable: boolean;
  status?: number;
  errorCode?: string;
  remediationMessage?: string;
  /** low-level code such as ECONNRESET or DEPTH_ZERO_SELF_SIGNED_CERT (never an object, so nothing leaks) */
  code?: string;
}

export class VcfApiError extends Error {
  readonly kind: VcfErrorKind;
  readonly status?: number;
  readonly errorCode?: string;
  readonly remediationMessage?: string;
  readonly method: string;
  readonly path: string;
  readonly retryable: boolean;
  readonly code?: string;

  constructor(init: VcfApiErrorInit) {
    // the texts may come from the server: capped here, so no error of the client is ever unbounded
    super(capText(`${init.method} ${init.path}: ${init.message}`, ENTRY_CAP));
    this.name = "VcfApiError";
    this.kind = init.kind;
    this.status = init.status;
    this.errorCode = capOptional(init.errorCode, NAME_CAP);
    this.remediationMessage = capOptional(init.remediationMessage, TEXT_CAP);
    this.method = init.method;
    this.path = init.path;
    this.retryable = init.retryable;
    this.code = init.code;
  }

  /** Plain data for logs and msg objects; the stack is left out on purpose. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      errorCode: this.errorCode,
      remediationMessage: this.remediationMessage,
      method: this.method,
      path: this.path,
      retryable: this.retryable,
      code: this.code,
    };
  }
}

export function isVcfApiError(value: unknown): value is VcfApiError {
  return value instanceof VcfApiError;
}
