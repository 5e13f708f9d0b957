// A run file entry the store cannot read (e.g. a status written by a newer version): the config node warns naming the
// file and the run, the entry stays in the file through later writes, and a start for its domain is refused.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { runStoreName } from "../../nodes/adapters/connection";
import { FORMAT_KEY, FORMAT_VERSION } from "../../nodes/store";
import { VcfClient } from "../../nodes/vcf/client";
import {
  CONFIG_ID,
  Collector,
  MANAGEMENT_DOMAIN,
  VI_DOMAIN,
  caughtError,
  credentialsFor,
  getNode,
  helper,
  NODE_MODULES,
  NodeCalls,
  nodeRedPerTest,
  upgradeChainFlow,
} from "../support/nodes-harness";
import { storedRuns } from "../support/stored-runs";

describe("nodes: an unreadable run in the run file", function () {
  const setup = nodeRedPerTest();

  it("warns naming the file and the run, keeps it through writes, and refuses a start for its domain", async () => {
    const sim = await setup.startSim();
    const domains = await new VcfClient({ baseUrl: sim.url, ...sim.credentials }).getDomains();
    const vi = domains.find((d) => d.name === VI_DOMAIN);
    assert.ok(vi);
    const file = path.join(setup.userDir(), runStoreName(CONFIG_ID), "run-run-from-a-newer-version.json");
    const damaged = {
      [FORMAT_KEY]: FORMAT_VERSION,
      id: "run-from-a-newer-version",
      domainId: vi.id,
      domainName: vi.name,
      status: "paused_for_maintenance_window",
      remote: { bundles: {}, upgrades: { "bundle-nsx": { upgradeId: "upgrade-77" } } },
      log: [],
    };
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, JSON.stringify(damaged));

    await helper.load(NODE_MODULES, upgradeChainFlow(sim), credentialsFor(sim));
    const warnings = new NodeCalls(CONFIG_ID, "warn");
    const warning = String(
      (await warnings.waitFor((args) => /run-from-a-newer-version/.test(String(args[0])), "the warning"))[0],
    );
    assert.ok(warning.includes(file), warning);
    assert.match(
      warning,
      /the upgrade run run-from-a-newer-version of domain lab-w01, which cannot be read: status "paused_for_maintenance_window" is not a status this version knows/,
    );
    assert.match(
      warning,
      /kept in the file unchanged and not resumed; new runs for domain lab-w01 are refused until it is resolved: stop Node-RED .*fix the entry or, .*remove it, then start Node-RED again/,
    );

    // A run of another domain writes the store: the damaged entry stays, as it was.
    const statuses = new Collector("statusOut");
    getNode("download").receive({ domain: MANAGEMENT_DOMAIN });
    await statuses.waitFor(
      (m) => (m.payload as { status?: string }).status === "downloading_bundles",
      "the management run downloading",
    );
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), damaged);
    assert.equal(storedRuns(path.dirname(file)).length, 2, "the damaged run and the management run");

    const caught = new Collector("caught");
    getNode("download").receive({ domain: VI_DOMAIN });
    const error = caughtError(await caught.waitFor((m) => /lab-w01/.test(caughtError(m)), "the refusal for lab-w01"));
    assert.ok(error.includes(file), error);
    assert.match(
      error,
      /holds the upgrade run run-from-a-newer-version of domain lab-w01, which cannot be read.*No new run starts for domain lab-w01 until it is resolved\. Stop Node-RED .*fix .*run-run-from-a-newer-version\.json or, .*then start Node-RED again/,
    );
  });
});
