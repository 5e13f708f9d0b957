// vcf-await-ack: the acknowledgement gate after the prechecks. Passes, waits for an acknowledgement, or
// fails, by the node's rules; takes "acknowledge" and "ignoreAlerts" control messages.
import type { AckPolicy, UpgradeEngine, UpgradeRun } from "./engine";
import { ackPolicy, readAckControl, type AckNodeSettings } from "./adapters/ack-control";
import { readPhaseRequest, type PhaseRequest } from "./adapters/domain-ref";
import { describeError } from "./adapters/errors";
import type { NodeAPI, NodeMessage } from "./adapters/node-red-types";
import { registerPhaseNode, type PhaseBehaviour, type PhaseNode, type PhaseNodeDef } from "./adapters/phase-node";

type AwaitAckDef = PhaseNodeDef & AckNodeSettings;

export = function (RED: NodeAPI): void {
  registerPhaseNode<AwaitAckDef>(RED, { type: "vcf-await-ack", phase: "acknowledgement", behaviour: gate });
};

function gate(node: PhaseNode<AwaitAckDef>): PhaseBehaviour {
  /** Set by an ignoreAlerts message; lasts until the node is redeployed. */
  let ignoreAlertsOverride: boolean | undefined;
  const policy = (): AckPolicy => ackPolicy(node.def, ignoreAlertsOverride);

  function execute(engine: UpgradeEngine, runId: string, signal: AbortSignal): Promise<UpgradeRun> {
    return engine.awaitAcknowledgement(runId, policy(), signal, node.node.id);
  }

  /**
   * A gate that is waiting takes the new rules when asked again; its outcome goes where it started. So a failure of
   * the run itself is reported there (done(err)); anything else, e.g. a run that could not be judged again, is logged.
   */
  function applyRules(): void {
    const engine = node.engine();
    for (const run of node.activeRuns()) {
      engine.awaitAcknowledgement(run.id, policy(), undefined, node.node.id).catch((err: unknown) => {
        if (node.closing || engine.getRun(run.id)?.status === "failed") return;
        node.node.warn(`Could not apply the new "ignore warnings" setting to the upgrade run ${run.id} of domain ${run.domainName}: ${describeError(err)}`);
      });
    }
  }

  /** The run named by msg.vcf.runId, else the active run of the message's (or the node's) domain, else the runs waiting at this node. */
  function candidates(request: PhaseRequest): UpgradeRun[] {
    if (request.runId || request.domain) return [node.lookupRun(request)].filter((r): r is UpgradeRun => r !== undefined);
    return node.ownedRuns().filter((r) => r.status === "waiting_for_alert_acknowledgement");
  }

  /** Releases the waiting runs the message names; with nothing waiting it only warns (the node status stays). */
  function acknowledge(msg: NodeMessage): void {
    const request = readPhaseRequest(msg, node.def);
    const engine = node.engine();
    const released = candidates(request).filter((run) => engine.acknowledge(run.id) !== undefined);
    if (released.length === 0) {
      const where = request.runId ? `for upgrade run ${request.runId}` : request.domain ? `for domain ${request.domain}` : "at this node";
      node.node.warn(`Nothing to acknowledge: no run is waiting for acknowledgement ${where}`);
    }
  }

  function control(msg: NodeMessage): boolean {
    const { acknowledge: ack, ignoreAlerts } = readAckControl(msg);
    if (ignoreAlerts !== undefined) {
      ignoreAlertsOverride = ignoreAlerts;
      applyRules();
    }
    if (ack) acknowledge(msg);
    const carriesRun = typeof msg.vcf === "object" && msg.vcf !== null && "runId" in msg.vcf;
    return ack || (ignoreAlerts !== undefined && !carriesRun);
  }

  return { execute, control };
}
