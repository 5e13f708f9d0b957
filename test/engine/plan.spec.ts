import * as assert from "node:assert/strict";
import { DEFAULT_SETTINGS, renderPlanMarkdown, byteLength } from "../../nodes/engine";
import type { AckPolicy, UpgradePlan } from "../../nodes/engine";
import { SCENARIO_NAMES } from "../../nodes/sim/index";
import type { RunningSimulator, SimExchange } from "../../nodes/sim/index";
import { EngineUnderTest, managementAndVi, managementDomain, simulator, stopAll } from "./harness";
import { mutatingRequests, requestsTo } from "../support/request-log";

const LET_EVERYTHING_PASS: AckPolicy = { ignoreAlerts: true, alsoIgnoreErrors: true, failOnErrors: false };

/** The calls a plan may make besides reads: logins, check-set queries and runs, the password-expiry query. */
const PLAN_MAY_POST = ["/v1/system/check-sets/queries", "/v1/system/check-sets", "/v1/credentials/expirations"];

function changesIn(log: readonly SimExchange[]): string[] {
  return mutatingRequests(log)
    .filter((e) => !(e.method === "POST" && PLAN_MAY_POST.includes(e.path)))
    .map((e) => `${e.method} ${e.path}`);
}

/** The plan's steps as "bundle" or, for ESXi, "bundle|cluster|image or baseline". */
function plannedSteps(plan: UpgradePlan): string[] {
  return plan.components.map((c) =>
    c.cluster ? `${c.bundle.bundleId}|${c.cluster.id}|${c.cluster.image?.id ?? "baseline"}` : c.bundle.bundleId,
  );
}

interface UpgradeBody {
  bundleId: string;
  resourceType: string;
  resourceUpgradeSpecs: { resourceId: string; personalitySpec?: { personalityId: string } }[];
}

/** The upgrade requests the run sent, in the same form. */
function requestedSteps(log: readonly SimExchange[]): string[] {
  return requestsTo(log, "POST", "/v1/upgrades").flatMap((e) => {
    const body = e.requestBody as UpgradeBody;
    if (body.resourceType !== "CLUSTER") return [body.bundleId];
    return body.resourceUpgradeSpecs.map(
      (r) => `${body.bundleId}|${r.resourceId}|${r.personalitySpec?.personalityId ?? "baseline"}`,
    );
  });
}

