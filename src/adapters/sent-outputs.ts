// Which phase outputs the phase nodes have sent, per run, in a small file beside the run file. The engine records
// that a phase is done, not that its message left the node: with both, a run parked between two phases is not sent
// again after a restart or redeploy, and one whose output was lost (e.g. a crash just after the phase) is.
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Phase } from "../engine";

const FORMAT_VERSION = 1;

interface SentFile {
  version: number;
  sent: Record<string, Phase[]>;
}

export class SentOutputs {
  private readonly sent = new Map<string, Set<Phase>>();
  private readonly loaded: Promise<void>;
  private writing: Promise<void> = Promise.resolve();
  private tempCounter = 0;

  /**
   * @param file where to keep the record; undefined keeps it in memory (like the runs without a user directory)
   * @param warn reports a file that cannot be read or written (the worst outcome is one repeated output)
   */
  constructor(readonly file: string | undefined, private readonly warn: (text: string) => void) {
    this.loaded = file ? this.read(file) : Promise.resolve();
  }

  ready(): Promise<void> {
    return this.loaded;
  }

  wasSent(runId: string, phase: Phase): boolean {
    return this.sent.get(runId)?.has(phase) ?? false;
  }

  /** Records a sent output; the file is rewritten in the background. */
  record(runId: string, phase: Phase): void {
    const phases = this.sent.get(runId) ?? new Set<Phase>();
    if (phases.has(phase)) return;
    phases.add(phase);
    this.sent.set(runId, phases);
    this.persist();
  }

  /** Forgets the runs the engine no longer keeps. */
  keepOnly(runIds: ReadonlySet<string>): void {
    const gone = [...this.sent.keys()].filter((id) => !runIds.has(id));
    for (const id of gone) this.sent.delete(id);
    if (gone.length > 0) this.persist();
  }

  /** Resolves once the last write has landed. */
  close(): Promise<void> {
    return this.writing;
  }

  private async read(file: string): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.warn(`Could not read ${file} (${String(err)}): outputs of runs parked between phases may be sent once more`);
      return;
    }
    try {
      const parsed = JSON.parse(text) as Partial<SentFile> | null;
      for (const [runId, phases] of Object.entries(parsed?.sent ?? {})) {
        if (Array.isArray(phases)) this.sent.set(runId, new Set(phases));
      }
    } catch {
      this.warn(`${file} is not valid JSON and is ignored: outputs of runs parked between phases may be sent once more`);
    }
  }

  private persist(): void {
    const file = this.file;
    if (!file) return;
    this.writing = this.writing
      .then(() => this.write(file))
      .catch((err: unknown) => this.warn(`Could not write ${file} (${String(err)}): after a restart, a phase output already sent may be sent once more`));
  }

  /** Temp file, then rename: a crash leaves the old or the new record. */
  private async write(file: string): Promise<void> {
    const body: SentFile = { version: FORMAT_VERSION, sent: Object.fromEntries([...this.sent].map(([id, phases]) => [id, [...phases]])) };
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${++this.tempCounter}.tmp`;
    await fs.writeFile(temp, JSON.stringify(body), { mode: 0o600 });
    await fs.rename(temp, file);
  }
}
