import type { SimExchange } from "./types";

/** Bounded log of exchanges (for /sim/requests and the contract test) and counts per endpoint. */

export const REQUEST_LOG_LIMIT = 5000;
const SECRET_KEY = /password|token|secret|apikey|idtoken|authorization/i;

export class RequestLog {
  private exchanges: SimExchange[] = [];
  private counts = new Map<string, number>();
  private seq = 0;

  record(entry: Omit<SimExchange, "seq" | "at">, endpoint: string): void {
    this.seq += 1;
    this.exchanges.push({ seq: this.seq, at: new Date().toISOString(), ...entry });
    if (this.exchanges.length > REQUEST_LOG_LIMIT) this.exchanges.splice(0, this.exchanges.length - REQUEST_LOG_LIMIT);
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
  }

  list(sinceSeq = 0): SimExchange[] {
    return this.exchanges.filter((e) => e.seq > sinceSeq).map((e) => structuredClone(e));
  }

  countsByEndpoint(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  clear(): void {
    this.exchanges = [];
    this.counts = new Map();
  }
}

/** Replaces secret values (passwords, tokens, refresh ids) with "***", keeping the body's shape. */
export function redact(value: unknown, secret = false): unknown {
  if (typeof value === "string") return secret ? "***" : value;
  if (Array.isArray(value)) return value.map((v) => redact(v, secret));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, secret || SECRET_KEY.test(k))]));
  }
  return value;
}
