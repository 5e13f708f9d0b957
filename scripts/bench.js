// `npm run bench`: figures for whole simulated upgrades through the real client, engine and file store.
// It prints wall time, requests sent and what reached the run store (files written, their bytes, fsyncs), requests
// per endpoint against a minimum, then a short SIGKILL soak (scripts/soak.js, 2 seeds) and the fleet benchmark
// (scripts/fleet-bench.js) in a real Node-RED: sizes 1, 10 and 50 by default, with VCF_BENCH_FULL=1 also 4 x 50 and 50
// over HTTPS (VCF_BENCH_FLEET_SIZES chooses the sizes, VCF_BENCH_FLEET=0 skips it). Nothing here asserts, it reports.
// Store figures, this script on the same machine and day (ranges over the happy, warnings and flaky runs):
//                             single file (before)                           one file per run (after)
//   management domain         122-128 writes, 1364-1633 KiB, 244-256 fsyncs   106-108 writes, 901-1029 KiB, 212-216 fsyncs
//   management + 10 VI        306 writes, 21323 KiB, 612 fsyncs                   866 writes, 4115 KiB, 1313 fsyncs
// The single file shared each write between the runs that changed meanwhile, and carried all of them (70 KiB per
// write at 11 runs); a run's own file costs one write and its fsyncs per change of that run (4.8 KiB per write).
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { startSimulator } = require("../nodes/sim/index.js");
const { VcfClient } = require("../nodes/vcf/client.js");
const { UpgradeEngine, renderMarkdown } = require("../nodes/engine/index.js");
const { PhaseContext } = require("../nodes/engine/run-handle.js");
const { FileRunStore, MemoryRunStore } = require("../nodes/store/index.js");

const TIME_SCALE = 100000;

/**
 * Counts what reaches the store's directory: the files written into it (by the rename that lands them, or by a
 * write straight into it) with their bytes, and every fsync of this process (the simulator writes no files).
 */
const storeIo = { dir: "", saves: 0, bytes: 0, fsyncs: 0 };
async function countStoreIo() {
  const probe = await fs.promises.open(__filename, "r");
  const handleProto = Object.getPrototypeOf(probe);
  await probe.close();
  for (const name of ["sync", "datasync"]) {
    const original = handleProto[name];
    handleProto[name] = function counted(...args) {
      storeIo.fsyncs += 1;
      return original.apply(this, args);
    };
  }
  const rename = fs.promises.rename;
  fs.promises.rename = async (from, to) => {
    await rename(from, to);
    if (storeIo.dir && String(to).startsWith(storeIo.dir)) {
      storeIo.saves += 1;
      storeIo.bytes += (await fs.promises.stat(to)).size;
    }
  };
}
const SETTINGS = {
  pollIntervalMs: 2,
  maxPollIntervalMs: 8,
  sddcSettleMs: 5,
  completedPauseMs: 60000,
  downloadConcurrency: 2,
  downloadDeadlineMs: 60000,
  validationDeadlineMs: 60000,
  precheckDeadlineMs: 60000,
  componentDeadlineMs: 60000,
  sddcOutageBudgetMs: 60000,
};
const IGNORE_NOTHING = { ignoreAlerts: false, alsoIgnoreErrors: false, failOnErrors: false };

