import assert from "node:assert/strict";

/** The value, after asserting it is there: for array elements and map entries a test goes on to read. */
export function defined<T>(value: T | undefined, what: string): T {
  assert.ok(value !== undefined, `${what} is missing`);
  return value;
}
