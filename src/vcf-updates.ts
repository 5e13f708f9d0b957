// vcf-updates: on each input, discovers the active domains, their current version, the next release and the
// components to update; sends one message per domain. A domain whose releases could not be read is sent too (with
// payload.problem, for status displays) and reported to Catch nodes with that message, so no flow loses it silently.
import { getConnection } from "./adapters/config-access";
import { matchesDomain, readPhaseRequest } from "./adapters/domain-ref";
import { InputError, toReadableError } from "./adapters/errors";
import { updatesMessage } from "./adapters/messages";
import type { Node, NodeAPI, NodeDef } from "./adapters/node-red-types";
import { t, useCatalog } from "./adapters/i18n";
import { settleInput } from "./adapters/settle-input";
import { idleBadge, warningBadge } from "./adapters/status-badge";

interface UpdatesDef extends NodeDef {
  server?: string;
  domain?: string;
}

export = function (RED: NodeAPI): void {
  useCatalog(RED);

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
        node.status({ fill: "blue", shape: "ring", text: t("vcf-updates.status.discovering") });
        const all = await engine.discoverUpdates(closing.signal);
        const found = domain ? all.filter(({ info }) => matchesDomain(info, domain)) : all;
        if (domain && found.length === 0) {
          const listed = all.map(({ info }) => info.domainName).join(", ");
          throw new InputError(
            "domain",
            t("vcf-updates.errors.unknownDomain", { domain, listed: listed || t("vcf-updates.errors.none") }),
          );
        }
        for (const { info, error } of found) {
          send(updatesMessage(msg, info));
          if (error) node.error(toReadableError(error), updatesMessage(msg, info));
        }
        const updates = found.filter(({ info }) => info.updateAvailable).length;
        const unread = found.filter(({ error }) => error).length;
        const summary = t("vcf-updates.status.summary", { count: found.length, updates });
        node.status(unread ? warningBadge(t("vcf-updates.status.unread", { summary, unread })) : idleBadge(summary));
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
