// `npm run bench:fleet` (and the end of `npm run bench`): the fleet benchmark of issue 11, run through the fleet
// feature of issue 12. For each size it starts SDDC Manager simulators in this process ("many-domains", SDDC Manager's
// own outage on), a real Node-RED with this package as a child process, and deploys the flow a user would build for a
// fleet: per simulator a vcf-config and a vcf-fleet node (the management domain first, then the VI domains, --concurrency
// at a time) whose start messages feed download -> prechecks -> await-ack -> upgrade -> a sink, plus vcf-status for
// every domain; one inject starts every fleet. It presses it once and measures, inside Node-RED, the event-loop delay,
// CPU time, peak RSS and bytes written, and from outside the requests each simulator saw and the time of one
// `GET /flows` at the peak. It prints the figures per size, a table and a PASS/MISS line per target of the issue; it
// never fails on a miss (exit 0), only when it cannot run (exit 1) or on a usage error (exit 2).
// Everything it starts is stopped by its handle or pid, also on Ctrl-C, and its temp directories are removed.
const fs = require("node:fs");
const http = require("node:http");
const https = require("node:https");
const os = require("node:os");
const path = require("node:path");
const { startSimulator } = require("../nodes/sim/index.js");
const { started, isInterrupted, removeTempDir, releaseOnSignals, exitOnFailure } = require("./lib/cleanup.js");
const {
  UsageError,
  readOptions,
  numberOption,
  optionsOrExit,
  sleep,
  countBy,
  truncate,
  UUID,
  resourceNames,
} = require("./lib/cli.js");
const {
  freePort,
  nodeRedTempDir,
  spawnNodeRed,
  stopNodeRed,
  waitForEditor,
  deploy,
  trigger,
} = require("./lib/node-red-child.js");

const BASE_SETTINGS = path.join(__dirname, "node-red-settings.js");

const DEFAULT_SIZES = "1,10,50";
const FULL_SIZES = "1,10,50,4x50,https:50";

const USAGE = `usage: node scripts/fleet-bench.js [options]   (npm run bench:fleet -- [options])
  --sizes LIST         comma-separated sizes (default ${DEFAULT_SIZES}; --full: ${FULL_SIZES}):
                         N        one simulator with the management domain and N VI domains (N at most 50)
                         KxN      K simulators, each with the management domain and N VI domains
                         https:S  size S over HTTPS with the simulator's own CA (vcf-config TLS "custom CA")
  --full               the full size set (${FULL_SIZES}); also VCF_BENCH_FULL=1
  --https              every size over HTTPS with a custom CA
  --time-scale X       simulated seconds per wall second (default 600)
  --poll A-B           the vcf-config poll interval and longest poll interval in seconds (default 0.2-1)
  --minutes M          wall-clock bound per size (default 8)
  --idle S             end a size when no simulator saw a request and no run changed for S s (default 30)
  --concurrency N      VI domains each fleet node upgrades at once (default 50: all of them, after the management domain)
  --keep               keep each size's temp directory (user directory, Node-RED log) and print its path
  --verbose            print progress every few seconds and the requests per domain by kind`;

// ---------------------------------------------------------------------------------------------------------------
// Options

function parseSize(token, allHttps) {
  const m = /^(https:)?(?:(\d+)x)?(\d+)$/.exec(token.trim());
  if (!m) throw new UsageError(`size "${token}": write N, KxN or https:N / https:KxN`);
  const sims = m[2] === undefined ? 1 : Number(m[2]);
  const vi = Number(m[3]);
  if (sims < 1 || sims > 8) throw new UsageError(`size "${token}": 1 to 8 simulators`);
  if (vi < 1 || vi > 50) throw new UsageError(`size "${token}": the simulator has 1 to 50 VI domains`);
  const tls = Boolean(m[1]) || allHttps;
  const base = sims === 1 ? `${vi}` : `${sims}x${vi}`;
  return { sims, vi, tls, label: tls ? `https:${base}` : base, domains: sims * (vi + 1) };
}

