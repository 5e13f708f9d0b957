import http from "node:http";
import type { VcfErrorKind } from "../errors";
import { VcfApiError } from "../errors";
import { capOptional, NAME_CAP, TEXT_CAP } from "../text-cap";
import { isRecord, optionalString, parseBody } from "./body";

/** HTTP statuses that a proxy or a restarting SDDC Manager answers for a moment: worth another GET. */
const TRANSIENT_STATUSES = new Set([502, 503, 504]);
/**
 * 9.0: the system upgradables list answers 408 or 409 until SDDC Manager's inventory cache is seeded (after a
 * start or its own upgrade): wait and ask again (UPGRADE-API.md §15).
 */
const NOT_SEEDED = { path: "/v1/system/upgradables", statuses: new Set([408, 409]) };
const TRANSIENT_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_SOCKET_CLOSED",
]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "ECONNABORTED", "ESOCKETTIMEDOUT"]);
const TLS_CODE = /CERT|^ERR_TLS|^ERR_SSL|^EPROTO$|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

export interface RequestIdentity {
  method: string;
  path: string;
  /** safe to send again (GETs, token calls); defaults to GET only */
  idempotent?: boolean;
}

function isIdempotent(request: RequestIdentity): boolean {
  return request.idempotent ?? request.method === "GET";
}

export function isTransientStatus(status: number): boolean {
  return TRANSIENT_STATUSES.has(status);
}

/** A VcfApiError for a non-2xx answer, from whatever body came with it (JSON Error, HTML, text or nothing). */
export function errorFromResponse(
  request: RequestIdentity,
  status: number,
  statusText: string | undefined,
  contentType: string | undefined,
  bodyText: string | undefined,
  kind: VcfErrorKind = "http",
): VcfApiError {
  const reason = statusText || http.STATUS_CODES[status] || "";
  const head = `HTTP ${status}${reason ? ` ${reason}` : ""}`;
  const body = parseBody(bodyText, contentType);
  const notSeeded = request.path === NOT_SEEDED.path && NOT_SEEDED.statuses.has(status);
  const retryable = (isTransientStatus(status) || notSeeded) && isIdempotent(request);
  const identity = { method: request.method, path: request.path };
  if (body.kind === "json" && isRecord(body.value)) {
    const errorCode = capOptional(optionalString(body.value.errorCode), NAME_CAP);
    const apiMessage = capOptional(optionalString(body.value.message), TEXT_CAP);
    return new VcfApiError({
      ...identity,
      kind,
      status,
      retryable,
      errorCode,
      remediationMessage: capOptional(
        remediationOf(optionalString(body.value.remediationMessage), optionalString(body.value.remediationUrl)),
        TEXT_CAP,
      ),
      message: [head, errorCode ? `[${errorCode}]` : undefined, apiMessage].filter(Boolean).join(" "),
    });
  }
  const what = body.kind === "empty" ? "empty body" : "non-JSON body";
  return new VcfApiError({ ...identity, kind, status, retryable, message: `${head} (${what})` });
}

/** The remediation text, with the documentation link a 9.0 Error adds (`remediationUrl`) appended. */
function remediationOf(message: string | undefined, url: string | undefined): string | undefined {
  const link = url?.trim();
  if (!link) return message;
  return message ? `${message} (see ${link})` : `See ${link}`;
}

export interface FailureContext {
  /** The total limit of one request (the client's requestTimeoutMs). */
  timeoutMs: number;
  /** The total limit ended the request (not the caller's signal). */
  overTime: boolean;
  /** The response size limit, in bytes. */
  maxBytes: number;
}

/**
 * A VcfApiError for a request that got no HTTP answer. Only the low-level code and Node's own short
 * message are read from the failure: never its config, headers or request, which hold the token.
 */
export function errorFromFailure(request: RequestIdentity, failure: unknown, context: FailureContext): VcfApiError {
  const code = failureCode(failure);
  const text = failureText(failure);
  const identity = { method: request.method, path: request.path };
  if (context.overTime || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new VcfApiError({
      ...identity,
      kind: "timeout",
      retryable: isIdempotent(request),
      code: code === "ERR_CANCELED" ? undefined : code,
      message: `no complete answer within ${context.timeoutMs} ms, the total time limit for one request (headers and body; the request timeout setting)`,
    });
  }
  if (code === "ERR_CANCELED") {
    return new VcfApiError({
      ...identity,
      kind: "aborted",
      message: "request aborted by the caller",
      retryable: false,
      code,
    });
  }
  // axios gives this failure no code of its own (ERR_BAD_RESPONSE is shared): its message is the only mark
  if (/maxContentLength/.test(text)) {
    return new VcfApiError({
      ...identity,
      kind: "http",
      retryable: false,
      code: "ERR_RESPONSE_TOO_LARGE",
      message: `the answer is larger than ${context.maxBytes} bytes (${Math.round(context.maxBytes / 1048576)} MiB), the response size limit; reading it was stopped`,
    });
  }
  if (code !== undefined && TLS_CODE.test(code)) {
    return new VcfApiError({
      ...identity,
      kind: "tls",
      code,
      retryable: false,
      message: `TLS certificate not trusted (${code}${text ? `: ${text}` : ""}); set tls.ca to the server's CA certificate (PEM), or tls.allowSelfSigned for a lab`,
    });
  }
  const transient = (code !== undefined && TRANSIENT_NETWORK_CODES.has(code)) || /socket hang up/i.test(text);
  // A refused connection never reached the server, so even a POST may be sent again.
  const retryable = transient && (isIdempotent(request) || code === "ECONNREFUSED");
  return new VcfApiError({
    ...identity,
    kind: "network",
    code,
    retryable,
    message: `connection failed (${code ?? "no code"}${text ? `: ${text}` : ""})`,
  });
}

function failureCode(failure: unknown): string | undefined {
  if (!isRecord(failure)) return undefined;
  const own = optionalString(failure.code);
  const cause = isRecord(failure.cause) ? optionalString(failure.cause.code) : undefined;
  // axios reports some socket failures with its own generic code and keeps Node's code in `cause`
  if (cause && (own === undefined || own === "ERR_NETWORK" || own === "ERR_BAD_RESPONSE")) return cause;
  return own ?? cause;
}

function failureText(failure: unknown): string {
  if (!(failure instanceof Error)) return "";
  // Node's socket messages are short and carry no secrets ("socket hang up", "connect ECONNREFUSED 127.0.0.1:443")
  const [firstLine = ""] = failure.message.split("\n");
  return firstLine.slice(0, 200);
}
