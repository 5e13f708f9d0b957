// `npm run soak`: a randomized SIGKILL soak. For each seed it starts the SDDC Manager simulator in this process
// ("many-domains": the management domain and N VI domains), starts a real Node-RED as a child process with a fleet
// flow deployed through the admin API (inject -> vcf-updates -> switch -> change -> download -> prechecks ->
// await-ack -> upgrade -> a sink that appends every final output to a file), triggers the fleet once, then kills
// Node-RED with SIGKILL at random moments (seeded) and restarts it on the same user directory, until every domain's
// run is terminal or the kill window closes; then it lets Node-RED run undisturbed to the end.
// It prints, per seed, kills, completed, failed, stuck runs (with status, phase, owner, phases done and sent),
// remote operations sent twice, final outputs per domain and wall time; it exits 1 when a run is stuck or anything
// was sent twice, so it can gate. Nothing is left behind: Node-RED is stopped by its pid, the simulator by its
// handle, the temp directory removed (also on Ctrl-C).
const fs = require("node:fs");
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
  isRunning,
  spawnNodeRed,
  killNodeRed,
  stopNodeRed,
  isEditorReady,
  waitForEditor,
  deploy,
  trigger,
} = require("./lib/node-red-child.js");

const BASE_SETTINGS = path.join(__dirname, "node-red-settings.js");

const USAGE = `usage: node scripts/soak.js [options]   (npm run soak -- [options])
  --seeds 1,2,3,4,5     seeds of the random kill intervals, one soak each; ranges too: 1-10 (default 1-5)
  --domains N           VI domains besides the management domain (default 10, at most 50)
  --outage on|off       SDDC Manager's own outage during its upgrade (default off)
  --outage-seconds S    its length in simulated seconds when on (default 5400: 90 min, about 5 s of wall time)
  --minutes M           wall-clock bound per seed (default 4)
  --kill-every A-B      seconds from one SIGKILL to the next, uniform (default 2-6); never before the restarted
                        Node-RED answers, and then at least 0.5-2 s later
  --kill-minutes K      stop killing K minutes after the trigger (default 60 % of --minutes); --kill-every 0: no kills
  --time-scale X        simulated seconds per wall second (default 500: an undisturbed fleet takes about a minute)
  --idle S              after the last kill, declare the unfinished runs stuck when no run changed for S s (default 30)
  --keep                keep each seed's temp directory (user directory, Node-RED log, outputs) and print its path
  --verbose             print every kill and restart as it happens`;

// ---------------------------------------------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const o = {
    seeds: [1, 2, 3, 4, 5],
    domains: 10,
    outage: false,
    outageSeconds: 5400,
    minutes: 4,
    killMin: 2,
    killMax: 6,
    killMinutes: undefined,
    timeScale: 500,
    idleSeconds: 30,
    keep: false,
    verbose: false,
  };
  readOptions(argv, USAGE, o, (flag, value) => {
    switch (flag) {
      case "--seeds": {
        const text = value() ?? "";
        o.seeds = text.split(",").flatMap((part) => {
          const range = /^\s*(\d+)-(\d+)\s*$/.exec(part);
          if (!range) return [numberOption("--seeds", part.trim(), { integer: true })];
          const [from, to] = [Number(range[1]), Number(range[2])];
          if (to < from || to - from >= 1000)
            throw new UsageError(`--seeds: the range ${part.trim()} must go upwards, at most 1000 seeds`);
          return Array.from({ length: to - from + 1 }, (_, i) => from + i);
        });
        break;
      }
      case "--domains":
        o.domains = numberOption("--domains", value(), { min: 1, integer: true });
        if (o.domains > 50) throw new UsageError("--domains: the simulator has at most 50 VI domains");
        break;
      case "--outage": {
        const v = value();
        if (v !== "on" && v !== "off") throw new UsageError(`--outage takes on or off, not "${v ?? ""}"`);
        o.outage = v === "on";
        break;
      }
      case "--outage-seconds":
        o.outageSeconds = numberOption("--outage-seconds", value(), { min: 1 });
        break;
      case "--minutes":
        o.minutes = numberOption("--minutes", value(), { min: 0.1 });
        break;
      case "--kill-minutes":
        o.killMinutes = numberOption("--kill-minutes", value());
        break;
      case "--kill-every": {
        const v = value() ?? "";
        const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(v);
        if (!m) throw new UsageError(`--kill-every takes seconds A-B (e.g. 2-6) or 0, not "${v}"`);
        o.killMin = Number(m[1]);
        o.killMax = m[2] === undefined ? o.killMin : Number(m[2]);
        if (o.killMax < o.killMin || (o.killMin === 0 && o.killMax !== 0))
          throw new UsageError(`--kill-every ${v}: give A-B with 0 < A <= B, or 0 for no kills`);
        break;
      }
      case "--time-scale":
        o.timeScale = numberOption("--time-scale", value(), { min: 1 });
        break;
      case "--idle":
        o.idleSeconds = numberOption("--idle", value(), { min: 1 });
        break;
      default:
        return false;
    }
    return true;
  });
  if (o.seeds.length === 0) throw new UsageError("--seeds needs at least one seed");
  o.killMinutes ??= o.minutes * 0.6;
  if (o.killMinutes > o.minutes) throw new UsageError("--kill-minutes cannot exceed --minutes");
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness: a 32-bit state advanced by a Weyl step and mixed by two multiply-xorshift rounds (mulberry32).

