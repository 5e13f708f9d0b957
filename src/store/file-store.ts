import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { UpgradeRun } from "../engine/types";
import type { UnreadableRun } from "../engine/unreadable-run";
import { AtomicFileWriter, CoalescedTask, removeStaleTempFiles, syncDirectory } from "./atomic-file";
import type { RunStore } from "../engine/run-store";
import { formatProblem, runFileText, runOfFile, runProblem, unreadableReport } from "./stored-entry";

export const DEFAULT_RUN_STORE_NAME = "vcf-upgrade-runs";

/** How long a progress-only change (step text, progress) may wait for its write when no other change of the run comes. */
export const DEFAULT_PROGRESS_DELAY_MS = 15_000;

export interface FileRunStoreOptions {
  progressDelayMs?: number;
}

/** The file of a run with this id: the id itself where it is a safe file name, else a hash of it. */
export function fileNameForRun(id: string): string {
  return /^[A-Za-z0-9_-]{1,100}$/.test(id)
    ? `run-${id}.json`
    : `run-h${createHash("sha256").update(id).digest("hex").slice(0, 40)}.json`;
}

/** One run's file: the newest content handed to the store, and its writer. */
class RunFile {
  private text = "";
  /** The run handed to the store and not yet encoded: encoded when a write starts, so saves meanwhile cost nothing. */
  private run: UpgradeRun | undefined;
  private later: NodeJS.Timeout | undefined;
  readonly writer: AtomicFileWriter;

  constructor(
    readonly file: string,
    syncDir: () => Promise<void>,
  ) {
    this.writer = new AtomicFileWriter(file, () => this.content(), syncDir);
  }

  /** The file's newest content. */
  content(): string {
    if (this.run) this.text = runFileText(this.run);
    this.run = undefined;
    return this.text;
  }

  set(content: { text: string } | { run: UpgradeRun }): void {
    if ("run" in content) this.run = content.run;
    else {
      this.text = content.text;
      this.run = undefined;
    }
  }

  /** Writes the content now (a write already queued takes it along); cancels a pending progress write. */
  write(): Promise<void> {
    this.cancelLater();
    return this.writer.schedule();
  }

  /** Writes the content within `delayMs`, unless a write comes before. A failure waits for the next write. */
  writeLater(delayMs: number): void {
    if (this.later) return;
    this.later = setTimeout(() => {
      this.later = undefined;
      this.writer.schedule().catch(() => undefined);
    }, delayMs);
    this.later.unref();
  }

  get pending(): boolean {
    return this.later !== undefined;
  }

  cancelLater(): void {
    if (this.later) clearTimeout(this.later);
    this.later = undefined;
  }
}

/**
 * The runs of one config node, one file per run in a directory (e.g. <userDir>/vcf-upgrade-runs-<config id>/).
 *
 * Why this scheme: a single file for all runs would be rewritten whole on every change of any run, so the bytes written
 * would grow with the number of runs times the changes of all of them. Here a change writes only its own run's file, and:
 * - a change the run depends on (save: status, phase, owner, phase marks, remote ids, requests recorded before they
 *   are sent, deadlines, acknowledgement, log entries) is durable before save() resolves: temp file, fsync, rename,
 *   directory fsync. A crash leaves each run's file old or new, never half; runs do not depend on each other's files.
 * - a progress-only change (saveLater: step text and progress) is not written by itself at once: it goes to disk with
 *   the run's next durable write, or after progressDelayMs, or at flush(). A crash loses at most the newest step and
 *   progress, which the resumed phase sets again at its first poll. It is written the same atomic way, never in
 *   place, so it can never damage the durable content it replaces.
 * - saves of a run that arrive while its write is queued share that write, and the directory fsyncs of concurrent
 *   writes are shared the same way (one fsync covers every rename before it). The run is encoded when its write
 *   starts, not at each save: a write holds the run as of its last save or newer (see RunStore).
 * Each file carries a format marker (stored-entry.ts). A file that is not a readable run (also one of a newer format)
 * is never written or deleted by the store: it is listed by unreadableRuns().
 */
