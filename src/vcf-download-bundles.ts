// vcf-download-bundles: starts an upgrade run for a domain and downloads every bundle its target release needs.
import type { NodeAPI } from "./adapters/node-red-types";
import { registerPhaseNode } from "./adapters/phase-node";

export = function (RED: NodeAPI): void {
  registerPhaseNode(RED, {
    type: "vcf-download-bundles",
    phase: "download",
    startsRun: true,
    behaviour: (node) => ({
      execute: (engine, runId, signal) => engine.downloadBundles(runId, signal, node.redNode.id),
    }),
  });
};
