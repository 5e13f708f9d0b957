// `npm run bench`: figures for whole simulated upgrades through the real client, engine and file store.
// It prints wall time, requests sent and store writes, then runs the fleet benchmark (scripts/fleet-bench.js) in a real
// Node-RED: sizes 1, 10 and 50 by default, with VCF_BENCH_FULL=1 also 4 x 50 and 50 over HTTPS (VCF_BENCH_FLEET_SIZES
// chooses the sizes, VCF_BENCH_FLEET=0 skips it). Nothing here asserts, it reports.
const fs = require("node:fs");
const { spawn: spawnFleetBench } = require("node:child_process");
const os = require("node:os");
const path = require("node:path");
const { startSimulator } = require("../nodes/sim/index.js");
const { VcfClient } = require("../nodes/vcf/client.js");
const { UpgradeEngine, renderMarkdown } = require("../nodes/engine/index.js");
const { FileRunStore } = require("../nodes/store/index.js");

const TIME_SCALE = 100000;
const SETTINGS = {
  pollIntervalMs: 2, maxPollIntervalMs: 8, sddcSettleMs: 5, completedPauseMs: 60000, downloadConcurrency: 2,
  downloadDeadlineMs: 60000, validationDeadlineMs: 60000, precheckDeadlineMs: 60000, componentDeadlineMs: 60000, sddcOutageBudgetMs: 60000,
};
const IGNORE_NOTHING = { ignoreAlerts: false, alsoIgnoreErrors: false, failOnErrors: false };

async function withEngine(scenario, simOptions, body) {
  // A token and a check-set query live one simulated hour: 36 ms of wall time at this scale, less than a loaded
  // machine may take between two requests. The runs here measure speed, not those expiries.
  const longLived = { checkSetQueryTtlSeconds: 30 * 86400, tokenLifetimeSeconds: 30 * 86400 };
  const sim = await startSimulator({ scenario, timeScale: TIME_SCALE, ...simOptions, faults: { ...longLived, ...simOptions.faults } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vcf-bench-"));
  const client = new VcfClient({
    baseUrl: sim.url, username: sim.credentials.username, password: sim.credentials.password,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 8 },
  });
  const engine = new UpgradeEngine({ client, store: new FileRunStore(dir), settings: SETTINGS });
  let changes = 0;
  engine.on("change", () => changes++);
  try {
    const started = process.hrtime.bigint();
    const result = await body(engine, sim);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    return { ...result, wallMs, changes, requests: sim.requestLog().length, storeBytes: fs.statSync(path.join(dir, "vcf-upgrade-runs.json")).size };
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
  console.log(`${label.padEnd(44)} ${r.wallMs.toFixed(0).padStart(6)} ms  ${String(r.requests).padStart(5)} requests  ${String(r.changes).padStart(5)} change events  store ${(r.storeBytes / 1024).toFixed(1)} KiB ${extra}`);
}

async function main() {
  try {
    await engineFigures();
  } catch (err) {
    console.error(`engine figures failed: ${err.stack || err.message}`);
    process.exitCode = 1;
  }
  if (process.env.VCF_BENCH_FLEET !== "0") {
    console.log("");
    const code = await runFleetBench();
    if (code !== 0) {
      console.log(`fleet benchmark exited with ${code}`);
      process.exitCode = 1;
    }
  }
}

async function engineFigures() {
  console.log(`Simulator time scale ${TIME_SCALE}x; poll ${SETTINGS.pollIntervalMs}-${SETTINGS.maxPollIntervalMs} ms; file store with fsync on every change.\n`);
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
    const vi = await Promise.all(["lab-w01", "lab-w02", "lab-w03", "lab-w04", "lab-w05"].map((d) => fullRun(engine, d)));
    return { run: mgmt, vi };
  });
  row("management, then 5 VI domains at once", many, `-> ${[many.run, ...many.vi].filter((r) => r.status === "successfully_completed").length}/6 completed`);

  const markdown = await withEngine("precheck-warnings", {}, async (engine) => ({ run: await fullRun(engine, "lab-m01") }));
  const iterations = 2000;
  const started = process.hrtime.bigint();
  let bytes = 0;
  for (let i = 0; i < iterations; i++) bytes = Buffer.byteLength(renderMarkdown(markdown.run, { maxBytes: 12288 }));
  const perRenderUs = Number(process.hrtime.bigint() - started) / 1e3 / iterations;
  console.log(`\nmarkdown render of a ${markdown.run.log.length}-entry log: ${perRenderUs.toFixed(1)} µs per render, ${bytes} bytes (cap 12288)`);
}

/** The fleet benchmark in its own process (it starts Node-RED and handles Ctrl-C itself); resolves with its exit code. */
function runFleetBench() {
  return new Promise((resolve, reject) => {
    const child = spawnFleetBench(process.execPath, [path.join(__dirname, "fleet-bench.js")], { stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code, signal) => resolve(code ?? signal));
  });
}

main().catch((err) => {
  console.error(`bench failed: ${err.stack || err.message}`);
  process.exit(1);
});
