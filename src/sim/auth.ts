import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { ApiError } from "./errors";
import { BodyObject } from "./request-body";

/** Tokens (UPGRADE-API.md §1): JWT-shaped access tokens on the simulated clock, refresh tokens, 401s. */

interface Session {
  username: string;
  issuedMs: number;
  expiresMs: number;
}

export interface AuthClock {
  nowMs(): number;
  tokenLifetimeSeconds(): number;
  /** Tokens and refresh tokens issued before this instant are dead (SDDC Manager restarted). */
  invalidatedBefore(nowMs: number): number;
}

const REFRESH_LIFETIME_MS = 24 * 3600 * 1000;
const UNAUTHORIZED_MESSAGE = "Authorization Header is missing or not in correct format";

export class AuthService {
  private readonly accessTokens = new Map<string, Session>();
  private readonly refreshTokens = new Map<string, Session>();
  private readonly key = randomBytes(32);

  constructor(
    private readonly accounts: { username: string; password: string },
    private readonly clock: AuthClock,
  ) {}

  /** POST /v1/tokens. */
  login(body: unknown, strict: boolean): { accessToken: string; refreshToken: { id: string } } {
    const spec = BodyObject.root(body, "TokenCreationSpec", strict).allowOnly("TokenCreationSpec", [
      "username",
      "password",
      "apiKey",
      "idToken",
    ]);
    if (spec.string("apiKey") !== undefined || spec.string("idToken") !== undefined) {
      throw new ApiError(
        400,
        "TOKEN_CREATION_NOT_SUPPORTED",
        "The simulator accepts username and password only",
        "Send username and password.",
      );
    }
    const username = spec.string("username", true);
    const password = spec.string("password", true);
    const userOk = username === this.accounts.username || username === "admin@local";
    if (!userOk || password !== this.accounts.password) {
      throw new ApiError(
        400,
        "INVALID_CREDENTIALS",
        "Authentication failed: wrong username or password",
        "Check the SDDC Manager credentials (an SSO user such as administrator@vsphere.local, or admin@local).",
      );
    }
    const now = this.clock.nowMs();
    const refreshId = randomUUID();
    this.refreshTokens.set(refreshId, { username, issuedMs: now, expiresMs: now + REFRESH_LIFETIME_MS });
    prune(this.refreshTokens, now);
    return { accessToken: this.issue(username, now), refreshToken: { id: refreshId } };
  }

  /** PATCH /v1/tokens/access-token/refresh: accepts the raw id or a JSON string; answers a JSON string. */
  refresh(rawBody: string): string {
    const id = parseRefreshId(rawBody);
    const session = this.refreshTokens.get(id);
    const now = this.clock.nowMs();
    if (!session || now >= session.expiresMs) {
      throw new ApiError(
        404,
        "REFRESH_TOKEN_NOT_FOUND",
        "The refresh token is unknown or expired",
        "Log in again with POST /v1/tokens.",
      );
    }
    if (session.issuedMs < this.clock.invalidatedBefore(now)) {
      throw new ApiError(
        401,
        "Unauthorized",
        UNAUTHORIZED_MESSAGE,
        "The session ended when SDDC Manager restarted; log in again with POST /v1/tokens.",
      );
    }
    return this.issue(session.username, now);
  }

  /** DELETE /v1/tokens/refresh-token. */
  revoke(rawBody: string): void {
    this.refreshTokens.delete(parseRefreshId(rawBody));
  }

  /** Throws the 401 Error for a missing, malformed, unknown, expired or invalidated bearer token. */
  authenticate(authorization: string | undefined): void {
    const match = /^Bearer (\S+)$/.exec(authorization ?? "");
    const session = match?.[1] ? this.accessTokens.get(match[1]) : undefined;
    const now = this.clock.nowMs();
    if (!session || now >= session.expiresMs || session.issuedMs < this.clock.invalidatedBefore(now)) {
      throw new ApiError(401, "Unauthorized", UNAUTHORIZED_MESSAGE);
    }
  }

  private issue(username: string, nowMs: number): string {
    const iat = Math.floor(nowMs / 1000);
    const exp = iat + Math.round(this.clock.tokenLifetimeSeconds());
    const header = base64url(JSON.stringify({ alg: "HS256" }));
    const payload = base64url(
      JSON.stringify({
        jti: randomUUID(),
        iat,
        sub: username,
        iss: "vcf-auth",
        aud: "sddc-services",
        nbf: iat,
        exp,
        user: username,
        name: username,
        scope: ["OTHER_READ", "OTHER_WRITE"],
      }),
    );
    const signature = createHmac("sha256", this.key).update(`${header}.${payload}`).digest("base64url");
    const token = `${header}.${payload}.${signature}`;
    this.accessTokens.set(token, { username, issuedMs: nowMs, expiresMs: exp * 1000 });
    prune(this.accessTokens, nowMs);
    return token;
  }
}

/** Forgets expired sessions so a long-running simulator does not grow without bound. */
function prune(sessions: Map<string, Session>, nowMs: number): void {
  if (sessions.size < 1000) return;
  for (const [key, session] of sessions) if (session.expiresMs <= nowMs) sessions.delete(key);
}

function parseRefreshId(rawBody: string): string {
  const text = rawBody.trim();
  let id = text;
  if (text.startsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      id = typeof parsed === "string" ? parsed : "";
    } catch {
      id = "";
    }
  }
  if (!id)
    throw new ApiError(
      400,
      "INVALID_REQUEST_BODY",
      "The body must be the refresh-token id (raw or as a JSON string)",
      "Send the refreshToken.id from POST /v1/tokens as the body.",
    );
  return id;
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
