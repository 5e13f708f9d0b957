// vcf-updates: on each input, discovers the active domains, their current version, the next release and the
// components to update; sends one message per domain. A domain whose releases could not be read is sent too (with
// payload.problem, for status displays) and reported to Catch nodes with that message, so no flow loses it silently.
import { getConnection } from "./adapters/config-access";
import { matchesDomain, readPhaseRequest } from "./adapters/domain-ref";
import { InputError, toReadableError } from "./adapters/errors";
import { updatesMessage } from "./adapters/messages";
import type { Node, NodeAPI, NodeDef } from "./adapters/node-red-types";
import { settleInput } from "./adapters/settle-input";
import { idleBadge, warningBadge } from "./adapters/status-badge";
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
    const closing = new AbortController();

    node.on("input", (msg, send, done) => {
      const discover = async (): Promise<void> => {
        const engine = getConnection(RED, def.server).requireEngine();
        const { domain } = readPhaseRequest(msg, { domain: def.domain });
        node.status({ fill: "blue", shape: "ring", text: "discovering updates" });
        const all = await engine.discoverUpdates(closing.signal);
        const found = domain ? all.filter(({ info }) => matchesDomain(info, domain)) : all;
        if (domain && found.length === 0) {
          throw new InputError(
            "domain",
            `Domain "${domain}" is not among the domains SDDC Manager lists (${all.map(({ info }) => info.domainName).join(", ") || "none"}): check the domain name or id`,
          );
        }
        for (const { info, error } of found) {
          send(updatesMessage(msg, info));
          if (error) node.error(toReadableError(error), updatesMessage(msg, info));
        }
        const updates = found.filter(({ info }) => info.updateAvailable).length;
        const unread = found.filter(({ error }) => error).length;
        const summary = `${plural(found.length, "domain")}, ${updates} with an update`;
        node.status(unread ? warningBadge(`${summary}, ${unread} not read`) : idleBadge(summary));
      };
      void settleInput(node, discover(), done, { closing: () => closing.signal.aborted });
    });

    node.on("close", (_removed, done) => {
      closing.abort();
      node.status({});
      done();
    });
  }

  RED.nodes.registerType("vcf-updates", VcfUpdates);
};
