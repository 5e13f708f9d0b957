// vcf-fleet: upgrades the domains of one SDDC Manager in VMware's order - the management domain first, then the VI
// domains a few at a time - each through the flow's usual phase chain, which output 1 feeds with one start message per
// domain. Output 2 sends the summary when the fleet ends (and on request). The fleet is kept in a file, so after a
// restart or redeploy it continues where it was. The order and the policy live in the engine (engine/fleet).
import { FleetRunner, type RunReport } from "./engine";
import { readCancelReason } from "./adapters/cancel-control";
import { getConnection } from "./adapters/config-access";
import { describeError, InputError } from "./adapters/errors";
import { fleetBadge, fleetStartMessage, fleetSummaryMessage } from "./adapters/fleet-messages";
import { readFleetCommand, readFleetSettings, startDeadlineMs, type FleetDef } from "./adapters/fleet-settings";
import { onFlowsStarted } from "./adapters/flows-started";
import { t, useCatalog } from "./adapters/i18n";
import { messageCopy } from "./adapters/message-copy";
import { markdownLimit } from "./adapters/messages";
import type { Node, NodeAPI, NodeMessage } from "./adapters/node-red-types";
import { settleInput } from "./adapters/settle-input";
import { errorBadge, idleBadge } from "./adapters/status-badge";
import { FileFleetStore, MemoryFleetStore } from "./store";

interface WiredDef extends FleetDef {
  wires?: string[][];
  cancelInSddcManager?: boolean;
}

export = function (RED: NodeAPI): void {
  useCatalog(RED);

  function VcfFleet(this: Node, def: WiredDef): void {
    RED.nodes.createNode(this, def);
    startFleetNode(RED, this, def);
  }

  RED.nodes.registerType("vcf-fleet", VcfFleet);
};

function startFleetNode(RED: NodeAPI, node: Node, def: WiredDef): void {
  const closing = new AbortController();
  const limit = markdownLimit(def);
  let runner: FleetRunner | undefined;
  let reportOf: (runId: string) => RunReport | undefined = () => undefined;
  let problem: unknown;
  try {
    const connection = getConnection(RED, def.server);
    const engine = connection.requireEngine();
    reportOf = (runId) => engine.report(runId);
    const userDir = RED.settings.userDir;
    runner = new FleetRunner({
      engine,
      store: userDir ? new FileFleetStore(userDir, node.id) : new MemoryFleetStore(),
      ownerNodeId: node.id,
      ...(connection.settings?.baseUrl ? { sddcManagerUrl: connection.settings.baseUrl } : {}),
      startDeadlineMs: startDeadlineMs(def),
      sendStart: (fleet, member) => node.send([fleetStartMessage(fleet, member), null]),
      changed: (fleet) => node.status(fleetBadge(fleet)),
      finished: (fleet) => node.send([null, fleetSummaryMessage(fleet, limit, reportOf)]),
      failed: (err) => {
        if (!closing.signal.aborted) node.error(t("vcf-fleet.errors.bookkeeping", { error: describeError(err) }));
      },
    });
    node.status({});
  } catch (err) {
    problem = err;
    node.status(errorBadge(err));
  }

  // Once per instance (a restart or a redeploy of this node): follow the fleet's runs again, send lost starts.
  let resumed = false;
  const stopListening = onFlowsStarted(RED.events, () => {
    if (resumed || !runner) return;
    resumed = true;
    const active = runner;
    active.resume().then(
      () => {
        const fleet = active.current();
        if (fleet && !closing.signal.aborted) node.status(fleetBadge(fleet));
      },
      (err: unknown) => {
        if (closing.signal.aborted) return;
        node.status(errorBadge(err));
        node.error(t("vcf-fleet.errors.resume", { error: describeError(err) }));
      },
    );
  });

  const handle = async (msg: NodeMessage): Promise<void> => {
    if (!runner) throw problem;
    const reason = readCancelReason(msg, node.name || node.id);
    if (reason !== undefined) {
      const cancelled = await runner.cancel(reason, def.cancelInSddcManager !== false);
      if (!cancelled) node.warn(t("vcf-fleet.warnings.nothingToCancel"));
      return;
    }
    const command = readFleetCommand(msg);
    if (command === "acknowledge") {
      const released = runner.acknowledge();
      if (released.length === 0) node.warn(t("vcf-fleet.warnings.nothingToAcknowledge"));
      else node.log(t("vcf-fleet.log.acknowledged", { domains: released.join(", ") }));
      return;
    }
    if (command === "summary") {
      const fleet = runner.current();
      if (!fleet) throw new InputError("msg.payload", t("vcf-fleet.errors.noFleet"));
      node.send([null, fleetSummaryMessage(fleet, limit, reportOf)]);
      return;
    }
    if (!(def.wires?.[0]?.length ?? 0)) throw new InputError("output 1", t("vcf-fleet.errors.notWired"));
    const settings = readFleetSettings(def, msg);
    node.status(idleBadge(t("vcf-fleet.status.discovering")));
    const input = messageCopy(msg) ?? {};
    delete input.fleet; // the settings it overrode are in the fleet's record
    await runner.start(settings, input, closing.signal);
  };

  node.on("input", (msg, _send, done) => {
    void settleInput(node, handle(msg), done, { closing: () => closing.signal.aborted });
  });

  node.on("close", (_removed, done) => {
    closing.abort();
    stopListening();
    const finish = (): void => {
      node.status({});
      done();
    };
    (runner?.close() ?? Promise.resolve()).then(finish, finish);
  });
}
