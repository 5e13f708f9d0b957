// Node-RED restarts while SDDC Manager upgrades itself (its API away for 20 minutes or more): the management run and
// ten VI runs resumed in the outage wait it out and complete, none started twice.
import assert from "node:assert/strict";
import type { UpgradeRun } from "../../nodes/engine";
import type { SimExchange } from "../../nodes/sim/index";
import {
  Collector,
  caughtError,
  connectionOf,
  credentialsFor,
  getNode,
  helper,
  NODE_MODULES,
  nodeRedPerTest,
  upgradeChainFlow,
} from "../support/nodes-harness";
import { countPerPath } from "../support/request-log";

const VI_DOMAINS = 10;
/** Simulated seconds: far longer than the test, ended by moving the simulator's clock. */
const OUTAGE_SECONDS = 10 ** 7;

/** POST /v1/upgrades per bundle and resource (bundles are shared between domains). */
function upgradePostsPerDomainBundle(log: readonly SimExchange[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of log.filter((x) => x.method === "POST" && x.path === "/v1/upgrades")) {
    const body = e.requestBody as { bundleId?: string; resourceUpgradeSpecs?: { resourceId?: string }[] } | undefined;
    const key = `${body?.bundleId} on ${body?.resourceUpgradeSpecs?.[0]?.resourceId}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Resolves once `predicate` holds for the engine's runs (checked on every change). */
function whenRuns(predicate: (runs: UpgradeRun[]) => boolean): Promise<void> {
  const engine = connectionOf().requireEngine();
  return new Promise((resolve) => {
    const check = (): void => {
      if (!predicate(engine.listRuns())) return;
      engine.off("change", check);
      resolve();
    };
    engine.on("change", check);
    check();
  });
}

const inOutage = (runs: UpgradeRun[]): boolean =>
  runs.some((r) => r.log.some((e) => /SDDC Manager's API is unavailable while it upgrades itself/.test(e.text)));

describe("nodes: a restart in the middle of SDDC Manager's outage", function () {
  this.timeout(120_000);
  const perTest = nodeRedPerTest();

  const warnings: Error[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w);
  };
  before(() => process.on("warning", onWarning));
  after(() => process.off("warning", onWarning));

  it(`with ${VI_DOMAINS} VI runs behind the management domain: all wait it out and complete, nothing started twice`, async () => {
    const sim = await perTest.startSim({
      scenario: "many-domains",
      domains: VI_DOMAINS,
      faults: { outageSeconds: OUTAGE_SECONDS },
    });
    const flow = upgradeChainFlow(sim, {
      ack: { ignoreAlerts: true },
      config: {
        sddcOutageBudget: 30,
        downloadDeadline: 30,
        precheckDeadline: 30,
        componentDeadline: 30,
        validationDeadline: 30,
      },
    });
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const domains = (sim.state() as { domains?: { name: string; type: string }[] }).domains;
    const names = [...(domains ?? [])]
      .sort((a, b) => Number(b.type === "MANAGEMENT") - Number(a.type === "MANAGEMENT"))
      .map((d) => d.name);
    assert.equal(names.length, VI_DOMAINS + 1, JSON.stringify(sim.state()).slice(0, 300));
    const download = getNode("download");
    for (const name of names) download.receive({ domain: name }); // the management domain first
    await whenRuns((runs) => runs.length === VI_DOMAINS + 1 && inOutage(runs));

    await helper.unload(); // Node-RED goes down inside the outage ...
    const startedAgainAt = new Date().toISOString();
    await helper.load(NODE_MODULES, flow, credentialsFor(sim)); // ... and comes back inside it
    const done = new Collector("done");
    const caught = new Collector("caught");
    // Every resumed run meets the absent API (or waits behind the management domain) before the outage ends.
    await whenRuns(
      (runs) =>
        runs.every((r) => r.status !== "failed") &&
        runs.filter((r) => r.log.some((e) => /waiting up to|PENDING/.test(e.text) && e.at > startedAgainAt)).length >=
          1,
    );
    assert.equal(caught.messages.length, 0, caught.messages.map(caughtError).join("\n"));
    sim.advanceClock(OUTAGE_SECONDS);

    await done
      .waitFor(() => done.messages.length === VI_DOMAINS + 1, `${VI_DOMAINS + 1} final outputs`, 90_000)
      .catch((err: Error) => {
        const runs = connectionOf().requireEngine().listRuns();
        throw new Error(
          `${err.message}\n${runs.map((r) => `${r.domainName}: ${r.status} ${r.step} ${r.failureReason ?? ""}`).join("\n")}\ncaught: ${caught.messages.map(caughtError).join(" | ")}`,
        );
      });
    assert.equal(caught.messages.length, 0, caught.messages.map(caughtError).join("\n"));
    const finals = new Map<string, number>();
    for (const msg of done.messages) finals.set(String(msg.topic), (finals.get(String(msg.topic)) ?? 0) + 1);
    assert.deepEqual(
      [...finals.values()].filter((n) => n !== 1),
      [],
      "one final output per domain",
    );
    const log = sim.requestLog();
    for (const [key, n] of upgradePostsPerDomainBundle(log))
      assert.equal(n, 1, `POST /v1/upgrades for ${key}: ${n} times`);
    // Domains share bundles: a run that asks for a download another run has just asked for gets a 409 ("already
    // requested") and follows it; only an accepted request starts a download.
    const accepted = log.filter((e) => e.status < 300);
    for (const [p, n] of countPerPath(accepted, "PATCH", /^\/v1\/bundles\//)) assert.equal(n, 1, `${p}: ${n} times`);
    // Eleven runs under way at once: no emitter or signal warns of a listener leak.
    assert.deepEqual(
      warnings.filter((w) => w.name === "MaxListenersExceededWarning").map((w) => w.message),
      [],
    );
  });
});
