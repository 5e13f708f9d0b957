// vcf-upgrade: takes a fresh SDDC Manager backup, upgrades the domain's components one by one (with the downtime
// options of the node or msg.upgradeOptions, inside the maintenance window of the node or msg.window), then validates
// that the domain is at the target.
import type { BackupOptions } from "./engine";
import type { NodeAPI } from "./adapters/node-red-types";
import { registerPhaseNode, type PhaseNodeDef } from "./adapters/phase-node";
import { mergeUpgradeOptions, nodeUpgradeOptions, type UpgradeOptionFields } from "./adapters/upgrade-options";
import { readPhaseRequest } from "./adapters/domain-ref";
import type { NodeMessage } from "./adapters/node-red-types";
import { windowRequest, type WindowFields } from "./adapters/window-fields";

interface UpgradeNodeDef extends PhaseNodeDef, UpgradeOptionFields, WindowFields {
  /** Fresh SDDC Manager backup before the first component (default on; flows saved before the option: on). */
  freshBackup?: boolean;
  /** "warn": a failed backup is logged and the upgrade goes on; anything else fails the run (the safe choice). */
  backupFailure?: string;
}

function backupOptions(def: UpgradeNodeDef): BackupOptions {
  return { freshBackup: def.freshBackup !== false, onFailure: def.backupFailure === "warn" ? "warn" : "fail" };
}

export = function (RED: NodeAPI): void {
  registerPhaseNode<UpgradeNodeDef>(RED, {
    type: "vcf-upgrade",
    phase: "upgrade",
    behaviour: (node) => {
      const backup = backupOptions(node.def);
      const options = nodeUpgradeOptions(node.def);
      return {
        // The readiness checks (prechecks phase) judge a missing backup configuration by this option.
        started: () => {
          const engine = node.engine();
          engine.declareBackupOptions(node.redNode.id, backup);
          node.redNode.on("close", () => engine.declareBackupOptions(node.redNode.id, undefined));
        },
        // msg.upgradeOptions overrides the node's per run; a resumed run (no message) upgrades with its recorded ones.
        // msg.window stays with its run; otherwise the node's window applies (a redeploy with another one changes it).
        execute: (engine, runId, signal, input) =>
          engine.upgradeComponents(
            runId,
            signal,
            node.redNode.id,
            backup,
            mergeUpgradeOptions(options, input?.upgradeOptions),
            windowRequest(node.def, input),
          ),
        // msg.window for a run this node is working on (e.g. waiting for its window) changes that run's window.
        control: async (msg: NodeMessage) => {
          if (msg.window === undefined) return false;
          const request = readPhaseRequest(msg, node.def);
          const runId = request.runId ?? node.lookupRun(request)?.id;
          if (!node.activeRuns().some((r) => r.id === runId) || !runId) return false;
          await node.engine().changeWindow(runId, msg.window);
          return true;
        },
      };
    },
  });
};
