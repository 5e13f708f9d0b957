// A stored run the store cannot read (a hand edit, a status written by a newer version, a truncated file): the store
// keeps it, the engine refuses a new run for its domain, the adapter warns. One description for all of them.
import { engineText, type EngineText } from "./catalog";

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
export function describeUnreadableRun(u: UnreadableRun): EngineText {
  const what = u.runId ? engineText("unreadableRunId", { runId: u.runId }) : engineText("unreadableEntry");
  const domain = u.domainName ?? u.domainId;
  return engineText("unreadableRun", {
    file: u.file,
    what,
    ofDomain: domain ? engineText("ofDomain", { domain }) : "",
    problem: u.problem,
  });
}
