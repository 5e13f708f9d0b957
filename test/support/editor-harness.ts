// Shared set-up of the browser tests: the real simulator, Node-RED 4.1 as a child process with this package
// (and the dashboard and Home Assistant companions) loaded from the repository, and headless Chromium.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../nodes/sim/index";
import type { EditorGlobals } from "./editor-red";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const PACKAGE_NAME = "@vcf-lcm/node-red-vcf-upgrade";
export const CHROMIUM_PATH = "/usr/bin/chromium";
export const SCREENSHOT_DIR = path.join(REPO_ROOT, "test-artifacts", "screenshots");
export const EXAMPLE_NAMES = ["01 - Upgrade a domain", "02 - Dashboard", "03 - Home Assistant"] as const;
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

/** A node of a flow file: only the fields the tests read are typed. */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  x?: number;
  y?: number;
  wires?: string[][];
  [key: string]: unknown;
}

/** Why the suite cannot run here, or undefined when Chromium is installed. */
export function missingBrowserReason(): string | undefined {
  if (fs.existsSync(CHROMIUM_PATH)) return undefined;
  return `Chromium is missing at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\` (Debian) to run the browser tests`;
}

export function readExample(name: ExampleName): FlowNode[] {
  const parsed: unknown = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "examples", `${name}.json`), "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`examples/${name}.json is not a JSON array`);
  return parsed as FlowNode[];
}

/** A port nobody listens on right now (listen on 0, read the port, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface NodeRedInstance {
  /** e.g. http://127.0.0.1:41235 (no trailing slash) */
  url: string;
  userDir: string;
  /** The child's output so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts Node-RED with the repository's settings file in a fresh user directory and waits until it answers. */
export async function startNodeRed(): Promise<NodeRedInstance> {
  const port = await freePort();
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "vcf-editor-"));
  const child = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, "node_modules", "node-red", "red.js"),
      "--settings",
      path.join(REPO_ROOT, "scripts", "node-red-settings.js"),
      "--userDir",
      userDir,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PORT: String(port), VCF_DEMO_LOG_LEVEL: "warn", VCF_DEMO_CODE_EDITOR: "ace" },
    },
  );
  let output = "";
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const instance: NodeRedInstance = {
    url,
    userDir,
    output: () => output,
    stop: async () => {
      await stopChild(child);
      fs.rmSync(userDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
  try {
    await waitForHttp(`${url}/settings`, child, 30_000);
  } catch (err) {
    await instance.stop();
    throw new Error(`${(err as Error).message}\nNode-RED output:\n${output}`);
  }
  return instance;
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited with code ${child.exitCode} before answering`);
    const ok = await fetch(url).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    // Poll the port: there is no event to wait for in another process.
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Node-RED did not answer ${url} within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGINT");
  });
}

/** Replaces the deployed flows (full deployment); `credentials` are attached to the nodes with those ids. */
export async function deployFlows(
  nodeRed: NodeRedInstance,
  flows: FlowNode[],
  credentials: Record<string, Record<string, string>> = {},
): Promise<void> {
  const body = flows.map((node) => (credentials[node.id] ? { ...node, credentials: credentials[node.id] } : node));
  const res = await fetch(`${nodeRed.url}/flows`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "Node-RED-API-Version": "v2", "Node-RED-Deployment-Type": "full" },
    body: JSON.stringify({ flows: body }),
  });
  if (!res.ok) throw new Error(`POST /flows failed with HTTP ${res.status}: ${await res.text()}`);
}

/** Presses an inject node through the runtime's admin API, as its button in the editor does. */
export async function pressInject(nodeRed: NodeRedInstance, nodeId: string): Promise<void> {
  const res = await fetch(`${nodeRed.url}/inject/${nodeId}`, { method: "POST" });
  if (!res.ok) throw new Error(`POST /inject/${nodeId} failed with HTTP ${res.status}`);
}

let deployments = 0;

/**
 * A copy of an example pointed at `sim`: the vcf-config node gets the simulator's URL and short waits (seconds /
 * minutes, the editor's units), and a new id, so that runs stored by an earlier deployment (kept per config node in
 * the user directory) do not show up. Returns that id for the credentials.
 */
export function exampleAgainstSim(name: ExampleName, sim: RunningSimulator): { flows: FlowNode[]; configId: string } {
  const flows = readExample(name);
  const config = flows.find((node) => node.type === "vcf-config");
  if (!config) throw new Error(`examples/${name}.json has no vcf-config node`);
  const oldId = config.id;
  const configId = `vcf-sim-${++deployments}`;
  for (const node of flows) if (node.server === oldId) node.server = configId;
  Object.assign(config, {
    id: configId,
    url: sim.url,
    tlsMode: "verify",
    requestTimeout: 5,
    pollInterval: 0.01,
    maxPollInterval: 0.05,
    sddcSettle: 0,
    completedPause: 600,
  });
  return { flows, configId };
}

export interface BrowserTestContext {
  sim: RunningSimulator;
  nodeRed: NodeRedInstance;
  browser: Browser;
}

/** The simulator, Node-RED and Chromium for one spec file; call `stop` in after(). */
export async function startAll(
  simOptions: SimulatorOptions = {},
): Promise<BrowserTestContext & { stop(): Promise<void> }> {
  const sim = await startSimulator({ tokenLifetimeSeconds: 10 ** 9, ...simOptions });
  let nodeRed: NodeRedInstance | undefined;
  let browser: Browser | undefined;
  const stop = async (): Promise<void> => {
    await browser?.close();
    await nodeRed?.stop();
    await sim.stop();
  };
  try {
    nodeRed = await startNodeRed();
    browser = await launchChromium();
  } catch (err) {
    await stop();
    throw err;
  }
  return { sim, nodeRed, browser, stop };
}

/** Headless Chromium from the Debian package, with a fresh profile (playwright's default) and no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A page whose uncaught errors are collected (Playwright's `pageerror`). `locale` sets the browser's language, which
 * the Node-RED editor uses for its texts and the nodes' help.
 */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1400, height: 900 },
  locale = "en-US",
): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await browser.newPage({ viewport, locale });
  // Fail with Playwright's message instead of running into mocha's timeout; the deadlines here only bound a failure
  // (a wait ends as soon as its condition holds), so they are sized for 2 cores shared with another test run.
  page.setDefaultTimeout(20_000);
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  // The editor page loads many files: a busy machine needs longer than the default above for them.
  await page.goto(url, { timeout: 60_000 });
  return { page, pageErrors };
}

/** Opens the Node-RED editor and waits until the palette has loaded this package's nodes. */
export async function openEditor(
  browser: Browser,
  nodeRed: NodeRedInstance,
  locale?: string,
): Promise<{ page: Page; pageErrors: string[] }> {
  const opened = await openPage(browser, `${nodeRed.url}/`, undefined, locale);
  await opened.page.waitForSelector('.red-ui-palette-node[data-palette-type="vcf-upgrade"]', { timeout: 45_000 });
  await opened.page.waitForFunction(
    () => {
      const { RED } = globalThis as unknown as Partial<EditorGlobals>;
      return RED !== undefined && RED.nodes.workspace(RED.workspaces.active()) !== undefined;
    },
    undefined,
    { timeout: 20_000 },
  );
  return opened;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
