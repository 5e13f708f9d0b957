// How every node of the package ends an input message: done() when its work succeeded; on failure a red badge and
// done(readable error) for Catch nodes; nothing after close (a redeploy or restart aborted the work: done() only).
import { toReadableError } from "./errors";
import type { DoneFunction, Node } from "./node-red-types";
import { errorBadge } from "./status-badge";

export interface InputSettling {
  /** True once the node is closing: its work's failure is then not reported. */
  closing: () => boolean;
  /** A failure passed to done() as it is, leaving the badge alone (e.g. a message refused while a phase runs). */
  keepsBadge?: (err: unknown) => boolean;
}

export function settleInput(node: Node, work: Promise<unknown>, done: DoneFunction, o: InputSettling): Promise<void> {
  return work.then(
    () => done(),
    (err: unknown) => {
      if (o.closing()) return done();
      if (o.keepsBadge?.(err) && err instanceof Error) return done(err);
      const readable = toReadableError(err);
      node.status(errorBadge(err));
      done(readable);
    },
  );
}