function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The flow a user would build for a fleet: one config node, one chain of phase nodes for every domain.

const IDS = {
  tab: "5a0c000000000001",
  config: "5a0c0000000000c0",
  inject: "5a0c000000000002",
  updates: "5a0c000000000003",
  withUpdate: "5a0c000000000004",
  setDomain: "5a0c000000000005",
  download: "5a0c000000000006",
  prechecks: "5a0c000000000007",
  ack: "5a0c000000000008",
  upgrade: "5a0c000000000009",
  sink: "5a0c00000000000a",
  catch: "5a0c00000000000b",
  errors: "5a0c00000000000c",
};
const NODE_NAMES = Object.fromEntries(Object.entries(IDS).map(([k, v]) => [v, k]));

/** Deadlines in the config dialog are minutes of wall time: the defaults, scaled to the simulator's pace, times this. */
const DEADLINE_MARGIN = 3;

function fleetFlow(simUrl, timeScale) {
  const scaled = (minutes) => Number(((minutes * DEADLINE_MARGIN) / timeScale).toFixed(6));
  const tab = IDS.tab;
  const config = {
    id: IDS.config,
    type: "vcf-config",
    name: "SDDC Manager (simulator)",
    url: simUrl,
    tlsMode: "verify",
    ca: "",
    tls: "",
    requestTimeout: 10,
    retryAttempts: 4,
    retryDelay: 0.2,
    pollInterval: 0.2,
    maxPollInterval: 1,
    downloadDeadline: scaled(240),
    validationDeadline: scaled(15),
    precheckDeadline: scaled(40),
    componentDeadline: scaled(180),
    sddcOutageBudget: scaled(120),
    sddcSettle: Number((5 / timeScale).toFixed(6)),
    authGrace: scaled(30),
    downloadConcurrency: 2,
    completedPause: 3600,
  };
  const phase = (id, type, name, next, extra = {}) => ({
    id,
    type,
    z: tab,
    name,
    server: IDS.config,
    domain: "",
    markdownMaxBytes: 12288,
    x: 0,
    y: 0,
    wires: [[next]],
    ...extra,
  });
  return [
    { id: tab, type: "tab", label: "VCF fleet soak", disabled: false, info: "" },
    config,
    {
      id: IDS.inject,
      type: "inject",
      z: tab,
      name: "Upgrade the fleet",
      props: [],
      repeat: "",
      crontab: "",
      once: false,
      onceDelay: 0.1,
      topic: "",
      x: 0,
      y: 0,
      wires: [[IDS.updates]],
    },
    {
      id: IDS.updates,
      type: "vcf-updates",
      z: tab,
      name: "Updates",
      server: IDS.config,
      domain: "",
      x: 0,
      y: 0,
      wires: [[IDS.withUpdate]],
    },
    {
      id: IDS.withUpdate,
      type: "switch",
      z: tab,
      name: "update available",
      property: "payload.updateAvailable",
      propertyType: "msg",
      rules: [{ t: "true" }],
      checkall: "true",
      repair: false,
      outputs: 1,
      x: 0,
      y: 0,
      wires: [[IDS.setDomain]],
    },
    {
      id: IDS.setDomain,
      type: "change",
      z: tab,
      name: "msg.domain = domain name",
      rules: [{ t: "set", p: "domain", pt: "msg", to: "payload.domainName", tot: "msg" }],
      x: 0,
      y: 0,
      wires: [[IDS.download]],
    },
    phase(IDS.download, "vcf-download-bundles", "Download bundles", IDS.prechecks, { targetVersion: "" }),
    phase(IDS.prechecks, "vcf-prechecks", "Prechecks", IDS.ack),
    phase(IDS.ack, "vcf-await-ack", "Acknowledgement", IDS.upgrade, {
      ignoreAlerts: true,
      alsoIgnoreErrors: true,
      failOnErrors: false,
    }),
    { ...phase(IDS.upgrade, "vcf-upgrade", "Upgrade", IDS.sink) },
    {
      id: IDS.sink,
      type: "function",
      z: tab,
      name: "record final output",
      outputs: 0,
      noerr: 0,
      initialize: "",
      finalize: "",
      libs: [],
      func: [
        "const vcf = msg.vcf || {};",
        "global.get('soakRecord')({ kind: 'output', domain: vcf.domainName, runId: vcf.runId, status: vcf.status, phase: vcf.phase, msgid: msg._msgid });",
        "return null;",
      ].join("\n"),
      x: 0,
      y: 0,
      wires: [],
    },
    {
      id: IDS.catch,
      type: "catch",
      z: tab,
      name: "VCF errors",
      scope: null,
      uncaught: false,
      x: 0,
      y: 0,
      wires: [[IDS.errors]],
    },
    {
      id: IDS.errors,
      type: "function",
      z: tab,
      name: "record error",
      outputs: 0,
      noerr: 0,
      initialize: "",
      finalize: "",
      libs: [],
      func: [
        "const e = msg.error || {};",
        "const source = e.source || {};",
        "global.get('soakRecord')({ kind: 'error', node: source.name || source.type, domain: (msg.vcf && msg.vcf.domainName) || msg.domain, message: String(e.message || '').slice(0, 300) });",
        "return null;",
      ].join("\n"),
      x: 0,
      y: 0,
      wires: [],
    },
  ];
}

