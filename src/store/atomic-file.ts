// Durable file replacement for small state files: a crash leaves the old or the new content, never a mix.
import { promises as fs } from "node:fs";
import * as path from "node:path";

let tempCounter = 0;

/**
 * Writes `text` to a temp file beside `file` (mode 0600), fsyncs it, renames it over `file` and syncs the
 * directory. On any failure the temp file is removed and the write's error is thrown.
 */
export async function writeFileAtomically(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
  try {
    const handle = await fs.open(temp, "w", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
}

/**
 * The content of `file`, undefined when it does not exist. First removes the temp files another process (one that
 * crashed mid-write) left beside it; this process's own may belong to a write under way.
 */
export async function readStateFile(file: string): Promise<string | undefined> {
  await removeStaleTempFiles(file);
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function removeStaleTempFiles(file: string): Promise<void> {
  const dir = path.dirname(file);
  const pattern = new RegExp(`^${escapeRegExp(path.basename(file))}\\.(\\d+)\\.\\d+\\.tmp$`);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return; // no directory yet: nothing left over
  }
  const stale = names.filter((name) => {
    const pid = pattern.exec(name)?.[1];
    return pid !== undefined && Number(pid) !== process.pid;
  });
  await Promise.all(stale.map((name) => fs.rm(path.join(dir, name), { force: true }).catch(() => undefined)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * One file rewritten with `render()`'s content, one write at a time; the changes made while a write is queued share
 * the next write (which renders the content as it is when that write starts).
 */
export class AtomicFileWriter {
  private writing: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(readonly file: string, private readonly render: () => string) {}

  /** Queues a write (or joins the queued one); settles once the content as of now is on disk, or the write failed. */
  schedule(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.writing.catch(() => undefined).then(() => {
      this.queued = undefined;
      return writeFileAtomically(this.file, this.render());
    });
    this.queued = next;
    this.writing = next;
    return next;
  }

  /** Resolves once the writes scheduled so far have settled (their failures went to their callers). */
  idle(): Promise<void> {
    return this.writing.catch(() => undefined);
  }
}

/** Makes the rename itself durable; not every platform can open a directory, so failures are ignored. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort (e.g. Windows)
  }
}
