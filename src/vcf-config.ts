// vcf-config: the SDDC Manager connection. Owns one client, one engine and one run store; resumes runs
// after all flows started; serves the editor's "Test connection" button.
import type { Credentials } from "./adapters/client-options";
import { CONFIG_TYPE, type VcfConfigNode } from "./adapters/config-access";
import type { VcfConfigDef } from "./adapters/config-settings";
import { VcfConnection } from "./adapters/connection";
import { describeError } from "./adapters/errors";
import type { AdminHandler, CredentialsDefinition, NodeAPI } from "./adapters/node-red-types";
import { testConnection } from "./adapters/test-connection";

const CREDENTIALS: CredentialsDefinition = {
  username: { type: "text" },
  password: { type: "password" },
};

export = function (RED: NodeAPI): void {
  function VcfConfig(this: VcfConfigNode, def: VcfConfigDef): void {
    RED.nodes.createNode(this, def);
    startConfig(this, def);
  }

  function startConfig(node: VcfConfigNode, def: VcfConfigDef): void {
    node.connection = new VcfConnection({
      def,
      credentials: node.credentials,
      lookupNode: (id) => RED.nodes.getNode(id),
      userDir: RED.settings.userDir,
      log: (level, text) => (level === "warn" ? node.warn(text) : node.debug(text)),
    });
    if (node.connection.problem) node.warn(node.connection.problem.message);
    if (def.tlsMode === "insecure") {
      node.warn("TLS certificate checks are off (allow self-signed): anyone between Node-RED and SDDC Manager could read the credentials. Use a custom CA instead where you can.");
    }

    const resume = (): void => {
      node.connection.resumeRuns().catch((err: unknown) => node.error(`Could not resume upgrade runs: ${describeError(err)}`));
    };
    RED.events.on("flows:started", resume);
    // Node-RED waits (up to 15 s) for done(): the run file must not change after the flows stopped.
    node.on("close", (_removed, done) => {
      RED.events.removeListener("flows:started", resume);
      node.connection.close().then(done, (err: unknown) => {
        node.error(`Could not close the SDDC Manager connection cleanly: ${describeError(err)}`);
        done();
      });
    });
  }

  RED.nodes.registerType(CONFIG_TYPE, VcfConfig, { credentials: CREDENTIALS });

  const test: AdminHandler = (req, res) => {
    const storedCredentials = (id: string): Credentials | undefined => {
      const stored = RED.nodes.getCredentials(id);
      return stored ? { username: asText(stored.username), password: asText(stored.password) } : undefined;
    };
    testConnection(req.params.id ?? "", req.body, { storedCredentials, lookupNode: (id) => RED.nodes.getNode(id) })
      .then((result) => res.json(result))
      .catch((err: unknown) => res.status(500).json({ ok: false, error: describeError(err) }));
  };
  RED.httpAdmin.post(`/${CONFIG_TYPE}/:id/test`, RED.auth.needsPermission(`${CONFIG_TYPE}.write`), test);
};

function asText(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