describe("engine: the upgrade plan", () => {
  let sim: RunningSimulator | undefined;
  const engines: EngineUnderTest[] = [];
  afterEach(() => stopAll(engines, sim));

  // to-vcf9 starts at 5.2.1.0, whose next release (5.2.1.1) changes SDDC Manager and vCenter only; its 9.0 plan is
  // checked in vcf9.spec.ts
  for (const scenario of SCENARIO_NAMES.filter((s) => s !== "to-vcf9")) {
    it(`plans what the run then upgrades, changing nothing (scenario ${scenario})`, async () => {
      sim = await simulator(scenario);
      const t = new EngineUnderTest(sim);
      engines.push(t);
      const domain = await managementDomain(sim);
      sim.clearRequestLog();
      const plan = await t.engine.planUpgrade({ domain: domain.name, runPrechecks: true });
      const planLog = sim.requestLog();
      assert.deepEqual(changesIn(planLog), [], "a plan changes nothing in SDDC Manager");
      assert.ok(planLog.length > 0);
      assert.deepEqual(
        plan.components.map((c) => c.kind),
        ["SDDC_MANAGER", "NSX_T_MANAGER", "VCENTER", ...plan.components.slice(3).map(() => "ESX_HOST")],
      );
      assert.ok(plan.components.length > 3, "every ESXi cluster is a step");
      assert.equal(t.engine.listRuns().length, 0, "a plan starts no run");

      sim.clearRequestLog();
      const run = await t.fullRun(domain.name, LET_EVERYTHING_PASS).catch(() => t.engine.listRuns()[0]);
      assert.ok(run);
      assert.equal(run.targetVersion, plan.targetVersion);
      assert.deepEqual(Object.keys(run.remote.bundles).sort(), plan.bundles.map((b) => b.bundleId).sort());
      const requested = requestedSteps(sim.requestLog());
      if (run.status === "successfully_completed") {
        assert.deepEqual(requested, plannedSteps(plan), "the run upgrades exactly the planned components");
      } else {
        assert.deepEqual(requested, plannedSteps(plan).slice(0, requested.length), "the run followed the plan");
      }
    });
  }

  it("shows the readiness findings and, when asked, the check-set findings, without a change", async () => {
    sim = await simulator("precheck-warnings", { faults: { lastBackupHoursAgo: 72, passwordExpiry: "expiring" } });
    const t = new EngineUnderTest(sim);
    engines.push(t);
    const domain = await managementDomain(sim);
    const quick = await t.engine.planUpgrade({ domain: domain.id });
    assert.deepEqual(
      quick.findings.map((f) => f.source),
      quick.findings.map(() => "readiness"),
      "without prechecks only readiness findings",
    );
    assert.ok(quick.findings.some((f) => f.code === "READINESS_BACKUP"));
    assert.ok(quick.findings.some((f) => f.code === "READINESS_PASSWORDS"));
    assert.equal(quick.precheckRunId, undefined);
    sim.clearRequestLog();
    const full = await t.engine.planUpgrade({ domain: domain.id, runPrechecks: true });
    assert.ok(full.precheckRunId);
    assert.ok(
      full.findings.some((f) => f.source === undefined && f.severity === "WARNING"),
      "check-set warnings",
    );
    assert.deepEqual(changesIn(sim.requestLog()), []);
    assert.equal(requestsTo(sim.requestLog(), "POST", "/v1/system/check-sets").length, 1);
  });

  it("estimates from the defaults, then from this engine's measured runs, scaled by ESXi hosts", async () => {
    sim = await simulator("many-domains", { domains: 1 });
    const t = new EngineUnderTest(sim);
    engines.push(t);
    const { mgmt, vi } = await managementAndVi(sim);
    const before = await t.engine.planUpgrade({ domain: mgmt.name });
    for (const c of before.components) assert.equal(c.estimate.source, "default", c.name);
    const nsx = before.components.find((c) => c.kind === "NSX_T_MANAGER");
    assert.equal(nsx?.estimate.ms, DEFAULT_SETTINGS.estimateNsxMs);
    const esx = before.components.filter((c) => c.kind === "ESX_HOST");
    for (const c of esx) {
      assert.ok(c.cluster?.hosts, "host count read");
      assert.equal(c.estimate.ms, DEFAULT_SETTINGS.estimateEsxHostMs * (c.cluster.hosts ?? 0));
    }
    assert.equal(
      before.estimate.totalMs,
      before.components.map((c) => c.estimate.ms).reduce((a, b) => a + b, 0),
    );

    const run = await t.fullRun(mgmt.name, LET_EVERYTHING_PASS);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    const measuredEsx = Object.values(run.remote.upgrades).find((u) => u.componentType === "ESX_HOST");
    assert.ok(measuredEsx?.timed && measuredEsx.hosts, "the run records its ESXi duration with the host count");

    const after = await t.engine.planUpgrade({ domain: vi.name });
    assert.ok(!after.components.some((c) => c.kind === "SDDC_MANAGER"), "SDDC Manager goes with the management domain");
    for (const c of after.components) {
      assert.equal(c.estimate.source, "measured", c.name);
      assert.equal(c.estimate.runs, 1);
      assert.ok(c.estimate.ms < DEFAULT_SETTINGS.estimateVcenterMs, "the simulator's scaled durations, not defaults");
    }
    const perHost =
      (Date.parse(measuredEsx.finishedAt ?? "") - Date.parse(measuredEsx.startedAt)) / (measuredEsx.hosts ?? 1);
    for (const c of after.components.filter((x) => x.kind === "ESX_HOST")) {
      const hosts = c.cluster?.hosts ?? 0;
      const sameCount = hosts === measuredEsx.hosts;
      if (!sameCount) assert.ok(Math.abs(c.estimate.ms - perHost * hosts) <= 1, "scaled by hosts");
    }
  });

  it("reads each thing once: no GET repeated, the domain from the list the target choice read", async () => {
    sim = await simulator("happy");
    // SDDC Manager's own state read at the start serves the readiness checks within the longest poll interval (60 s
    // by default; the harness's is a few ms).
    const t = new EngineUnderTest(sim, undefined, { maxPollIntervalMs: 60_000 });
    engines.push(t);
    const domain = await managementDomain(sim);
    sim.clearRequestLog();
    const plan = await t.engine.planUpgrade({ domain: domain.name });
    assert.ok(
      plan.components.some((c) => c.cluster?.image?.name),
      "image names read",
    );
    const gets = requestsTo(sim.requestLog(), "GET", /^\/v1\//).map(
      (e) => `${e.path} ${JSON.stringify(e.query ?? {})}`,
    );
    assert.deepEqual(
      gets.filter((g, i) => gets.indexOf(g) !== i),
      [],
      "read twice",
    );
    assert.equal(requestsTo(sim.requestLog(), "GET", `/v1/domains/${domain.id}`).length, 0);
    // the current release (target choice, components to update) and the cluster images (ESXi body, image names)
    assert.equal(requestsTo(sim.requestLog(), "GET", "/v1/releases").length, 1);
    assert.equal(requestsTo(sim.requestLog(), "GET", "/v1/personalities").length, 1);
  });

  it("renders the plan as markdown tables within the byte cap", async () => {
    sim = await simulator("happy");
    const t = new EngineUnderTest(sim);
    engines.push(t);
    const plan = await t.engine.planUpgrade({ domain: (await managementDomain(sim)).name });
    const page = renderPlanMarkdown(plan);
    assert.match(page, /### Components, in SDDC Manager's order/);
    assert.match(page, /\| 1 \| SDDC Manager \|/);
    assert.match(page, /### Bundles/);
    const crowded: UpgradePlan = {
      ...plan,
      notes: Array.from({ length: 400 }, (_, i) => ({ level: "info" as const, text: `note ${i} ${"x".repeat(80)}` })),
    };
    const capped = renderPlanMarkdown(crowded, { maxBytes: 4096 });
    assert.ok(byteLength(capped) <= 4096, `${byteLength(capped)} bytes`);
    assert.match(capped, /more row\(s\) not shown/);
    assert.match(capped, /### Components/, "the components come before the notes are cut");
  });

  it("refuses a bad target the way a start does, naming the field", async () => {
    sim = await simulator("happy");
    const t = new EngineUnderTest(sim);
    engines.push(t);
    const domain = await managementDomain(sim);
    await assert.rejects(t.engine.planUpgrade({ domain: domain.name, targetVersion: "9.9.9.9" }), (err: unknown) => {
      const e = err as { field?: string; code?: string };
      return e.field === "targetVersion" && e.code === "BAD_INPUT";
    });
    await assert.rejects(t.engine.planUpgrade({ domain: "no-such-domain" }), { code: "DOMAIN_NOT_FOUND" });
  });
});