export class FileRunStore implements RunStore {
  readonly directory: string;
  private readonly progressDelayMs: number;
  private files: Map<string, RunFile> | undefined;
  private unreadable: UnreadableRun[] = [];
  private loading: Promise<Map<string, RunFile>> | undefined;
  private readonly directorySync: CoalescedTask;

  constructor(parentDirectory: string, name: string = DEFAULT_RUN_STORE_NAME, options: FileRunStoreOptions = {}) {
    if (typeof parentDirectory !== "string" || parentDirectory.trim() === "") {
      throw new Error("FileRunStore needs a directory (the Node-RED user directory)");
    }
    this.directory = path.join(parentDirectory, name);
    this.progressDelayMs = options.progressDelayMs ?? DEFAULT_PROGRESS_DELAY_MS;
    this.directorySync = new CoalescedTask(() => syncDirectory(this.directory));
  }

  async load(): Promise<UpgradeRun[]> {
    await this.ensureLoaded();
    const runs: UpgradeRun[] = [];
    for (const f of this.files?.values() ?? []) runs.push(runOfFile(f.content()));
    return runs.sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
  }

  async save(run: UpgradeRun): Promise<void> {
    const files = this.files ?? (await this.ensureLoaded());
    return this.fileIn(files, run).write();
  }

  saveLater(run: UpgradeRun): void {
    if (this.files) this.fileIn(this.files, run).writeLater(this.progressDelayMs);
    else
      void this.ensureLoaded().then(
        (files) => this.fileIn(files, run).writeLater(this.progressDelayMs),
        () => undefined,
      );
  }

  async remove(id: string): Promise<void> {
    const files = await this.ensureLoaded();
    const f = files.get(id);
    if (!f) return;
    files.delete(id);
    f.cancelLater();
    await f.writer.idle();
    await fs.rm(f.file, { force: true });
    await this.directorySync.schedule();
  }

  /** Writes the progress-only changes still waiting; resolves once every write so far has landed. */
  async flush(): Promise<void> {
    const files = [...(this.files?.values() ?? [])];
    await Promise.all(files.map((f) => (f.pending ? f.write() : f.writer.idle())));
  }

  unreadableRuns(): UnreadableRun[] {
    return this.unreadable.map((u) => ({ ...u }));
  }

  /** The run's file, with `run` as its newest content. */
  private fileIn(files: Map<string, RunFile>, run: UpgradeRun): RunFile {
    let f = files.get(run.id);
    if (!f) {
      f = new RunFile(path.join(this.directory, fileNameForRun(run.id)), () => this.directorySync.schedule());
      files.set(run.id, f);
    }
    f.set({ run });
    return f;
  }

  private ensureLoaded(): Promise<Map<string, RunFile>> {
    if (this.files) return Promise.resolve(this.files);
    this.loading ??= this.readDirectory().then((files) => (this.files = files));
    return this.loading;
  }

  private async readDirectory(): Promise<Map<string, RunFile>> {
    await fs.mkdir(this.directory, { recursive: true });
    await removeStaleTempFiles(this.directory);
    const names = (await fs.readdir(this.directory)).filter((n) => n.endsWith(".json")).sort();
    const files = new Map<string, RunFile>();
    for (const name of names) {
      const file = path.join(this.directory, name);
      const text = await fs.readFile(file, "utf8");
      let entry: unknown;
      let problem: string | undefined;
      try {
        entry = JSON.parse(text);
        // The marker first: a file of a newer format is never read as a run, however much it looks like one.
        problem = formatProblem(entry) ?? runProblem(entry);
      } catch {
        problem = "it is not valid JSON (damaged or cut short)";
      }
      const twin = problem === undefined ? files.get((entry as UpgradeRun).id) : undefined;
      if (twin) problem = `the run file ${twin.file} holds a run with the same id`;
      if (problem !== undefined) {
        this.unreadable.push(unreadableReport(file, problem, entry, entry === undefined ? text : undefined));
        continue;
      }
      const f = new RunFile(file, () => this.directorySync.schedule());
      f.set({ text });
      files.set((entry as UpgradeRun).id, f);
    }
    return files;
  }
}