/** The repository's settings with a fixed credential secret (credentials decrypt after every restart) and the sink. */
function writeSettings(file, outputsFile) {
  const text = `// Written by scripts/soak.js for one seed; removed with its temp directory.
const fs = require("node:fs");
const base = require(${JSON.stringify(BASE_SETTINGS)});
const outputs = ${JSON.stringify(outputsFile)};
module.exports = {
  ...base,
  credentialSecret: "vcf-soak-fixed-secret",
  logging: { console: { level: "info", metrics: false, audit: false } },
  // Only this package besides the core nodes: the other palettes installed for development (dashboard, Home
  // Assistant) would add seconds to every restart.
  externalModules: { autoInstall: false, palette: { allowInstall: false, allowList: ["@vcf-lcm/node-red-vcf-upgrade"], denyList: ["*"] } },
  // Appends synchronously: a line is on disk before the function node returns.
  functionGlobalContext: { soakRecord: (entry) => fs.appendFileSync(outputs, JSON.stringify({ at: Date.now(), ...entry }) + "\\n") },
};
`;
  fs.writeFileSync(file, text);
}

// ---------------------------------------------------------------------------------------------------------------
// Node-RED as a child process

/** Starts Node-RED on the seed's user directory, its output appended to the log after a line that counts the starts. */
function startNodeRed(ctx) {
  fs.appendFileSync(ctx.logFile, `\n===== soak: start ${ctx.starts + 1} at ${new Date().toISOString()} =====\n`);
  const log = fs.openSync(ctx.logFile, "a");
  let spawned;
  try {
    spawned = spawnNodeRed(ctx, { stdio: ["ignore", log, log] });
  } finally {
    fs.closeSync(log);
  }
  ctx.starts++;
  const info = { ...spawned, spawnedAt: Date.now(), readyAt: undefined, grace: 0, killedByUs: false };
  spawned.child.once("error", (err) => fs.appendFileSync(ctx.logFile, `soak: spawn error ${err.message}\n`));
  return info;
}

