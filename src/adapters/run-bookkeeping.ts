// What the phase nodes keep per run beside the run file: which phase outputs they sent, and a copy of the message
// that started the run's current phase. The engine records that a phase is done, not that its message left the
// node: with both, a run parked between two phases is not sent again after a restart or redeploy, one whose output
// was lost (e.g. a crash just after the phase) is, and a resumed phase sends the user properties it was given.
// Beside the runs, per await-ack node: the "ignore warnings" value its last ignoreAlerts message set.
import { promises as fs } from "node:fs";
import type { Phase } from "../engine";
import { writeFileAtomically } from "../store";
import type { JsonValue } from "./message-copy";

const FORMAT_VERSION = 1;
const LOST_ON_READ = `outputs of runs parked between phases may be sent once more, and await-ack nodes use their "ignore warnings" checkbox`;

type MessageCopy = Record<string, JsonValue>;

interface BookkeepingFile {
  version: number;
  sent: Record<string, Phase[]>;
  /** Absent in files written before the copies were kept. */
  messages?: Record<string, MessageCopy>;
  /** Per await-ack node id; absent in files written before it was kept. */
  ignoreAlerts?: Record<string, boolean>;
}

export class RunBookkeeping {
  private readonly sent = new Map<string, Set<Phase>>();
  private readonly messages = new Map<string, MessageCopy>();
  /** undefined: cleared (kept, so that a file still being read does not bring the old value back). */
  private readonly ignoreAlerts = new Map<string, boolean | undefined>();
  private readonly loaded: Promise<void>;
  /** Starts from the read, so no write can replace the file before its content is known. */
  private writing: Promise<void>;

  /**
   * @param file where to keep the record; undefined keeps it in memory (like the runs without a user directory)
   * @param warn reports a file that cannot be read or written (the worst outcome is one repeated output)
   */
  constructor(readonly file: string | undefined, private readonly warn: (text: string) => void) {
    this.loaded = file ? this.read(file) : Promise.resolve();
    this.writing = this.loaded;
  }

  ready(): Promise<void> {
    return this.loaded;
  }

  wasSent(runId: string, phase: Phase): boolean {
    return this.sent.get(runId)?.has(phase) ?? false;
  }

  /** Records a sent output; the file is rewritten in the background. */
  recordSent(runId: string, phase: Phase): void {
    const phases = this.sent.get(runId) ?? new Set<Phase>();
    if (phases.has(phase)) return;
    phases.add(phase);
    this.sent.set(runId, phases);
    this.persist();
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
    if (this.ignoreAlerts.has(nodeId) && this.ignoreAlerts.get(nodeId) === value) return;
    this.ignoreAlerts.set(nodeId, value);
    this.persist();
  }

  /** Forgets the values of the nodes `keep` refuses. */
  keepIgnoreAlertsOf(keep: (nodeId: string) => boolean): void {
    const gone = [...this.ignoreAlerts].filter(([nodeId, value]) => value !== undefined && !keep(nodeId));
    for (const [nodeId] of gone) this.ignoreAlerts.set(nodeId, undefined);
    if (gone.length > 0) this.persist();
  }

  /** Forgets the runs the engine no longer keeps. */
  keepOnly(runIds: ReadonlySet<string>): void {
    let changed = false;
    for (const records of [this.sent, this.messages]) {
      for (const id of [...records.keys()].filter((runId) => !runIds.has(runId))) changed = records.delete(id) || changed;
    }
    if (changed) this.persist();
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
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.warn(`Could not read ${file} (${String(err)}): ${LOST_ON_READ}`);
      return;
    }
    let parsed: Partial<BookkeepingFile> | null;
    try {
      parsed = JSON.parse(text) as Partial<BookkeepingFile> | null;
    } catch {
      this.warn(`${file} is not valid JSON and is ignored: ${LOST_ON_READ}`);
      return;
    }
    // Merged with what was recorded while the file was read.
    for (const [runId, phases] of Object.entries(parsed?.sent ?? {})) {
      if (Array.isArray(phases)) this.sent.set(runId, new Set([...phases, ...(this.sent.get(runId) ?? [])]));
    }
    for (const [runId, copy] of Object.entries(parsed?.messages ?? {})) {
      if (typeof copy === "object" && copy !== null && !this.messages.has(runId)) this.messages.set(runId, copy);
    }
    for (const [nodeId, value] of Object.entries(parsed?.ignoreAlerts ?? {})) {
      if (typeof value === "boolean" && !this.ignoreAlerts.has(nodeId)) this.ignoreAlerts.set(nodeId, value);
    }
  }

  private persist(): void {
    const file = this.file;
    if (!file) return;
    this.writing = this.writing
      .then(() => this.write(file))
      .catch((err: unknown) => this.warn(`Could not write ${file} (${String(err)}): after a restart, a phase output already sent may be sent once more, or without the properties of its input message, and an await-ack node may go back to its "ignore warnings" checkbox`));
  }

  private write(file: string): Promise<void> {
    const body: BookkeepingFile = {
      version: FORMAT_VERSION,
      sent: Object.fromEntries([...this.sent].map(([id, phases]) => [id, [...phases]])),
      messages: Object.fromEntries(this.messages),
      ignoreAlerts: Object.fromEntries([...this.ignoreAlerts].filter((entry): entry is [string, boolean] => entry[1] !== undefined)),
    };
    return writeFileAtomically(file, JSON.stringify(body));
  }
}
