// A stored run the store cannot read (a hand edit, a status written by a newer version, a truncated file): the store
// keeps it, the engine refuses a new run for its domain, the adapter warns. One description for all of them.

/** A stored entry that fails the run shape check. */
export interface UnreadableRun {
  file: string;
  runId?: string;
  domainId?: string;
  domainName?: string;
  /** What the check found, e.g. status "paused" is not a status this version knows. */
  problem: string;
}

/** One sentence naming the entry, its file and what is wrong with it. */
export function describeUnreadableRun(u: UnreadableRun): string {
  const what = u.runId ? `the upgrade run ${u.runId}` : "an entry";
  const domain = u.domainName ?? u.domainId;
  return `The run file ${u.file} holds ${what}${domain ? ` of domain ${domain}` : ""}, which cannot be read: ${u.problem}`;
}