// ---------------------------------------------------------------------------------------------------------------
// What is on disk and what the simulator saw

/** The runs file is replaced atomically (rename), so a read sees the old or the new file. */
function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    if (err.code === "ENOENT") return undefined;
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** The runs of the run store: one file per run in its folder (see src/store/file-store.ts). */
function readRuns(ctx) {
  let names;
  try {
    names = fs.readdirSync(ctx.runsDir);
  } catch (err) {
    if (err.code === "ENOENT") return [];
    throw err;
  }
  return names
    .filter((n) => /^run-.*\.json$/.test(n))
    .map((n) => readJson(path.join(ctx.runsDir, n)))
    .filter(Boolean);
}

/** completed | failed | active, from the status and, once the status is back at waiting_for_initiation, the outcome. */
function verdict(run) {
  if (run.status === "successfully_completed") return "completed";
  if (run.status === "failed") return "failed";
  if (run.status === "waiting_for_initiation" && run.outcome === "successfully_completed") return "completed";
  if (run.status === "waiting_for_initiation" && run.outcome === "failed") return "failed";
  return "active";
}

/** The newest run per domain name. */
function latestRuns(runs) {
  const byDomain = new Map();
  for (const run of runs) {
    const seen = byDomain.get(run.domainName);
    if (!seen || String(run.createdAt) > String(seen.createdAt)) byDomain.set(run.domainName, run);
  }
  return byDomain;
}

function readSink(ctx) {
  let text = "";
  try {
    text = fs.readFileSync(ctx.outputsFile, "utf8");
  } catch (err) {
    if (err.code !== "ENOENT") throw err;
  }
  const entries = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line));
    } catch {
      // a line cut by a kill mid-write
    }
  }
  return entries;
}

/** Collects the simulator's request log through GET /sim/requests?since= (it keeps only the newest 5000). */
class RequestCollector {
  constructor(simUrl) {
    this.simUrl = simUrl;
    this.lastSeq = 0;
    this.total = 0;
    this.lost = 0;
    /** Only the requests that change something; GETs are counted, not kept. */
    this.mutating = [];
  }

  async poll() {
    const res = await fetch(`${this.simUrl}/sim/requests?since=${this.lastSeq}`);
    const list = await res.json();
    for (const e of list) {
      if (e.seq <= this.lastSeq) continue;
      if (e.seq > this.lastSeq + 1) this.lost += e.seq - this.lastSeq - 1;
      this.lastSeq = e.seq;
      this.total++;
      if (e.method !== "GET" && !e.path.startsWith("/v1/tokens")) {
        this.mutating.push({
          seq: e.seq,
          at: e.at,
          method: e.method,
          path: e.path,
          status: e.status,
          body: e.requestBody,
        });
      }
    }
  }
}

/**
 * Remote operations sent more than once, after the rules the tests use: a POST /v1/upgrades per bundle and target
 * (refused ones included: a repeat is a repeat), a check-set run per domain, a task retry per task. Bundles are shared
 * by the domains of a fleet, so runs starting together may each ask for the same download: SDDC Manager answers all
 * but the first with 409 ("already requested", which DESIGN.md's idempotency rules expect). For a bundle, only the
 * requests it did not refuse count (accepted, or no answer at all): two of them are a second download.
 */