async function withEngine(scenario, simOptions, body) {
  // A token and a check-set query live one simulated hour: 36 ms of wall time at this scale, less than a loaded
  // machine may take between two requests. The runs here measure speed, not those expiries.
  const longLived = { checkSetQueryTtlSeconds: 30 * 86400, tokenLifetimeSeconds: 30 * 86400 };
  const sim = await startSimulator({
    scenario,
    timeScale: TIME_SCALE,
    ...simOptions,
    faults: { ...longLived, ...simOptions.faults },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vcf-bench-"));
  const client = new VcfClient({
    baseUrl: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 8 },
  });
  const engine = new UpgradeEngine({ client, store: new FileRunStore(dir), settings: SETTINGS });
  let changes = 0;
  engine.on("change", () => changes++);
  Object.assign(storeIo, { dir, saves: 0, bytes: 0, fsyncs: 0 });
  try {
    const started = process.hrtime.bigint();
    const result = await body(engine, sim);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    await engine.close();
    const io = { saves: storeIo.saves, bytes: storeIo.bytes, fsyncs: storeIo.fsyncs };
    return { ...result, wallMs, changes, requests: sim.requestLog().length, io };
  } finally {
    await engine.close();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function fullRun(engine, domain) {
  const run = await engine.startRun({ domain });
  await engine.downloadBundles(run.id);
  await engine.runPrechecks(run.id);
  await engine.awaitAcknowledgement(run.id, { ...IGNORE_NOTHING, ignoreAlerts: true });
  return engine.upgradeComponents(run.id);
}

function row(label, r, extra = "") {
  const io = `store: ${String(r.io.saves).padStart(5)} saves ${(r.io.bytes / 1024).toFixed(0).padStart(6)} KiB ${String(r.io.fsyncs).padStart(5)} fsyncs`;
  console.log(
    `${label.padEnd(44)} ${r.wallMs.toFixed(0).padStart(6)} ms  ${String(r.requests).padStart(5)} requests  ${String(r.changes).padStart(5)} change events  ${io} ${extra}`,
  );
}

// Requests per domain at the fleet benchmark's ratios (600 simulated seconds per longest poll interval), per endpoint.
// Minimum = the start calls (POST/PATCH, logins excepted) + one poll per longest poll interval of each wait for remote
// work (at least one per wait). The waits are timed by wrapping the engine's one waiting primitive.
const COUNT_SCALE = 6000;
const COUNT_SETTINGS = { ...SETTINGS, pollIntervalMs: 20, maxPollIntervalMs: 100, sddcSettleMs: 50 };

function timeWaits() {
  const original = PhaseContext.prototype.wait;
  const waits = [];
  PhaseContext.prototype.wait = async function timedWait(options) {
    const started = Date.now();
    try {
      return await original.call(this, options);
    } finally {
      waits.push(Date.now() - started);
    }
  };
  return {
    waits,
    restore: () => {
      PhaseContext.prototype.wait = original;
    },
  };
}

async function requestCounts(viDomains) {
  const sim = await startSimulator({
    scenario: viDomains > 0 ? "many-domains" : "happy",
    timeScale: COUNT_SCALE,
    tokenLifetimeSeconds: 10 * 365 * 86400,
    ...(viDomains > 0 ? { domains: viDomains } : {}),
    faults: { checkSetQueryTtlSeconds: 10 ** 9 },
  });
  const client = new VcfClient({
    baseUrl: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
  });
  const engine = new UpgradeEngine({ client, store: new MemoryRunStore(), settings: COUNT_SETTINGS });
  const timed = timeWaits();
  try {
    const domains = await client.getDomains();
    const mgmt = domains.find((d) => d.type === "MANAGEMENT");
    const started = [await engine.startRun({ domain: mgmt.name })];
    for (const d of domains.filter((x) => x !== mgmt && viDomains > 0))
      started.push(await engine.startRun({ domain: d.name }));
    const runs = await Promise.all(
      started.map(async (run) => {
        await engine.downloadBundles(run.id);
        await engine.runPrechecks(run.id);
        await engine.awaitAcknowledgement(run.id, { ...IGNORE_NOTHING, ignoreAlerts: true });
        return engine.upgradeComponents(run.id).catch(() => engine.getRun(run.id));
      }),
    );
    const counts = await (await fetch(`${sim.url}/sim/counts`)).json();
    const starts = Object.entries(counts)
      .filter(([k]) => /^(POST|PATCH|DELETE) /.test(k) && !k.includes("/v1/tokens"))
      .reduce((n, [, c]) => n + c, 0);
    const polls = timed.waits.reduce((n, ms) => n + Math.max(1, Math.ceil(ms / COUNT_SETTINGS.maxPollIntervalMs)), 0);
    return { runs, counts, starts, polls };
  } finally {
    timed.restore();
    await engine.close();
    await sim.stop();
  }
}

function countTable(results) {
  const endpoints = [...new Set(results.flatMap(({ r }) => Object.keys(r.counts)))].sort();
  const perDomain = (r, n) => (n / r.runs.length).toFixed(1).padStart(8);
  console.log(
    `\nrequests per domain by endpoint (time scale ${COUNT_SCALE}x, polls ${COUNT_SETTINGS.pollIntervalMs}-${COUNT_SETTINGS.maxPollIntervalMs} ms)`,
  );
  console.log(`${"endpoint".padEnd(60)}${results.map(({ label }) => label.padStart(12)).join("")}`);
  for (const e of endpoints)
    console.log(`${e.padEnd(60)}${results.map(({ r }) => `    ${perDomain(r, r.counts[e] ?? 0)}`).join("")}`);
  const total = (r) => Object.values(r.counts).reduce((a, b) => a + b, 0);
  const line = (name, f) =>
    console.log(`${name.padEnd(60)}${results.map(({ r }) => `    ${perDomain(r, f(r))}`).join("")}`);
  line("total", total);
  line("minimum: start calls + one poll per longest interval waited", (r) => r.starts + r.polls);
  console.log(
    `${"total / minimum".padEnd(60)}${results.map(({ r }) => (total(r) / (r.starts + r.polls)).toFixed(2).padStart(12)).join("")}`,
  );
  console.log(
    `${"completed".padEnd(60)}${results.map(({ r }) => `${r.runs.filter((x) => x.status === "successfully_completed").length}/${r.runs.length}`.padStart(12)).join("")}`,
  );
}

async function main() {
  if (process.argv.includes("--requests")) {
    countTable([
      { label: "management", r: await requestCounts(0) },
      { label: "mgmt + 10 VI", r: await requestCounts(10) },
    ]);
    return;
  }
  try {
    await engineFigures();
  } catch (err) {
    console.error(`engine figures failed: ${err.stack || err.message}`);
    process.exitCode = 1;
  }
  console.log(`\nSIGKILL soak, short (${SOAK_ARGS.join(" ")}; \`npm run soak\` runs the full seed list):`);
  const soak = await runScript("soak.js", SOAK_ARGS);
  console.log(
    soak === 0 ? "soak: nothing stuck, nothing sent twice" : `soak exited with ${soak}: see its figures above`,
  );
  if (process.env.VCF_BENCH_FLEET !== "0") {
    console.log("");
    const code = await runScript("fleet-bench.js", []);
    if (code !== 0) {
      console.log(`fleet benchmark exited with ${code}`);
      process.exitCode = 1;
    }
  }
}

async function engineFigures() {
  await countStoreIo();
  console.log(
    `Simulator time scale ${TIME_SCALE}x; poll ${SETTINGS.pollIntervalMs}-${SETTINGS.maxPollIntervalMs} ms; file store; store figures: files landed in it, their bytes, fsyncs.\n`,
  );
  for (let i = 1; i <= 3; i++) {
    const r = await withEngine("happy", {}, async (engine) => ({ run: await fullRun(engine, "lab-m01") }));
    row(`management domain, happy (run ${i})`, r, `-> ${r.run.status}`);
  }
  const warn = await withEngine("precheck-warnings", {}, async (engine) => ({ run: await fullRun(engine, "lab-m01") }));
  row("management domain, precheck warnings ignored", warn, `-> ${warn.run.status}`);
  const flaky = await withEngine("flaky", {}, async (engine) => ({ run: await fullRun(engine, "lab-m01") }));
  row("management domain, flaky GETs (20 %)", flaky, `-> ${flaky.run.status}`);
  const many = await withEngine("many-domains", { domains: 5 }, async (engine) => {
    const mgmt = await fullRun(engine, "lab-m01");
    const vi = await Promise.all(
      ["lab-w01", "lab-w02", "lab-w03", "lab-w04", "lab-w05"].map((d) => fullRun(engine, d)),
    );
    return { run: mgmt, vi };
  });
  row(
    "management, then 5 VI domains at once",
    many,
    `-> ${[many.run, ...many.vi].filter((r) => r.status === "successfully_completed").length}/6 completed`,
  );
  const ten = await withEngine("many-domains", { domains: 10 }, async (engine) => {
    const mgmt = await fullRun(engine, "lab-m01");
    const names = Array.from({ length: 10 }, (_, i) => `lab-w${String(i + 1).padStart(2, "0")}`);
    return { run: mgmt, vi: await Promise.all(names.map((d) => fullRun(engine, d))) };
  });
  row(
    "management, then 10 VI domains at once",
    ten,
    `-> ${[ten.run, ...ten.vi].filter((r) => r.status === "successfully_completed").length}/11 completed`,
  );

  const markdown = await withEngine("precheck-warnings", {}, async (engine) => ({
    run: await fullRun(engine, "lab-m01"),
  }));
  const iterations = 2000;
  const started = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; i < iterations; i++) bytes = Buffer.byteLength(renderMarkdown(markdown.run, { maxBytes: 12288 }));
  const perRenderUs = Number(process.hrtime.bigint() - started) / 1e3 / iterations;
  countTable([
    { label: "management", r: await requestCounts(0) },
    { label: "mgmt + 10 VI", r: await requestCounts(10) },
  ]);

  console.log(
    `\nmarkdown render of a ${markdown.run.log.length}-entry log: ${perRenderUs.toFixed(1)} µs per render, ${bytes} bytes (cap 12288)`,
  );
}

const SOAK_ARGS = ["--seeds", "1,2"];

/** A script of this folder in its own process (it starts Node-RED and handles Ctrl-C itself); resolves with its exit code. */
function runScript(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, file), ...args], { stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? signal));
  });
}

main().catch((err) => {
  console.error(`bench failed: ${err.stack || err.message}`);
  process.exit(1);
});
