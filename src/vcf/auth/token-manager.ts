import { VcfApiError } from "../errors";
import { isRecord, optionalString, parseBody } from "../http/body";
import { errorFromResponse } from "../http/error-mapping";
import { raceWithSignal } from "../http/retry";
import type { HttpRequest, HttpResponse } from "../http/transport";
import type { SecretScrubber } from "../secrets";
import { jwtLifetimeMs } from "./jwt";
import type { ClientWarning } from "../warnings";

const TOKENS_PATH = "/v1/tokens";
const REFRESH_PATH = "/v1/tokens/access-token/refresh";
/** Used when the access token is not a JWT with exp/iat (UPGRADE-API.md §1: refresh at about 55 min). */
export const DEFAULT_TOKEN_LIFETIME_MS = 55 * 60_000;

export interface TokenManagerSettings {
  /** sends one token call (the client's request limit applies to these too) */
  send: (request: HttpRequest) => Promise<HttpResponse>;
  /** Named when the token service is not where SDDC Manager has it (a wrong URL). */
  baseUrl: string;
  username: string;
  password: string;
  /** refresh this long before expiry, capped at half the lifetime */
  refreshMarginMs: number;
  now: () => number;
  scrubber: SecretScrubber;
  log: (level: "debug" | "info" | "warn", text: string, warning?: ClientWarning) => void;
}

/** A token and which session it came from: sessions are numbered in the order they were obtained. */
export interface TokenTicket {
  token: string;
  generation: number;
}

interface Session {
  accessToken: string;
  generation: number;
  refreshId?: string;
  /** on our own clock, measured from when we received the token */
  refreshAt: number;
  expiresAt: number;
}

/**
 * Owns the bearer token: logs in, refreshes shortly before expiry, renews after a 401, and makes
 * concurrent callers share one renewal (single flight). A failed refresh falls back to a fresh login.
 */
export class TokenManager {
  private session?: Session;
  private renewal?: Promise<Session>;
  private generations = 0;

  constructor(private readonly settings: TokenManagerSettings) {
    settings.scrubber.add(settings.password);
  }

  /** A token that is not due for refresh, logging in or refreshing first when needed. */
  async validToken(signal?: AbortSignal): Promise<TokenTicket> {
    const session = this.session;
    if (!session) return ticketOf(await this.share("login", signal));
    if (this.settings.now() < session.refreshAt) return ticketOf(session);
    try {
      return ticketOf(await this.share("refresh", signal));
    } catch (error: unknown) {
      // the token endpoints are briefly unreachable, but the current token still has time left
      if (!isTransient(error) || this.settings.now() >= session.expiresAt) throw error;
      this.settings.log(
        "debug",
        "token refresh postponed: the token service did not answer; the current token is still valid",
      );
      return ticketOf(session);
    }
  }

  /** The current token when it is not due for refresh (no waiting): what a request takes the moment it is sent. */
  current(): TokenTicket | undefined {
    const session = this.session;
    return session && this.settings.now() < session.refreshAt ? ticketOf(session) : undefined;
  }

  /**
   * After a 401 for `rejected`: makes the current token one that can be replayed. A session obtained after the rejected
   * token (so after that request was sent) and not due for refresh is kept; otherwise the renewal in flight is joined, or
   * one is started: either ends after the 401, so the replay never carries a token older than the request.
   */
  async renewAfterUnauthorized(rejected: TokenTicket, signal?: AbortSignal): Promise<void> {
    const session = this.session;
    if (session && session.generation > rejected.generation && this.settings.now() < session.refreshAt) return;
    await this.share("refresh", signal);
  }

  async login(signal?: AbortSignal): Promise<void> {
    await this.share("login", signal);
  }

  invalidate(): void {
    this.session = undefined;
  }

  /** Joins the renewal in flight or starts one. The shared work ignores any one caller's signal. */
  private share(mode: "refresh" | "login", signal: AbortSignal | undefined): Promise<Session> {
    if (!this.renewal) {
      this.renewal = this.renew(mode).finally(() => {
        this.renewal = undefined;
      });
    }
    return raceWithSignal(
      this.renewal,
      signal,
      mode === "login" ? "POST" : "PATCH",
      mode === "login" ? TOKENS_PATH : REFRESH_PATH,
    );
  }

  private async renew(mode: "refresh" | "login"): Promise<Session> {
    const refreshId = this.session?.refreshId;
    if (mode === "refresh" && refreshId) {
      try {
        return this.adopt(await this.refresh(refreshId), refreshId);
      } catch (error: unknown) {
        // a refresh that got no real answer says nothing about the refresh token: a login would fail alike
        if (isTransient(error)) throw error;
        const reason = error instanceof VcfApiError ? error.message : "unexpected failure";
        // Refresh tokens do not survive SDDC Manager's own upgrade or restart, and expire: a refusal is routine.
        const level = isRefreshRefused(error) ? "info" : "warn";
        this.settings.log(level, `token refresh failed (${reason}); logging in again`, {
          code: "TOKEN_REFRESH_FAILED",
          params: { reason },
        });
      }
    }
    return this.freshLogin();
  }

