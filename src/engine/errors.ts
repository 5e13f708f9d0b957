import { isVcfApiError } from "../vcf/errors";
import { capText, ENTRY_CAP, NAME_CAP } from "../vcf/text-cap";
import { engineText, englishText, verbatimText, type EngineText } from "./catalog";

/** Codes the engine fails with; adapters show `text` (and `fixText`) in the user's language and may branch on `code`. */
export type EngineErrorCode =
  | "BAD_INPUT"
  | "DOMAIN_NOT_FOUND"
  | "DOMAIN_NOT_READY"
  | "DOMAIN_BUSY"
  | "FLEET_RUNNING"
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

/**
 * A failure with its text by id (see catalog.ts): `message` and `fix` are its English, for the run's records; the
 * adapters word `text` and `fixText` in the user's language.
 */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly text: EngineText;
  /** The input field at fault, for BAD_INPUT. */
  readonly field?: string;
  /** What the user can do about it (the API's remediation text when there is one). */
  readonly fixText?: EngineText;
  readonly fix?: string;

  constructor(code: EngineErrorCode, text: EngineText, extra: { field?: string; fix?: EngineText } = {}) {
    // messages quote server texts and input: capped here, so no engine error is ever unbounded
    super(capText(englishText(text), ENTRY_CAP));
    this.name = "EngineError";
    this.code = code;
    this.text = text;
    if (extra.field !== undefined) this.field = capText(extra.field, NAME_CAP);
    if (extra.fix !== undefined) {
      this.fixText = extra.fix;
      this.fix = capText(englishText(extra.fix), ENTRY_CAP);
    }
  }
}

/** The SDDC Manager remediation when there is one, else the engine's own fix. */
export function fixOr(remediation: string | undefined, fix: EngineText): EngineText {
  return remediation ? verbatimText(remediation) : fix;
}

/** The message of any thrown value. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A thrown value as a text parameter: an engine error's own text (worded in the user's language), else its message. */
export function errorParam(err: unknown): EngineText | string {
  return err instanceof EngineError ? err.text : errorText(err);
}

export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  if (err instanceof EngineError) return err.code === "ABORTED";
  return err instanceof Error && (err.name === "AbortError" || (err as { kind?: unknown }).kind === "aborted");
}

export function abortError(what: EngineText): EngineError {
  return new EngineError("ABORTED", engineText("aborted", { what }));
}

/** Any error as an EngineError; the API's remediation text becomes `fix`. */
export function asEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  if (isVcfApiError(err)) {
    const e = new EngineError(
      "REMOTE_FAILURE",
      verbatimText(err.message),
      err.remediationMessage ? { fix: verbatimText(err.remediationMessage) } : {},
    );
    e.cause = err;
    return e;
  }
  return new EngineError("REMOTE_FAILURE", verbatimText(errorText(err)));
}
