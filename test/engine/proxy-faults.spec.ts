import * as assert from "node:assert/strict";
import { EngineError } from "../../nodes/engine";
import type { EngineSettings, UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator } from "../../nodes/sim/index";
import { type CannedReply, type FaultProxy, type ProxyRewrite, type ProxyRule, startFaultProxy } from "./fault-proxy";
import { EngineUnderTest, managementDomain, simulator, TestClock, stopAll } from "./harness";
import { eventually } from "../support/eventually";

const UNAVAILABLE: CannedReply = {
  status: 503,
  contentType: "text/html",
  body: "<html><body>503 Service Unavailable</body></html>",
};
const UNAUTHORIZED: CannedReply = {
  status: 401,
  body: JSON.stringify({ errorCode: "Unauthorized", message: "Unauthorized" }),
};

describe("engine: answers the simulator does not give (through a fault proxy)", () => {
  let sim: RunningSimulator;
  let proxy: FaultProxy;
  let t: EngineUnderTest;
  afterEach(() => stopAll([t], proxy, sim));

  async function setup(
    rule: ProxyRule,
    settings: Partial<EngineSettings> = {},
    rewrite?: ProxyRewrite,
    now?: () => number,
  ) {
    sim = await simulator("happy");
    proxy = await startFaultProxy(sim.url, rule, rewrite);
    t = new EngineUnderTest(sim, undefined, settings, proxy.url, {}, now);
    return managementDomain(sim);
  }

  it("SDDC Manager answering 503 to the first logins after its upgrade does not fail the finished upgrade", async () => {
    let failures = 0;
    const sddcDone = () =>
      proxy.seen.some(
        (s) => /^\/v1\/upgrades\/[^/]+$/.test(s.req.path) && s.reply.body.includes("COMPLETED_WITH_SUCCESS"),
      );
    const domain = await setup((req) => {
      if (failures < 3 && req.path === "/v1/tokens" && sddcDone()) {
        failures += 1;
        return UNAVAILABLE;
      }
      return undefined;
    });
    const run = await t.fullRun(domain.name);
    assert.equal(failures, 3, "the logins after the upgrade were refused");
    assert.equal(run.status, "successfully_completed", run.failureReason);
    assert.ok(run.log.some((e) => /SDDC Manager now runs/.test(e.text)));
  });

  it("once the version is confirmed, a failing final validation is a warning, not a failed upgrade", async () => {
    let validations = 0;
    const domain = await setup((req) => {
      if (req.method !== "POST" || !/\/validations$/.test(req.path)) return undefined;
      validations += 1;
      return validations === 2
        ? { status: 500, body: JSON.stringify({ errorCode: "INTERNAL", message: "validation service down" }) }
        : undefined;
    });
    const run = await t.fullRun(domain.name);
    assert.equal(validations, 2);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    assert.ok(
      run.log.some(
        (e) =>
          e.level === "warning" &&
          /The final validation did not succeed .*validation service down.*upgrade counts as done/.test(e.text),
      ),
    );
  });

  it("errors a wait polls through are logged (first, then now and then) and shown in the step until SDDC Manager answers again", async () => {
    let injected = 0;
    const domain = await setup((req) => {
      if (req.method === "GET" && /^\/v1\/system\/check-sets\/[^/]+$/.test(req.path) && injected < 30) {
        injected += 1;
        return UNAVAILABLE;
      }
      return undefined;
    });
    const steps: string[] = [];
    t.engine.on("change", (r: UpgradeRun) => steps.push(r.step));
    const run = await t.fullRun(domain.name);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    const warnings = run.log.filter((e) => e.level === "warning" && /^Precheck run /.test(e.text)).map((e) => e.text);
    assert.match(warnings[0] ?? "", /SDDC Manager did not answer \(GET \/v1\/system\/check-sets\/.*503/);
    assert.ok(
      warnings.slice(1).some((w) => /no answer from SDDC Manager since .* \(\d+ failed polls; last: /.test(w)),
      warnings.join("\n"),
    );
    assert.ok(warnings.length < 6, "not one warning per failed poll");
    assert.ok(steps.some((s) => /\(no answer from SDDC Manager since \d{4}-/.test(s)));
    assert.ok(run.log.some((e) => /Precheck run .*: SDDC Manager answers again/.test(e.text)));
  });

  it("credentials refused for longer than the grace time fail the wait asking to check them, not at the deadline", async () => {
    const GRACE_MS = 10 * 60_000;
    const clock = new TestClock();
    let refuse = false;
    let refused = 0;
    const domain = await setup(
      (req) => {
        if (refuse) {
          if (/^\/v1\/system\/check-sets\/[^/]+$/.test(req.path)) refused += 1;
          return UNAUTHORIZED;
        }
        if (req.method === "GET" && /^\/v1\/system\/check-sets\/[^/]+$/.test(req.path)) refuse = true;
        return undefined;
      },
      { authGraceMs: GRACE_MS, precheckDeadlineMs: 24 * 3600_000 },
      undefined,
      clock.now,
    );
    sim.setFaults({ durations: { checkSetRunSeconds: 10 ** 7 } }); // still running when the credentials are refused
    const run = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(run.id);
    const prechecks = t.engine.runPrechecks(run.id);
    prechecks.catch(() => undefined); // asserted below
    // Within the grace the wait polls on through the refusals; only the clock passing the grace ends it.
    assert.ok(await eventually(() => refused >= 3), "the wait polled on through the refusals");
    assert.equal(t.engine.getRun(run.id)?.status, "running_prechecks");
    clock.advance(GRACE_MS);
    await assert.rejects(
      prechecks,
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === "AUTH_FAILED" &&
        /Precheck run .*: SDDC Manager has refused the credentials since/.test(e.message) &&
        /Check the user name and password/.test(e.fix ?? ""),
    );
    const failed = t.engine.getRun(run.id);
    assert.ok(failed?.log.some((e) => e.level === "warning" && /did not answer/.test(e.text)));
    assert.ok(!JSON.stringify(failed).includes(sim.credentials.password), "no password in the run");
  });

  it("an ESXi bundle offered again when every cluster already runs the target: no POST, the loop waits for the list to clear", async () => {
    let esx: Record<string, unknown> | undefined;
    let reoffered = 0;
    const isEsx = (e: Record<string, unknown>) => JSON.stringify(e.softwareComponents ?? []).includes('"HOST"');
    const domain = await setup(
      () => undefined,
      {},
      (req, reply) => {
        if (req.path !== "/v1/system/upgradables" || reply.status !== 200) return undefined;
        const page = JSON.parse(reply.body) as { elements: Record<string, unknown>[] };
        esx = page.elements.find(isEsx) ?? esx;
        if (!esx || page.elements.length > 0 || reoffered >= 3) return undefined;
        reoffered += 1;
        return JSON.stringify({ ...page, elements: [{ ...esx, status: "AVAILABLE" }] });
      },
    );
    const run = await t.fullRun(domain.name);
    assert.equal(reoffered, 3);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    assert.equal(
      sim.requestLog().filter((e) => e.method === "POST" && e.path === "/v1/upgrades").length,
      4,
      "no second ESXi upgrade",
    );
    assert.ok(run.log.some((e) => /Every cluster of .* already runs ESXi .*; nothing to start/.test(e.text)));
    assert.ok(!run.log.some((e) => /No per-cluster upgrade information/.test(e.text)));
  });

  it("keeps cluster-scoped upgradables of the domain (resource = one of its clusters)", async () => {
    let clusterId = "";
    let scoped = 0;
    const domain = await setup(
      (req) =>
        req.method === "GET" && /^\/v1\/upgradables\/domains\/[^/]+$/.test(req.path)
          ? { status: 404, body: "{}" }
          : undefined,
      {},
      (req, reply) => {
        if (req.path !== "/v1/system/upgradables" || reply.status !== 200) return undefined;
        const page = JSON.parse(reply.body) as { elements: { softwareComponents?: unknown; resource?: unknown }[] };
        const elements = page.elements.map((e) => {
          if (!JSON.stringify(e.softwareComponents ?? []).includes('"HOST"')) return e;
          scoped += 1;
          return { ...e, resource: { resourceId: clusterId, type: "CLUSTER" } };
        });
        return JSON.stringify({ ...page, elements });
      },
    );
    clusterId = (await t.engine.resolveDomain(domain.id)).clusters?.[0]?.id ?? "";
    const run = await t.fullRun(domain.name);
    assert.ok(scoped > 0);
    assert.equal(run.status, "successfully_completed", run.failureReason);
    assert.ok(Object.values(run.remote.upgrades).some((u) => u.componentType === "ESX_HOST"));
  });
});
