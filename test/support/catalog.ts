// The message catalogs as Node-RED's own i18n (@node-red/util, i18next) serves them at runtime: each node file's
// catalog registered under "<package>/<node type>", the way Node-RED's loader registers a node set's catalog.
// node-red-node-test-helper hands nodes a RED._ that returns the key; the node tests use these instead.
import fs from "node:fs";
import path from "node:path";
import { PACKAGE_NAME, useCatalog } from "../../nodes/adapters/i18n";

export const LOCALES_DIR = path.join(__dirname, "..", "..", "nodes", "locales");

/** The node types: one catalog per node file, each holding one top-level object named after its type. */
export const NODE_TYPES = fs
  .readdirSync(path.join(LOCALES_DIR, "en-US"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""));

interface NodeRedI18n {
  init(settings: { lang?: string }): void;
  registerMessageCatalog(namespace: string, dir: string, file: string): Promise<void>;
  _(key: string, params?: Record<string, unknown>): string;
  i: { changeLanguage(lang: string): Promise<unknown> };
}

// The instance the Node-RED runtime of the tests uses (the same module).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const i18n = (require("@node-red/util") as { i18n: NodeRedI18n }).i18n;

export type RedTranslate = (key: string, params?: Record<string, unknown>) => string;

let language = "en-US";

/** Registers the catalogs with Node-RED's i18n in the tests' language, and makes the nodes' texts come from it. */
export async function useNodeRedCatalogs(): Promise<RedTranslate> {
  i18n.init({ lang: language }); // a no-op once the runtime (or an earlier call) initialised it
  await Promise.all(
    NODE_TYPES.map((type) => i18n.registerMessageCatalog(`${PACKAGE_NAME}/${type}`, LOCALES_DIR, `${type}.json`)),
  );
  await i18n.i.changeLanguage(language);
  const translate: RedTranslate = (key, params) => i18n._(key, params);
  useCatalog({ _: translate });
  return translate;
}

/**
 * Node-RED's runtime language (settings.lang or LANG, read once when the runtime starts); the tests run in en-US,
 * whatever the machine's locale, and one test in German.
 */
export async function useLanguage(lang: string): Promise<void> {
  language = lang;
  await useNodeRedCatalogs();
}

/** A node module as Node-RED's loader would call it: RED._ looks up keys without a namespace in the node's own catalog. */
export function withCatalog<T>(type: string, nodeModule: (RED: T) => void): (RED: T) => Promise<void> {
  return async (RED) => {
    const translate = await useNodeRedCatalogs();
    const _ = (key: string, params?: Record<string, unknown>): string =>
      translate(key.includes(":") ? key : `${PACKAGE_NAME}/${type}:${key}`, params);
    nodeModule(Object.create(RED as object, { _: { value: _ } }) as T);
  };
}

/** The English text of a catalog key, as the nodes show it in the tests. */
export function english(key: string, params?: Record<string, unknown>): string {
  const type = key.slice(0, key.indexOf("."));
  return i18n._(`${PACKAGE_NAME}/${type}:${key}`, { ...params, lng: "en-US" });
}
