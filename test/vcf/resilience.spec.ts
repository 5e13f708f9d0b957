import assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { VcfApiError } from "../../nodes/vcf/errors";
import type { LogLine } from "./helpers";
import { assertNoSecrets, countRequests, errorTexts, LinkedClock, rejectionOf, simClient } from "./helpers";
import { driveUpgrade } from "./upgrade-driver";

describe("client retries, aborts and errors against the simulator", function () {
  let sim: RunningSimulator;
  beforeEach(async function () {
    sim = await startSimulator();
  });
  afterEach(async function () {
    await sim.stop();
  });

  it("backs off and retries flaky GETs until they succeed", async function () {
    sim.setFaults({ flakyRate: 0.3 });
    const { client, logs } = simClient(sim, { retry: { maxAttempts: 12, baseDelayMs: 1, maxDelayMs: 2 } });
    for (let i = 0; i < 40; i++) assert.ok((await client.getDomains()).length > 0);
    const gets = sim.requestLog().filter((e) => e.method === "GET" && e.path === "/v1/domains");
    const failed = gets.filter((e) => e.status === 0 || e.status >= 500);
    assert.ok(failed.length > 0, "the flaky fault produced no failures");
    assert.equal(gets.length, 40 + failed.length, "each failure was retried exactly once more");
    assert.ok(logs.some((l) => /attempt 2 of 12/.test(l.text)));
  });

  it("gives up after retry.maxAttempts with the last error", async function () {
    sim.setFaults({ flakyRate: 1 });
    const { client } = simClient(sim, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    const error = await rejectionOf(client.getDomains());
    assert.ok(error instanceof VcfApiError);
    assert.ok(error.kind === "network" || error.kind === "http", error.kind);
    assert.equal(countRequests(sim.requestLog(), "GET", "/v1/domains"), 3);
  });

  it("stops a backoff wait when the signal aborts (kind aborted)", async function () {
    this.timeout(60_000); // so the bound below, half the backoff, is what fails a waited-out backoff
    sim.setFaults({ flakyRate: 1 });
    const controller = new AbortController();
    const logs: LogLine[] = [];
    const { client } = simClient(sim, {
      retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      log: (level, text) => {
        logs.push({ level, text });
        if (/attempt 2 of 5/.test(text)) controller.abort();
      },
    });
    const started = Date.now();
    const error = await rejectionOf(client.getDomains({ signal: controller.signal }));
    assert.ok(error instanceof VcfApiError);
    assert.equal(error.kind, "aborted");
    assert.ok(Date.now() - started < 30_000, "the 60 s backoff was not waited out");
    assert.equal(countRequests(sim.requestLog(), "GET", "/v1/domains"), 1);
  });

  it("rejects at once when the signal is already aborted", async function () {
    const { client } = simClient(sim);
    const error = await rejectionOf(client.getDomains({ signal: AbortSignal.abort() }));
    assert.ok(error instanceof VcfApiError);
    assert.equal(error.kind, "aborted");
    assert.equal(sim.requestLog().filter((e) => e.path.startsWith("/v1/")).length, 0);
  });

  it("maps a JSON Error body (404 on an unknown domain)", async function () {
    const { client } = simClient(sim);
    const error = await rejectionOf(client.getDomain("00000000-0000-0000-0000-000000000000"));
    assert.ok(error instanceof VcfApiError);
    assert.equal(error.kind, "http");
    assert.equal(error.status, 404);
    assert.ok(error.errorCode, "errorCode from the body");
    assert.equal(error.method, "GET");
    assert.equal(error.path, "/v1/domains/00000000-0000-0000-0000-000000000000");
    assert.equal(error.retryable, false);
  });

  it("reports a second download request as status 409, without repeating the PATCH", async function () {
    const { client } = simClient(sim);
    const [bundle] = (await client.getBundles()).filter((b) => b.downloadStatus === "PENDING");
    assert.ok(bundle, "a PENDING bundle");
    const task = await client.requestBundleDownload(bundle.id);
    assert.ok(task.id);
    const error = await rejectionOf(client.requestBundleDownload(bundle.id));
    assert.ok(error instanceof VcfApiError);
    assert.equal(error.status, 409);
    const patches = sim.requestLog().filter((e) => e.method === "PATCH" && e.path === `/v1/bundles/${bundle.id}`);
    assert.deepEqual(
      patches.map((e) => e.status),
      [202, 409],
    );
    assert.deepEqual(patches[0]?.requestBody, { bundleDownloadSpec: { downloadNow: true } });
  });

  it("sends a POST once while SDDC Manager is down (dropped connection, then 503 page), and leaks no secret", async function () {
    const clock = new LinkedClock(sim);
    const logs: LogLine[] = [];
    const { client } = simClient(sim, { now: clock.now, log: (level, text) => logs.push({ level, text }) });
    const prepared = await driveUpgrade({ client, clock, maxComponents: 0 });
    const [sddc] = (await client.getUpgradables(prepared.domain.id, prepared.targetVersion)).filter(
      (u) => u.status === "AVAILABLE",
    );
    assert.equal(sddc?.bundleType, "SDDC_MANAGER");
    await client.startUpgrade({
      bundleId: String(sddc.bundleId),
      resourceType: "DOMAIN",
      resourceUpgradeSpecs: [{ resourceId: prepared.domain.id, upgradeNow: true }],
    });
    const query = { checkSetType: "UPGRADE", domains: [{ domainId: prepared.domain.id }] };
    const errors: unknown[] = [];
    for (const [advance, expectedStatus] of [
      [310, 0],
      [700, 503],
    ] as const) {
      clock.advance(advance); // into the outage: first dropped connections, later nginx 503 pages
      sim.clearRequestLog();
      const error = await rejectionOf(client.queryCheckSets(query));
      errors.push(error);
      assert.ok(error instanceof VcfApiError, String(error));
      assert.equal(error.retryable, false);
      const posts = sim.requestLog().filter((e) => e.method === "POST" && e.path === "/v1/system/check-sets/queries");
      assert.deepEqual(
        posts.map((e) => e.status),
        [expectedStatus],
        "exactly one POST",
      );
    }
    assertNoSecrets([...errors.flatMap(errorTexts), ...logs.map((l) => l.text)], [sim.credentials.password]);
  });
});
