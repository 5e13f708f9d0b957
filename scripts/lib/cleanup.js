// What a script (soak, fleet benchmark) started, so that an interrupt or an error stops exactly that: the Node-RED
// child by its pid, the simulators by their handles, the temp directory unless it is kept. One record per process.
const fs = require("node:fs");

/** The Node-RED child, the simulators and the temp directory the script has running now; it keeps them up to date. */
const started = { child: undefined, sims: [], tempDir: undefined, keep: false };
let interrupted = false;

/** True once SIGINT or SIGTERM arrived: the script's loops stop, and the cleanup is under way. */
function isInterrupted() {
  return interrupted;
}

/** SIGKILL to the Node-RED child if it still runs; synchronous, so it also works in an "exit" handler. */
function killChildNow() {
  const child = started.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Kills the child, stops every simulator and removes the temp directory (unless kept); forgets them all. */
async function releaseAll() {
  killChildNow();
  started.child = undefined;
  const sims = started.sims;
  started.sims = [];
  await Promise.all(sims.map((sim) => sim.stop().catch(() => undefined)));
  removeTempDir();
}

/** Forgets the temp directory and removes it, unless it is to be kept. */
function removeTempDir() {
  const dir = started.tempDir;
  started.tempDir = undefined;
  if (dir && !started.keep) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * On SIGINT or SIGTERM: says `<name>: <signal>: stopping <what>, removing the temp directory`, releases everything
 * and exits 130; at any exit the child is killed.
 */
function releaseOnSignals(name, what) {
  const onSignal = (signal) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${name}: ${signal}: stopping ${what}, removing the temp directory`);
    releaseAll().finally(() => process.exit(130));
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("exit", () => killChildNow());
}

/** The handler for main()'s rejection: `<name> failed: <stack>`, everything released, exit `code` (not after a signal). */
function exitOnFailure(name, code) {
  return async (err) => {
    if (interrupted) return;
    console.error(`${name} failed: ${err.stack || err.message}`);
    await releaseAll();
    process.exit(code);
  };
}

module.exports = { started, isInterrupted, killChildNow, releaseAll, removeTempDir, releaseOnSignals, exitOnFailure };