function duplicatesIn(requests, names) {
  const groups = new Map();
  const add = (key, label, e) => {
    const g = groups.get(key) ?? { label, statuses: [] };
    g.statuses.push(e.status);
    groups.set(key, g);
  };
  const bundleRefused = new Map();
  for (const e of requests) {
    if (e.method === "POST" && e.path === "/v1/upgrades") {
      const targets = (e.body?.resourceUpgradeSpecs ?? []).map((s) => String(s.resourceId)).sort();
      const domains = [...new Set(targets.map((id) => names.get(id) ?? id))].join("+");
      add(
        `upgrade ${e.body?.bundleId} ${targets.join("+")}`,
        `POST /v1/upgrades bundle ${e.body?.bundleId} on ${domains} (${e.body?.resourceType} ${targets.length})`,
        e,
      );
    } else if (e.method === "PATCH" && /^\/v1\/bundles\/[^/]+$/.test(e.path)) {
      if (e.status === 409) bundleRefused.set(e.path, (bundleRefused.get(e.path) ?? 0) + 1);
      else add(`bundle ${e.path}`, `PATCH ${e.path} (not refused)`, e);
    } else if (e.method === "POST" && e.path === "/v1/system/check-sets") {
      const ids = (e.body?.resources ?? []).map((r) => r.domain?.domainId ?? r.resourceId);
      const domains = [...new Set(ids.map((id) => names.get(id) ?? String(id)))].sort().join("+");
      add(`check-set ${domains}`, `POST /v1/system/check-sets for ${domains}`, e);
    } else if (e.method === "PATCH" && /^\/v1\/tasks\/[^/]+$/.test(e.path)) {
      add(`task ${e.path}`, `PATCH ${e.path} (task retry)`, e);
    }
  }
  const duplicates = [...groups.values()]
    .filter((g) => g.statuses.length > 1)
    .map((g) => ({ ...g, count: g.statuses.length }));
  const refusedBundleRequests = [...bundleRefused.values()].reduce((a, b) => a + b, 0);
  return { duplicates, refusedBundleRequests };
}

// ---------------------------------------------------------------------------------------------------------------
// One seed

