// What a stored entry is: a run this version can read, or an entry kept as it was and reported (see unreadable-run.ts).
import { UPGRADE_STATUSES, type UpgradeRun } from "../engine/types";
import type { UnreadableRun } from "../engine/unreadable-run";

/**
 * The run file's format marker, a key beside the run's own fields. Raised when the file's layout changes so that this
 * version would misread it: such a file is then refused (kept and reported), never read.
 */
export const FORMAT_KEY = "runFileFormat";
export const FORMAT_VERSION = 1;

/** The content of a run's file: its format marker first, then the run. */
export function runFileText(run: UpgradeRun): string {
  return JSON.stringify({ [FORMAT_KEY]: FORMAT_VERSION, ...run });
}

/** The run in a file's text that was checked with formatProblem and runProblem. */
export function runOfFile(text: string): UpgradeRun {
  const entry = JSON.parse(text) as Record<string, unknown>;
  delete entry[FORMAT_KEY];
  return entry as unknown as UpgradeRun;
}

/** What keeps this version from reading a run file with this content by its format marker; undefined when it can. */
export function formatProblem(value: unknown): string | undefined {
  const format =
    typeof value === "object" && value !== null ? (value as Record<string, unknown>)[FORMAT_KEY] : undefined;
  if (format === undefined) return `it has no format marker (${FORMAT_KEY})`;
  if (typeof format !== "number" || !Number.isInteger(format) || format < 1) {
    return `its format marker ${FORMAT_KEY} is ${JSON.stringify(format).slice(0, 80)}, not a format number`;
  }
  if (format > FORMAT_VERSION) {
    return `it was written by a newer version of this package (run file format ${format}; this version reads format ${FORMAT_VERSION}): install that version again to continue the run`;
  }
  return undefined;
}

/** What keeps `value` from being read as a run; undefined when it is one. */
export function runProblem(value: unknown): string | undefined {
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

const NAMES = ["id", "domainId", "domainName"] as const;

/** The run id and domain an unreadable entry names, read from the entry, or from its raw text when it is not JSON. */
function namesOf(entry: unknown, rawText?: string): Pick<UnreadableRun, "runId" | "domainId" | "domainName"> {
  const out: Pick<UnreadableRun, "runId" | "domainId" | "domainName"> = {};
  for (const key of NAMES) {
    let field = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>)[key] : undefined;
    // A truncated or hand-damaged file still names its run and domain near its start.
    if (field === undefined && rawText !== undefined)
      field = new RegExp(`"${key}"\\s*:\\s*"([^"\\\\]{1,200})"`).exec(rawText)?.[1];
    if (typeof field === "string" && field !== "") out[key === "id" ? "runId" : key] = field.slice(0, 200);
  }
  return out;
}

/** The report for an entry that is not a run. */
export function unreadableReport(file: string, problem: string, entry: unknown, rawText?: string): UnreadableRun {
  return { file, ...namesOf(entry, rawText), problem };
}
