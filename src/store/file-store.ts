import * as path from "node:path";
import type { UpgradeRun } from "../engine/types";
import { UPGRADE_STATUSES } from "../engine/types";
import { AtomicFileWriter, readStateFile } from "./atomic-file";
import type { UnreadableRun } from "../engine/unreadable-run";
import type { RunStore } from "./run-store";

export const DEFAULT_RUN_FILE_NAME = "vcf-upgrade-runs.json";

const FORMAT_VERSION = 1;

interface StoreFile {
  version: number;
  /** Runs, and entries that could not be read as runs (kept as they were). */
  runs: unknown[];
}

/** What keeps `value` from being read as a run; undefined when it is one. */
function runProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "it is not an object";
  const r = value as Record<string, unknown>;
  if (typeof r.id !== "string") return "it has no id";
  if (typeof r.domainId !== "string") return "it has no domainId";
  if (typeof r.status !== "string") return "it has no status";
  if (!(UPGRADE_STATUSES as readonly string[]).includes(r.status)) {
    return `status ${JSON.stringify(r.status).slice(0, 80)} is not a status this version knows (${UPGRADE_STATUSES.join(", ")})`;
  }
  if (!Array.isArray(r.log)) return "its log is not a list";
  if (typeof r.remote !== "object" || r.remote === null) return "it has no remote operation ids (remote)";
  return undefined;
}

function textField(value: unknown, key: string): string | undefined {
  const field = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof field === "string" && field !== "" ? field.slice(0, 200) : undefined;
}

/**
 * All runs in one JSON file (e.g. <userDir>/vcf-upgrade-runs.json). Every save rewrites the file
 * atomically (temp file, fsync, rename), one write at a time, so a crash leaves the old or the new file; saves that
 * arrive while a write is queued share it. An entry that is not a readable run is carried through every save as it
 * was read (never deleted: it may hold the remote operation ids of a run) and listed by unreadableRuns().
 */
export class FileRunStore implements RunStore {
  readonly filePath: string;
  private runs: Map<string, UpgradeRun> | undefined;
  /** The entries that failed the shape check, as read, and what was wrong with each. */
  private unreadable: { entry: unknown; report: UnreadableRun }[] = [];
  private loading: Promise<Map<string, UpgradeRun>> | undefined;
  private readonly writer: AtomicFileWriter;

  constructor(directory: string, fileName: string = DEFAULT_RUN_FILE_NAME) {
    if (typeof directory !== "string" || directory.trim() === "") {
      throw new Error("FileRunStore needs a directory (the Node-RED user directory)");
    }
    this.filePath = path.join(directory, fileName);
    this.writer = new AtomicFileWriter(this.filePath, () => {
      const runs: unknown[] = [...(this.runs ?? new Map()).values(), ...this.unreadable.map((u) => u.entry)];
      const body: StoreFile = { version: FORMAT_VERSION, runs };
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
    const runs = new Map<string, UpgradeRun>();
    list.forEach((entry: unknown, index) => {
      const problem = runProblem(entry);
      if (problem === undefined) {
        const run = entry as UpgradeRun;
        runs.set(run.id, run);
        return;
      }
      const report: UnreadableRun = { file: this.filePath, position: index + 1, problem };
      const runId = textField(entry, "id");
      const domainId = textField(entry, "domainId");
      const domainName = textField(entry, "domainName");
      if (runId) report.runId = runId;
      if (domainId) report.domainId = domainId;
      if (domainName) report.domainName = domainName;
      this.unreadable.push({ entry, report });
    });
    return runs;
  }

  unreadableRuns(): UnreadableRun[] {
    return this.unreadable.map((u) => ({ ...u.report }));
  }

}
