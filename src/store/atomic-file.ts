// Durable file replacement for small state files: a crash leaves the old or the new content, never a mix.
import { promises as fs } from "node:fs";
import * as path from "node:path";

let tempCounter = 0;

/**
 * Writes `text` to a temp file beside `file` (mode 0600), fsyncs it, renames it over `file` and syncs the
 * directory (with `syncDir`, which may share one directory fsync between writers). On any failure the temp file is
 * removed and the write's error is thrown.
 */
export async function writeFileAtomically(
  file: string,
  text: string,
  syncDir: (dir: string) => Promise<void> = syncDirectory,
): Promise<void> {
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
  await syncDir(dir);
}

/**
 * The content of `file`, undefined when it does not exist. First removes the temp files another process (one that
 * crashed mid-write) left beside it; this process's own may belong to a write under way.
 */
export async function readStateFile(file: string): Promise<string | undefined> {
  await removeStaleTempFiles(path.dirname(file), file);
  try {
    return await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Removes the temp files of `file` (of every file in `dir` when `file` is undefined) left by another process. */
export async function removeStaleTempFiles(dir: string, file?: string): Promise<void> {
  const base = file === undefined ? ".+" : escapeRegExp(path.basename(file));
  const pattern = new RegExp(`^${base}\\.(\\d+)\\.\\d+\\.tmp$`);
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
 * Runs `task` one at a time; the calls made while a run is queued (not started yet) share that run. So a caller
 * always gets a run that starts after its call, and a burst of calls costs two runs, not one each.
 */
export class CoalescedTask {
  private running: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(private readonly task: () => Promise<void>) {}

  /** Queues a run (or joins the queued one); settles when it has, with its error if it failed. */
  schedule(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.task();
      });
    this.queued = next;
    this.running = next;
    return next;
  }

  /** Resolves once the runs scheduled so far have settled (their failures went to their callers). */
  idle(): Promise<void> {
    return this.running.catch(() => undefined);
  }
}

/**
 * One file rewritten with `render()`'s content, one write at a time; the changes made while a write is queued share
 * the next write (which renders the content as it is when that write starts).
 */
export class AtomicFileWriter {
  private readonly writes: CoalescedTask;

  constructor(
    readonly file: string,
    render: () => string,
    syncDir?: (dir: string) => Promise<void>,
  ) {
    this.writes = new CoalescedTask(() => writeFileAtomically(file, render(), syncDir));
  }

  /** Queues a write (or joins the queued one); settles once the content as of now is on disk, or the write failed. */
  schedule(): Promise<void> {
    return this.writes.schedule();
  }

  /** Resolves once the writes scheduled so far have settled (their failures went to their callers). */
  idle(): Promise<void> {
    return this.writes.idle();
  }
}

/** Makes renames and unlinks in `dir` durable; not every platform can open a directory, so failures are ignored. */
export async function syncDirectory(dir: string): Promise<void> {
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
