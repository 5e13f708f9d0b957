// The adapters' half of the hand-over rule (the engine's half: engine/ownership.ts). A run is owned by the node of
// its current phase (run.phase, run.ownerNodeId). The phase's output counts as sent once the next phase's node has
// taken the run over (it records itself as owner before it does anything): until then, a message lost with the
// process (a crash between send() and the next node's first write) is sent again after a restart, when a node of the
// next phase is wired after the owner. Without one, the run waits on purpose (the flow hands it over later, e.g. a
// button), and the record of the sent output keeps it from being sent twice.
import { nextPhase, type Phase, type UpgradeRun } from "../engine";
import type { FlowNodeConfig } from "./connection";

/** The node type of each phase. */
export const PHASE_NODE_TYPES: Readonly<Record<Phase, string>> = {
  download: "vcf-download-bundles",
  prechecks: "vcf-prechecks",
  acknowledgement: "vcf-await-ack",
  upgrade: "vcf-upgrade",
};

/**
 * What the owner node does with a run after a restart or redeploy:
 * - "continue": run the phase (it continues from its records), then send its output;
 * - "send": the phase is done and its output was not sent: send it;
 * - "send-again": the output was sent, but the next phase's node never took the run over: send it again;
 * - "none": nothing left to do (the output was sent and the run is with the flow, or it has ended).
 */
export type ResumeAction = "continue" | "send" | "send-again" | "none";

export interface HandoffFacts {
  /** The output of the run's current phase is recorded as sent. */
  sent: boolean;
  /** A node of the next phase, on the same connection, is wired after the owner (directly or through other nodes). */
  nextPhaseWired: boolean;
}

export function resumeAction(run: UpgradeRun, facts: HandoffFacts): ResumeAction {
  if (!run.completedPhases.includes(run.phase)) return run.status === "failed" ? "none" : "continue";
  if (!facts.sent) return "send";
  return nextPhase(run.phase) !== undefined && facts.nextPhaseWired ? "send-again" : "none";
}

/** Link-out and link-call nodes reach the link-in nodes named in `links`. */
function targetsOf(node: FlowNodeConfig): string[] {
  const wired = (node.wires ?? []).flat();
  const linked = node.type === "link out" || node.type === "link call" ? (node.links ?? []) : [];
  return [...wired, ...linked];
}

/**
 * True when a node of `phase` using connection `configId` is reachable from node `fromId`'s outputs. Other VCF phase
 * nodes end a path: what they send is their own output, not this one.
 */
export function phaseNodeWiredAfter(
  fromId: string,
  phase: Phase,
  configId: string,
  findInFlows: (id: string) => FlowNodeConfig | undefined,
): boolean {
  const start = findInFlows(fromId);
  if (!start) return false;
  const phaseTypes = new Set(Object.values(PHASE_NODE_TYPES));
  const seen = new Set<string>([fromId]);
  const queue = targetsOf(start);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = findInFlows(id);
    if (!node || node.d === true) continue;
    if (node.type === PHASE_NODE_TYPES[phase] && node.server === configId) return true;
    if (!phaseTypes.has(node.type)) queue.push(...targetsOf(node));
  }
  return false;
}
