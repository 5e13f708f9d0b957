// vcf-upgrade: upgrades the domain's components one by one, then validates that the domain is at the target.
import type { NodeAPI } from "./adapters/node-red-types";
import { registerPhaseNode } from "./adapters/phase-node";

export = function (RED: NodeAPI): void {
  registerPhaseNode(RED, {
    type: "vcf-upgrade",
    phase: "upgrade",
    behaviour: (node) => ({
      execute: (engine, runId, signal) => engine.upgradeComponents(runId, signal, node.redNode.id),
    }),
  });
};
