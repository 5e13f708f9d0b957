// One readable sentence per failure, naming what to fix; used for done(err), node status and the test route.
import { EngineError, type EngineErrorCode } from "../engine";
import { VcfApiError } from "../vcf/errors";
import { capText, ENTRY_CAP } from "../vcf/text-cap";
import { ConfigError } from "./config-settings";
import { engineTextIn, t } from "./i18n";

/** An input problem found by the adapter before anything was sent to SDDC Manager. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(capText(message, ENTRY_CAP));
    this.name = "InputError";
  }
}

/** The sentence for Catch, the node status and the test route; at most ENTRY_CAP characters (plus the cut note). */
export function describeError(err: unknown): string {
  return capText(sentence(err), ENTRY_CAP);
}

function sentence(err: unknown): string {
  if (err instanceof VcfApiError) return describeApiError(err);
  if (err instanceof EngineError) return withFix(engineTextIn(err.text), err.fixText && engineTextIn(err.fixText));
  if (err instanceof ConfigError) return t("vcf-config.errors.config", { message: err.message });
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Node status headlines for failures whose sentence starts with details a short badge would cut to nothing useful
 * (the wait that failed, the request sent); the whole sentence goes to Catch.
 */
const HEADLINES: Partial<Record<EngineErrorCode, string>> = {
  AUTH_FAILED: "vcf-config.status.authFailed",
  OUTCOME_UNKNOWN: "vcf-config.status.outcomeUnknown",
};

/** The text of a failure's node status. */
export function statusHeadline(err: unknown): string {
  const headline = err instanceof EngineError ? HEADLINES[err.code] : undefined;
  return headline ? t(headline) : describeError(err);
}

/** An Error whose message is the readable sentence (Catch nodes show it as msg.error.message, after "Error: "). */
export function toReadableError(err: unknown): Error {
  return new Error(describeError(err));
}

/** Node status texts are short; the full sentence is in the error. */
export function shortText(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

function describeApiError(err: VcfApiError): string {
  const where = `${err.method} ${err.path}`;
  const detail = err.code ? ` (${err.code})` : "";
  switch (err.kind) {
    case "auth":
      return t("vcf-config.apiErrors.auth", { status: err.status ? ` (HTTP ${err.status})` : "" });
    case "tls":
      return t("vcf-config.apiErrors.tls", { detail });
    case "network":
      return t("vcf-config.apiErrors.network", { where: `${where}${detail}` });
    case "timeout":
      return t("vcf-config.apiErrors.timeout", { detail: err.message, label: t("vcf-config.label.requestTimeout") });
    case "aborted":
      return t("vcf-config.apiErrors.aborted", { where });
    case "http":
      return withFix(err.message, err.remediationMessage);
  }
}

function withFix(message: string, fix: string | undefined): string {
  if (!fix || message.includes(fix)) return message;
  return `${message.replace(/[.\s]+$/, "")}. ${fix}`;
}
