import type { RunningSimulator } from "../../nodes/sim/index";

/** Raw HTTP helpers for simulator tests (global fetch; no client from src/vcf). */

export interface SimResponse {
  status: number;
  contentType: string;
  headers: Headers;
  text: string;
  /** Parsed JSON when the body is JSON, else undefined. */
  json: unknown;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (e.g. a bare refresh-token id). */
  rawBody?: string;
}

export async function call(
  sim: RunningSimulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<SimResponse> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${sim.url}${path}`, { method, headers, body });
  const text = await res.text();
  const contentType = res.headers.get("content-type") ?? "";
  let json: unknown;
  if (contentType.includes("application/json") && text) json = JSON.parse(text);
  return { status: res.status, contentType, headers: res.headers, text, json };
}

export async function login(sim: RunningSimulator): Promise<string> {
  const res = await call(sim, "POST", "/v1/tokens", { body: sim.credentials });
  const token = (res.json as { accessToken?: unknown } | undefined)?.accessToken;
  if (res.status !== 200 || typeof token !== "string")
    throw new Error(`login failed with HTTP ${res.status}: ${res.text}`);
  return token;
}

/** GET that must answer 200; returns the parsed body. */
export async function getJson<T>(sim: RunningSimulator, path: string, token: string): Promise<T> {
  const res = await call(sim, "GET", path, { token });
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text}`);
  return res.json as T;
}

export async function elements<T>(sim: RunningSimulator, path: string, token: string): Promise<T[]> {
  return (await getJson<{ elements: T[] }>(sim, path, token)).elements;
}

export function field<T>(value: unknown, key: string): T {
  if (typeof value !== "object" || value === null) throw new Error(`not an object: ${JSON.stringify(value)}`);
  return (value as Record<string, unknown>)[key] as T;
}
