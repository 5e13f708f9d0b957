// The editor's defaults (the `defaults` of each nodes/vcf-*.html) and the runtime's are one set of values: a node saved
// with the editor's defaults behaves exactly like one that leaves every setting out.
import * as assert from "node:assert/strict";
import { ackPolicy } from "../../nodes/adapters/ack-control";
import { parseConnection, parseEngineSettings, type VcfConfigDef } from "../../nodes/adapters/config-settings";
import { DEFAULT_SETTINGS, checkUpgradeOptions, resolveSettings } from "../../nodes/engine";
import { nodeUpgradeOptions } from "../../nodes/adapters/upgrade-options";
import { readFleetSettings, startDeadlineMs, type FleetDef } from "../../nodes/adapters/fleet-settings";
import { editorDefaults as editorDefinition } from "../support/editor-definition";

/** The `defaults` values a node's editor file registers. */
function editorDefaults(type: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(editorDefinition(type)).map(([key, setting]) => [key, setting.value]));
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

  it("vcf-upgrade: the downtime options send nothing (SDDC Manager's defaults)", () => {
    const saved = editorDefaults("vcf-upgrade");
    assert.deepEqual(checkUpgradeOptions(nodeUpgradeOptions(saved)), checkUpgradeOptions(nodeUpgradeOptions({})));
    assert.deepEqual(checkUpgradeOptions(nodeUpgradeOptions(saved)), {});
  });

  for (const type of ["vcf-download-bundles", "vcf-prechecks", "vcf-await-ack", "vcf-upgrade"]) {
    it(`${type}: msg.cancel reaches SDDC Manager, as the runtime does unless the option is off`, () => {
      assert.equal(editorDefaults(type).cancelInSddcManager, true);
    });
  }

  it("vcf-fleet: every domain, each to its next release, 2 at a time, stop after a failure, the await-ack node's gate", () => {
    const base = { id: "f", type: "vcf-fleet" };
    const saved = { ...editorDefaults("vcf-fleet"), ...base } as FleetDef;
    assert.deepEqual(readFleetSettings(saved, {}), readFleetSettings(base, {}));
    assert.deepEqual(readFleetSettings(base, {}), { domains: "all", concurrency: 2, onFailure: "stop" });
    assert.equal(startDeadlineMs(saved), startDeadlineMs(base));
  });

  for (const type of [
    "vcf-fleet",
    "vcf-download-bundles",
    "vcf-prechecks",
    "vcf-await-ack",
    "vcf-upgrade",
    "vcf-status",
    "vcf-plan",
  ]) {
    it(`${type}: the markdown size limit is the engine's`, () => {
      assert.equal(Number(editorDefaults(type).markdownMaxBytes), DEFAULT_SETTINGS.logMaxBytes);
    });
  }
});
