// vcf-prechecks: validates and sets the target version, then runs the SDDC Manager prechecks.
import type { NodeAPI } from "./adapters/node-red-types";
import { registerPhaseNode } from "./adapters/phase-node";

export = function (RED: NodeAPI): void {
  registerPhaseNode(RED, {
    type: "vcf-prechecks",
    phase: "prechecks",
    behaviour: (node) => ({
      execute: (engine, runId, signal) => engine.runPrechecks(runId, signal, node.redNode.id),
    }),
  });
};
