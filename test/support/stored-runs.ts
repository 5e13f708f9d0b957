// The run store as a crash or a later start would find it: one JSON file per run in the store's directory.
import fs from "node:fs";
import path from "node:path";

/** The `.json` files of the store directory by name, as text (temp files left out); empty when there is none. */
export function storedTexts(directory: string): Map<string, string> {
  if (!fs.existsSync(directory)) return new Map();
  const names = fs
    .readdirSync(directory)
    .filter((n) => n.endsWith(".json"))
    .sort();
  return new Map(names.map((n) => [n, fs.readFileSync(path.join(directory, n), "utf8")]));
}

/** Every stored entry, parsed. */
export function storedRuns<T = Record<string, unknown>>(directory: string): T[] {
  return [...storedTexts(directory).values()].map((text) => JSON.parse(text) as T);
}
