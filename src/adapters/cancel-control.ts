// The cancel control message of every phase node, e.g. from a dashboard or Home Assistant "Cancel" button.
import { remoteCancelReport, remoteWorkWarning } from "../engine";
import { actorOf } from "./actor";
import { matchesDomain, readPhaseRequest } from "./domain-ref";
import { InputError } from "./errors";
import { engineTextIn, t } from "./i18n";
import type { NodeMessage } from "./node-red-types";
import type { PhaseNode, PhaseNodeDef } from "./phase-node";

/** The reason of a cancel message (msg.cancel === true; msg.reason, else a default); undefined for other messages. */
export function readCancelReason(msg: NodeMessage, nodeLabel: string): string | undefined {
  if (msg.cancel === undefined || msg.cancel === false) return undefined;
  if (msg.cancel !== true) {
    throw new InputError(
      "msg.cancel",
      t("vcf-config.errors.cancel", { value: JSON.stringify(msg.cancel) ?? String(msg.cancel) }),
    );
  }
  if (msg.reason === undefined || msg.reason === null || msg.reason === "")
    return t("vcf-config.cancel.defaultReason", { node: nodeLabel });
  if (typeof msg.reason !== "string") {
    throw new InputError("msg.reason", t("vcf-config.errors.reason"));
  }
  return msg.reason.trim();
}

/**
 * Cancels the run msg.vcf.runId names, else the active run of msg.domain (or the node's Domain), else the runs
 * this node works on; also in SDDC Manager unless the node's cancelInSddcManager is off. Warns when there is nothing
 * to cancel, and names what was cancelled in SDDC Manager and what goes on there.
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
    phaseNode.redNode.warn(t("vcf-config.cancel.nothingAtNode"));
  }
  for (const target of targets) {
    const run = await engine.cancel(target, reason, {
      inSddcManager: phaseNode.def.cancelInSddcManager !== false,
      by: actorOf(msg),
    });
    if (!run) {
      phaseNode.redNode.warn(t("vcf-config.cancel.nothingFor", { target }));
      continue;
    }
    const remote = [remoteCancelReport(run), remoteWorkWarning(run)].flatMap((text) =>
      text ? [engineTextIn(text)] : [],
    );
    const cancelled = t("vcf-config.cancel.done", {
      runId: run.id,
      domain: run.domainName,
      status: run.status,
      reason,
    });
    phaseNode.redNode.warn([cancelled, ...remote].join(". "));
  }
}
