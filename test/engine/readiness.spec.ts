/** Readiness checks, the fresh backup before the first component, and download retries, over the real simulator. */
import * as assert from "node:assert/strict";
import { type EngineError, englishText, renderMarkdown } from "../../nodes/engine";
import type { AckPolicy, EngineSettings, Finding, UpgradeRun } from "../../nodes/engine";
import type { FaultPatch, RunningSimulator } from "../../nodes/sim/index";
import { MemoryRunStore } from "../../nodes/store";
import { type FaultProxy, startFaultProxy } from "./fault-proxy";
import { resolveSettings } from "../../nodes/engine";
import { runReadinessChecks } from "../../nodes/engine/readiness/run-checks";
import { EngineUnderTest, WAIT_FOR_ACK, clientFor, count, managementDomain, simulator } from "./harness";

const IGNORE_WARNINGS: AckPolicy = { ...WAIT_FOR_ACK, ignoreAlerts: true };
const FAIL_ON_ERRORS: AckPolicy = { ...WAIT_FOR_ACK, failOnErrors: true };

function readiness(run: UpgradeRun): Finding[] {
  return run.findings.filter((f) => f.source === "readiness");
}

function only(run: UpgradeRun, code: string): Finding[] {
  return readiness(run).filter((f) => f.code === code);
}

