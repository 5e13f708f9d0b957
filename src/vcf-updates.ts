// vcf-updates: on each input, discovers the active domains, their current version, the next release and the
// components to update; sends one message per domain.
import { getConnection } from "./adapters/config-access";
import { matchesDomain, readPhaseRequest } from "./adapters/domain-ref";
import { InputError, toReadableError } from "./adapters/errors";
import { updatesMessage } from "./adapters/messages";
import type { Node, NodeAPI, NodeDef } from "./adapters/node-red-types";
import { errorBadge, idleBadge } from "./adapters/status-badge";
import { plural } from "./engine";

interface UpdatesDef extends NodeDef {
  server?: string;
  domain?: string;
}

export = function (RED: NodeAPI): void {
  function VcfUpdates(this: Node, def: UpdatesDef): void {
    RED.nodes.createNode(this, def);
    startUpdates(this, def);
  }

  function startUpdates(node: Node, def: UpdatesDef): void {
    const requests = new Set<AbortController>();
    let closed = false;

    node.on("input", (msg, send, done) => {
      const controller = new AbortController();
      requests.add(controller);
      const discover = async (): Promise<void> => {
        const engine = getConnection(RED, def.server).requireEngine();
        const { domain } = readPhaseRequest(msg, { domain: def.domain });
        node.status({ fill: "blue", shape: "ring", text: "discovering updates" });
        const all = await engine.discoverUpdates(controller.signal);
        const infos = domain ? all.filter((i) => matchesDomain({ domainId: i.domainId, domainName: i.domainName }, domain)) : all;
        if (domain && infos.length === 0) {
          throw new InputError("domain", `Domain "${domain}" is not among the domains SDDC Manager lists (${all.map((i) => i.domainName).join(", ") || "none"}): check the domain name or id`);
        }
        for (const info of infos) send(updatesMessage(msg, info));
        const updates = infos.filter((i) => i.updateAvailable).length;
        node.status(idleBadge(`${plural(infos.length, "domain")}, ${updates} with an update`));
      };
      discover().then(() => done(), (err: unknown) => {
        if (closed) {
          done(); // aborted by a redeploy or restart
          return;
        }
        const readable = toReadableError(err);
        node.status(errorBadge(err));
        done(readable);
      }).finally(() => requests.delete(controller));
    });

    node.on("close", (_removed, done) => {
      closed = true;
      for (const controller of requests) controller.abort();
      node.status({});
      done();
    });
  }

  RED.nodes.registerType("vcf-updates", VcfUpdates);
};
