// Shared set-up of the node tests: the real Node-RED runtime (via node-red-node-test-helper), the real simulator,
// flows built from a few helpers, and collectors that wait for messages by event (never by sleeping).
import fs from "node:fs";
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
import { startSimulator, type RunningSimulator, type SimExchange, type SimulatorOptions } from "../../nodes/sim/index";

helper.init(require.resolve("node-red"));

export { helper };
export const NODE_MODULES = [vcfConfig, vcfDownloadBundles, vcfPrechecks, vcfAwaitAck, vcfUpgrade, vcfUpdates, vcfStatus];

export type Msg = Record<string, unknown>;
export type FlowNode = helper.FlowNode;

export const TAB = "tab1";
export const CONFIG_ID = "vcfc1";
export const MANAGEMENT_DOMAIN = "lab-m01";
export const VI_DOMAIN = "lab-w01";

/** Simulated seconds per real second: a 3-hour NSX upgrade takes about 100 ms. */
const TIME_SCALE = 100_000;

export function startSim(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ timeScale: TIME_SCALE, tokenLifetimeSeconds: 10 ** 9, ...options });
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

/** The vcf-config node for `sim`, with tiny waits; durations in the editor's units (seconds / minutes). */
export function configNode(sim: { url: string; caCertificatePem?: string }, overrides: Record<string, unknown> = {}): FlowNode {
  return {
    id: CONFIG_ID, type: "vcf-config", name: "simulator", url: sim.url,
    tlsMode: sim.caCertificatePem ? "ca" : "verify", ca: sim.caCertificatePem ?? "", tls: "",
    requestTimeout: 2, retryAttempts: 4, retryDelay: 0.001, pollInterval: 0.002, maxPollInterval: 0.01,
    downloadDeadline: 1, validationDeadline: 1, precheckDeadline: 1, componentDeadline: 1,
    sddcOutageBudget: 1, sddcSettle: 0, downloadConcurrency: 2, completedPause: 0.03,
    ...overrides,
  };
}

export function credentialsFor(sim: RunningSimulator, overrides: Record<string, string> = {}): Record<string, Record<string, string>> {
  return { [CONFIG_ID]: { ...sim.credentials, ...overrides } };
}

/** A flow node on the test tab, wired to `wires` (one output). */
export function flowNode(id: string, type: string, props: Record<string, unknown> = {}, wires: string[] = []): FlowNode {
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
export function upgradeChainFlow(sim: RunningSimulator, options: {
  config?: Record<string, unknown>; download?: Record<string, unknown>; ack?: Record<string, unknown>; statusDomain?: string;
} = {}): FlowNode[] {
  return [
    { id: TAB, type: "tab", label: "VCF" },
    configNode(sim, options.config),
    flowNode("download", "vcf-download-bundles", { domain: MANAGEMENT_DOMAIN, ...options.download }, ["prechecks"]),
    flowNode("prechecks", "vcf-prechecks", {}, ["ack"]),
    flowNode("ack", "vcf-await-ack", { ignoreAlerts: false, alsoIgnoreErrors: false, failOnErrors: false, ...options.ack }, ["upgrade"]),
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

/** Records every message a helper node receives and waits for the one a test needs. */
export class Collector {
  readonly messages: Msg[] = [];
  private waiters: Array<() => void> = [];

  constructor(nodeId: string) {
    getNode(nodeId).on("input", (msg: Msg) => {
      this.messages.push(msg);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves with the first message (already received or still to come) that `match` accepts. */
  waitFor(match: (msg: Msg) => boolean, what: string, timeoutMs = 5000): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.messages.find(match);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
        return found !== undefined;
      };
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}; received ${this.messages.length} message(s): ${summary(this.messages)}`));
      }, timeoutMs);
      const listen = (): void => {
        if (!check()) this.waiters.push(listen);
      };
      listen();
    });
  }
}

function summary(messages: Msg[]): string {
  return messages.slice(-5).map((m) => JSON.stringify(m.payload)?.slice(0, 200)).join(" | ");
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

/** Requests that change something on SDDC Manager (logins excepted). */
export function mutatingRequests(sim: RunningSimulator): SimExchange[] {
  return sim.requestLog().filter((e) => (e.method === "POST" || e.method === "PATCH" || e.method === "DELETE") && !e.path.startsWith("/v1/tokens"));
}

/** The error message a Catch node received. */
export function caughtError(msg: Msg): string {
  const error = msg.error as { message?: unknown } | undefined;
  return typeof error?.message === "string" ? error.message : "";
}

/** POST /v1/upgrades per bundle id. */
export function upgradePostsPerBundle(log: SimExchange[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of log) {
    if (e.method !== "POST" || e.path !== "/v1/upgrades") continue;
    const bundleId = String((e.requestBody as { bundleId?: unknown } | undefined)?.bundleId);
    counts.set(bundleId, (counts.get(bundleId) ?? 0) + 1);
  }
  return counts;
}
