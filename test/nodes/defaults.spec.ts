// The editor's defaults (the `defaults` of each nodes/vcf-*.html) and the runtime's are one set of values: a node saved
// with the editor's defaults behaves exactly like one that leaves every setting out.
import * as assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { ackPolicy } from "../../nodes/adapters/ack-control";
import { parseConnection, parseEngineSettings, type VcfConfigDef } from "../../nodes/adapters/config-settings";
import { DEFAULT_SETTINGS, resolveSettings } from "../../nodes/engine";

const NODES_DIR = path.resolve(__dirname, "..", "..", "nodes");

type Defaults = Record<string, { value?: unknown }>;

/** Anything the editor's API offers at definition time (validators and the like): callable, and has every property. */
function anything(): unknown {
  const fn = (): unknown => anything();
  return new Proxy(fn, { get: (_target, key) => (key === Symbol.toPrimitive ? () => "" : anything()) });
}

/** The `defaults` a node's editor file registers, read by running its definition script as the editor would. */
function editorDefaults(type: string): Record<string, unknown> {
  const html = fs.readFileSync(path.join(NODES_DIR, `${type}.html`), "utf8");
  const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? "");
  const registered = new Map<string, Defaults>();
  const RED = new Proxy(anything() as object, {
    get: (_target, key) =>
      key === "nodes"
        ? { registerType: (name: string, def: { defaults: Defaults }) => registered.set(name, def.defaults) }
        : anything(),
  });
  for (const script of scripts) vm.runInNewContext(script, { RED, $: anything() });
  const defaults = registered.get(type);
  assert.ok(defaults, `${type}.html registers ${type}`);
  return Object.fromEntries(Object.entries(defaults).map(([key, setting]) => [key, setting.value]));
}

describe("nodes: the editor's defaults are the runtime's", () => {
  it("vcf-config: the connection and every engine setting", () => {
    const url = "https://sddc.example.invalid";
    const saved = { ...editorDefaults("vcf-config"), id: "c", type: "vcf-config", url } as VcfConfigDef;
    const omitted: VcfConfigDef = { id: "c", type: "vcf-config", url };
    assert.deepEqual(parseConnection(saved), parseConnection(omitted));
    assert.deepEqual(resolveSettings(parseEngineSettings(saved)), resolveSettings(parseEngineSettings(omitted)));
  });

  it("vcf-await-ack: the acknowledgement checkboxes", () => {
    assert.deepEqual(ackPolicy(editorDefaults("vcf-await-ack")), ackPolicy({}));
  });

  for (const type of ["vcf-download-bundles", "vcf-prechecks", "vcf-await-ack", "vcf-upgrade", "vcf-status"]) {
    it(`${type}: the markdown size limit is the engine's`, () => {
      assert.equal(Number(editorDefaults(type).markdownMaxBytes), DEFAULT_SETTINGS.logMaxBytes);
    });
  }
});
