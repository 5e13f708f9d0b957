// How the other nodes reach the VcfConnection of the vcf-config node they reference.
import type { Credentials } from "./client-options";
import { VcfConnection } from "./connection";
import { InputError } from "./errors";
import { t } from "./i18n";
import type { Node, NodeAPI } from "./node-red-types";

export const CONFIG_TYPE = "vcf-config";

export interface VcfConfigNode extends Node<Credentials> {
  connection: VcfConnection;
}

export function isVcfConfigNode(value: unknown): value is VcfConfigNode {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { connection?: unknown }).connection instanceof VcfConnection
  );
}

/** The connection of the node's `server` setting; throws an error naming the setting when it is missing. */
export function getConnection(RED: NodeAPI, serverId: string | undefined): VcfConnection {
  const config = serverId ? RED.nodes.getNode(serverId) : undefined;
  if (!isVcfConfigNode(config)) {
    throw new InputError("server", t("vcf-config.errors.noConnection"));
  }
  return config.connection;
}