describe("engine: readiness checks, fresh backup and download retries", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await t?.engine.close();
    await proxy?.stop();
    proxy = undefined;
    await sim?.stop();
  });

  async function prechecked(faults: FaultPatch, settings: Partial<EngineSettings> = {}, baseUrl?: string) {
    sim ??= await simulator("happy", { faults });
    t = new EngineUnderTest(sim, new MemoryRunStore(), settings, baseUrl);
    const domain = await managementDomain(sim);
    const run = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(run.id);
    return t.engine.runPrechecks(run.id);
  }

  beforeEach(() => {
    sim = undefined as unknown as RunningSimulator;
  });

  it("a healthy estate: every check runs, no finding; the backup is taken once before the first component", async () => {
    const run = await prechecked({});
    assert.deepEqual(readiness(run), []);
    assert.ok(
      run.log.some((e) =>
        /Readiness checks run: SDDC Manager backup, Password expiry, Certificate expiry, Failed tasks on record, Depot connection; switched off: none/.test(
          e.text,
        ),
      ),
    );
    assert.equal(count(sim.requestLog(), "POST", "/v1/credentials/expirations"), 3);
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    const firstUpgrade = t.when((r) => Object.keys(r.remote.upgrades).length > 0);
    const done = await t.engine.upgradeComponents(run.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    assert.equal((await firstUpgrade).remote.backup?.status, "SUCCESSFUL");
    const log = sim.requestLog();
    assert.equal(count(log, "POST", "/v1/backups/tasks"), 1);
    const backupAt = log.findIndex((e) => e.method === "POST" && e.path === "/v1/backups/tasks");
    const upgradeAt = log.findIndex((e) => e.method === "POST" && e.path === "/v1/upgrades");
    assert.ok(backupAt >= 0 && backupAt < upgradeAt, "the backup comes before the first upgrade");
    assert.match(renderMarkdown(done), /Fresh SDDC Manager backup:\*\* SUCCESSFUL \(task /);
    assert.ok(t.changes.some((c) => /Backing up SDDC Manager \(task /.test(c.step)));
  });

  it("warnings: a stale backup, expiring passwords and certificates, failed tasks; ignore alerts passes them", async () => {
    const run = await prechecked({
      lastBackupHoursAgo: 100_000,
      passwordExpiry: "expiring",
      certificateExpiry: "expiring",
      failedTaskOnRecord: true,
    });
    const found = readiness(run);
    assert.ok(found.length >= 4 && found.every((f) => f.severity === "WARNING"), JSON.stringify(found));
    assert.match(only(run, "READINESS_BACKUP")[0]?.description ?? "", /h ago \(more than 24 h\)/);
    const password = only(run, "READINESS_PASSWORDS")[0];
    assert.match(password?.description ?? "", /^The password of root on esx-.* expires in [45] day\(s\)$/);
    assert.ok(!JSON.stringify(run).includes("VMware1!"), "no password is stored");
    assert.match(only(run, "READINESS_CERTIFICATES")[0]?.description ?? "", /expires in \d+ day/);
    assert.match(only(run, "READINESS_FAILEDTASKS")[0]?.description ?? "", /Remove host esx-old\.example\.test/);
    assert.match(renderMarkdown(run), /\| ⚠️ WARNING \| readiness \| Password expiry \|/);
    const passed = await t.engine.awaitAcknowledgement(run.id, IGNORE_WARNINGS);
    assert.equal(passed.status, "alerts_were_acknowledged");
  });

  it("the backup check counts backup tasks only: the task that saved the backup settings is no backup", async () => {
    // No scheduled backup yet; the settings were saved half an hour ago (a task of type BACKUP_CONFIGURATION_UPDATE).
    const run = await prechecked({ lastBackupHoursAgo: -1 });
    assert.deepEqual(
      only(run, "READINESS_BACKUP").map((f) => `${f.severity} ${f.description}`),
      ["WARNING SDDC Manager lists no successful backup"],
    );
    const lookups = sim.requestLog().filter((e) => e.method === "GET" && e.path === "/v1/tasks");
    assert.ok(lookups.some((e) => e.query.resourceType === "SDDC_MANAGER" && e.query.taskStatus === undefined));
  });

  it("a password SDDC Manager cannot check (it cannot log in with it) is a warning naming the account, never passed over", async () => {
    const run = await prechecked({ passwordExpiry: "unknown" });
    const passwords = only(run, "READINESS_PASSWORDS");
    assert.equal(passwords.length, 1, JSON.stringify(readiness(run)));
    assert.equal(passwords[0]?.severity, "WARNING");
    assert.match(
      passwords[0]?.description ?? "",
      /^The password expiry of root on esx-.* could not be checked: Unable to log in to the resource with the stored password$/,
    );
  });

  it("errors: expired password and certificate, no backup configuration while a fresh backup is on", async () => {
    const run = await prechecked({ passwordExpiry: "expired", certificateExpiry: "expired", backupConfigured: false });
    for (const code of ["READINESS_PASSWORDS", "READINESS_CERTIFICATES", "READINESS_BACKUP"])
      assert.ok(
        only(run, code).some((f) => f.severity === "ERROR"),
        `${code} error in ${JSON.stringify(readiness(run))}`,
      );
    assert.ok(only(run, "READINESS_PASSWORDS").some((f) => /root on .* has expired/.test(f.description)));
    await assert.rejects(t.engine.awaitAcknowledgement(run.id, FAIL_ON_ERRORS), /error/i);
  });

  it("a missing backup configuration is only a warning when every upgrade node has the fresh backup off", async () => {
    sim = await simulator("happy", { faults: { backupConfigured: false } });
    t = new EngineUnderTest(sim);
    t.engine.declareBackupOptions("upgrade-node", { freshBackup: false, onFailure: "fail" });
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name });
    await t.engine.downloadBundles(started.id);
    const run = await t.engine.runPrechecks(started.id);
    assert.deepEqual(
      only(run, "READINESS_BACKUP").map((f) => f.severity),
      ["WARNING"],
    );
  });

  it("depot: not connected while bundles are still to download is an error with the depot's own message", async () => {
    sim = await simulator("happy", { faults: { depotStatus: "DEPOT_INVALID_CREDENTIAL" } });
    const domain = await managementDomain(sim);
    const client = clientFor(sim);
    const check = (bundlesToDownload: string[]) =>
      runReadinessChecks({
        client,
        signal: new AbortController().signal,
        settings: resolveSettings({ readinessChecksOff: ["backup", "passwords", "certificates", "failedTasks"] }),
        domainId: domain.id,
        domainName: domain.name,
        freshBackup: true,
        bundlesToDownload,
        now: Date.now,
        poll: () => Promise.reject(new Error("no wait expected")),
      });
    const blocked = await check(["NSX bundle"]);
    assert.deepEqual(blocked.ran, ["depot"]);
    assert.equal(blocked.findings[0]?.severity, "ERROR");
    assert.match(
      blocked.findings[0]?.description ?? "",
      /DEPOT_INVALID_CREDENTIAL: Depot connection failed.*1 bundle\(s\) are still to download: NSX bundle/,
    );
    assert.ok(!JSON.stringify(blocked).includes("**********"), "the depot password is never read");
    assert.deepEqual((await check([])).findings, []);
    client.close();
  });

  it("depot not connected: the download phase fails before any download request, with the depot's message and a fix", async () => {
    sim = await simulator("happy", { faults: { depotStatus: "DEPOT_INVALID_CREDENTIAL" } });
    t = new EngineUnderTest(sim);
    const started = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
    const failure = await t.engine.downloadBundles(started.id).then(
      () => assert.fail("the download phase went ahead"),
      (err: unknown) => err as EngineError,
    );
    assert.match(
      englishText(failure.text),
      /^The depot account is not connected \(DEPOT_INVALID_CREDENTIAL: Depot connection failed: .*\), so \d bundle\(s\) cannot be downloaded: .*Update bundle for NSX/,
    );
    assert.match(englishText(failure.fixText ?? failure.text), /^Fix the depot account in SDDC Manager/);
    const run = t.engine.getRun(started.id) as UpgradeRun;
    assert.equal(run.status, "failed");
    assert.deepEqual(
      readiness(run).map((f) => `${f.severity} ${f.code}`),
      ["ERROR READINESS_DEPOT"],
    );
    assert.equal(count(sim.requestLog(), "PATCH", /^\/v1\/bundles\/[^/]+$/), 0, "no download was requested");
  });

  it("depot check switched off: the downloads go ahead without reading the depot, and the log says it was off", async () => {
    sim = await simulator("happy", { faults: { depotStatus: "DEPOT_INVALID_CREDENTIAL" } });
    t = new EngineUnderTest(sim, new MemoryRunStore(), { readinessChecksOff: ["depot"] });
    const started = await t.engine.startRun({ domain: (await managementDomain(sim)).name });
    const run = await t.engine.downloadBundles(started.id);
    assert.ok(run.log.some((e) => /^Depot connection check before the downloads: switched off/.test(e.text)));
    assert.equal(count(sim.requestLog(), "GET", "/v1/system/settings/depot"), 0);
    assert.ok(Object.values(run.remote.bundles).every((b) => b.downloadStatus === "SUCCESSFUL"));
  });

  it("checks switched off do not run, and the log says so", async () => {
    const run = await prechecked(
      { passwordExpiry: "expired", certificateExpiry: "expired", failedTaskOnRecord: true },
      { readinessChecksOff: ["passwords", "certificates", "failedTasks"] },
    );
    assert.deepEqual(readiness(run), []);
    assert.equal(count(sim.requestLog(), "POST", "/v1/credentials/expirations"), 0);
    assert.ok(
      run.log.some((e) => /switched off: Password expiry, Certificate expiry, Failed tasks on record$/.test(e.text)),
    );
  });

  it("a check whose API call fails is a warning saying so, never a silent pass", async () => {
    sim = await simulator("happy");
    proxy = await startFaultProxy(sim.url, (req) =>
      req.path.startsWith("/v1/domains/") && req.path.endsWith("/certificates")
        ? { status: 404, contentType: "application/json", body: '{"errorCode":"NOT_FOUND","message":"no such API"}' }
        : undefined,
    );
    const run = await prechecked({}, {}, proxy.url);
    const failed = only(run, "READINESS_CERTIFICATES");
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.severity, "WARNING");
    assert.match(failed[0]?.description ?? "", /certificate expiry check could not run: .*no such API/);
  });

  it("a failing backup fails the run with the task's error and remediation", async () => {
    const run = await prechecked({ failBackup: true });
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    await assert.rejects(t.engine.upgradeComponents(run.id), /backup before the upgrade failed/);
    const failed = t.engine.getRun(run.id) as UpgradeRun;
    assert.equal(failed.status, "failed");
    assert.match(failed.failureReason ?? "", /could not be written to sftp\.example\.test/);
    assert.ok(failed.log.some((e) => /Remediation: Check the SFTP server's free space/.test(e.text)));
    assert.equal(count(sim.requestLog(), "POST", "/v1/upgrades"), 0);
  });

  it("a failing backup with 'warn' logs it and upgrades anyway", async () => {
    const run = await prechecked({ failBackup: true });
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    const done = await t.engine.upgradeComponents(run.id, undefined, undefined, {
      freshBackup: true,
      onFailure: "warn",
    });
    assert.equal(done.status, "successfully_completed", done.failureReason);
    assert.ok(done.log.some((e) => e.level === "warning" && /Upgrading without it/.test(e.text)));
  });

  it("the backup option off: no backup, and the log says so", async () => {
    const run = await prechecked({});
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    const done = await t.engine.upgradeComponents(run.id, undefined, undefined, {
      freshBackup: false,
      onFailure: "fail",
    });
    assert.equal(done.status, "successfully_completed");
    assert.equal(count(sim.requestLog(), "POST", "/v1/backups/tasks"), 0);
    assert.ok(done.log.some((e) => /No fresh SDDC Manager backup before the upgrade: the option is off/.test(e.text)));
  });

  it("a restart while the backup runs follows the same task: exactly one backup", async () => {
    const run = await prechecked({ durations: { backupSeconds: 10 ** 9 } });
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    const backingUp = t.when((r) => r.remote.backup?.taskId !== undefined);
    const first = t.engine.upgradeComponents(run.id);
    first.catch(() => undefined);
    const taskId = (await backingUp).remote.backup?.taskId;
    await t.engine.close(); // the engine stops while the backup runs; the store keeps the run
    const second = new EngineUnderTest(sim, t.store);
    t = second;
    sim.setFaults({ durations: { backupSeconds: 1 } });
    const done = await second.engine.upgradeComponents(run.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    assert.equal(done.remote.backup?.taskId, taskId);
    assert.equal(count(sim.requestLog(), "POST", "/v1/backups/tasks"), 1);
  });

  it("a scheduled backup running when the upgrade asks for its own is the fresh one: no request, followed after a restart too, never a second", async () => {
    const run = await prechecked({ scheduledBackupRunning: true, durations: { backupSeconds: 10 ** 9 } });
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    const following = t.when((r) => r.remote.backup?.taskId !== undefined);
    const first = t.engine.upgradeComponents(run.id);
    first.catch(() => undefined);
    const followed = (await following).remote.backup;
    assert.equal(followed?.alreadyRunning, true);
    await t.engine.close(); // the engine stops while that backup runs; the store keeps the run
    t = new EngineUnderTest(sim, t.store);
    sim.setFaults({ durations: { backupSeconds: 1 } });
    const done = await t.engine.upgradeComponents(run.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    assert.equal(done.remote.backup?.taskId, followed?.taskId);
    assert.equal(done.remote.backup?.status, "SUCCESSFUL");
    assert.equal(count(sim.requestLog(), "POST", "/v1/backups/tasks"), 0, "no request while a backup runs");
    assert.ok(
      done.log.some((e) => /backup task \S+ is running; following that backup as the fresh backup/.test(e.text)),
    );
    assert.ok(
      done.log.some((e) => /finished \(SUCCESSFUL\); it was running .* serves as the fresh backup/.test(e.text)),
    );
  });

  it("a backup refused because one started since the run looked: that backup is the fresh one, never a second", async () => {
    sim = await simulator("happy", { faults: { scheduledBackupRunning: true, durations: { backupSeconds: 10 ** 9 } } });
    // The run's look before its request does not see the scheduled backup (it starts between the look and the request).
    let hidden = false;
    let awaitingBackup = false;
    proxy = await startFaultProxy(
      sim.url,
      () => undefined,
      (req, reply) => {
        if (hidden || req.method !== "GET" || req.path !== "/v1/tasks" || !awaitingBackup) return undefined;
        hidden = true;
        return JSON.stringify({ ...JSON.parse(reply.body), elements: [] });
      },
    );
    const run = await prechecked({}, {}, proxy.url);
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    awaitingBackup = true;
    const following = t.when((r) => r.remote.backup?.taskId !== undefined);
    const upgrading = t.engine.upgradeComponents(run.id);
    const followed = (await following).remote.backup;
    assert.equal(followed?.alreadyRunning, true);
    sim.setFaults({ durations: { backupSeconds: 1 } });
    const done = await upgrading;
    assert.equal(done.status, "successfully_completed", done.failureReason);
    assert.ok(hidden, "the look before the request was answered without the running backup");
    const posts = sim.requestLog().filter((e) => e.method === "POST" && e.path === "/v1/backups/tasks");
    assert.deepEqual(
      posts.map((e) => e.status),
      [400],
      "one request, refused",
    );
    assert.ok(
      done.log.some((e) => /refused a new backup \(.*already in progress.*\) while its backup task/.test(e.text)),
    );
  });

  it("a running backup that fails instead is the fresh backup's failure, named as the one that was running", async () => {
    const run = await prechecked({
      scheduledBackupRunning: true,
      failBackup: true,
      durations: { backupSeconds: 10 ** 9 },
    });
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    const following = t.when((r) => r.remote.backup?.taskId !== undefined);
    const upgrading = t.engine.upgradeComponents(run.id);
    await following;
    sim.setFaults({ durations: { backupSeconds: 1 } }); // the running backup ends now, FAILED
    await assert.rejects(
      upgrading,
      /backup before the upgrade failed \(task \S+, a backup already running when the upgrade asked for its own\)/,
    );
    assert.equal(count(sim.requestLog(), "POST", "/v1/upgrades"), 0);
  });

  it("a backup past its deadline is a failure the option decides: 'fail' fails the run, no component starts", async () => {
    const run = await prechecked({ durations: { backupSeconds: 10 ** 9 } }, { backupDeadlineMs: 1 });
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    await assert.rejects(t.engine.upgradeComponents(run.id), /backup before the upgrade failed/);
    assert.equal((t.engine.getRun(run.id) as UpgradeRun).remote.backup?.status, "TIMED_OUT");
    assert.equal(count(sim.requestLog(), "POST", "/v1/upgrades"), 0);
  });

  it("a restart after the failed backup was recorded, before the run failed: still no upgrade without it", async () => {
    const run = await prechecked({ failBackup: true });
    await t.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
    // The store keeps no write after the backup's failure is recorded: the process "stops" before the run fails.
    const store = t.store;
    const save = store.save.bind(store);
    let frozen = false;
    store.save = async (r) => {
      if (frozen) return;
      if (r.remote.backup?.status === "FAILED") frozen = true;
      await save(r);
    };
    await assert.rejects(t.engine.upgradeComponents(run.id), /backup before the upgrade failed/);
    await t.engine.close();
    store.save = save;
    assert.equal((await store.load()).find((r) => r.id === run.id)?.status, "starting_upgrades");
    t = new EngineUnderTest(sim, store);
    await assert.rejects(t.engine.upgradeComponents(run.id), /backup before the upgrade failed/);
    assert.equal((t.engine.getRun(run.id) as UpgradeRun).status, "failed");
    assert.equal(count(sim.requestLog(), "POST", "/v1/upgrades"), 0);
    assert.equal(count(sim.requestLog(), "POST", "/v1/backups/tasks"), 1);
  });

  it("a failed download is requested again and succeeds on attempt 2", async () => {
    sim = await simulator("happy", { faults: { failDownloadOf: ["NSX_T_MANAGER"], failAttempts: 1 } });
    t = new EngineUnderTest(sim);
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name });
    const run = await t.engine.downloadBundles(started.id);
    const retried = run.log.filter((e) =>
      /failed \(attempt 1 of 3\): .*checksum validation.*; requesting it again/.test(e.text),
    );
    assert.equal(retried.length, 1);
    assert.ok(Object.values(run.remote.bundles).some((b) => b.attempts === 2));
  });

  it("a FAILED still read from the earlier attempt after the request again is not a second failure: one retry, then success", async () => {
    // The first 5 reads of the bundle after the second request still say FAILED; its new task is running.
    const faults: FaultPatch = { failDownloadOf: ["NSX_T_MANAGER"], failAttempts: 1, staleFailedReads: 5 };
    sim = await simulator("happy", { faults });
    t = new EngineUnderTest(sim, new MemoryRunStore(), { downloadRetries: 1 });
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name });
    const run = await t.engine.downloadBundles(started.id);
    assert.equal(run.status, "downloading_bundles");
    const nsx = Object.values(run.remote.bundles).find((b) => b.attempts !== undefined);
    assert.equal(nsx?.attempts, 2);
    assert.equal(nsx?.downloadStatus, "SUCCESSFUL");
    assert.equal(count(sim.requestLog(), "PATCH", `/v1/bundles/${nsx?.bundleId ?? ""}`), 2);
    assert.equal(run.log.filter((e) => /failed \(attempt \d of 2\)/.test(e.text)).length, 1);
    const staleReads = sim
      .requestLog()
      .filter((e) => e.path === `/v1/bundles/${nsx?.bundleId ?? ""}` && e.method === "GET")
      .filter((e) => (e.responseBody as { downloadStatus?: string }).downloadStatus === "FAILED");
    assert.ok(staleReads.length >= 5, `the run read the stale FAILED (${staleReads.length} FAILED reads)`);
  });

  it("a download failing every time fails the run after the last attempt, naming bundle, attempts and error", async () => {
    sim = await simulator("happy", { faults: { failDownloadOf: ["NSX_T_MANAGER"], failAttempts: 0 } });
    t = new EngineUnderTest(sim, new MemoryRunStore(), { downloadRetries: 1 });
    const domain = await managementDomain(sim);
    const started = await t.engine.startRun({ domain: domain.name });
    await assert.rejects(
      t.engine.downloadBundles(started.id),
      /Bundle .* failed to download after 2 attempt\(s\): downloadError: checksum validation/,
    );
    assert.equal(count(sim.requestLog(), "PATCH", /^\/v1\/bundles\/[^/]+$/) >= 2, true);
  });
});
