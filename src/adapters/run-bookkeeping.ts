// What the phase nodes keep per run beside the run file: which phase outputs they sent, and a copy of the message
// that started the run's current phase. The engine records that a phase is done, not that its message left the
// node: with both, a run parked between two phases is not sent again after a restart or redeploy, one whose output
// was lost (e.g. a crash just after the phase) is, and a resumed phase sends the user properties it was given.
// Beside the runs, per await-ack node: the "ignore warnings" value its last ignoreAlerts message set.
import type { Phase } from "../engine";
import { AtomicFileWriter, readStateFile } from "../store";
import { t } from "./i18n";
import type { JsonValue } from "./message-copy";

const FORMAT_VERSION = 1;

type MessageCopy = Record<string, JsonValue>;

/** What leaves a phase node once per run: a phase's output, and the report of a run that failed or was cancelled. */
export type SentOutput = Phase | "report";

interface BookkeepingFile {
  version: number;
  sent: Record<string, SentOutput[]>;
  messages: Record<string, MessageCopy>;
  /** Per await-ack node id. */
  ignoreAlerts: Record<string, boolean>;
}

/** Records are made once ready() has resolved: the file's content is read into empty records, not merged. */
export class RunBookkeeping {
  private readonly sent = new Map<string, Set<SentOutput>>();
  private readonly messages = new Map<string, MessageCopy>();
  private readonly ignoreAlerts = new Map<string, boolean>();
  private readonly loaded: Promise<void>;
  private readonly writer?: AtomicFileWriter;
  /** The write whose failure is reported already (writes queued together share one promise). */
  private reported?: Promise<void>;
  private closed = false;

  /**
   * @param file where to keep the record; undefined keeps it in memory (like the runs without a user directory)
   * @param warn reports a file that cannot be read or written (the worst outcome is one repeated output)
   * @param isKnownRun false for a run the engine no longer keeps: its records are dropped before each write
   * @param needsMessage false once the run's kept message can no longer be used (the run ended and its last output
   *   went out): the copy is dropped before each write
   */
  constructor(
    readonly file: string | undefined,
    private readonly warn: (text: string) => void,
    private readonly isKnownRun: (runId: string) => boolean = () => true,
    private readonly needsMessage: (runId: string) => boolean = () => true,
  ) {
    this.loaded = file ? this.read(file) : Promise.resolve();
    if (file) this.writer = new AtomicFileWriter(file, () => this.render());
  }

  ready(): Promise<void> {
    return this.loaded;
  }

  wasSent(runId: string, phase: SentOutput): boolean {
    return this.sent.get(runId)?.has(phase) ?? false;
  }

  /** Records an output about to be sent; resolves once that is on disk (or its write failed, which is warned about). */
  recordSent(runId: string, phase: SentOutput): Promise<void> {
    const phases = this.sent.get(runId) ?? new Set<SentOutput>();
    if (phases.has(phase)) return Promise.resolve();
    phases.add(phase);
    this.sent.set(runId, phases);
    return this.persist();
  }

  /** Takes a record back (the output was not sent after all: its node closed first). */
  forgetSent(runId: string, phase: Phase): void {
    if (this.sent.get(runId)?.delete(phase)) void this.persist();
  }

  /** Keeps the copy of the message a phase of the run started with (undefined: forget the previous one). */
  recordMessage(runId: string, copy: MessageCopy | undefined): void {
    if (copy) this.messages.set(runId, copy);
    else if (!this.messages.delete(runId)) return;
    this.persist();
  }

  /** A fresh copy of the kept message of the run, if any. */
  messageOf(runId: string): MessageCopy | undefined {
    const copy = this.messages.get(runId);
    return copy ? structuredClone(copy) : undefined;
  }

  /** The "ignore warnings" value the last ignoreAlerts message of await-ack node `nodeId` set; undefined: none. */
  ignoreAlertsOf(nodeId: string): boolean | undefined {
    return this.ignoreAlerts.get(nodeId);
  }

  /** Keeps the value for the node (undefined: forget it, the node's checkbox applies). */
  setIgnoreAlerts(nodeId: string, value: boolean | undefined): void {
    if (this.ignoreAlerts.get(nodeId) === value) return;
    if (value === undefined) this.ignoreAlerts.delete(nodeId);
    else this.ignoreAlerts.set(nodeId, value);
    this.persist();
  }

  /** Forgets the values of the nodes `keep` refuses. */
  keepIgnoreAlertsOf(keep: (nodeId: string) => boolean): void {
    const gone = [...this.ignoreAlerts.keys()].filter((nodeId) => !keep(nodeId));
    for (const nodeId of gone) this.ignoreAlerts.delete(nodeId);
    if (gone.length > 0) this.persist();
  }

  /** Forgets the runs the engine no longer keeps, and the message copies no longer needed (also done before every write). */
  forgetGoneRuns(): void {
    if (this.dropGoneRuns()) this.persist();
  }

  /** Makes later changes stay in memory; resolves once the last write has landed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loaded;
    await this.writer?.idle();
  }

  private dropGoneRuns(): boolean {
    let changed = false;
    for (const records of [this.sent, this.messages]) {
      for (const id of [...records.keys()].filter((runId) => !this.isKnownRun(runId)))
        changed = records.delete(id) || changed;
    }
    for (const id of [...this.messages.keys()].filter((runId) => !this.needsMessage(runId)))
      changed = this.messages.delete(id) || changed;
    return changed;
  }

  private async read(file: string): Promise<void> {
    let text: string | undefined;
    try {
      text = await readStateFile(file);
    } catch (err) {
      this.warn(t("vcf-config.warnings.bookkeepingUnreadable", { file, error: String(err) }));
      return;
    }
    if (text === undefined) return;
    let parsed: Partial<BookkeepingFile> | null;
    try {
      parsed = JSON.parse(text) as Partial<BookkeepingFile> | null;
    } catch {
      this.warn(t("vcf-config.warnings.bookkeepingNotJson", { file }));
      return;
    }
    for (const [runId, phases] of Object.entries(parsed?.sent ?? {})) {
      if (Array.isArray(phases)) this.sent.set(runId, new Set(phases));
    }
    for (const [runId, copy] of Object.entries(parsed?.messages ?? {})) {
      if (typeof copy === "object" && copy !== null) this.messages.set(runId, copy);
    }
    for (const [nodeId, value] of Object.entries(parsed?.ignoreAlerts ?? {})) {
      if (typeof value === "boolean") this.ignoreAlerts.set(nodeId, value);
    }
  }

  /**
   * Rewrites the file in the background, after the read (so no write replaces content not yet known); resolves once
   * the write has landed or failed (a failure is warned about, not thrown).
   */
  private persist(): Promise<void> {
    const writer = this.writer;
    if (!writer || this.closed) return Promise.resolve();
    return this.loaded.then(() => {
      const write = writer.schedule();
      if (write !== this.reported) {
        this.reported = write;
        write.catch((err: unknown) =>
          this.warn(t("vcf-config.warnings.bookkeepingUnwritable", { file: writer.file, error: String(err) })),
        );
      }
      return write.catch(() => undefined);
    });
  }

  private render(): string {
    this.dropGoneRuns();
    const body: BookkeepingFile = {
      version: FORMAT_VERSION,
      sent: Object.fromEntries([...this.sent].map(([id, phases]) => [id, [...phases]])),
      messages: Object.fromEntries(this.messages),
      ignoreAlerts: Object.fromEntries(this.ignoreAlerts),
    };
    return JSON.stringify(body);
  }
}