function parseArgs(argv, env) {
  const o = {
    sizes: undefined,
    full: env.VCF_BENCH_FULL === "1",
    https: false,
    timeScale: 600,
    poll: 0.2,
    maxPoll: 1,
    minutes: 8,
    idleSeconds: 30,
    concurrency: 50,
    keep: false,
    verbose: false,
  };
  readOptions(argv, USAGE, o, (flag, value) => {
    switch (flag) {
      case "--sizes":
        o.sizes = value() ?? "";
        break;
      case "--full":
        o.full = true;
        break;
      case "--https":
        o.https = true;
        break;
      case "--time-scale":
        o.timeScale = numberOption("--time-scale", value(), { min: 1 });
        break;
      case "--poll": {
        const v = value() ?? "";
        const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(v);
        if (!m || Number(m[1]) <= 0 || Number(m[2]) < Number(m[1]))
          throw new UsageError(`--poll takes A-B seconds with 0 < A <= B, not "${v}"`);
        o.poll = Number(m[1]);
        o.maxPoll = Number(m[2]);
        break;
      }
      case "--minutes":
        o.minutes = numberOption("--minutes", value(), { min: 0.1 });
        break;
      case "--idle":
        o.idleSeconds = numberOption("--idle", value(), { min: 1 });
        break;
      case "--concurrency":
        o.concurrency = numberOption("--concurrency", value(), { min: 1 });
        if (!Number.isInteger(o.concurrency) || o.concurrency > 100)
          throw new UsageError(`--concurrency takes a whole number from 1 to 100, not "${o.concurrency}"`);
        break;
      default:
        return false;
    }
    return true;
  });
  const text = o.sizes ?? env.VCF_BENCH_FLEET_SIZES ?? (o.full ? FULL_SIZES : DEFAULT_SIZES);
  o.sizeList = text
    .split(",")
    .filter((s) => s.trim())
    .map((s) => parseSize(s, o.https));
  if (o.sizeList.length === 0) throw new UsageError("--sizes needs at least one size");
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// Inside Node-RED: a preload (node --require) with the event-loop histogram and an IPC channel to this process, and
// the settings (the repository's, with a fixed credential secret and the sink functions).

const PRELOAD = String.raw`// Written by scripts/fleet-bench.js; removed with its temp directory.
const { monitorEventLoopDelay } = require("node:perf_hooks");
const RESOLUTION_MS = 10;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();
let baseCpu = process.cpuUsage();
const statuses = new Map();
const finals = [];
const errors = [];
const fleets = [];
globalThis.__vcfFleetBench = {
  status(sim, p) {
    if (!p || !p.domainName) return;
    statuses.set(sim + "/" + p.domainName, { sim, domain: p.domainName, status: p.status, outcome: p.outcome, failureReason: p.failureReason, runId: p.runId });
  },
  final(sim, vcf) { finals.push({ sim, domain: vcf && vcf.domainName, runId: vcf && vcf.runId, status: vcf && vcf.status, at: Date.now() }); },
  error(entry) { errors.push({ ...entry, at: Date.now() }); },
  fleet(sim, p) { fleets.push({ sim, status: p && p.status, counts: p && p.counts, left: ((p && p.notStarted) || []).concat((p && p.skipped) || []).map((d) => ({ domain: d.domainName, state: d.state, reason: d.reason })) }); },
};
const ms = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
function figures() {
  const cpu = process.cpuUsage(baseCpu);
  return {
    eventLoop: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), count: histogram.count },
    cpuMs: (cpu.user + cpu.system) / 1000,
    rss: process.memoryUsage.rss(),
    maxRss: process.resourceUsage().maxRSS * 1024,
    statuses: [...statuses.values()],
    finals, errors, fleets,
  };
}
if (process.send) {
  process.on("message", (m) => {
    if (!m || typeof m !== "object") return;
    if (m.cmd === "start") {
      histogram.reset();
      baseCpu = process.cpuUsage();
    }
    process.send({ id: m.id, figures: figures() });
  });
  // The channel must not keep Node-RED alive when it is asked to stop.
  if (process.channel) process.channel.unref();
}
`;

function writeSettings(file) {
  const text = `// Written by scripts/fleet-bench.js for one size; removed with its temp directory.
const base = require(${JSON.stringify(BASE_SETTINGS)});
module.exports = {
  ...base,
  credentialSecret: "vcf-fleet-bench-fixed-secret",
  logging: { console: { level: "warn", metrics: false, audit: false } },
  // Only this package besides the core nodes: the palettes installed for development (dashboard, Home Assistant)
  // are not part of what is measured.
  externalModules: { autoInstall: false, palette: { allowInstall: false, allowList: ["@vcf-lcm/node-red-vcf-upgrade"], denyList: ["*"] } },
  functionGlobalContext: { fleetBench: globalThis.__vcfFleetBench },
};
`;
  fs.writeFileSync(file, text);
}

// ---------------------------------------------------------------------------------------------------------------
// The fleet flow: one inject for the fleet, then per simulator its vcf-config and a chain of phase nodes.

const TAB = "f1ee000000000001";
const INJECT = "f1ee000000000002";
const CATCH = "f1ee000000000003";
const ERRORS = "f1ee000000000004";
const ROLES = ["config", "fleet", "download", "prechecks", "ack", "upgrade", "sink", "status", "statusSink", "summary"];
const nodeId = (k, role) =>
  `f1ee${String(k).padStart(2, "0")}${String(ROLES.indexOf(role) + 16).padStart(2, "0")}00000000`;
const configId = (k) => nodeId(k, "config");

/** Deadlines in the config dialog are minutes of wall time: the defaults at the simulator's pace, times this. */
const DEADLINE_MARGIN = 10;

function fleetFlow(sims, o) {
  const scaled = (minutes) => Number(((minutes * DEADLINE_MARGIN) / o.timeScale).toFixed(6));
  const nodes = [
    { id: TAB, type: "tab", label: "VCF fleet bench", disabled: false, info: "" },
    {
      id: INJECT,
      type: "inject",
      z: TAB,
      name: "Upgrade the fleet",
      props: [{ p: "payload" }],
      payload: "start",
      payloadType: "str",
      repeat: "",
      crontab: "",
      once: false,
      onceDelay: 0.1,
      topic: "",
      x: 100,
      y: 40,
      wires: [sims.map((_, k) => nodeId(k, "fleet"))],
    },
    {
      id: CATCH,
      type: "catch",
      z: TAB,
      name: "VCF errors",
      scope: null,
      uncaught: false,
      x: 100,
      y: 20,
      wires: [[ERRORS]],
    },
    {
      id: ERRORS,
      type: "function",
      z: TAB,
      name: "record error",
      outputs: 0,
      noerr: 0,
      initialize: "",
      finalize: "",
      libs: [],
      x: 300,
      y: 20,
      wires: [],
      func: [
        "const e = msg.error || {};",
        "const source = e.source || {};",
        "global.get('fleetBench').error({ node: source.id, nodeType: source.type, domain: (msg.vcf && msg.vcf.domainName) || msg.domain, message: String(e.message || '').slice(0, 400) });",
        "return null;",
      ].join("\n"),
    },
  ];
  sims.forEach((sim, k) => {
    const y = 100 + k * 120;
    const phase = (role, type, name, next, x, extra = {}) => ({
      id: nodeId(k, role),
      type,
      z: TAB,
      name,
      server: configId(k),
      domain: "",
      markdownMaxBytes: 12288,
      x,
      y,
      wires: [[nodeId(k, next)]],
      ...extra,
    });
    nodes.push(
      {
        id: configId(k),
        type: "vcf-config",
        name: `SDDC Manager ${k + 1} (simulator)`,
        url: sim.url,
        tlsMode: o.tlsFor(sim) ? "ca" : "verify",
        ca: o.tlsFor(sim) ? sim.caCertificatePem : "",
        tls: "",
        requestTimeout: 30,
        retryAttempts: 4,
        retryDelay: 0.1,
        pollInterval: o.poll,
        maxPollInterval: o.maxPoll,
        downloadDeadline: scaled(240),
        validationDeadline: scaled(15),
        precheckDeadline: scaled(40),
        componentDeadline: scaled(180),
        sddcOutageBudget: scaled(120),
        sddcSettle: Number((5 / o.timeScale).toFixed(6)),
        authGrace: scaled(30),
        downloadConcurrency: 2,
        completedPause: 3600,
      },
      {
        id: nodeId(k, "fleet"),
        type: "vcf-fleet",
        z: TAB,
        name: `Fleet ${k + 1}`,
        server: configId(k),
        domains: "",
        targetVersion: "",
        concurrency: o.concurrency,
        onFailure: "continue",
        acknowledgement: "domain",
        ignoreAlerts: false,
        alsoIgnoreErrors: false,
        failOnErrors: false,
        startDeadline: 30,
        cancelInSddcManager: true,
        markdownMaxBytes: 12288,
        x: 300,
        y,
        wires: [[nodeId(k, "download")], [nodeId(k, "summary")]],
      },
      phase("download", "vcf-download-bundles", "Download bundles", "prechecks", 900, { targetVersion: "" }),
      phase("prechecks", "vcf-prechecks", "Prechecks", "ack", 1100),
      phase("ack", "vcf-await-ack", "Acknowledgement (ignore alerts)", "upgrade", 1300, {
        ignoreAlerts: true,
        alsoIgnoreErrors: false,
        failOnErrors: false,
      }),
      phase("upgrade", "vcf-upgrade", "Upgrade", "sink", 1500),
      {
        id: nodeId(k, "sink"),
        type: "function",
        z: TAB,
        name: "count final outputs",
        outputs: 0,
        noerr: 0,
        initialize: "",
        finalize: "",
        libs: [],
        x: 1700,
        y,
        wires: [],
        func: `global.get('fleetBench').final(${k}, msg.vcf);\nreturn null;`,
      },
      {
        id: nodeId(k, "summary"),
        type: "function",
        z: TAB,
        name: "fleet summary",
        outputs: 0,
        noerr: 0,
        initialize: "",
        finalize: "",
        libs: [],
        x: 500,
        y: y + 40,
        wires: [],
        func: `global.get('fleetBench').fleet(${k}, msg.payload);\nreturn null;`,
      },
      {
        id: nodeId(k, "status"),
        type: "vcf-status",
        z: TAB,
        name: `Status ${k + 1} (all domains)`,
        server: configId(k),
        domain: "",
        markdownMaxBytes: 12288,
        x: 300,
        y: y + 60,
        wires: [[nodeId(k, "statusSink")]],
      },
      {
        id: nodeId(k, "statusSink"),
        type: "function",
        z: TAB,
        name: "latest status",
        outputs: 0,
        noerr: 0,
        initialize: "",
        finalize: "",
        libs: [],
        x: 500,
        y: y + 60,
        wires: [],
        func: `global.get('fleetBench').status(${k}, msg.payload);\nreturn null;`,
      },
    );
  });
  return nodes;
}

// ---------------------------------------------------------------------------------------------------------------
// Node-RED as a child process

/**
 * Starts Node-RED with the preload and an IPC channel; its output goes through a pipe to this process (which writes
 * the log and keeps the last 40 lines), so Node-RED's own disk writes are the store's. ask(cmd) asks the preload for
 * its figures.
 */
function startNodeRed(ctx) {
  const spawned = spawnNodeRed(ctx, {
    nodeArgs: ["--require", ctx.preloadFile],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const { child } = spawned;
  const log = fs.openSync(ctx.logFile, "a");
  const tail = [];
  const onData = (chunk) => {
    fs.writeSync(log, chunk);
    for (const line of String(chunk).split("\n")) if (line.trim()) tail.push(line);
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = spawned.exited.then((result) => {
    fs.closeSync(log);
    return result;
  });
  let nextId = 1;
  const pending = new Map();
  child.on("message", (m) => {
    const done = pending.get(m?.id);
    if (done) {
      pending.delete(m.id);
      done(m.figures);
    }
  });
  const ask = (cmd) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`Node-RED did not answer "${cmd}" within 30 s`));
      }, 30_000);
      pending.set(id, (figures) => {
        clearTimeout(timer);
        resolve(figures);
      });
      child.send({ cmd, id });
    });
  return { child, exited, tail, ask };
}

