import { isVcfApiError } from "../vcf/errors";
import { capText, ENTRY_CAP, NAME_CAP } from "../vcf/text-cap";

/** Codes the engine fails with; adapters show `message` and may branch on `code`. */
export type EngineErrorCode =
  | "BAD_INPUT"
  | "DOMAIN_NOT_FOUND"
  | "DOMAIN_NOT_READY"
  | "DOMAIN_BUSY"
  | "MANAGEMENT_DOMAIN_FIRST"
  | "NO_UPDATE"
  | "RUN_NOT_FOUND"
  | "WRONG_STATUS"
  | "RUN_FAILED"
  | "RUN_UNREADABLE"
  | "DEADLINE"
  | "ABORTED"
  | "CANCELLED"
  | "AUTH_FAILED"
  | "OUTCOME_UNKNOWN"
  | "REMOTE_FAILURE";

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  /** The input field at fault, for BAD_INPUT. */
  readonly field?: string;
  /** What the user can do about it (the API's remediation text when there is one). */
  readonly fix?: string;

  constructor(code: EngineErrorCode, message: string, extra: { field?: string; fix?: string } = {}) {
    // messages quote server texts and input: capped here, so no engine error is ever unbounded
    super(capText(message, ENTRY_CAP));
    this.name = "EngineError";
    this.code = code;
    if (extra.field !== undefined) this.field = capText(extra.field, NAME_CAP);
    if (extra.fix !== undefined) this.fix = capText(extra.fix, ENTRY_CAP);
  }
}

/** The message of any thrown value. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  if (err instanceof EngineError) return err.code === "ABORTED";
  return err instanceof Error && (err.name === "AbortError" || (err as { kind?: unknown }).kind === "aborted");
}

export function abortError(what: string): EngineError {
  return new EngineError("ABORTED", `${what} was aborted`);
}

/** Any error as an EngineError; the API's remediation text becomes `fix`. */
export function asEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  if (isVcfApiError(err)) {
    const e = new EngineError(
      "REMOTE_FAILURE",
      err.message,
      err.remediationMessage ? { fix: err.remediationMessage } : {},
    );
    e.cause = err;
    return e;
  }
  return new EngineError("REMOTE_FAILURE", errorText(err));
}