  private async freshLogin(): Promise<Session> {
    const response = await this.settings.send({
      method: "POST",
      path: TOKENS_PATH,
      json: { username: this.settings.username, password: this.settings.password },
      idempotent: true,
    });
    if (response.status < 200 || response.status > 299) throw this.loginError(response);
    const body = parseBody(response.text, response.contentType);
    const pair = body.kind === "json" && isRecord(body.value) ? body.value : undefined;
    const accessToken = optionalString(pair?.accessToken);
    if (!accessToken) throw this.badTokenAnswer("POST", TOKENS_PATH, "the answer has no accessToken");
    const refreshId = isRecord(pair?.refreshToken) ? optionalString(pair.refreshToken.id) : undefined;
    return this.adopt(accessToken, refreshId);
  }

  private async refresh(refreshId: string): Promise<string> {
    // UPGRADE-API.md §1: the bare id as the raw body, labelled application/json
    const response = await this.settings.send({
      method: "PATCH",
      path: REFRESH_PATH,
      rawJson: refreshId,
      idempotent: true,
    });
    if (response.status < 200 || response.status > 299) {
      throw errorFromResponse(
        { method: "PATCH", path: REFRESH_PATH, idempotent: true },
        response.status,
        response.statusText,
        response.contentType,
        response.text,
        "auth",
      );
    }
    const token = tokenFromRefreshAnswer(response);
    if (!token) throw this.badTokenAnswer("PATCH", REFRESH_PATH, "the answer holds no token");
    return token;
  }

  private adopt(accessToken: string, refreshId: string | undefined): Session {
    const { scrubber, now, refreshMarginMs, log } = this.settings;
    scrubber.add(accessToken);
    scrubber.add(refreshId);
    const claimed = jwtLifetimeMs(accessToken);
    const lifetimeMs = claimed ?? DEFAULT_TOKEN_LIFETIME_MS;
    const margin = Math.min(refreshMarginMs, lifetimeMs / 2);
    const receivedAt = now();
    this.session = {
      accessToken,
      refreshId,
      generation: ++this.generations,
      refreshAt: receivedAt + lifetimeMs - margin,
      expiresAt: receivedAt + lifetimeMs,
    };
    log(
      "debug",
      `token valid for ${Math.round(lifetimeMs / 1000)} s${claimed === undefined ? " (assumed)" : ""}; refresh in ${Math.round((lifetimeMs - margin) / 1000)} s`,
    );
    return this.session;
  }

  private loginError(response: HttpResponse): VcfApiError {
    const base = errorFromResponse(
      { method: "POST", path: TOKENS_PATH, idempotent: true },
      response.status,
      response.statusText,
      response.contentType,
      response.text,
    );
    if (NO_TOKEN_SERVICE.has(response.status)) {
      // No login endpoint there: the URL (or a proxy) is wrong; the credentials were never checked.
      return new VcfApiError({
        kind: "http",
        method: "POST",
        path: TOKENS_PATH,
        status: base.status,
        retryable: false,
        message: `${this.settings.baseUrl} does not look like SDDC Manager: it has no token service at ${TOKENS_PATH} (${base.message.replace(`POST ${TOKENS_PATH}: `, "")})`,
        remediationMessage:
          "Check the SDDC Manager URL in the vcf-config node: https://<sddc-manager-fqdn> with no path, pointing at SDDC Manager itself (not vCenter, NSX or a proxy's own page)",
      });
    }
    const credentialsRejected = response.status >= 400 && response.status < 500;
    if (!credentialsRejected) return base;
    return new VcfApiError({
      kind: "auth",
      method: "POST",
      path: TOKENS_PATH,
      status: base.status,
      errorCode: base.errorCode,
      retryable: false,
      remediationMessage: base.remediationMessage ?? "check the username and password of the SDDC Manager connection",
      message: `login as ${this.settings.username} refused (${base.message.replace(`POST ${TOKENS_PATH}: `, "")})`,
    });
  }

  private badTokenAnswer(method: string, path: string, what: string): VcfApiError {
    return new VcfApiError({
      kind: "auth",
      method,
      path,
      retryable: false,
      message: `unexpected token answer: ${what}`,
    });
  }
}

function ticketOf(session: Session): TokenTicket {
  return { token: session.accessToken, generation: session.generation };
}

/** Answers of a server that has no POST /v1/tokens: not SDDC Manager, or a path in the URL. */
const NO_TOKEN_SERVICE = new Set([404, 405]);

function isTransient(error: unknown): boolean {
  return error instanceof VcfApiError && error.retryable;
}

/** SDDC Manager no longer knows the refresh token: 401, or 404 for an unknown or expired one. */
function isRefreshRefused(error: unknown): boolean {
  return error instanceof VcfApiError && (error.status === 401 || error.status === 404);
}

/** The refresh answers a JSON string; tolerate the raw token too, and a TokenPair-like object. */
function tokenFromRefreshAnswer(response: HttpResponse): string | undefined {
  const body = parseBody(response.text, response.contentType);
  if (body.kind === "json") {
    if (typeof body.value === "string") return optionalString(body.value);
    if (isRecord(body.value)) return optionalString(body.value.accessToken);
    return undefined;
  }
  return body.kind === "text" ? optionalString(body.text.trim()) : undefined;
}
