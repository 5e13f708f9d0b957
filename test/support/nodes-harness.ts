// Shared set-up of the node tests: the real Node-RED runtime (via node-red-node-test-helper), the real simulator,
// flows built from a few helpers, and collectors that wait for messages by event (never by sleeping).
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import helper from "node-red-node-test-helper";
import vcfConfig from "../../nodes/vcf-config";
import vcfDownloadBundles from "../../nodes/vcf-download-bundles";
import vcfPrechecks from "../../nodes/vcf-prechecks";
import vcfAwaitAck from "../../nodes/vcf-await-ack";
import vcfUpgrade from "../../nodes/vcf-upgrade";
import vcfUpdates from "../../nodes/vcf-updates";
import vcfStatus from "../../nodes/vcf-status";
import vcfPlan from "../../nodes/vcf-plan";
import vcfFleet from "../../nodes/vcf-fleet";
import type { VcfConnection } from "../../nodes/adapters/connection";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "../../nodes/sim/index";
import { withCatalog } from "./catalog";

helper.init(require.resolve("node-red"));

export { helper };
/** The node files, each given a RED._ that reads its catalog through Node-RED's i18n (see catalog.ts). */
export const NODE_MODULES = [
  withCatalog("vcf-config", vcfConfig),
  withCatalog("vcf-download-bundles", vcfDownloadBundles),
  withCatalog("vcf-prechecks", vcfPrechecks),
  withCatalog("vcf-await-ack", vcfAwaitAck),
  withCatalog("vcf-upgrade", vcfUpgrade),
  withCatalog("vcf-updates", vcfUpdates),
  withCatalog("vcf-status", vcfStatus),
  withCatalog("vcf-plan", vcfPlan),
  withCatalog("vcf-fleet", vcfFleet),
];

export type Msg = Record<string, unknown>;
export type FlowNode = helper.FlowNode;

export const TAB = "tab1";
export const CONFIG_ID = "vcfc1";
export const MANAGEMENT_DOMAIN = "lab-m01";
export const VI_DOMAIN = "lab-w01";

/** Simulated seconds per real second: a 3-hour NSX upgrade takes about 100 ms. */
const TIME_SCALE = 100_000;

export function startSim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  // A check-set query lives an hour of simulated time: 36 ms at this scale, too short on a busy machine.
  return startSimulator({
    timeScale: TIME_SCALE,
    tokenLifetimeSeconds: 10 ** 9,
    ...options,
    faults: { checkSetQueryTtlSeconds: 10 ** 9, ...options.faults },
  });
}

/** A fresh Node-RED user directory (where vcf-config keeps its run file). */
export function makeUserDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "vcf-nodes-"));
}

export async function startNodeRed(userDir: string): Promise<void> {
  helper.settings({ userDir });
  await helper.startServer();
}

export async function stopNodeRed(userDir?: string): Promise<void> {
  await helper.unload();
  await helper.stopServer();
  if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
}

/**
 * Registers the per-test set-up most node specs share: a fresh user directory and Node-RED before each test;
 * afterwards Node-RED stops, the directory is removed and every simulator started through `startSim` stops.
 */
export function nodeRedPerTest(): {
  userDir(): string;
  startSim(options?: SimulatorOptions): Promise<RunningSimulator>;
} {
  let userDir = "";
  const sims: RunningSimulator[] = [];
  beforeEach(async () => {
    userDir = makeUserDir();
    await startNodeRed(userDir);
  });
  afterEach(async () => {
    await stopNodeRed(userDir);
    await Promise.all(sims.splice(0).map((sim) => sim.stop()));
  });
  return {
    userDir: () => userDir,
    startSim: async (options) => {
      const sim = await startSim(options);
      sims.push(sim);
      return sim;
    },
  };
}

/** The vcf-config node for `sim`, with tiny waits; durations in the editor's units (seconds / minutes). */
export function configNode(
  sim: { url: string; caCertificatePem?: string },
  overrides: Record<string, unknown> = {},
): FlowNode {
  return {
    id: CONFIG_ID,
    type: "vcf-config",
    name: "simulator",
    url: sim.url,
    tlsMode: sim.caCertificatePem ? "ca" : "verify",
    ca: sim.caCertificatePem ?? "",
    tls: "",
    requestTimeout: 2,
    retryAttempts: 4,
    retryDelay: 0.001,
    pollInterval: 0.002,
    maxPollInterval: 0.01,
    downloadDeadline: 1,
    validationDeadline: 1,
    precheckDeadline: 1,
    componentDeadline: 1,
    sddcOutageBudget: 1,
    sddcSettle: 0,
    downloadConcurrency: 2,
    completedPause: 0.03,
    ...overrides,
  };
}

export function credentialsFor(
  sim: RunningSimulator,
  overrides: Record<string, string> = {},
): Record<string, Record<string, string>> {
  return { [CONFIG_ID]: { ...sim.credentials, ...overrides } };
}

/** A flow node on the test tab, wired to `wires` (one output). */
export function flowNode(
  id: string,
  type: string,
  props: Record<string, unknown> = {},
  wires: string[] = [],
): FlowNode {
  return { id, type, z: TAB, x: 100, y: 100, server: CONFIG_ID, name: "", ...props, wires: [wires] };
}

export function helperNode(id: string): FlowNode {
  return { id, type: "helper", z: TAB, x: 300, y: 300, wires: [] };
}

/** A catch node for every node of the tab, wired to helper node `target`. */
export function catchNode(id: string, target: string): FlowNode {
  return { id, type: "catch", z: TAB, x: 100, y: 400, name: "", scope: null, uncaught: false, wires: [[target]] };
}

