// What of an input message a phase node keeps for a run, so the output it sends after a restart or redeploy carries
// the same user properties. The copy is written to a file in the user directory, so the rule is strict and readable:
// plain data is kept, at every depth, except anything with a secret-looking name (see README, "Resume after a restart").
import type { NodeMessage } from "./node-red-types";

/** The most a copy may take as JSON (UTF-8 bytes); a larger one is not kept at all. */
export const MESSAGE_COPY_MAX_BYTES = 16 * 1024;

/**
 * Never kept at the top level: the HTTP request/response objects and headers of http and websocket nodes, and the
 * properties every phase output sets anew.
 */
const LEFT_OUT_AT_TOP = new Set([
  "req",
  "res",
  "socketid",
  "headers",
  "statuscode",
  "topic",
  "payload",
  "vcf",
  "markdown",
]);

/**
 * Never kept at any depth: a property whose name, in lower case without "-", "_", "." and spaces, contains one of
 * these, or is one of SECRET_NAMES.
 */
export const SECRET_NAME_PARTS = [
  "password",
  "passwd",
  "passphrase",
  "secret",
  "token",
  "apikey",
  "authorization",
  "credential",
  "cookie",
  "session",
  "privatekey",
  "accesskey",
  "bearer",
] as const;
export const SECRET_NAMES = ["auth", "pass", "pwd"] as const;

/** Nesting kept at most; deeper values, and a value inside itself, are left out. */
const MAX_DEPTH = 20;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function looksSecret(name: string): boolean {
  const folded = name.toLowerCase().replace(/[-_.\s]/g, "");
  return (
    (SECRET_NAMES as readonly string[]).includes(folded) || SECRET_NAME_PARTS.some((part) => folded.includes(part))
  );
}

/**
 * The message's plain data (text, finite numbers, booleans, null, arrays and plain objects of these, also objects made
 * in a function node's own realm), `_msgid` included, without secret-looking names at any depth: a property whose
 * value is not plain data is left out, an array holding such a value is left out whole. Undefined when nothing is
 * left or the copy would exceed MESSAGE_COPY_MAX_BYTES.
 */
export function messageCopy(msg: NodeMessage): Record<string, JsonValue> | undefined {
  const kept: [string, JsonValue][] = [];
  for (const [key, value] of ownEntries(msg) ?? []) {
    if (LEFT_OUT_AT_TOP.has(key.toLowerCase()) || looksSecret(key)) continue;
    const copy = plainCopy(value, 0);
    if (copy !== undefined) kept.push([key, copy]);
  }
  if (kept.length === 0) return undefined;
  const copy = Object.fromEntries(kept);
  if (Buffer.byteLength(JSON.stringify(copy), "utf8") > MESSAGE_COPY_MAX_BYTES) return undefined;
  return copy;
}

/**
 * A copy of `value` in this realm if it is plain data (secret-looking names left out); undefined if it is not, also
 * for a value deeper than MAX_DEPTH or one that holds itself (`path`: the objects it is nested in).
 */
function plainCopy(value: unknown, depth: number, path: readonly object[] = []): JsonValue | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "object" || depth >= MAX_DEPTH || path.includes(value)) return undefined;
  const inner = [...path, value];
  if (Array.isArray(value)) {
    const items: JsonValue[] = []; // not value.map: that would make the array in the value's realm
    for (const item of value as unknown[]) {
      const copy = plainCopy(item, depth + 1, inner);
      if (copy === undefined) return undefined;
      items.push(copy);
    }
    return items;
  }
  if (!isPlainObject(value)) return undefined;
  const entries = ownEntries(value);
  if (!entries) return undefined;
  const kept: [string, JsonValue][] = [];
  for (const [key, item] of entries) {
    if (looksSecret(key)) continue;
    const copy = plainCopy(item, depth + 1, inner);
    if (copy !== undefined) kept.push([key, copy]);
  }
  // Entries, not assignments: a "__proto__" key stays data.
  return Object.fromEntries(kept);
}

/**
 * An object literal, JSON.parse result or Object.create(null), from this realm or another one (Node-RED runs function
 * nodes in a vm context, whose Object.prototype is not ours): not a class instance, Date, Map, Buffer, ...
 */
function isPlainObject(value: object): boolean {
  if (Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Own enumerable entries; undefined when reading them throws (e.g. a getter or a proxy). */
function ownEntries(value: object): [string, unknown][] | undefined {
  try {
    return Object.entries(value);
  } catch {
    return undefined;
  }
}
