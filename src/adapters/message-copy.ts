// What of an input message a phase node keeps for a run, so the output it sends after a restart or redeploy carries
// the same user properties. Only plain JSON data is kept: the copy is written to a file in the user directory.
import type { NodeMessage } from "./node-red-types";

/** The most a copy may take as JSON (UTF-8 bytes); a larger one is not kept at all. */
export const MESSAGE_COPY_MAX_BYTES = 16 * 1024;

/**
 * Never kept (top-level names, compared case-insensitively): the HTTP request/response objects, headers, cookies and
 * session data of http and websocket nodes, properties that often hold secrets (the copy is written to a file), and
 * the properties every phase output sets anew.
 */
const LEFT_OUT = new Set([
  "req", "res", "_session", "socketid", "headers", "cookies", "responsecookies", "statuscode",
  "credentials", "password", "token", "authorization", "apikey",
  "topic", "payload", "vcf", "markdown",
]);

/** Nesting kept at most; deeper (or circular) values are left out. */
const MAX_DEPTH = 20;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The message's properties whose values are plain JSON data (text, finite numbers, booleans, null, arrays and plain
 * objects of these), `_msgid` included; undefined when there are none or they would exceed MESSAGE_COPY_MAX_BYTES.
 */
export function messageCopy(msg: NodeMessage): Record<string, JsonValue> | undefined {
  const copy: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(msg)) {
    if (!LEFT_OUT.has(key.toLowerCase()) && isJson(value, 0)) copy[key] = value;
  }
  if (Object.keys(copy).length === 0) return undefined;
  const text = JSON.stringify(copy);
  if (Buffer.byteLength(text, "utf8") > MESSAGE_COPY_MAX_BYTES) return undefined;
  return JSON.parse(text) as Record<string, JsonValue>;
}

function isJson(value: unknown, depth: number): value is JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.every((item) => isJson(item, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((item) => isJson(item, depth + 1));
}
