// The single-file run store written before the per-run directory (all runs in <name>.json): read once, taken over.
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { readStateFile, syncDirectory, writeFileAtomically } from "./atomic-file";

/** The suffix a taken-over single file is renamed to (kept, never deleted: it is the user's data). */
export const TAKEN_OVER_SUFFIX = ".migrated";

/** The entries of a single-file store, as read; a file that is not JSON or has no runs list is refused as a whole. */
async function readSingleFile(file: string): Promise<unknown[] | undefined> {
  const text = await readStateFile(file);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`The run store ${file} is not valid JSON; move it away to start with an empty store`);
  }
  const list = (parsed as { runs?: unknown } | null)?.runs;
  if (!Array.isArray(list))
    throw new Error(`The run store ${file} has no "runs" list; move it away to start with an empty store`);
  return list;
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return false;
      throw err;
    },
  );
}

/**
 * Makes sure `directory` exists; when it does not and the single file `file` does, its entries (runs, and entries
 * that are not runs, as they were) become one file each (named by `fileNameOf`) in a staging directory that is then
 * renamed to `directory`, and `file` is renamed aside. A crash before that rename leaves the single file in charge and
 * the next start builds the staging directory again; after it, the directory is in charge.
 */
export async function takeOverSingleFile(
  file: string,
  directory: string,
  fileNameOf: (entry: unknown, position: number) => string,
): Promise<void> {
  const parent = path.dirname(directory);
  if (await exists(directory)) {
    // A crash between the two renames: the directory holds everything the file did.
    if (await exists(file)) await fs.rename(file, `${file}${TAKEN_OVER_SUFFIX}`);
    return;
  }
  const entries = await readSingleFile(file);
  if (entries === undefined) {
    await fs.mkdir(directory, { recursive: true });
    return;
  }
  const staging = `${directory}.taking-over`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  for (const [index, entry] of entries.entries()) {
    await writeFileAtomically(path.join(staging, fileNameOf(entry, index + 1)), JSON.stringify(entry));
  }
  await fs.rename(staging, directory);
  await syncDirectory(parent);
  await fs.rename(file, `${file}${TAKEN_OVER_SUFFIX}`);
  await syncDirectory(parent);
}