/** The whole chain: download -> prechecks -> await ack -> upgrade -> "done", plus vcf-status -> "status" and a catch -> "caught". */
export function upgradeChainFlow(
  sim: RunningSimulator,
  options: {
    config?: Record<string, unknown>;
    download?: Record<string, unknown>;
    ack?: Record<string, unknown>;
    statusDomain?: string;
  } = {},
): FlowNode[] {
  return [
    { id: TAB, type: "tab", label: "VCF" },
    configNode(sim, options.config),
    flowNode("download", "vcf-download-bundles", { domain: MANAGEMENT_DOMAIN, ...options.download }, ["prechecks"]),
    flowNode("prechecks", "vcf-prechecks", {}, ["ack"]),
    flowNode(
      "ack",
      "vcf-await-ack",
      { ignoreAlerts: false, alsoIgnoreErrors: false, failOnErrors: false, ...options.ack },
      ["upgrade"],
    ),
    flowNode("upgrade", "vcf-upgrade", {}, ["done"]),
    flowNode("status", "vcf-status", { domain: options.statusDomain ?? MANAGEMENT_DOMAIN }, ["statusOut"]),
    helperNode("done"),
    helperNode("statusOut"),
    catchNode("catcher", "caught"),
    helperNode("caught"),
  ];
}

export function getNode(id: string): helper.TestNode {
  const node = helper.getNode(id);
  if (!node) throw new Error(`node ${id} is not deployed`);
  return node;
}

/** Items that arrive over time, and a wait for the one a test needs (by event, never by sleeping). */
class Arrivals<T> {
  readonly items: T[] = [];
  private waiters: Array<() => void> = [];

  constructor(private readonly describe: (items: T[]) => string) {}

  protected push(item: T): void {
    this.items.push(item);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves with the first item (already here or still to come) that `match` accepts. */
  waitFor(match: (item: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.items.find(match);
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        }
        return found !== undefined;
      };
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}; received ${this.items.length}: ${this.describe(this.items)}`));
      }, timeoutMs);
      const listen = (): void => {
        if (!check()) this.waiters.push(listen);
      };
      listen();
    });
  }
}

/** Records every message a helper node receives. */
export class Collector extends Arrivals<Msg> {
  constructor(nodeId: string) {
    super(summary);
    getNode(nodeId).on("input", (msg: Msg) => this.push(msg));
  }

  get messages(): Msg[] {
    return this.items;
  }
}

/** Records a node's calls of a Node method (warn, error, log, ...) from the test helper's call:<method> events. */
export class NodeCalls extends Arrivals<unknown[]> {
  constructor(nodeId: string, method: string) {
    super((items) => items.map((args) => String(args[0])).join(" | "));
    getNode(nodeId).on(`call:${method}`, (call: unknown) => this.push((call as { args: unknown[] }).args));
  }
}

interface SpyCall {
  thisValue: unknown;
  args: unknown[];
}

/** The arguments of every call of a Node method by node `nodeId` (any instance) since helper.load (the helper's spies). */
export function callsOf(nodeId: string, method: "log" | "warn" | "error" | "send" | "status"): unknown[][] {
  const spy = (getNode(nodeId) as unknown as Record<string, { getCalls?: () => SpyCall[] }>)[method];
  if (!spy?.getCalls) throw new Error(`Node.prototype.${method} is not spied on`);
  return spy
    .getCalls()
    .filter((c) => (c.thisValue as { id?: unknown } | null)?.id === nodeId)
    .map((c) => c.args);
}

interface Hooks {
  add(id: string, callback: (event: unknown) => void): void;
  remove(id: string): void;
}
// The runtime's own hooks registry (node-red-node-test-helper exposes none); the same module instance Node-RED uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeHooks = (require("@node-red/util") as { hooks: Hooks }).hooks;

export interface Completion {
  nodeId: string;
  msg: Msg;
  error?: unknown;
}

/** Records every done() call of every node, through Node-RED's onComplete hook; stop() removes the hook. */
export class Completions extends Arrivals<Completion> {
  private static count = 0;
  private readonly hookId = `onComplete.vcfNodesTest${++Completions.count}`;

  constructor() {
    super((items) => items.map((c) => c.nodeId).join(", "));
    runtimeHooks.add(this.hookId, (event) => {
      const e = event as { msg: Msg; error?: unknown; node: { id: string } };
      this.push({ nodeId: e.node.id, msg: e.msg, error: e.error });
    });
  }

  stop(): void {
    runtimeHooks.remove(this.hookId);
  }
}

/** A loopback TCP server that accepts connections and never answers: requests to it hang until aborted. */
export async function startSilentServer(): Promise<{ url: string; connected: Promise<void>; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let markConnected = (): void => undefined;
  const connected = new Promise<void>((resolve) => {
    markConnected = resolve;
  });
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    markConnected();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connected,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The VcfConnection of the deployed vcf-config node. */
export function connectionOf(id = CONFIG_ID): VcfConnection {
  const connection = (getNode(id) as unknown as { connection?: VcfConnection }).connection;
  if (!connection) throw new Error(`node ${id} is not a deployed vcf-config node`);
  return connection;
}

function summary(messages: Msg[]): string {
  return messages
    .slice(-5)
    .map((m) => JSON.stringify(m.payload)?.slice(0, 200))
    .join(" | ");
}

/** The status values a vcf-status collector saw, with consecutive repeats folded. */
export function statusSequence(messages: Msg[]): string[] {
  const sequence: string[] = [];
  for (const msg of messages) {
    const status = (msg.payload as { status?: string } | undefined)?.status;
    if (status && sequence[sequence.length - 1] !== status) sequence.push(status);
  }
  return sequence;
}

/** The error message a Catch node received. */
export function caughtError(msg: Msg): string {
  const error = msg.error as { message?: unknown } | undefined;
  return typeof error?.message === "string" ? error.message : "";
}
