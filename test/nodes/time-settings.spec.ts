// Every time setting of vcf-config has a maximum (Node's timers fire at once beyond about 24.8 days): refused at
// deploy with the field's label and the range, and the editor's validators agree with the runtime's.
import assert from "node:assert/strict";
import { editorDefaults } from "../support/editor-definition";
import {
  ConfigError,
  parseConnection,
  parseEngineSettings,
  TIME_FIELDS,
  type VcfConfigDef,
} from "../../nodes/adapters/config-settings";
import {
  TAB,
  configNode,
  connectionOf,
  credentialsFor,
  helper,
  NODE_MODULES,
  nodeRedPerTest,
} from "../support/nodes-harness";
import { english, useNodeRedCatalogs } from "../support/catalog";

const BASE: VcfConfigDef = { id: "c1", type: "vcf-config", url: "https://sddc.example.test" };

function parseAll(def: VcfConfigDef): void {
  parseConnection(def);
  parseEngineSettings(def);
}

type Validate = (value: unknown) => boolean;

/** The `validate` function of each vcf-config property, from the editor's own definition. */
function editorValidators(): Record<string, Validate> {
  const out: Record<string, Validate> = {};
  for (const [key, prop] of Object.entries(editorDefaults("vcf-config")))
    if (prop.validate) out[key] = (value) => prop.validate?.call({}, value) === true;
  return out;
}

describe("vcf-config: the range of every time setting", function () {
  before(() => useNodeRedCatalogs());

  it("names a field by the label of the editor form (one catalog key for both)", () => {
    assert.throws(
      () => parseAll({ ...BASE, sddcOutageBudget: "soon" }),
      /^ConfigError: SDDC Manager outage must be a number of minutes \(more than 0, at most \d+\), not "soon"$/,
    );
  });

  it("refuses a value above the maximum with the field's label and the range, and takes the maximum itself", () => {
    for (const f of Object.values(TIME_FIELDS)) {
      assert.ok(f.max !== undefined && f.max > 0, `${f.field} has a maximum`);
      assert.doesNotThrow(() => parseAll({ ...BASE, [f.field]: f.max }), f.field);
      assert.doesNotThrow(() => parseAll({ ...BASE, [f.field]: String(f.max) }), f.field);
      for (const tooBig of [f.max * 1.01, 1e7, 1e9]) {
        assert.throws(
          () => parseAll({ ...BASE, [f.field]: tooBig }),
          (err: unknown) =>
            err instanceof ConfigError &&
            err.field === f.field &&
            err.message.startsWith(
              `${english(`vcf-config.label.${f.field}`)} must be a number of ${english(`vcf-config.unit.${f.unit}`)} (`,
            ) &&
            err.message.includes(`at most ${f.max})`),
          `${f.field} = ${tooBig}`,
        );
      }
    }
  });

  it("keeps every maximum below Node's timer limit where a single timer waits that long", () => {
    const limit = 2 ** 31 - 1;
    for (const key of [
      "requestTimeout",
      "retryDelay",
      "pollInterval",
      "maxPollInterval",
      "sddcSettle",
      "completedPause",
    ] as const) {
      const f = TIME_FIELDS[key];
      assert.ok((f.max ?? Infinity) * f.factor <= limit, key);
    }
  });

  it("the editor's validators accept and refuse the same values as the runtime", () => {
    const validators = editorValidators();
    for (const f of Object.values(TIME_FIELDS)) {
      const validate = validators[f.field];
      assert.ok(validate, `${f.field} has an editor validator`);
      const max = f.max ?? 0;
      assert.equal(validate(String(max)), true, `${f.field} = ${max}`);
      assert.equal(validate(String(max * 1.01)), false, `${f.field} = ${max * 1.01}`);
      assert.equal(validate("1e9"), false, `${f.field} = 1e9`);
      assert.equal(validate("0"), f.zeroAllowed === true, `${f.field} = 0`);
    }
  });

  describe("at deploy", function () {
    const perTest = nodeRedPerTest();

    it("a poll interval of 1e7 s is refused, naming the field and the range", async () => {
      const sim = await perTest.startSim();
      await helper.load(
        NODE_MODULES,
        [{ id: TAB, type: "tab" }, configNode(sim, { pollInterval: 1e7, downloadDeadline: 1e9 / 60 })],
        credentialsFor(sim),
      );
      assert.match(
        connectionOf().problem?.message ?? "",
        /vcf-config: Poll interval must be a number of seconds \(more than 0, at most 3600\), not "10000000"/,
      );
    });
  });
});
