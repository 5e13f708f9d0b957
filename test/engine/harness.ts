/** Engine tests against the real simulator over HTTP: a fast client, an engine, and the change events it emitted. */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UpgradeEngine } from "../../nodes/engine";
import type { AckPolicy, EngineSettings, UpgradeRun, UpgradeStatus } from "../../nodes/engine";
import { startSimulator } from "../../nodes/sim/index";
import type { RunningSimulator, ScenarioName, SimulatorOptions } from "../../nodes/sim/index";
import { FileRunStore, MemoryRunStore } from "../../nodes/store";
import type { RunStore } from "../../nodes/store";
import { VcfClient, type VcfClientOptions } from "../../nodes/vcf/client";
import type { Domain } from "../../nodes/vcf/types";

/** Simulated seconds per real second: a 5-hour simulated upgrade takes well under a second. */
export const TIME_SCALE = 100_000;

/** Tiny real intervals; the deadlines are far beyond what the scaled simulator needs. */
export const FAST: Partial<EngineSettings> = {
  pollIntervalMs: 2,
  maxPollIntervalMs: 8,
  downloadDeadlineMs: 10_000,
  validationDeadlineMs: 10_000,
  precheckDeadlineMs: 10_000,
  componentDeadlineMs: 10_000,
  sddcOutageBudgetMs: 10_000,
  sddcSettleMs: 5,
  completedPauseMs: 30,
  downloadConcurrency: 2,
};

export const WAIT_FOR_ACK: AckPolicy = { ignoreAlerts: false, alsoIgnoreErrors: false, failOnErrors: false };

export function simulator(scenario: ScenarioName = "happy", extra: SimulatorOptions = {}): Promise<RunningSimulator> {
  // A check-set query lives an hour of simulated time: 36 ms at this scale, too short on a busy machine.
  return startSimulator({
    scenario,
    timeScale: TIME_SCALE,
    tokenLifetimeSeconds: 10 * 365 * 86400,
    ...extra,
    faults: { checkSetQueryTtlSeconds: 10 ** 9, ...extra.faults },
  });
}

/** A fast client for the simulator, or for a proxy in front of it (`baseUrl`). */
export function clientFor(sim: RunningSimulator, baseUrl = sim.url, extra: Partial<VcfClientOptions> = {}): VcfClient {
  return new VcfClient({
    baseUrl,
    username: sim.credentials.username,
    password: sim.credentials.password,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 4 },
    requestTimeoutMs: 2000,
    ...extra,
  });
}

/** An engine on `sim` that records every change event. */
export class EngineUnderTest {
  readonly engine: UpgradeEngine;
  readonly changes: UpgradeRun[] = [];

  constructor(
    readonly sim: RunningSimulator,
    readonly store: RunStore = new MemoryRunStore(),
    settings: Partial<EngineSettings> = {},
    baseUrl = sim.url,
    clientOptions: Partial<VcfClientOptions> = {},
    now: () => number = Date.now,
  ) {
    this.engine = new UpgradeEngine({
      client: clientFor(sim, baseUrl, clientOptions),
      store,
      settings: { ...FAST, ...settings },
      now,
    });
    this.engine.on("change", (run: UpgradeRun) => this.changes.push(run));
  }

  /** The statuses one run went through, as the change events showed them (repeats collapsed). */
  statuses(runId: string): UpgradeStatus[] {
    const out: UpgradeStatus[] = [];
    for (const c of this.changes) if (c.id === runId && out.at(-1) !== c.status) out.push(c.status);
    return out;
  }

  /** Resolves with the first change event that satisfies `predicate`. */
  when(predicate: (run: UpgradeRun) => boolean): Promise<UpgradeRun> {
    return new Promise((resolve) => {
      const listener = (run: UpgradeRun) => {
        if (!predicate(run)) return;
        this.engine.off("change", listener);
        resolve(run);
      };
      this.engine.on("change", listener);
    });
  }

  /** All phases in order, like the four phase nodes wired together. */
  async fullRun(domain: string, policy: AckPolicy = WAIT_FOR_ACK): Promise<UpgradeRun> {
    const run = await this.engine.startRun({ domain });
    return this.finishRun(run.id, policy);
  }

  /** A new run of `domain` taken through the downloads, the prechecks and the gate: ready for its components. */
  async acknowledgedRun(domain: string): Promise<UpgradeRun> {
    const run = await this.engine.startRun({ domain });
    await this.engine.downloadBundles(run.id);
    await this.engine.runPrechecks(run.id);
    return this.engine.awaitAcknowledgement(run.id, WAIT_FOR_ACK);
  }

  /** The phases after the start, in order. */
  async finishRun(runId: string, policy: AckPolicy = WAIT_FOR_ACK): Promise<UpgradeRun> {
    await this.engine.downloadBundles(runId);
    await this.engine.runPrechecks(runId);
    await this.engine.awaitAcknowledgement(runId, policy);
    return this.engine.upgradeComponents(runId);
  }
}

/** After a test: closes the engines (emptying the list), then stops the servers in the order given (proxy before simulator). */
export async function stopAll(
  engines: (EngineUnderTest | undefined)[],
  ...servers: ({ stop(): Promise<void> } | undefined)[]
): Promise<void> {
  for (const t of engines.splice(0)) await t?.engine.close();
  for (const server of servers) await server?.stop();
}

/** Real time plus what a test adds: time rules (a grace, a deadline) are passed by advancing it, not by sleeping. */
export class TestClock {
  private offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export { countRequests as count } from "../support/request-log";

export async function tempStore(): Promise<{ dir: string; store: () => FileRunStore; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "vcf-engine-"));
  return { dir, store: () => new FileRunStore(dir), cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** The management domain and the first VI domain of the simulator. */
export async function managementAndVi(sim: RunningSimulator): Promise<{ mgmt: Domain; vi: Domain }> {
  const domains = await clientFor(sim).getDomains();
  const mgmt = domains.find((d) => d.type === "MANAGEMENT");
  const vi = domains.find((d) => d.type !== "MANAGEMENT");
  if (!mgmt || !vi) throw new Error("the simulator needs a management and a VI domain (scenario many-domains)");
  return { mgmt, vi };
}

/** The management domain's name in the simulator (the first domain of type MANAGEMENT). */
export async function managementDomain(sim: RunningSimulator): Promise<{ id: string; name: string }> {
  const domains = await clientFor(sim).getDomains();
  const mgmt = domains.find((d) => d.type === "MANAGEMENT") ?? domains[0];
  if (!mgmt) throw new Error("the simulator has no domains");
  return { id: mgmt.id, name: mgmt.name };
}
