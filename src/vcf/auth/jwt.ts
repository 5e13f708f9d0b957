import { isRecord } from "../http/body";

/**
 * The lifetime a JWT claims, `exp - iat` in milliseconds, or undefined when the token is opaque or lacks
 * the claims. Only the difference is used, so a skewed server clock does not matter. The signature is not
 * checked: the client only needs to know when to refresh.
 */
export function jwtLifetimeMs(token: string): number | undefined {
  const [, payload, signature, extra] = token.split(".");
  if (payload === undefined || signature === undefined || extra !== undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (!isRecord(claims)) return undefined;
    const { exp, iat } = claims;
    if (typeof exp !== "number" || typeof iat !== "number" || exp <= iat) return undefined;
    return (exp - iat) * 1000;
  } catch {
    return undefined;
  }
}
