// Command-line helpers the soak and the fleet benchmark share: options, usage errors, and small helpers for their
// reports.

/** A wrong option: the script prints its message and the usage, and exits 2. */
class UsageError extends Error {}

/**
 * Reads argv into `o`: --help/-h prints `usage` and exits 0, --keep and --verbose set o.keep and o.verbose, and every
 * other option goes to onOption(flag, value), which returns false for an option it does not know (a UsageError).
 * `--flag=v` and `--flag v` both work: value() returns the inline value or takes the next argument.
 */
function readOptions(argv, usage, o, onOption) {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === "--help" || flag === "-h") {
      console.log(usage);
      process.exit(0);
    } else if (flag === "--keep") o.keep = true;
    else if (flag === "--verbose") o.verbose = true;
    else if (onOption(flag, value) === false) throw new UsageError(`unknown option "${arg}"`);
  }
}

/** An option's number, at least `min` (and whole when `integer`); a UsageError otherwise. */
function numberOption(name, text, { min = 0, integer = false } = {}) {
  const n = Number(text);
  if (text === undefined || text === "" || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `${name} needs ${integer ? "a whole number" : "a number"} of at least ${min}, not "${text ?? ""}"`,
    );
  }
  return n;
}

/** parse()'s options; on a UsageError prints `<name>: <message>` and the usage to stderr and exits 2. */
function optionsOrExit(name, usage, parse) {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${name}: ${err.message}\n${usage}`);
    process.exit(2);
  }
}

/** A promise resolved after `ms` milliseconds. */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How often each item occurs, in the order first seen: { item: count }. */
function countBy(list) {
  const counts = {};
  for (const item of list) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

/** The text on one line (whitespace runs as one space), cut to `max` characters with an ellipsis. */
function truncate(text, max) {
  const s = String(text).replace(/\s+/g, " ");
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A UUID anywhere in a text (global), to blank out ids when grouping messages. */
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** Domain names by the ids SDDC Manager uses for the domain and its clusters (upgrade and check-set targets). */
function resourceNames(sim) {
  const names = new Map();
  for (const domain of sim.state().domains ?? []) {
    names.set(domain.id, domain.name);
    for (const cluster of domain.clusters ?? []) names.set(cluster.id, domain.name);
  }
  return names;
}

module.exports = {
  UsageError,
  readOptions,
  numberOption,
  optionsOrExit,
  sleep,
  countBy,
  truncate,
  UUID,
  resourceNames,
};
