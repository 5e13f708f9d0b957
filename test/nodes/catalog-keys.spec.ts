// Every catalog key the code and the editor files use exists in the en-US and the de catalogs, and both catalogs hold
// the same keys. Keys are found in src/**/*.ts (t("..."), RED._("...")) and nodes/*.html (data-i18n, this._, RED._,
// node._); a key built from a template (`vcf-config.label.${field}`) or a prefix ("vcf-config.validation." + problem)
// must match at least one catalog key. The engine's texts are ids of the vcf-config catalog's "engine" section
// (engineText("id", ...) in src/engine): each id used is checked the same way, and each id there is used.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { LOCALES_DIR, NODE_TYPES } from "../support/catalog";

const ROOT = path.join(__dirname, "..", "..");
const LANGUAGES = ["en-US", "de"];

function filesUnder(dir: string, ext: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The keys of a catalog file, dotted; i18next plural forms (key_one, key_other) count as the key too. */
function catalogKeys(lang: string, type: string): Set<string> {
  const keys = new Set<string>();
  const walk = (value: unknown, prefix: string): void => {
    if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else {
      keys.add(prefix);
      keys.add(prefix.replace(/_(zero|one|two|few|many|other)$/, ""));
    }
  };
  walk(JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, lang, `${type}.json`), "utf8")), "");
  return keys;
}

const CODE_KEY = /(?<![\w.])(?:t|RED\._|this\._|node\._)\(\s*(["'`])(vcf-[a-z-]+\.[^"'`]+)\1/g;
const DATA_I18N = /data-i18n="([^"]+)"/g;
const ENGINE_ID = /(?<![\w.])engineText\(\s*"(\w+)"/g;
const ENGINE_SECTION = "vcf-config.engine.";

/** Each key used, with the file that uses it. */
export function usedKeys(): Array<{ key: string; file: string }> {
  const used: Array<{ key: string; file: string }> = [];
  const sources = [...filesUnder(path.join(ROOT, "src"), ".ts"), ...filesUnder(path.join(ROOT, "nodes"), ".html")];
  for (const file of sources.filter((f) => !f.includes(`${path.sep}locales${path.sep}`))) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(CODE_KEY)) used.push({ key: m[2] ?? "", file });
    for (const m of text.matchAll(ENGINE_ID)) used.push({ key: `${ENGINE_SECTION}${m[1] ?? ""}`, file });
    for (const m of text.matchAll(DATA_I18N)) {
      for (const part of (m[1] ?? "").split(";")) used.push({ key: part.replace(/^\[[^\]]*\]/, ""), file });
    }
  }
  return used;
}

/** The keys of `key` that are missing in a language's catalogs (a template matches any key of its shape). */
function missing(key: string, catalogs: Map<string, Set<string>>): boolean {
  const type = key.slice(0, key.indexOf("."));
  const keys = catalogs.get(type);
  if (!keys) return true;
  if (key.endsWith(".")) return ![...keys].some((k) => k.startsWith(key)); // "vcf-config.validation." + problem
  if (!key.includes("${")) return !keys.has(key);
  const pattern = new RegExp(
    `^${key
      .split(/\$\{[^}]*\}/)
      .map((p) => p.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))
      .join("[^.]+")}$`,
  );
  return ![...keys].some((k) => pattern.test(k));
}

describe("nodes: message catalogs", function () {
  const catalogs = new Map(
    LANGUAGES.map((lang) => [lang, new Map(NODE_TYPES.map((type) => [type, catalogKeys(lang, type)]))]),
  );

  it("finds the keys in the code and the editor files", () => {
    const used = usedKeys();
    assert.ok(used.some((u) => u.file.endsWith(".ts")) && used.some((u) => u.file.endsWith(".html")), "both found");
    assert.ok(used.length > 100, `${used.length} keys found`);
  });

  for (const lang of LANGUAGES) {
    it(`every key used exists in the ${lang} catalogs`, () => {
      const absent = usedKeys().filter((u) => missing(u.key, catalogs.get(lang) ?? new Map()));
      assert.deepEqual(
        absent.map((u) => `${u.key} (${path.relative(ROOT, u.file)})`),
        [],
      );
    });
  }

  it("finds the engine's text ids, and every text of the engine section is used", () => {
    const used = new Set(usedKeys().map((u) => u.key));
    const engineIds = [...used].filter((k) => k.startsWith(ENGINE_SECTION));
    assert.ok(engineIds.length > 100, `${engineIds.length} engine ids found`);
    const unused = [...(catalogs.get("en-US")?.get("vcf-config") ?? [])].filter(
      (k) => k.startsWith(ENGINE_SECTION) && !used.has(k.replace(/_(zero|one|two|few|many|other)$/, "")),
    );
    assert.deepEqual(unused, []);
  });

  it("the en-US and de catalogs hold the same keys", () => {
    for (const type of NODE_TYPES) {
      const en = [...(catalogs.get("en-US")?.get(type) ?? [])].sort();
      const de = [...(catalogs.get("de")?.get(type) ?? [])].sort();
      assert.deepEqual(de, en, type);
    }
  });
});
