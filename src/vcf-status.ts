// vcf-status: the status, step, progress and markdown log of one domain (or of all), and its plan until a run starts;
// sent on every change and new plan, once after each deploy or restart, and when a message asks for it.
import { getConnection } from "./adapters/config-access";
import { readPhaseRequest } from "./adapters/domain-ref";
import { describeError } from "./adapters/errors";
import { markdownLimit } from "./adapters/messages";
import type { Node, NodeAPI, NodeDef } from "./adapters/node-red-types";
import { onFlowsStarted } from "./adapters/flows-started";
import { t, useCatalog } from "./adapters/i18n";
import { settleInput } from "./adapters/settle-input";
import { errorBadge } from "./adapters/status-badge";
import { PROGRESS_INTERVAL_MS, StatusFeed } from "./adapters/status-feed";
import { FleetViewFeed } from "./adapters/fleet-view-feed";
import type { VcfConnection } from "./adapters/connection";

interface StatusDef extends NodeDef {
  server?: string;
  domain?: string;
  markdownMaxBytes?: number | string;
  /** Seconds between two messages of a domain whose status did not change (finer progress); 0: every change. */
  progressInterval?: number | string;
  /** "domain": a message per domain (default); "fleet": one message for all domains (payload.fleet). */
  mode?: string;
}

/** The progress interval in ms; flows saved before the setting existed get the default. */
function progressIntervalMs(value: StatusDef["progressInterval"]): number {
  const seconds = value === undefined || value === "" ? NaN : Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : PROGRESS_INTERVAL_MS;
}

/** How the fleet view names the SDDC Manager: its config node's name, else its URL. */
function sddcManagerLabel(RED: NodeAPI, def: StatusDef, connection: VcfConnection): string {
  const config = def.server ? (RED.nodes.getNode(def.server) as { name?: unknown } | null) : null;
  const name = typeof config?.name === "string" ? config.name.trim() : "";
  return name || connection.settings?.baseUrl || def.server || "";
}

export = function (RED: NodeAPI): void {
  useCatalog(RED);

  function VcfStatus(this: Node, def: StatusDef): void {
    RED.nodes.createNode(this, def);
    startStatus(this, def);
  }

  function startStatus(node: Node, def: StatusDef): void {
    const closing = new AbortController();
    let feed: StatusFeed | undefined;
    let fleet: FleetViewFeed | undefined;
    let problem: unknown;
    try {
      const connection = getConnection(RED, def.server);
      const timing = { progressIntervalMs: progressIntervalMs(def.progressInterval) };
      if (def.mode === "fleet")
        fleet = new FleetViewFeed(connection, sddcManagerLabel(RED, def, connection), node, markdownLimit(def), timing);
      else feed = new StatusFeed(connection, def.domain?.trim() || undefined, node, markdownLimit(def), timing);
    } catch (err) {
      problem = err;
      node.status(errorBadge(err));
    }

    const emitAfterDeploy = (): void => {
      (fleet ? fleet.emitCurrent(closing.signal) : feed?.emitCurrent(undefined, closing.signal))?.catch(
        (err: unknown) => {
          if (closing.signal.aborted) return;
          node.status(errorBadge(err));
          node.error(t("vcf-status.errors.read", { error: describeError(err) }));
        },
      );
    };
    const stopListening = onFlowsStarted(RED.events, emitAfterDeploy);

    node.on("input", (msg, send, done) => {
      const refresh = async (): Promise<void> => {
        if (fleet) return fleet.emitCurrent(closing.signal, send);
        if (!feed) throw problem;
        await feed.emitCurrent(readPhaseRequest(msg, {}).domain, closing.signal, send);
      };
      void settleInput(node, refresh(), done, { closing: () => closing.signal.aborted });
    });

    node.on("close", (_removed, done) => {
      closing.abort();
      stopListening();
      feed?.close();
      fleet?.close();
      node.status({});
      done();
    });
  }

  RED.nodes.registerType("vcf-status", VcfStatus);
};
