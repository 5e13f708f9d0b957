// `npm run bench`: figures for whole simulated upgrades through the real client, engine and file store.
// It prints wall time, requests sent and store writes; nothing here asserts, it reports.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startSimulator } = require("../nodes/sim/index.js");
const { VcfClient } = require("../nodes/vcf/client.js");
const { UpgradeEngine, renderMarkdown } = require("../nodes/engine/index.js");
const { PhaseContext } = require("../nodes/engine/run-handle.js");
const { FileRunStore, MemoryRunStore } = require("../nodes/store/index.js");

const TIME_SCALE = 100000;
const SETTINGS = {
  pollIntervalMs: 2, maxPollIntervalMs: 8, sddcSettleMs: 5, completedPauseMs: 60000, downloadConcurrency: 2,
  downloadDeadlineMs: 60000, validationDeadlineMs: 60000, precheckDeadlineMs: 60000, componentDeadlineMs: 60000, sddcOutageBudgetMs: 60000,
};
const IGNORE_NOTHING = { ignoreAlerts: false, alsoIgnoreErrors: false, failOnErrors: false };

async function withEngine(scenario, simOptions, body) {
  const sim = await startSimulator({ scenario, timeScale: TIME_SCALE, ...simOptions });
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
  return { waits, restore: () => { PhaseContext.prototype.wait = original; } };
}

async function requestCounts(viDomains) {
  const sim = await startSimulator({
    scenario: viDomains > 0 ? "many-domains" : "happy", timeScale: COUNT_SCALE, tokenLifetimeSeconds: 10 * 365 * 86400,
    ...(viDomains > 0 ? { domains: viDomains } : {}), faults: { checkSetQueryTtlSeconds: 10 ** 9 },
  });
  const client = new VcfClient({ baseUrl: sim.url, username: sim.credentials.username, password: sim.credentials.password });
  const engine = new UpgradeEngine({ client, store: new MemoryRunStore(), settings: COUNT_SETTINGS });
  const timed = timeWaits();
  try {
    const domains = await client.getDomains();
    const mgmt = domains.find((d) => d.type === "MANAGEMENT");
    const started = [await engine.startRun({ domain: mgmt.name })];
    for (const d of domains.filter((x) => x !== mgmt && viDomains > 0)) started.push(await engine.startRun({ domain: d.name }));
    const runs = await Promise.all(started.map(async (run) => {
      await engine.downloadBundles(run.id);
      await engine.runPrechecks(run.id);
      await engine.awaitAcknowledgement(run.id, { ...IGNORE_NOTHING, ignoreAlerts: true });
      return engine.upgradeComponents(run.id).catch(() => engine.getRun(run.id));
    }));
    const counts = await (await fetch(`${sim.url}/sim/counts`)).json();
    const starts = Object.entries(counts).filter(([k]) => /^(POST|PATCH|DELETE) /.test(k) && !k.includes("/v1/tokens")).reduce((n, [, c]) => n + c, 0);
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
  console.log(`\nrequests per domain by endpoint (time scale ${COUNT_SCALE}x, polls ${COUNT_SETTINGS.pollIntervalMs}-${COUNT_SETTINGS.maxPollIntervalMs} ms)`);
  console.log(`${"endpoint".padEnd(60)}${results.map(({ label }) => label.padStart(12)).join("")}`);
  for (const e of endpoints) console.log(`${e.padEnd(60)}${results.map(({ r }) => `    ${perDomain(r, r.counts[e] ?? 0)}`).join("")}`);
  const total = (r) => Object.values(r.counts).reduce((a, b) => a + b, 0);
  const line = (name, f) => console.log(`${name.padEnd(60)}${results.map(({ r }) => `    ${perDomain(r, f(r))}`).join("")}`);
  line("total", total);
  line("minimum: start calls + one poll per longest interval waited", (r) => r.starts + r.polls);
  console.log(`${"total / minimum".padEnd(60)}${results.map(({ r }) => (total(r) / (r.starts + r.polls)).toFixed(2).padStart(12)).join("")}`);
  console.log(`${"completed".padEnd(60)}${results.map(({ r }) => `${r.runs.filter((x) => x.status === "successfully_completed").length}/${r.runs.length}`.padStart(12)).join("")}`);
}

async function main() {
  if (process.argv.includes("--requests")) {
    countTable([{ label: "management", r: await requestCounts(0) }, { label: "mgmt + 10 VI", r: await requestCounts(10) }]);
    return;
  }
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
  countTable([{ label: "management", r: await requestCounts(0) }, { label: "mgmt + 10 VI", r: await requestCounts(10) }]);

  console.log(`\nmarkdown render of a ${markdown.run.log.length}-entry log: ${perRenderUs.toFixed(1)} µs per render, ${bytes} bytes (cap 12288)`);
}

main().catch((err) => {
  console.error(`bench failed: ${err.stack || err.message}`);
  process.exit(1);
});