async function soakSeed(seed, o) {
  const random = seededRandom(seed);
  const dirs = nodeRedTempDir(`vcf-soak-${seed}-`, o.keep);
  const { tempDir } = dirs;
  const ctx = {
    ...dirs,
    outputsFile: path.join(tempDir, "outputs.ndjson"),
    runsDir: path.join(dirs.userDir, `vcf-upgrade-runs-${IDS.config}`),
    port: 0,
    starts: 0,
  };
  const nodeRecordsFile = path.join(ctx.userDir, `vcf-upgrade-node-records-${IDS.config}.json`);
  writeSettings(ctx.settingsFile, ctx.outputsFile);

  const sim = await startSimulator({
    host: "127.0.0.1",
    port: 0,
    scenario: "many-domains",
    domains: o.domains,
    timeScale: o.timeScale,
    faults: { outageSeconds: o.outage ? o.outageSeconds : 0 },
  });
  started.sims = [sim];
  const names = resourceNames(sim);
  const expected = [...new Set(names.values())].sort();
  if (expected.length !== o.domains + 1) {
    throw new Error(
      `the simulator's state lists ${expected.length} domains, expected the management domain and ${o.domains} VI domains`,
    );
  }
  const collector = new RequestCollector(sim.url);
  ctx.port = await freePort();
  const editor = `http://127.0.0.1:${ctx.port}`;
  const say = (text) =>
    o.verbose && console.log(`  [seed ${seed} ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${text}`);

  let t0 = Date.now();
  let node = startNodeRed(ctx);
  await waitForEditor(editor, node.child, { timeoutMs: 120_000, intervalMs: 100 });
  node.readyAt = Date.now();
  await deploy(editor, fleetFlow(sim.url, o.timeScale), new Map([[IDS.config, sim.credentials]]), "the fleet flow");
  await trigger(editor, IDS.inject);
  t0 = Date.now();
  say(`triggered the fleet (${expected.length} domains) on ${editor}, Node-RED log ${ctx.logFile}`);

  const killing = o.killMin > 0;
  const killUntil = t0 + o.killMinutes * 60_000;
  const hardUntil = t0 + o.minutes * 60_000;
  const nextKillAfter = () => (o.killMin + random() * (o.killMax - o.killMin)) * 1000;
  let nextKillAt = Infinity;
  let armed = false;
  const kills = [];
  let unexpectedExits = 0;
  let lastChangeAt = Date.now();
  let lastFingerprint = "";
  let lastKillAt;
  let endReason = "bound";

  while (!isInterrupted()) {
    await sleep(250);
    const now = Date.now();
    await collector.poll();
    const runs = readRuns(ctx);
    const latest = latestRuns(runs);
    const fingerprint = runs
      .map((r) => `${r.id}:${r.updatedAt}:${r.status}`)
      .sort()
      .join(",");
    if (fingerprint !== lastFingerprint) {
      lastFingerprint = fingerprint;
      lastChangeAt = now;
    }
    const allTerminal = expected.every((d) => latest.has(d) && verdict(latest.get(d)) !== "active");

    // Node-RED that went away by itself is a finding: count it and start it again.
    if (!node.killedByUs && !isRunning(node.child)) {
      unexpectedExits++;
      say(`Node-RED exited by itself (code ${node.child.exitCode}, signal ${node.child.signalCode}); restarting`);
      node = startNodeRed(ctx);
      node.grace = 500 + random() * 1500;
    }
    if (!node.readyAt && (await isEditorReady(editor))) node.readyAt = Date.now();

    // Kills start once every domain has a run (the trigger went through), at the latest 60 s after the trigger.
    if (killing && !armed && (expected.every((d) => latest.has(d)) || now - t0 > 60_000)) {
      armed = true;
      nextKillAt = now + nextKillAfter();
    }
    // A kill comes 2-6 s after the previous one (the default), so some land while the restarted Node-RED resumes
    // its runs; on a machine so slow that Node-RED has not answered by then, it comes 0.5-2 s after it answers, so
    // every start gets a little further.
    const killAt = node.readyAt === undefined ? Infinity : Math.max(nextKillAt, node.readyAt + node.grace);
    if (armed && !allTerminal && now >= killAt && now < killUntil) {
      const up = (now - node.readyAt) / 1000;
      await killNodeRed(node);
      lastKillAt = Date.now();
      const statuses = countBy([...latest.values()].map((r) => r.status));
      kills.push({ at: (lastKillAt - t0) / 1000, up, statuses });
      say(
        `SIGKILL ${kills.length}, ${up.toFixed(1)} s after Node-RED answered (it took ${((node.readyAt - node.spawnedAt) / 1000).toFixed(1)} s to start): ${formatCounts(statuses)}`,
      );
      node = startNodeRed(ctx);
      node.grace = 500 + random() * 1500;
      nextKillAt = node.spawnedAt + nextKillAfter();
      continue;
    }

    // The end: every run terminal, and the Node-RED that is up has been up long enough to resend a lost output.
    const quietSince = Math.max(node.readyAt ?? Infinity, lastKillAt ?? 0);
    const sinkQuiet = readSink(ctx).every((e) => now - e.at > 2000);
    if (allTerminal && now - quietSince >= 5000 && sinkQuiet) {
      endReason = "all terminal";
      break;
    }
    const killsOver = !killing || now >= killUntil;
    if (killsOver && node.readyAt && now - Math.max(lastChangeAt, quietSince) >= o.idleSeconds * 1000) {
      endReason = `no run changed for ${o.idleSeconds} s after the last kill`;
      break;
    }
    if (now >= hardUntil) {
      endReason = `wall-clock bound of ${o.minutes} min`;
      break;
    }
  }
  const wallSeconds = (Date.now() - t0) / 1000;
  await stopNodeRed(node);
  await collector.poll();
  const runs = readRuns(ctx);
  const sent = readJson(nodeRecordsFile)?.sent ?? {};
  const sink = readSink(ctx);
  const result = summarize({
    seed,
    o,
    expected,
    runs,
    sent,
    sink,
    requests: collector,
    names,
    kills,
    unexpectedExits,
    wallSeconds,
    endReason,
    lastKillAt: lastKillAt === undefined ? undefined : (lastKillAt - t0) / 1000,
    tempDir,
  });
  started.sims = [];
  await sim.stop();
  removeTempDir();
  return result;
}

