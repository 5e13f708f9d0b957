// Runtime texts from the message catalogs (nodes/locales/<lang>/<node type>.json), through Node-RED's RED._.
// Node-RED registers one catalog per node file, namespaced "<package>/<node set>"; a key here starts with the node
// type whose catalog holds it ("vcf-config.status.idle" is in vcf-config.json), and t() adds that namespace, so a text
// shared by several nodes lives in one catalog and any node may show it.
// The runtime has one language, and every node set's RED._ reaches the same catalogs: the translator is set once,
// when the node files are loaded, instead of being handed down to every place that builds a text.
import { isTextList, type EngineText } from "../engine";
import type { NodeAPI } from "./node-red-types";

/** The package name in package.json: Node-RED's namespace of each catalog starts with it. */
export const PACKAGE_NAME = "@vcf-lcm/node-red-vcf-upgrade";

export type TextParams = Record<string, string | number>;

type Lookup = (namespacedKey: string, params?: TextParams) => string;

// Until a node file is loaded (never in Node-RED), the namespaced key itself, as Node-RED does for an unknown key.
let lookup: Lookup = (namespacedKey) => namespacedKey;

/** Makes t() look texts up with this runtime's RED._ (each node file calls it when Node-RED loads it). */
export function useCatalog(RED: Pick<NodeAPI, "_">): void {
  lookup = (namespacedKey, params) => RED._(namespacedKey, params);
}

/** The text of `key` in the runtime's language; `params` fill its __name__ placeholders. */
export function t(key: string, params?: TextParams): string {
  const nodeType = key.slice(0, key.indexOf("."));
  return lookup(`${PACKAGE_NAME}/${nodeType}:${key}`, params);
}

/** An engine text (an id of the catalog's "engine" section) in the runtime's language, its engine-text parameters too. */
export function engineTextIn(text: EngineText): string {
  const params: TextParams = {};
  for (const [name, value] of Object.entries(text.params)) {
    if (isTextList(value)) params[name] = value.map(engineTextIn).join(", ");
    else params[name] = typeof value === "object" ? engineTextIn(value) : value;
  }
  return t(`vcf-config.engine.${text.id}`, params);
}
