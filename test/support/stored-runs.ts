// The run store as a crash or a later start would find it: one JSON file per run in the store's directory.
import fs from "node:fs";
import path from "node:path";
import { FORMAT_KEY } from "../../nodes/store";

/** The `.json` files of the store directory by name, as text (temp files left out); empty when there is none. */
export function storedTexts(directory: string): Map<string, string> {
  if (!fs.existsSync(directory)) return new Map();
  const names = fs
    .readdirSync(directory)
    .filter((n) => n.endsWith(".json"))
    .sort();
  return new Map(names.map((n) => [n, fs.readFileSync(path.join(directory, n), "utf8")]));
}

/** Every stored entry, parsed, without the run file's format marker. */
export function storedRuns<T = Record<string, unknown>>(directory: string): T[] {
  return [...storedTexts(directory).values()].map((text) => {
    const entry = JSON.parse(text) as Record<string, unknown>;
    delete entry[FORMAT_KEY];
    return entry as T;
  });
}