function summarize(x) {
  const latest = latestRuns(x.runs);
  const notStarted = x.expected.filter((domain) => !latest.has(domain));
  const expectedRuns = x.expected.filter((domain) => latest.has(domain)).map((domain) => latest.get(domain));
  const completed = expectedRuns.filter((run) => verdict(run) === "completed");
  const failed = expectedRuns.filter((run) => verdict(run) === "failed");
  const stuck = expectedRuns.filter((run) => verdict(run) === "active");
  const extraRuns = x.runs.length - latest.size;
  const outputs = new Map();
  for (const e of x.sink.filter((s) => s.kind === "output"))
    outputs.set(e.domain, [...(outputs.get(e.domain) ?? []), e]);
  const duplicateOutputs = [...outputs.entries()].filter(([, list]) => list.length > 1);
  const missingOutputs = completed.filter((run) => !outputs.has(run.domainName)).map((r) => r.domainName);
  const errors = x.sink.filter((s) => s.kind === "error");
  const { duplicates, refusedBundleRequests } = duplicatesIn(x.requests.mutating, x.names);
  return {
    ...x,
    completed,
    failed,
    stuck,
    notStarted,
    extraRuns,
    outputs,
    duplicateOutputs,
    missingOutputs,
    errors,
    duplicates,
    refusedBundleRequests,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Printing

function report(r) {
  const line = [
    `seed ${r.seed}:`,
    `kills ${r.kills.length}${r.unexpectedExits ? ` (+${r.unexpectedExits} exits by itself)` : ""},`,
    `domains ${r.expected.length},`,
    `completed ${r.completed.length},`,
    `failed ${r.failed.length},`,
    `stuck ${r.stuck.length},`,
    r.notStarted.length ? `not started ${r.notStarted.length},` : "",
    `duplicates ${r.duplicates.length},`,
    `final outputs ${[...r.outputs.values()].reduce((n, l) => n + l.length, 0)} (duplicate ${r.duplicateOutputs.length}, missing ${r.missingOutputs.length}),`,
    `wall ${r.wallSeconds.toFixed(1)} s`,
  ]
    .filter(Boolean)
    .join(" ");
  console.log(line);
  const lastKill = r.lastKillAt === undefined ? "no kill" : `last kill at ${r.lastKillAt.toFixed(1)} s`;
  console.log(
    `    ended: ${r.endReason}; ${lastKill}; ${r.requests.total} requests (${r.requests.mutating.length} changing, ${r.refusedBundleRequests} bundle downloads refused as already requested)${r.requests.lost ? `, ${r.requests.lost} LOST from the log` : ""}; ${r.errors.length} errors caught by the flow`,
  );
  for (const run of r.failed) {
    console.log(
      `    failed ${run.domainName}: ${run.failureCode ?? "?"} in ${run.phase}: ${truncate(run.failureReason ?? "", 200)}`,
    );
  }
  for (const run of r.stuck) {
    const owner = run.ownerNodeId ? `${NODE_NAMES[run.ownerNodeId] ?? "?"} (${run.ownerNodeId})` : "none";
    const last = run.log?.at(-1);
    const idle = ((Date.now() - Date.parse(run.updatedAt)) / 1000).toFixed(0);
    console.log(
      `    STUCK ${run.domainName}: status ${run.status}, phase ${run.phase}, owner ${owner}, done [${(run.completedPhases ?? []).join(", ")}], sent [${(r.sent[run.id] ?? []).join(", ")}], unchanged for ${idle} s; last log: ${truncate(last ? `${last.phase ?? ""} ${last.text}` : "-", 160)}`,
    );
  }
  if (r.notStarted.length) console.log(`    not started (no run in the store): ${r.notStarted.join(", ")}`);
  if (r.extraRuns) console.log(`    ${r.extraRuns} more run(s) than domains in the store`);
  for (const d of r.duplicates)
    console.log(`    DUPLICATE ${d.label}: ${d.count} times (HTTP ${d.statuses.join(", ")})`);
  for (const [domain, list] of r.duplicateOutputs)
    console.log(
      `    DUPLICATE OUTPUT ${domain}: ${list.length} final outputs (runs ${[...new Set(list.map((e) => e.runId))].join(", ")})`,
    );
  if (r.missingOutputs.length)
    console.log(`    completed without a final output at the sink: ${r.missingOutputs.join(", ")}`);
  // Errors grouped by their text with ids and domain names blanked out.
  const errorKinds = countBy(
    r.errors.map(
      (e) => `${e.node}: ${truncate(e.message.replace(UUID, "<id>").replace(/\blab-[mw]\d+\b/g, "<domain>"), 240)}`,
    ),
  );
  for (const [text, n] of Object.entries(errorKinds).slice(0, 5)) console.log(`    error ×${n} ${text}`);
  if (r.tempDir && r.o.keep) console.log(`    kept: ${r.tempDir}`);
}

function summaryLine(results, o) {
  const sum = (f) => results.reduce((n, r) => n + f(r), 0);
  const stuck = sum((r) => r.stuck.length);
  const duplicates = sum((r) => r.duplicates.length);
  const duplicateOutputs = sum((r) => r.duplicateOutputs.length);
  const pass = stuck === 0 && duplicates === 0;
  return [
    `soak summary: ${results.length} seed(s) [${results.map((r) => r.seed).join(",")}], outage ${o.outage ? "on" : "off"}, ${o.domains} VI domains + management:`,
    `kills ${sum((r) => r.kills.length)},`,
    `completed ${sum((r) => r.completed.length)}/${sum((r) => r.expected.length)},`,
    `failed ${sum((r) => r.failed.length)},`,
    `stuck ${stuck},`,
    `not started ${sum((r) => r.notStarted.length)},`,
    `duplicates ${duplicates},`,
    `duplicate outputs ${duplicateOutputs},`,
    `missing outputs ${sum((r) => r.missingOutputs.length)},`,
    `wall ${sum((r) => r.wallSeconds).toFixed(0)} s`,
    `-> ${pass ? "PASS" : "FAIL (stuck or duplicates)"}`,
  ].join(" ");
}

function formatCounts(counts) {
  return (
    Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(", ") || "no runs yet"
  );
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  const o = optionsOrExit("soak", USAGE, () => parseArgs(process.argv.slice(2)));
  releaseOnSignals("soak", "Node-RED and the simulator");
  const killText =
    o.killMin > 0 ? `SIGKILL every ${o.killMin}-${o.killMax} s for up to ${o.killMinutes.toFixed(1)} min` : "no kills";
  console.log(
    `SIGKILL soak: seeds ${o.seeds.join(",")}, management + ${o.domains} VI domains, SDDC Manager outage ${o.outage ? `on (${o.outageSeconds} simulated s)` : "off"}, time scale ${o.timeScale}x, ${killText}, bound ${o.minutes} min per seed`,
  );
  const results = [];
  for (const seed of o.seeds) {
    if (isInterrupted()) break;
    const result = await soakSeed(seed, o);
    if (isInterrupted()) break;
    report(result);
    results.push(result);
  }
  if (isInterrupted()) return;
  console.log(summaryLine(results, o));
  const failing = results.some((r) => r.stuck.length > 0 || r.duplicates.length > 0);
  process.exitCode = failing ? 1 : 0;
}

main().catch(exitOnFailure("soak", 3));
