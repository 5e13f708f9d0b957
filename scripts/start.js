// `npm start`: the simulator, then Node-RED 4.1 with this package and the example flows (main and dashboard)
// deployed against it.
// Ctrl-C stops both. The user directory (.node-red-dev/) is git-ignored and kept between starts, so a
// second start keeps what the user changed in the flow.
const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { startSimulator } = require("../nodes/sim/index.js");
const { waitForEditor, deploy } = require("./lib/node-red-child.js");

const repoRoot = path.join(__dirname, "..");
const userDir = path.join(repoRoot, ".node-red-dev");
const mainExample = path.join(repoRoot, "examples", "01 - Upgrade a domain.json");
const dashboardExample = path.join(repoRoot, "examples", "02 - Dashboard.json");
const editorPort = Number(process.env.PORT || 1880);
const simPort = Number(process.env.VCF_SIM_PORT || 18443);
// At this scale a whole domain upgrade (downloads, prechecks, SDDC Manager outage, NSX, vCenter, ESXi)
// takes about a minute of wall time.
const timeScale = Number(process.env.VCF_SIM_TIME_SCALE || 400);
const scenario = process.env.VCF_SIM_SCENARIO || "precheck-warnings";

async function main() {
  const sim = await startSimulator({ port: simPort, scenario, timeScale }).catch((err) => {
    throw new Error(
      `the simulator could not listen on 127.0.0.1:${simPort} (${err.message}); set VCF_SIM_PORT to a free port`,
    );
  });
  fs.mkdirSync(userDir, { recursive: true });
  const seed = fs.existsSync(path.join(userDir, "flows.json")) ? undefined : demoFlows(sim.url);
  clearStoredRuns();
  const nodeRed = spawn(
    process.execPath,
    [
      require.resolve("node-red/red.js"),
      "--settings",
      path.join(__dirname, "node-red-settings.js"),
      "--userDir",
      userDir,
    ],
    { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, PORT: String(editorPort) } },
  );

  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    if (nodeRed.exitCode === null) nodeRed.kill("SIGINT");
    await sim.stop();
    process.exitCode = code;
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  nodeRed.on("exit", (code) => void stop(code ?? 0));

  const editor = `http://127.0.0.1:${editorPort}`;
  await waitForEditor(editor, nodeRed, { timeoutMs: 60_000, intervalMs: 200 });
  // With the simulator's credentials on the config node (Node-RED stores them encrypted).
  if (seed) await deploy(editor, seed.flows, new Map([[seed.configId, sim.credentials]]), "the demo flows");
  console.log(
    [
      "",
      `  Node-RED editor:      ${editor}/`,
      `  Dashboard:            ${editor}/dashboard/vcf-upgrade`,
      `  SDDC Manager (sim):   ${sim.url}  scenario "${scenario}", time scale ${timeScale}x`,
      `  Sim credentials:      ${sim.credentials.username} / ${sim.credentials.password}`,
      "  Press Ctrl-C to stop both.",
      "",
    ].join("\n"),
  );
}

/**
 * The simulator starts with a fresh datacenter every time, so runs stored by an earlier demo would point at
 * remote work that no longer exists: they are removed before Node-RED starts. The flow itself is kept.
 */
function clearStoredRuns() {
  // The run store is a folder of run files per config node (an older one a single .json file); the sent record is a file.
  const stored = fs.readdirSync(userDir).filter((name) => /^vcf-upgrade-(runs|node-records)-/.test(name));
  for (const name of stored) fs.rmSync(path.join(userDir, name), { recursive: true, force: true });
  if (stored.length > 0)
    console.log(`npm start: removed the runs of the previous demo (${stored.join(", ")}); the simulator starts fresh`);
}

/**
 * The main example and the dashboard example on one SDDC Manager config node pointed at the simulator, for a
 * fresh user directory. They are deployed through the admin API together with the credentials, so the flow
 * never runs without them and no credential is written into a flow file.
 */
function demoFlows(simUrl) {
  const main = readExample(mainExample);
  const config = main.find((node) => node.type === "vcf-config");
  if (!config) throw new Error(`${mainExample} has no vcf-config node`);
  // The examples are written for a real SDDC Manager; the demo points them at the simulator and polls at its pace.
  Object.assign(config, {
    url: simUrl,
    tlsMode: "verify",
    pollInterval: 0.2,
    maxPollInterval: 1,
    sddcSettle: 0,
    completedPause: 30,
  });
  return { flows: [...main, ...onConfig(readExample(dashboardExample), config.id)], configId: config.id };
}

function readExample(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** The flow without its own vcf-config node, its VCF nodes using `configId` instead (one engine for both tabs). */
function onConfig(flow, configId) {
  const own = new Set(flow.filter((node) => node.type === "vcf-config").map((node) => node.id));
  return flow
    .filter((node) => !own.has(node.id))
    .map((node) => (own.has(node.server) ? { ...node, server: configId } : node));
}

main().catch((err) => {
  console.error(`npm start failed: ${err.message}`);
  process.exit(1);
});
