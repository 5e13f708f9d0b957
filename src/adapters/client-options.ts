// Turns the connection settings and credentials of a vcf-config node into VcfClient options.
import type { VcfClientOptions } from "../vcf/client";
import { ConfigError, type ConnectionSettings } from "./config-settings";
import { t } from "./i18n";

export interface Credentials {
  username?: string;
  password?: string;
}

/** The part of a core tls-config node we use (node-red/nodes/core/network/05-tls.js). */
export interface TlsConfigNode {
  addTLSOptions(opts: Record<string, unknown>): Record<string, unknown>;
}

export function isTlsConfigNode(value: unknown): value is TlsConfigNode {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { addTLSOptions?: unknown }).addTLSOptions === "function"
  );
}

export type ClientLog = NonNullable<VcfClientOptions["log"]>;

export function requireCredentials(credentials: Credentials | undefined): Required<Credentials> {
  const username = credentials?.username?.trim() ?? "";
  const password = credentials?.password ?? "";
  if (!username) throw new ConfigError("username", t("vcf-config.errors.usernameEmpty"));
  if (!password) throw new ConfigError("password", t("vcf-config.errors.passwordEmpty"));
  return { username, password };
}

/**
 * @param lookupNode finds a deployed node by id (RED.nodes.getNode), for the tls-config option
 */
export function buildClientOptions(
  connection: ConnectionSettings,
  credentials: Credentials | undefined,
  lookupNode: (id: string) => unknown,
  log?: ClientLog,
): VcfClientOptions {
  const { username, password } = requireCredentials(credentials);
  const options: VcfClientOptions = {
    baseUrl: connection.baseUrl,
    username,
    password,
    requestTimeoutMs: connection.requestTimeoutMs,
    retry: connection.retry,
    tls: tlsOptions(connection, lookupNode),
  };
  // The client's warnings with a code are worded here, in the user's language (the TLS one names the node's option,
  // not the client's); its other log lines are debug and info records.
  if (log)
    options.log = (level, text, warning) =>
      log(level, warning ? t(`vcf-config.clientWarnings.${warning.code}`, warning.params) : text);
  return options;
}

function tlsOptions(connection: ConnectionSettings, lookupNode: (id: string) => unknown): VcfClientOptions["tls"] {
  switch (connection.tlsMode) {
    case "verify":
      return {};
    case "insecure":
      return { allowSelfSigned: true };
    case "ca":
      return { ca: connection.ca };
    case "tls-config": {
      const id = connection.tlsConfigId ?? "";
      const tlsNode = lookupNode(id);
      if (!isTlsConfigNode(tlsNode)) {
        throw new ConfigError("tls", t("vcf-config.errors.tlsNotDeployed", { id }));
      }
      const opts = tlsNode.addTLSOptions({});
      const ca = opts.ca;
      const tls: NonNullable<VcfClientOptions["tls"]> = { allowSelfSigned: opts.rejectUnauthorized === false };
      if (typeof ca === "string" || Buffer.isBuffer(ca)) tls.ca = ca.toString();
      return tls;
    }
  }
}