/** One admin API GET /flows, timed from the request to the last byte of the answer. */
async function timeGetFlows(editor) {
  const t = process.hrtime.bigint();
  const res = await fetch(`${editor}/flows`, {
    headers: { "Node-RED-API-Version": "v2" },
    signal: AbortSignal.timeout(60_000),
  });
  await res.arrayBuffer();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function writeBytesOf(pid) {
  try {
    const m = /write_bytes:\s*(\d+)/.exec(fs.readFileSync(`/proc/${pid}/io`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What the simulators saw

/** A request's path with ids as {id} and its query's names (not values), to count requests of one kind. */
function requestTemplate(e) {
  const query = Object.keys(e.query ?? {}).sort();
  return `${e.path.replace(UUID, "{id}")}${query.length ? `?${query.join("&")}` : ""}`;
}

/** Reads each simulator's request log incrementally (it keeps the newest 5000 exchanges, so it is read every second). */
class RequestCollector {
  constructor(sim, names) {
    this.sim = sim;
    this.names = names;
    this.lastSeq = 0;
    this.total = 0;
    this.lost = 0;
    this.lastAt = Date.now();
    this.writes = new Set();
    this.logins = 0;
    this.upgradePosts = [];
    this.byTemplate = new Map();
  }

  poll() {
    for (const e of this.sim.requestLog(this.lastSeq)) {
      if (e.seq <= this.lastSeq) continue;
      if (e.seq > this.lastSeq + 1) this.lost += e.seq - this.lastSeq - 1;
      this.lastSeq = e.seq;
      this.total++;
      this.lastAt = Date.now();
      const template = `${e.method} ${requestTemplate(e)}`;
      this.byTemplate.set(template, (this.byTemplate.get(template) ?? 0) + 1);
      if (e.method === "POST" && e.path === "/v1/tokens") {
        this.logins++;
        continue;
      }
      if (e.method !== "GET" && e.status >= 200 && e.status < 300)
        this.writes.add(`${e.method} ${e.path} ${JSON.stringify(e.requestBody ?? null)}`);
      if (e.method === "POST" && e.path === "/v1/upgrades") {
        const targets = (e.requestBody?.resourceUpgradeSpecs ?? []).map((s) => String(s.resourceId));
        const domain = [...new Set(targets.map((id) => this.names.get(id) ?? id))].sort().join("+");
        this.upgradePosts.push({ bundleId: e.requestBody?.bundleId, domain, status: e.status });
      }
    }
  }

  /**
   * POST /v1/upgrades for the same bundle and domain more than once, counting only the requests SDDC Manager may have
   * acted on: accepted (2xx) or never answered (a dropped connection). A request it refused (401 with an expired
   * token, 503 in its outage, 4xx) started nothing; sending it again is a repeat, listed apart, not a duplicate.
   */
  duplicates() {
    const groups = new Map();
    for (const p of this.upgradePosts) {
      const key = `${p.bundleId} ${p.domain}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    const mayHaveActed = (p) => p.status === 0 || (p.status >= 200 && p.status < 300);
    const list = [...groups.values()]
      .filter((posts) => posts.length > 1)
      .map((posts) => ({
        bundleId: posts[0].bundleId,
        domain: posts[0].domain,
        statuses: posts.map((p) => p.status),
        duplicate: posts.filter(mayHaveActed).length > 1,
      }));
    return { duplicates: list.filter((d) => d.duplicate), repeats: list.filter((d) => !d.duplicate) };
  }
}

/** A JSON request to a simulator's API (http or https with its CA), outside Node-RED and after the measurement. */
function simRequest(sim, method, pathname, body, token) {
  const url = new URL(pathname, sim.url);
  const lib = url.protocol === "https:" ? https : http;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        ca: sim.caCertificatePem,
        headers: {
          Accept: "application/json",
          ...(payload ? { "Content-Type": "application/json" } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode >= 300)
            return reject(new Error(`${method} ${pathname}: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
          resolve(text ? JSON.parse(text) : undefined);
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${pathname}: timeout`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/**
 * The seconds of remote work the simulator ran: every task it knows (bundle downloads, check-set runs, component
 * upgrades) from its creation to its completion (or now), in wall seconds, each rounded up to whole seconds and at
 * least 1 (a poll per second of running work); target validations count their configured duration the same way.
 * Read after the measurement through GET /v1/tasks, so these requests are not counted.
 */
async function remoteWorkPolls(sim, collector, timeScale) {
  const login = await simRequest(sim, "POST", "/v1/tokens", sim.credentials);
  const tasks = [];
  for (let page = 0; page < 1000; page++) {
    const body = await simRequest(
      sim,
      "GET",
      `/v1/tasks?pageSize=100&pageNumber=${page}`,
      undefined,
      login.accessToken,
    );
    tasks.push(...(body?.elements ?? []));
    if (page + 1 >= (body?.pageMetadata?.totalPages ?? 0)) break;
  }
  const simNow = Date.parse(sim.state().simulatedTime);
  let polls = 0;
  let seconds = 0;
  for (const t of tasks) {
    const from = Date.parse(t.creationTimestamp);
    const to = t.completionTimestamp ? Date.parse(t.completionTimestamp) : simNow;
    const wall = Math.max(0, (to - from) / 1000 / timeScale);
    seconds += wall;
    polls += Math.max(1, Math.ceil(wall));
  }
  const validationSeconds = (sim.state().faults?.durations?.targetValidationSeconds ?? 45) / timeScale;
  const validations = [...collector.writes].filter((w) =>
    /^POST \/v1\/releases\/domains\/[^/ ]+\/validations /.test(w),
  ).length;
  polls += validations * Math.max(1, Math.ceil(validationSeconds));
  seconds += validations * validationSeconds;
  return { polls, seconds, tasks: tasks.length, validations };
}

// ---------------------------------------------------------------------------------------------------------------
// One size

/** completed | failed | active | none, from the latest status vcf-status sent for the domain. */
function verdictOf(s) {
  if (!s) return "none";
  if (
    s.status === "successfully_completed" ||
    (s.status === "waiting_for_initiation" && s.outcome === "successfully_completed")
  )
    return "completed";
  if (s.status === "failed" || (s.status === "waiting_for_initiation" && s.outcome === "failed")) return "failed";
  if (s.status === "waiting_for_initiation" && !s.runId) return "none";
  return "active";
}

async function runSize(size, o) {
  const dirs = nodeRedTempDir("vcf-fleet-bench-", o.keep);
  const { tempDir } = dirs;
  const ctx = { ...dirs, preloadFile: path.join(tempDir, "preload.js"), port: await freePort() };
  writeSettings(ctx.settingsFile);
  fs.writeFileSync(ctx.preloadFile, PRELOAD);

  const sims = [];
  for (let k = 0; k < size.sims; k++) {
    const sim = await startSimulator({
      host: "127.0.0.1",
      port: 0,
      scenario: "many-domains",
      domains: size.vi,
      timeScale: o.timeScale,
      tls: size.tls,
    });
    started.sims.push(sim);
    sims.push(sim);
  }
  const collectors = sims.map((sim) => new RequestCollector(sim, resourceNames(sim)));
  const expected = sims.flatMap((sim, k) => (sim.state().domains ?? []).map((d) => `${k}/${d.name}`));
  const editor = `http://127.0.0.1:${ctx.port}`;
  const say = (text) =>
    o.verbose && console.log(`  [${size.label} ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${text}`);

  const node = startNodeRed(ctx);
  await waitForEditor(editor, node.child, { timeoutMs: 120_000, intervalMs: 200, tail: node.tail });
  await deploy(
    editor,
    fleetFlow(sims, { ...o, tlsFor: () => size.tls }),
    new Map(sims.map((sim, k) => [configId(k), sim.credentials])),
    "the fleet flow",
  );
  // Let the deployed flow start and vcf-status send its first states before the measurement begins.
  for (let i = 0; i < 100; i++) {
    const f = await node.ask("snapshot");
    if (f.statuses.length >= expected.length) break;
    await sleep(100);
  }
  for (const c of collectors) c.poll();
  const requestsBefore = collectors.reduce((n, c) => n + c.total, 0);
  await node.ask("start");
  const writeBase = writeBytesOf(node.child.pid);
  let t0 = Date.now();
  await trigger(editor, INJECT);
  t0 = Date.now();
  say(`triggered ${expected.length} domains on ${editor}`);

  const flowsSamples = [];
  const requestHistory = [];
  let lastFlowsAt = 0;
  let last;
  let lastChangeAt = Date.now();
  let lastFingerprint = "";
  let endReason = `wall-clock bound of ${o.minutes} min`;
  let lastSay = 0;
  const hardUntil = t0 + o.minutes * 60_000;
  while (!isInterrupted()) {
    await sleep(500);
    for (const c of collectors) c.poll();
    last = await node.ask("snapshot");
    const byKey = new Map(last.statuses.map((s) => [`${s.sim}/${s.domain}`, s]));
    const verdicts = expected.map((key) => verdictOf(byKey.get(key)));
    const active = verdicts.filter((v) => v === "active").length;
    const upgrading = last.statuses.filter((s) => s.status === "starting_upgrades").length;
    const fingerprint =
      last.statuses.map((s) => `${s.sim}/${s.domain}:${s.status}`).join(",") +
      `|${last.finals.length}|${last.errors.length}`;
    if (fingerprint !== lastFingerprint) {
      lastFingerprint = fingerprint;
      lastChangeAt = Date.now();
    }
    const now = Date.now();
    const requestsNow = collectors.reduce((n, c) => n + c.total, 0);
    requestHistory.push({ at: now, total: requestsNow });
    while (requestHistory.length > 1 && requestHistory[1].at <= now - 3000) requestHistory.shift();
    const requestRate = (requestsNow - requestHistory[0].total) / Math.max(0.5, (now - requestHistory[0].at) / 1000);
    // GET /flows every 3 s while runs are active; the one taken with the most runs active, and among those with the
    // most requests per second in the 3 s before it, is "at the peak".
    if (active > 0 && now - lastFlowsAt >= 3000) {
      lastFlowsAt = now;
      flowsSamples.push({ ms: await timeGetFlows(editor), active, upgrading, requestRate, at: (now - t0) / 1000 });
    }
    if (now - lastSay >= 5000) {
      lastSay = now;
      say(
        `${verdicts.filter((v) => v === "completed").length} completed, ${verdicts.filter((v) => v === "failed").length} failed, ${active} active (${upgrading} upgrading), ${collectors.reduce((n, c) => n + c.total, 0) - requestsBefore} requests, event loop p99 ${last.eventLoop.p99.toFixed(1)} ms`,
      );
    }
    const finalsByKey = new Set(last.finals.map((f) => `${f.sim}/${f.domain}`));
    const allTerminal = verdicts.every((v, i) => v === "failed" || (v === "completed" && finalsByKey.has(expected[i])));
    if (allTerminal) {
      endReason = "every domain completed or failed";
      break;
    }
    // Every fleet ended (a domain it did not start stays without a run) and each completed domain sent its output.
    const completedHaveFinals = verdicts.every((v, i) => v !== "completed" || finalsByKey.has(expected[i]));
    if (last.fleets.length >= sims.length && completedHaveFinals && active === 0) {
      endReason = "every fleet sent its summary";
      break;
    }
    const lastRequestAt = Math.max(...collectors.map((c) => c.lastAt));
    if (now - Math.max(lastChangeAt, lastRequestAt) >= o.idleSeconds * 1000) {
      endReason = `no request and no change for ${o.idleSeconds} s`;
      break;
    }
    if (now >= hardUntil) break;
  }
  const wallSeconds = (Date.now() - t0) / 1000;
  if (isInterrupted()) return undefined;
  for (const c of collectors) c.poll();
  const fin = await node.ask("snapshot");
  const writeEnd = writeBytesOf(node.child.pid);
  await stopNodeRed(node);

  const remote = [];
  for (let k = 0; k < sims.length; k++) remote.push(await remoteWorkPolls(sims[k], collectors[k], o.timeScale));
  started.sims = [];
  await Promise.all(sims.map((sim) => sim.stop()));
  removeTempDir();

  return summarize({
    size,
    o,
    expected,
    fin,
    collectors,
    remote,
    requestsBefore,
    flowsSamples,
    wallSeconds,
    endReason,
    writeBytes: writeBase === undefined || writeEnd === undefined ? undefined : writeEnd - writeBase,
    tempDir,
  });
}

/** The sum of several count maps, as [key, count] pairs, largest first. */
function mergeCounts(maps) {
  const sum = new Map();
  for (const m of maps) for (const [k, n] of m) sum.set(k, (sum.get(k) ?? 0) + n);
  return [...sum.entries()].sort((a, b) => b[1] - a[1]);
}

function summarize(x) {
  const byKey = new Map(x.fin.statuses.map((s) => [`${s.sim}/${s.domain}`, s]));
  const completed = [];
  const failed = [];
  const active = [];
  const never = [];
  for (const key of x.expected) {
    const s = byKey.get(key);
    const v = verdictOf(s);
    if (v === "completed") completed.push(key);
    else if (v === "failed") failed.push({ key, reason: s.failureReason ?? "" });
    else if (v === "active") active.push({ key, status: s.status });
    else never.push(key);
  }
  const finalsPerDomain = new Map();
  for (const f of x.fin.finals)
    finalsPerDomain.set(`${f.sim}/${f.domain}`, (finalsPerDomain.get(`${f.sim}/${f.domain}`) ?? 0) + 1);
  const requests = x.collectors.reduce((n, c) => n + c.total, 0) - x.requestsBefore;
  const logins = x.collectors.length * 2;
  const writes = x.collectors.reduce((n, c) => n + c.writes.size, 0);
  const polls = x.remote.reduce((n, r) => n + r.polls, 0);
  const minimum = logins + writes + polls;
  const peak = [...x.flowsSamples].sort(
    (a, b) => b.active - a.active || b.requestRate - a.requestRate || a.at - b.at,
  )[0];
  const domains = x.expected.length;
  return {
    label: x.size.label,
    size: x.size,
    domains,
    completed,
    failed,
    active,
    never,
    finalsPerDomain,
    wallSeconds: x.wallSeconds,
    endReason: x.endReason,
    requests,
    requestsPerDomain: requests / domains,
    minimum,
    minimumPerDomain: minimum / domains,
    minimumParts: { logins, writes, polls, workSeconds: x.remote.reduce((n, r) => n + r.seconds, 0) },
    lost: x.collectors.reduce((n, c) => n + c.lost, 0),
    byTemplate: mergeCounts(x.collectors.map((c) => c.byTemplate)),
    eventLoop: x.fin.eventLoop,
    maxRss: x.fin.maxRss,
    rss: x.fin.rss,
    cpuMs: x.fin.cpuMs,
    cpuMsPerDomain: x.fin.cpuMs / domains,
    writeBytes: x.writeBytes,
    flowsPeak: peak,
    flowsMax: x.flowsSamples.reduce((m, s) => Math.max(m, s.ms), 0),
    flowsSamples: x.flowsSamples.length,
    duplicates: x.collectors.flatMap((c, k) => c.duplicates().duplicates.map((d) => ({ ...d, sim: k }))),
    repeats: x.collectors.flatMap((c, k) => c.duplicates().repeats.map((d) => ({ ...d, sim: k }))),
    errors: x.fin.errors,
    fleets: x.fin.fleets,
    tempDir: x.o.keep ? x.tempDir : undefined,
    verbose: x.o.verbose,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Printing

const MiB = 1024 * 1024;
const fmt = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? "-" : n.toFixed(digits));

function report(r) {
  const multi = r.size.sims > 1;
  const name = (key) => (multi ? `sim${Number(key.split("/")[0]) + 1}/${key.split("/")[1]}` : key.split("/")[1]);
  const dupFinals = [...r.finalsPerDomain.entries()].filter(([, n]) => n > 1);
  const missingFinals = r.completed.filter((key) => !r.finalsPerDomain.has(key));
  console.log(
    `\n== ${r.label}: ${r.size.sims} simulator(s) x (1 + ${r.size.vi}) = ${r.domains} domains${r.size.tls ? ", HTTPS with a custom CA" : ""}`,
  );
  console.log(
    `   domains: ${r.completed.length} completed, ${r.failed.length} failed, ${r.active.length} still active, ${r.never.length} never started; ended: ${r.endReason}; wall ${fmt(r.wallSeconds, 1)} s`,
  );
  const reasons = countBy(
    r.failed.map((f) => truncate(f.reason.replace(UUID, "<id>").replace(/\blab-[mw]\d+\b/g, "<domain>"), 200)),
  );
  for (const [text, n] of Object.entries(reasons)) console.log(`     failed x${n}: ${text}`);
  const stillActive = countBy(r.active.map((a) => a.status));
  if (r.active.length)
    console.log(
      `     still active: ${Object.entries(stillActive)
        .map(([s, n]) => `${s} ${n}`)
        .join(", ")}`,
    );
  if (r.never.length)
    console.log(`     never started: ${r.never.slice(0, 12).map(name).join(", ")}${r.never.length > 12 ? ", …" : ""}`);
  for (const f of r.fleets) {
    const c = f.counts ?? {};
    console.log(
      `     fleet ${f.sim + 1}: ${f.status}, ${c.done ?? 0} done, ${c.failed ?? 0} failed, ${c.not_started ?? 0} not started, ${c.skipped ?? 0} skipped`,
    );
  }
  const leftKinds = countBy(
    r.fleets.flatMap((f) =>
      f.left.map((d) =>
        truncate(`${d.state}: ${d.reason ?? ""}`.replace(UUID, "<id>").replace(/\blab-[mw]\d+\b/g, "<domain>"), 160),
      ),
    ),
  );
  for (const [text, n] of Object.entries(leftKinds)) console.log(`     left by the fleet x${n}: ${text}`);
  if (r.fleets.length < r.size.sims) console.log(`     fleets without a summary: ${r.size.sims - r.fleets.length}`);
  const errorKinds = countBy(
    r.errors.map(
      (e) => `${e.nodeType}: ${truncate(e.message.replace(UUID, "<id>").replace(/\blab-[mw]\d+\b/g, "<domain>"), 200)}`,
    ),
  );
  for (const [text, n] of Object.entries(errorKinds).slice(0, 6)) console.log(`     caught x${n}: ${text}`);
  console.log(
    `   final outputs: ${[...r.finalsPerDomain.values()].reduce((a, b) => a + b, 0)} (domains with more than one: ${dupFinals.length}, completed without one: ${missingFinals.length})`,
  );
  console.log(
    `   requests: ${r.requests} (${fmt(r.requestsPerDomain, 1)} per domain); minimum ${r.minimum} (${fmt(r.minimumPerDomain, 1)} per domain: ${r.minimumParts.logins} logins + ${r.minimumParts.writes} accepted writes + ${r.minimumParts.polls} polls for ${fmt(r.minimumParts.workSeconds, 0)} s of remote work) -> ${fmt(r.requestsPerDomain / r.minimumPerDomain, 2)} x the minimum${r.lost ? `; ${r.lost} requests LOST from the log` : ""}`,
  );
  if (r.verbose)
    for (const [template, n] of r.byTemplate.slice(0, 20))
      console.log(`     ${fmt(n / r.domains, 2).padStart(7)} per domain  ${template}`);
  console.log(
    `   duplicate upgrades: ${r.duplicates.length}${r.duplicates.map((d) => `\n     DUPLICATE POST /v1/upgrades bundle ${d.bundleId} on ${multi ? `sim${d.sim + 1}/` : ""}${d.domain}: HTTP ${d.statuses.join(", ")} (0 = no answer)`).join("")}`,
  );
  if (r.repeats.length) {
    const kinds = countBy(r.repeats.map((d) => `HTTP ${d.statuses.join(", ")}`));
    console.log(
      `   upgrade requests sent again after SDDC Manager refused them (not duplicates): ${r.repeats.length} bundle+domain pairs (${Object.entries(
        kinds,
      )
        .map(([k, n]) => `${k}: ${n}`)
        .join("; ")})`,
    );
  }
  console.log(
    `   event-loop delay in Node-RED: p50 ${fmt(r.eventLoop.p50, 1)} ms, p99 ${fmt(r.eventLoop.p99, 1)} ms, max ${fmt(r.eventLoop.max, 1)} ms`,
  );
  console.log(
    `   Node-RED: peak RSS ${fmt(r.maxRss / MiB)} MiB (at the end ${fmt(r.rss / MiB)} MiB), CPU ${fmt(r.cpuMs)} ms = ${fmt(r.cpuMsPerDomain)} ms per domain, written to disk ${r.writeBytes === undefined ? "n/a" : `${fmt(r.writeBytes / MiB, 1)} MiB`}`,
  );
  const peak = r.flowsPeak;
  console.log(
    `   GET /flows at the peak: ${peak ? `${fmt(peak.ms, 1)} ms (at ${fmt(peak.at, 0)} s, ${peak.active} runs active, ${peak.upgrading} upgrading, ${fmt(peak.requestRate)} requests/s)` : "n/a"}; slowest of ${r.flowsSamples}: ${fmt(r.flowsMax, 1)} ms`,
  );
  if (r.tempDir) console.log(`   kept: ${r.tempDir}`);
}

function table(results) {
  const head = [
    "size",
    "domains",
    "done",
    "failed",
    "wall s",
    "req/dom",
    "min/dom",
    "ratio",
    "EL p50",
    "EL p99",
    "EL max",
    "RSS MiB",
    "CPU ms/dom",
    "store MiB",
    "GET /flows ms",
    "dup",
  ];
  const rows = results.map((r) => [
    r.label,
    String(r.domains),
    String(r.completed.length),
    String(r.failed.length + r.active.length + r.never.length),
    fmt(r.wallSeconds, 1),
    fmt(r.requestsPerDomain, 1),
    fmt(r.minimumPerDomain, 1),
    fmt(r.requestsPerDomain / r.minimumPerDomain, 2),
    fmt(r.eventLoop.p50, 1),
    fmt(r.eventLoop.p99, 1),
    fmt(r.eventLoop.max, 1),
    fmt(r.maxRss / MiB),
    fmt(r.cpuMsPerDomain),
    r.writeBytes === undefined ? "n/a" : fmt(r.writeBytes / MiB, 1),
    r.flowsPeak ? fmt(r.flowsPeak.ms, 1) : "n/a",
    String(r.duplicates.length),
  ]);
  console.log(`\n| ${head.join(" | ")} |\n|${head.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  console.log(
    "(failed = failed + still active + never started; EL = event-loop delay in ms beyond the 10 ms sampling timer; store = Node-RED's write_bytes from /proc/<pid>/io)",
  );
}

/** PASS/MISS per target of issue 11 §6; n/a when the sizes needed are missing. */
function checks(results) {
  const line = (name, ok, detail) =>
    console.log(`  ${ok === undefined ? "n/a " : ok ? "PASS" : "MISS"}  ${name}: ${detail}`);
  console.log("\nTargets (issue 11, item 6; a benchmark: a MISS does not fail the process):");
  const lost = results.reduce((n, r) => n + r.domains - r.completed.length, 0);
  const total = results.reduce((n, r) => n + r.domains, 0);
  const dups = results.reduce((n, r) => n + r.duplicates.length, 0);
  line(
    "all domains complete with the outage on, 0 duplicate upgrades",
    lost === 0 && dups === 0,
    `${total - lost}/${total} completed, ${dups} duplicates`,
  );
  const worst = (f) => results.reduce((a, r) => (a === undefined || f(r) > f(a) ? r : a), undefined);
  const p99 = worst((r) => r.eventLoop.p99);
  const max = worst((r) => r.eventLoop.max);
  line(
    "event-loop p99 < 20 ms and max < 100 ms",
    p99.eventLoop.p99 < 20 && max.eventLoop.max < 100,
    `worst p99 ${fmt(p99.eventLoop.p99, 1)} ms (${p99.label}), worst max ${fmt(max.eventLoop.max, 1)} ms (${max.label})`,
  );
  const rss = worst((r) => r.maxRss);
  line("peak RSS < 300 MiB", rss.maxRss < 300 * MiB, `highest ${fmt(rss.maxRss / MiB)} MiB (${rss.label})`);
  const ratio = worst((r) => r.requestsPerDomain / r.minimumPerDomain);
  line(
    "requests per domain <= 1.5 x the minimum",
    results.every((r) => r.requestsPerDomain <= 1.5 * r.minimumPerDomain),
    results.map((r) => `${r.label} ${fmt(r.requestsPerDomain / r.minimumPerDomain, 2)}x`).join(", ") +
      ` (worst ${ratio.label})`,
  );
  const plain = results.filter((r) => !r.size.tls);
  const ten = plain.find((r) => r.domains === 11);
  const larger = plain.filter((r) => r.domains > 11);
  if (!ten || larger.length === 0)
    line(
      "CPU per domain flat from 10 to 204 domains (at most 1.25 x the 10-domain figure)",
      undefined,
      "needs size 10 and a larger plain size",
    );
  else {
    const top = larger.reduce((a, r) => (r.domains > a.domains ? r : a));
    line(
      "CPU per domain flat from 10 to 204 domains (at most 1.25 x the 10-domain figure)",
      larger.every((r) => r.cpuMsPerDomain <= 1.25 * ten.cpuMsPerDomain),
      [ten, ...larger]
        .map(
          (r) =>
            `${r.label} ${fmt(r.cpuMsPerDomain)} ms${r.completed.length < r.domains ? ` (${r.domains - r.completed.length} of ${r.domains} did not complete)` : ""}`,
        )
        .join(", ") + `${top.domains < 204 ? " (204 domains not run: 4x50)" : ""}`,
    );
  }
  const pairs = results
    .filter((r) => r.size.tls)
    .map((h) => [h, plain.find((p) => p.size.sims === h.size.sims && p.size.vi === h.size.vi)])
    .filter(([, p]) => p);
  if (pairs.length === 0)
    line(
      "HTTPS with a custom CA within 1.5 x plain CPU and RSS",
      undefined,
      "needs an https: size and the same plain size",
    );
  else {
    // The same work only when both completed every domain: an HTTPS fleet that lost its runs did less.
    const same = ([h, p]) => h.completed.length === h.domains && p.completed.length === p.domains;
    line(
      "HTTPS with a custom CA within 1.5 x plain CPU and RSS",
      pairs.every(
        (pair) => same(pair) && pair[0].cpuMs <= 1.5 * pair[1].cpuMs && pair[0].maxRss <= 1.5 * pair[1].maxRss,
      ),
      pairs
        .map(
          ([h, p]) =>
            `${h.label}: CPU ${fmt(h.cpuMs / p.cpuMs, 2)}x, RSS ${fmt(h.maxRss / p.maxRss, 2)}x${same([h, p]) ? "" : ` (not comparable: ${h.label} completed ${h.completed.length}/${h.domains}, ${p.label} ${p.completed.length}/${p.domains})`}`,
        )
        .join("; "),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const o = optionsOrExit("fleet bench", USAGE, () => parseArgs(process.argv.slice(2), process.env));
  releaseOnSignals("fleet bench", "Node-RED and the simulators");
  console.log(
    [
      `Fleet benchmark: sizes ${o.sizeList.map((s) => s.label).join(", ")}; simulator "many-domains", SDDC Manager outage on`,
      `(default ${1500} simulated s), time scale ${o.timeScale}x; vcf-config polls ${o.poll}-${o.maxPoll} s, read retries 4 from 0.1 s,`,
      `deadlines the defaults x ${DEADLINE_MARGIN} at the simulator's pace; Node-RED ${require("node-red/package.json").version} in a child process, ${os.cpus().length} CPUs, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}.`,
    ].join(" "),
  );
  const results = [];
  for (const size of o.sizeList) {
    if (isInterrupted()) break;
    const r = await runSize(size, o);
    if (!r || isInterrupted()) break;
    report(r);
    results.push(r);
  }
  if (isInterrupted() || results.length === 0) return;
  table(results);
  checks(results);
  console.log(
    [
      "\nMinimum requests: 2 logins per SDDC Manager (at the start and after its outage) + the writes it accepted (each",
      "distinct POST/PATCH once) + one poll per started second of each remote operation (downloads, check-set runs and",
      "component upgrades from GET /v1/tasks, target validations at their configured duration; at least one each).",
    ].join(" "),
  );
}

main().catch(exitOnFailure("fleet bench", 1));
