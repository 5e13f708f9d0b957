// The cancel control message of every phase node, e.g. from a dashboard or Home Assistant "Cancel" button.
import { remoteWorkWarning } from "../engine";
import { matchesDomain, readPhaseRequest } from "./domain-ref";
import { InputError } from "./errors";
import type { NodeMessage } from "./node-red-types";
import type { PhaseNode, PhaseNodeDef } from "./phase-node";

/** The reason of a cancel message (msg.cancel === true; msg.reason, else a default); undefined for other messages. */
export function readCancelReason(msg: NodeMessage, nodeLabel: string): string | undefined {
  if (msg.cancel === undefined || msg.cancel === false) return undefined;
  if (msg.cancel !== true) {
    throw new InputError(
      "msg.cancel",
      `msg.cancel must be true (a boolean) to cancel a run, not ${JSON.stringify(msg.cancel) ?? String(msg.cancel)}`,
    );
  }
  if (msg.reason === undefined || msg.reason === null || msg.reason === "")
    return `cancel message to node ${nodeLabel}`;
  if (typeof msg.reason !== "string") {
    throw new InputError("msg.reason", "msg.reason must be text saying why the run is cancelled, or left out");
  }
  return msg.reason.trim();
}

/**
 * Cancels the run msg.vcf.runId names, else the active run of msg.domain (or the node's Domain), else the runs
 * this node works on. Warns when there is nothing to cancel, and names remote work that goes on in SDDC Manager.
 */
export async function cancelFromMessage<TDef extends PhaseNodeDef>(
  phaseNode: PhaseNode<TDef>,
  msg: NodeMessage,
  reason: string,
): Promise<void> {
  const engine = phaseNode.engine();
  const request = readPhaseRequest(msg, phaseNode.def);
  let targets: string[];
  if (request.runId) {
    targets = [request.runId];
  } else if (request.domain) {
    const ref = request.domain;
    const known = engine.listRuns().find((r) => matchesDomain(r, ref));
    const active = known ? engine.activeRunFor(known.domainId) : undefined;
    targets = [active?.id ?? ref];
  } else {
    targets = phaseNode.activeRuns().map((r) => r.id);
  }
  if (targets.length === 0) {
    phaseNode.redNode.warn(
      "Nothing to cancel: no run is being worked on at this node; send msg.domain or msg.vcf.runId to name one",
    );
  }
  for (const target of targets) {
    const run = await engine.cancel(target, reason);
    if (!run) {
      phaseNode.redNode.warn(`Nothing to cancel: no upgrade run is active for ${target}`);
      continue;
    }
    const remote = remoteWorkWarning(run);
    phaseNode.redNode.warn(
      `Cancelled the upgrade run ${run.id} of domain ${run.domainName} (${run.status}): ${reason}${remote ? `. ${remote}` : ""}`,
    );
  }
}
