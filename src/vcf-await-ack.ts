// vcf-await-ack: the acknowledgement gate after the prechecks. Passes, waits for an acknowledgement, or
// fails, by the node's rules; takes "acknowledge" and "ignoreAlerts" control messages. The value of the last
// ignoreAlerts message is kept by the connection across redeploys and restarts, until the node is deleted.
import type { AckPolicy, UpgradeEngine, UpgradeRun } from "./engine";
import { ackPolicy, CHECKBOX_DEFAULT, readAckControl, type AckNodeSettings } from "./adapters/ack-control";
import { actorOf } from "./adapters/actor";
import { readPhaseRequest, type PhaseRequest } from "./adapters/domain-ref";
import { describeError } from "./adapters/errors";
import type { NodeAPI, NodeMessage } from "./adapters/node-red-types";
import { registerPhaseNode, type PhaseBehaviour, type PhaseNode, type PhaseNodeDef } from "./adapters/phase-node";
import { t } from "./adapters/i18n";
import { idleBadge } from "./adapters/status-badge";

type AwaitAckDef = PhaseNodeDef & AckNodeSettings;

export = function (RED: NodeAPI): void {
  registerPhaseNode<AwaitAckDef>(RED, { type: "vcf-await-ack", phase: "acknowledgement", behaviour: gate });
};

function gate(node: PhaseNode<AwaitAckDef>): PhaseBehaviour {
  /** Set by the last ignoreAlerts message, also one before a redeploy or restart; undefined: the checkbox applies. */
  const override = (): boolean | undefined => node.connection?.ignoreAlertsOverride(node.redNode.id);
  const nodePolicy = (): AckPolicy => ackPolicy(node.def, override());
  /** A run started by a fleet with one rule for all its runs takes that rule (kept in the run), not the node's. */
  const policy = (run: UpgradeRun | undefined): AckPolicy => run?.fleet?.ackPolicy ?? nodePolicy();

  // The kept value is known here: PhaseNode waits for the records before handling a message or resuming a run.
  function execute(engine: UpgradeEngine, runId: string, signal: AbortSignal): Promise<UpgradeRun> {
    return engine.awaitAcknowledgement(runId, policy(engine.getRun(runId)), signal, node.redNode.id);
  }

  /** Shows a value set by a message in the status (while no run is shown there), since it beats the checkbox. */
  function showOverride(): void {
    const value = override();
    if (node.closing || node.activeRuns().length > 0) return;
    node.redNode.status(
      value === undefined
        ? {}
        : idleBadge(t(value ? "vcf-await-ack.status.overrideOn" : "vcf-await-ack.status.overrideOff")),
    );
  }

  function started(): void {
    void node.connection?.recordsReady().then(() => {
      const value = override();
      if (value === undefined || node.closing) return;
      const checkbox = ackPolicy(node.def).ignoreAlerts;
      node.redNode.log(
        t("vcf-await-ack.log.overrideKept", {
          value: t(value ? "vcf-await-ack.log.on" : "vcf-await-ack.log.off"),
          checkbox: t(checkbox ? "vcf-await-ack.log.on" : "vcf-await-ack.log.off"),
          reset: CHECKBOX_DEFAULT,
        }),
      );
      showOverride();
    });
  }

  /**
   * A gate that is waiting takes the new rules when asked again; its outcome goes where it started. So a failure of
   * the run itself is reported there (done(err)); anything else, e.g. a run that could not be judged again, is logged.
   */
  function applyRules(): void {
    const engine = node.engine();
    for (const run of node.activeRuns()) {
      engine.awaitAcknowledgement(run.id, policy(run), undefined, node.redNode.id).catch((err: unknown) => {
        if (node.closing || engine.getRun(run.id)?.status === "failed") return;
        node.redNode.warn(
          t("vcf-await-ack.warnings.rulesNotApplied", {
            runId: run.id,
            domain: run.domainName,
            error: describeError(err),
          }),
        );
      });
    }
  }

  /** The run named by msg.vcf.runId, else the active run of the message's (or the node's) domain, else the runs waiting at this node. */
  function candidates(request: PhaseRequest): UpgradeRun[] {
    if (request.runId || request.domain)
      return [node.lookupRun(request)].filter((r): r is UpgradeRun => r !== undefined);
    return node.ownedRuns().filter((r) => r.status === "waiting_for_alert_acknowledgement");
  }

  /** Releases the waiting runs the message names; with nothing waiting it only warns (the node status stays). */
  function acknowledge(msg: NodeMessage): void {
    const request = readPhaseRequest(msg, node.def);
    const engine = node.engine();
    const released = candidates(request).filter((run) => engine.acknowledge(run.id, actorOf(msg)) !== undefined);
    if (released.length === 0) {
      const key = request.runId ? "forRun" : request.domain ? "forDomain" : "atNode";
      node.redNode.warn(
        t(`vcf-await-ack.warnings.nothingToAcknowledge.${key}`, {
          runId: request.runId ?? "",
          domain: request.domain ?? "",
        }),
      );
    }
  }

  function control(msg: NodeMessage): boolean {
    const { acknowledge: ack, ignoreAlerts } = readAckControl(msg);
    if (ignoreAlerts !== undefined) {
      node.connection?.setIgnoreAlertsOverride(
        node.redNode.id,
        ignoreAlerts === CHECKBOX_DEFAULT ? undefined : ignoreAlerts,
      );
      showOverride();
      applyRules();
    }
    if (ack) acknowledge(msg);
    const carriesRun = typeof msg.vcf === "object" && msg.vcf !== null && "runId" in msg.vcf;
    return ack || (ignoreAlerts !== undefined && !carriesRun);
  }

  return { execute, control, started };
}
