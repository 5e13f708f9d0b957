import * as path from "node:path";
import type { UpgradeRun } from "../engine/types";
import { UPGRADE_STATUSES } from "../engine/types";
import { AtomicFileWriter, readStateFile } from "./atomic-file";
import type { RunStore } from "./run-store";

export const DEFAULT_RUN_FILE_NAME = "vcf-upgrade-runs.json";

const FORMAT_VERSION = 1;

interface StoreFile {
  version: number;
  runs: UpgradeRun[];
}

function looksLikeRun(value: unknown): value is UpgradeRun {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.id === "string" && typeof r.domainId === "string" && typeof r.status === "string" &&
    (UPGRADE_STATUSES as readonly string[]).includes(r.status) && Array.isArray(r.log) &&
    typeof r.remote === "object" && r.remote !== null;
}

/**
 * All runs in one JSON file (e.g. <userDir>/vcf-upgrade-runs.json). Every save rewrites the file
 * atomically (temp file, fsync, rename), one write at a time, so a crash leaves the old or the new file; saves that
 * arrive while a write is queued share it.
 */
export class FileRunStore implements RunStore {
  readonly filePath: string;
  private runs: Map<string, UpgradeRun> | undefined;
  private loading: Promise<Map<string, UpgradeRun>> | undefined;
  private readonly writer: AtomicFileWriter;

  constructor(directory: string, fileName: string = DEFAULT_RUN_FILE_NAME) {
    if (typeof directory !== "string" || directory.trim() === "") {
      throw new Error("FileRunStore needs a directory (the Node-RED user directory)");
    }
    this.filePath = path.join(directory, fileName);
    this.writer = new AtomicFileWriter(this.filePath, () => {
      const body: StoreFile = { version: FORMAT_VERSION, runs: [...(this.runs ?? new Map()).values()] };
      return JSON.stringify(body, null, 1);
    });
  }

  async load(): Promise<UpgradeRun[]> {
    const runs = await this.ensureLoaded();
    return [...runs.values()].map((r) => structuredClone(r));
  }

  async save(run: UpgradeRun): Promise<void> {
    const runs = await this.ensureLoaded();
    runs.set(run.id, structuredClone(run));
    return this.writer.schedule();
  }

  async remove(id: string): Promise<void> {
    const runs = await this.ensureLoaded();
    if (runs.delete(id)) await this.writer.schedule();
  }

  private ensureLoaded(): Promise<Map<string, UpgradeRun>> {
    if (this.runs) return Promise.resolve(this.runs);
    this.loading ??= this.readFile().then((runs) => (this.runs = runs));
    return this.loading;
  }

  private async readFile(): Promise<Map<string, UpgradeRun>> {
    const text = await readStateFile(this.filePath);
    if (text === undefined) return new Map();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`The run store ${this.filePath} is not valid JSON; move it away to start with an empty store`);
    }
    const list = (parsed as Partial<StoreFile> | null)?.runs;
    if (!Array.isArray(list)) {
      throw new Error(`The run store ${this.filePath} has no "runs" list; move it away to start with an empty store`);
    }
    return new Map(list.filter(looksLikeRun).map((r) => [r.id, r]));
  }

}
