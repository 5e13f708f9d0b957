// vcf-plan: on each input, computes what an upgrade of the message's domain would do (components in SDDC Manager's
// order, bundles, estimates, readiness findings and, when asked, the check-set findings) and sends it as data and as
// a markdown page. Changes nothing in SDDC Manager. A message asking for the plan already being made gets that plan
// too; one asking for another plan of the same domain meanwhile is refused (send it again once the plan is out).
import type { PlanRequest, UpgradeEngine, UpgradePlan } from "./engine";
import { getConnection } from "./adapters/config-access";
import { InputError } from "./adapters/errors";
import { t, useCatalog } from "./adapters/i18n";
import { markdownLimit, planMessage } from "./adapters/messages";
import type { Node, NodeAPI, NodeDef } from "./adapters/node-red-types";
import { readPlanRequest, samePlanRequest } from "./adapters/plan-request";
import { settleInput } from "./adapters/settle-input";
import { planBadge, planningBadge } from "./adapters/status-badge";

interface PlanDef extends NodeDef {
  server?: string;
  domain?: string;
  targetVersion?: string;
  runPrechecks?: boolean;
  markdownMaxBytes?: number | string;
}

/** A message for another plan of a domain whose plan is being made: refused; the badge keeps showing the plan. */
class PlanBusyError extends InputError {}

export = function (RED: NodeAPI): void {
  useCatalog(RED);

  function VcfPlan(this: Node, def: PlanDef): void {
    RED.nodes.createNode(this, def);
    startPlan(this, def);
  }

  function startPlan(node: Node, def: PlanDef): void {
    const closing = new AbortController();
    const limit = markdownLimit(def);
    const inflight: Array<{ request: PlanRequest; plan: Promise<UpgradePlan> }> = [];

    /** The plan for `request`: the one being made for the same request, else a new one. */
    function planFor(engine: UpgradeEngine, request: PlanRequest): Promise<UpgradePlan> {
      const same = inflight.find((p) => samePlanRequest(p.request, request));
      if (same) return same.plan;
      if (inflight.some((p) => p.request.domain.toLowerCase() === request.domain.toLowerCase())) {
        throw new PlanBusyError("msg.domain", t("vcf-plan.errors.busy", { domain: request.domain }));
      }
      node.status(planningBadge(request.domain));
      const entry = { request, plan: engine.planUpgrade(request, closing.signal) };
      inflight.push(entry);
      const forget = (): void => void inflight.splice(inflight.indexOf(entry), 1);
      entry.plan.then(forget, forget);
      return entry.plan;
    }

    node.on("input", (msg, send, done) => {
      const plan = async (): Promise<void> => {
        const engine = getConnection(RED, def.server).requireEngine();
        const made = await planFor(engine, readPlanRequest(msg, def));
        if (closing.signal.aborted) return;
        node.status(planBadge(made));
        send(planMessage(msg, made, limit));
      };
      void settleInput(node, plan(), done, {
        closing: () => closing.signal.aborted,
        keepsBadge: (err) => err instanceof PlanBusyError,
      });
    });

    // Aborts the plans being made and waits until they have stopped.
    node.on("close", (_removed, done) => {
      closing.abort();
      void Promise.allSettled(inflight.map((p) => p.plan)).then(() => {
        node.status({});
        done();
      });
    });
  }

  RED.nodes.registerType("vcf-plan", VcfPlan);
};
