// What a vcf-config node owns: one client, one engine, one run store, and the phase nodes that resume runs.
import { UpgradeEngine, type UpgradeRun } from "../engine";
import { FileRunStore, MemoryRunStore, type RunStore } from "../store";
import { VcfClient } from "../vcf/client";
import { buildClientOptions, type ClientLog, type Credentials } from "./client-options";
import { parseConnection, parseEngineSettings, type VcfConfigDef } from "./config-settings";
import { toReadableError } from "./errors";

/** Called with a non-terminal run its owner node should pick up (after a restart or redeploy). */
export type ResumeHandler = (run: UpgradeRun) => void;

export interface ConnectionDeps {
  def: VcfConfigDef;
  credentials: Credentials | undefined;
  /** RED.nodes.getNode, for the tls-config option. */
  lookupNode: (id: string) => unknown;
  /** Node-RED's user directory; without it runs are kept in memory only. */
  userDir: string | undefined;
  log: ClientLog;
}

export class VcfConnection {
  readonly engine?: UpgradeEngine;
  /** The engine's client, for reads that are not part of a run (the vcf-status domain list). */
  readonly client?: VcfClient;
  /** Why there is no engine: a configuration problem, reported to every node that uses this connection. */
  readonly problem?: Error;
  readonly storeFile?: string;
  private readonly resumers = new Map<string, ResumeHandler>();

  constructor(deps: ConnectionDeps) {
    try {
      const client = new VcfClient(buildClientOptions(parseConnection(deps.def), deps.credentials, deps.lookupNode, deps.log));
      this.client = client;
      let store: RunStore;
      if (deps.userDir) {
        const fileStore = new FileRunStore(deps.userDir, runFileName(deps.def.id));
        this.storeFile = fileStore.filePath;
        store = fileStore;
      } else {
        deps.log("warn", "Node-RED has no user directory: upgrade runs are kept in memory and do not survive a restart");
        store = new MemoryRunStore();
      }
      this.engine = new UpgradeEngine({ client, store, settings: parseEngineSettings(deps.def) });
    } catch (err) {
      this.problem = toReadableError(err);
    }
  }

  /** The engine, or the configuration problem as an error naming what to fix. */
  requireEngine(): UpgradeEngine {
    if (!this.engine) throw this.problem ?? new Error("vcf-config: not configured");
    return this.engine;
  }

  /** A phase node announces it can finish runs it owns; returns the function that withdraws it. */
  registerResumer(nodeId: string, handler: ResumeHandler): () => void {
    this.resumers.set(nodeId, handler);
    return () => {
      if (this.resumers.get(nodeId) === handler) this.resumers.delete(nodeId);
    };
  }

  /**
   * After all nodes started: hand every unfinished run to the phase node that owned it, and fail the runs
   * whose owner is not deployed with this connection any more.
   */
  async resumeRuns(): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    await engine.ready();
    for (const run of engine.resumableRuns()) {
      const owner = run.ownerNodeId ? this.resumers.get(run.ownerNodeId) : undefined;
      if (owner) {
        owner(run);
      } else {
        const who = run.ownerNodeId ? `node ${run.ownerNodeId}` : "no node";
        await engine.abandonRun(run.id, `The run was owned by ${who}, which is no longer deployed with this SDDC Manager connection; start the upgrade again`);
      }
    }
  }

  /** Aborts waits and requests; resolves once the run file is final. Persisted runs stay for the next start. */
  async close(): Promise<void> {
    this.resumers.clear();
    await this.engine?.close();
  }
}

/** One run file per vcf-config node, in Node-RED's user directory. */
export function runFileName(configNodeId: string): string {
  return `vcf-upgrade-runs-${configNodeId.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`;
}
