// Node-RED as a child process for the soak and the fleet benchmark: a free port, red.js with a settings file and a
// user directory, stopping or killing it by pid, waiting until its editor answers, and the admin API calls they make
// (deploying a flow with its credentials, pressing an inject button).
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { started, killChildNow } = require("./cleanup.js");
const { sleep } = require("./cli.js");

const REPO_ROOT = path.join(__dirname, "..", "..");
const RED_JS = require.resolve("node-red/red.js");

/** A TCP port on 127.0.0.1 that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A fresh temp directory `<tmp>/<prefix>XXXXXX` with an empty user directory, recorded for the cleanup (kept at the end
 * when `keep`). Returns its path and where Node-RED's user directory, settings file and log go in it.
 */
function nodeRedTempDir(prefix, keep) {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  started.tempDir = tempDir;
  started.keep = keep;
  const dirs = {
    tempDir,
    userDir: path.join(tempDir, "user"),
    settingsFile: path.join(tempDir, "settings.js"),
    logFile: path.join(tempDir, "node-red.log"),
  };
  fs.mkdirSync(dirs.userDir);
  return dirs;
}

/** Whether the child has neither exited nor been ended by a signal. */
function isRunning(child) {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Spawns red.js with `--settings settingsFile --userDir userDir` and PORT=port, from the repository root, `nodeArgs`
 * (e.g. `--require preload.js`) before red.js and `stdio` as for spawn; records the child for the cleanup.
 * Returns { child, exited }, exited resolving with { code, signal }.
 */
function spawnNodeRed({ settingsFile, userDir, port }, { nodeArgs = [], stdio }) {
  const child = spawn(process.execPath, [...nodeArgs, RED_JS, "--settings", settingsFile, "--userDir", userDir], {
    cwd: REPO_ROOT,
    stdio,
    env: { ...process.env, PORT: String(port) },
  });
  started.child = child;
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, exited };
}

/** SIGKILL by pid (marking node.killedByUs) and waits for the exit. */
async function killNodeRed(node) {
  node.killedByUs = true;
  if (isRunning(node.child)) process.kill(node.child.pid, "SIGKILL");
  await node.exited;
}

/** A graceful stop (SIGTERM: Node-RED closes its flows), SIGKILL after 10 s; marks node.killedByUs, forgets the child. */
async function stopNodeRed(node) {
  node.killedByUs = true;
  if (isRunning(node.child)) {
    process.kill(node.child.pid, "SIGTERM");
    const timer = setTimeout(() => killChildNow(), 10_000);
    await node.exited;
    clearTimeout(timer);
  }
  if (started.child === node.child) started.child = undefined;
}

/** Whether the editor answers GET /settings within 2 s. */
async function isEditorReady(editor) {
  try {
    const res = await fetch(`${editor}/settings`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Waits until the editor answers, asking every `intervalMs`; throws when the child exits first (with `tail`, its last
 * lines of output, when given) or after `timeoutMs`.
 */
async function waitForEditor(editor, child, { timeoutMs, intervalMs, tail }) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isRunning(child)) {
      throw new Error(
        `Node-RED exited (code ${child.exitCode}, signal ${child.signalCode}) before it answered${tail ? `:\n${tail.join("\n")}` : ""}`,
      );
    }
    if (await isEditorReady(editor)) return;
    await sleep(intervalMs);
  }
  throw new Error(`Node-RED did not answer on ${editor} within ${timeoutMs / 1000} s`);
}

/**
 * Deploys `flows` (a full deployment through the admin API) with `credentials` (a Map from config node id to its
 * credentials) on those nodes, so Node-RED stores them encrypted; `what` names the flow in the error.
 */
async function deploy(editor, flows, credentials, what) {
  const headers = { "Content-Type": "application/json", "Node-RED-API-Version": "v2" };
  const current = await (await fetch(`${editor}/flows`, { headers })).json();
  const withCredentials = flows.map((node) =>
    credentials.has(node.id) ? { ...node, credentials: credentials.get(node.id) } : node,
  );
  const res = await fetch(`${editor}/flows`, {
    method: "POST",
    headers: { ...headers, "Node-RED-Deployment-Type": "full" },
    body: JSON.stringify({ flows: withCredentials, rev: current.rev }),
  });
  if (!res.ok) throw new Error(`deploying ${what} failed: HTTP ${res.status} ${await res.text()}`);
}

/** Presses the inject node's button (POST /inject/:id); 404 until the deployed flow has started. */
async function trigger(editor, injectId) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${editor}/inject/${injectId}`, { method: "POST" });
    if (res.ok) return;
    if (res.status !== 404 || attempt >= 300) throw new Error(`triggering the inject node failed: HTTP ${res.status}`);
    await sleep(100);
  }
}

module.exports = {
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
};
