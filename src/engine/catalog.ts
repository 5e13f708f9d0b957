// The engine's user-facing texts (errors, warnings) are ids with parameters, worded in the "engine" section of the
// vcf-config message catalog. The adapters show them in the user's language (RED._); the engine's own records
// (error messages, the run log, failure reasons) take the English of the en-US catalog file itself, so every text
// has one source. src/ compiles to nodes/, so this file runs from nodes/engine/, beside nodes/locales/.
import fs from "node:fs";
import path from "node:path";
import { capText, ENTRY_CAP } from "../vcf/text-cap";

/**
 * A text's parameters; a parameter that is itself an engine text is worded in the same language, and a list of them
 * is joined with ", ".
 */
export interface EngineTextParams {
  [name: string]: string | number | EngineText | readonly EngineText[];
}

/** A text by id (a key of the catalog's "engine" section) with the values of its __name__ placeholders. */
export interface EngineText {
  readonly id: string;
  readonly params: EngineTextParams;
}

const CATALOG_FILE = path.join(__dirname, "..", "locales", "en-US", "vcf-config.json");

let english: Record<string, string> | undefined;

function englishTemplates(): Record<string, string> {
  english ??= (
    JSON.parse(fs.readFileSync(CATALOG_FILE, "utf8")) as { "vcf-config": { engine: Record<string, string> } }
  )["vcf-config"].engine;
  return english;
}

/** The text `id` with `params`; quoted texts (SDDC Manager's, input) are capped, so no text is ever unbounded. */
export function engineText(id: string, params: EngineTextParams = {}): EngineText {
  const capped: EngineTextParams = {};
  for (const [name, value] of Object.entries(params))
    capped[name] = typeof value === "string" ? capText(value, ENTRY_CAP) : value;
  return { id, params: capped };
}

/** A text from outside the catalog (SDDC Manager's remediation or task error, an adapter's), shown as it is. */
export function verbatimText(text: string): EngineText {
  return engineText("quoted", { text });
}

/**
 * The English wording, filled the way Node-RED's i18next fills __name__ placeholders (a missing parameter is left
 * empty); an id missing from the catalog shows as its key, as RED._ shows it.
 */
export function englishText(text: EngineText): string {
  const templates = englishTemplates();
  const id = pluralId(templates, text);
  if (!Object.hasOwn(templates, id)) return `vcf-config.engine.${id}`;
  return (templates[id] ?? "").replace(/__(.+?)__/g, (_, name: string) => {
    const value = Object.hasOwn(text.params, name) ? text.params[name] : undefined;
    if (value === undefined) return "";
    if (isTextList(value)) return value.map(englishText).join(", ");
    return typeof value === "object" ? englishText(value) : String(value);
  });
}

export function isTextList(value: EngineTextParams[string]): value is readonly EngineText[] {
  return Array.isArray(value);
}

/** i18next's plural keys for English: "<id>_one" for a count of 1, else "<id>_other", when the catalog has them. */
function pluralId(templates: Record<string, string>, text: EngineText): string {
  const count = text.params.count;
  if (typeof count !== "number") return text.id;
  const plural = `${text.id}_${count === 1 ? "one" : "other"}`;
  return Object.hasOwn(templates, plural) ? plural : text.id;
}
