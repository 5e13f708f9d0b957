// A node's editor definition (the object its nodes/<type>.html passes to RED.nodes.registerType), read by running the
// file's script in a sandbox after the shared editor script it loads (resources/vcf-editor.js), as the editor would.
import * as assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

export type EditorDefaults = Record<string, { value?: unknown; validate?: (value: unknown) => unknown }>;

/** Anything the editor's API offers at definition time (RED._, $...): callable, and has every property. */
function anything(): unknown {
  const fn = (): unknown => anything();
  return new Proxy(fn, { get: (_target, key) => (key === Symbol.toPrimitive ? () => "" : anything()) });
}

export function editorDefaults(type: string): EditorDefaults {
  const shared = fs.readFileSync(path.join(REPO_ROOT, "resources", "vcf-editor.js"), "utf8");
  const html = fs.readFileSync(path.join(REPO_ROOT, "nodes", `${type}.html`), "utf8");
  const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");
  const registered = new Map<string, EditorDefaults>();
  const RED = new Proxy(anything() as object, {
    get: (_target, key) =>
      key === "nodes"
        ? { registerType: (name: string, def: { defaults: EditorDefaults }) => registered.set(name, def.defaults) }
        : anything(),
  });
  const sandbox: Record<string, unknown> = { RED, $: anything() };
  sandbox.window = sandbox;
  vm.createContext(sandbox);
  for (const script of [shared, ...scripts]) vm.runInContext(script, sandbox);
  const defaults = registered.get(type);
  assert.ok(defaults, `${type}.html registers ${type}`);
  return defaults;
}
