// The run's log entries and findings as data for vcf-status (dashboards render them without parsing markdown).
// Each list is capped on its own at the node's byte cap, measured as its UTF-8 JSON text, like the markdown.
import { byteLength, DEFAULT_SETTINGS, type Finding, type LogEntry, type UpgradeRun } from "../engine";

/** The newest this many log entries at most, whatever the byte cap leaves room for. */
export const STATUS_LOG_MAX_ENTRIES = 100;
/** The smallest cap (as for the markdown): room for at least one shortened entry. */
const MIN_CAP_BYTES = 256;

export interface StatusLogEntry {
  at: string;
  level: LogEntry["level"];
  phase: LogEntry["phase"];
  /** Plain text: not escaped for markdown or HTML. */
  text: string;
}

export interface StatusFinding {
  severity: Finding["severity"];
  name: string;
  /** "" when SDDC Manager named none. */
  resource: string;
  description: string;
  /** "" when SDDC Manager gave none. */
  remediation: string;
}

export interface StatusLists {
  /** Oldest first, newest last. */
  log: StatusLogEntry[];
  /** Earlier entries not in `log` (left out for the caps, or already dropped from the run). */
  logOmitted: number;
  findings: StatusFinding[];
  /** Findings not in `findings` (left out for the byte cap). */
  findingsOmitted: number;
}

export function statusLists(run: UpgradeRun, maxBytes: number | undefined): StatusLists {
  const cap = Math.max(MIN_CAP_BYTES, maxBytes ?? DEFAULT_SETTINGS.logMaxBytes);
  const log = newestLog(run.log, cap);
  const findings = leadingWithin(run.findings.map(statusFinding), cap);
  return {
    log,
    logOmitted: run.log.length - log.length + (run.droppedLogEntries ?? 0),
    findings,
    findingsOmitted: run.findings.length - findings.length,
  };
}

/** JSON size of one array element, with the comma that separates it from the next. */
function elementBytes(item: unknown): number {
  return byteLength(JSON.stringify(item)) + 1;
}

/** The newest entries whose JSON array fits `cap`; a newest entry too big on its own is shortened. */
function newestLog(log: LogEntry[], cap: number): StatusLogEntry[] {
  const kept: StatusLogEntry[] = [];
  let budget = cap - 1; // "[" and "]", minus the comma the last element does not have
  for (const e of [...log].reverse()) {
    if (kept.length >= STATUS_LOG_MAX_ENTRIES) break;
    let entry: StatusLogEntry = { at: e.at, level: e.level, phase: e.phase, text: e.text };
    if (kept.length === 0) entry = shortened(entry, budget);
    const size = elementBytes(entry);
    if (size > budget) break;
    kept.unshift(entry);
    budget -= size;
  }
  return kept;
}

/** `entry` with its text cut (ending in "…") so that it takes at most `budget` bytes. */
function shortened(entry: StatusLogEntry, budget: number): StatusLogEntry {
  if (elementBytes(entry) <= budget) return entry;
  const chars = Array.from(entry.text);
  const cutTo = (n: number): StatusLogEntry => ({ ...entry, text: `${chars.slice(0, n).join("")}…` });
  // JSON escapes make characters take different sizes: search the longest prefix that fits.
  let fits = 0;
  let tooLong = chars.length;
  while (tooLong - fits > 1) {
    const mid = Math.floor((fits + tooLong) / 2);
    if (elementBytes(cutTo(mid)) <= budget) fits = mid;
    else tooLong = mid;
  }
  return cutTo(fits);
}

/** The first items whose JSON array fits `cap`. */
function leadingWithin<T>(items: T[], cap: number): T[] {
  const kept: T[] = [];
  let budget = cap - 1;
  for (const item of items) {
    const size = elementBytes(item);
    if (size > budget) break;
    kept.push(item);
    budget -= size;
  }
  return kept;
}

function statusFinding(f: Finding): StatusFinding {
  return {
    severity: f.severity,
    name: f.name,
    resource: f.resource ?? "",
    description: f.description,
    remediation: f.remediation ?? "",
  };
}
