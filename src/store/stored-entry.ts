// What a stored entry is: a run this version can read, or an entry kept as it was and reported (see unreadable-run.ts).
import { UPGRADE_STATUSES } from "../engine/types";
import type { UnreadableRun } from "../engine/unreadable-run";

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
