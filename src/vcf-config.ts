// vcf-config: the SDDC Manager connection. Owns one client, one engine and one run store; resumes runs
// after the flows started; serves the editor's "Test connection" button.
import fs from "node:fs";
import { CONFIG_TYPE, isVcfConfigNode, type VcfConfigNode } from "./adapters/config-access";
import type { VcfConfigDef } from "./adapters/config-settings";
import { VcfConnection, type FlowNodeConfig } from "./adapters/connection";
import { describeError } from "./adapters/errors";
import { onFlowsStarted } from "./adapters/flows-started";
import { t, useCatalog } from "./adapters/i18n";
import type { AdminHandler, CredentialsDefinition, NodeAPI } from "./adapters/node-red-types";
import { testConnection, type DeployedConnection } from "./adapters/test-connection";

const CREDENTIALS: CredentialsDefinition = {
  username: { type: "text" },
  password: { type: "password" },
};

export = function (RED: NodeAPI): void {
  useCatalog(RED);

  function VcfConfig(this: VcfConfigNode, def: VcfConfigDef): void {
    RED.nodes.createNode(this, def);
    startConfig(this, def);
  }

  function findInFlows(id: string): FlowNodeConfig | undefined {
    let found: FlowNodeConfig | undefined;
    RED.nodes.eachNode((n) => {
      if (n.id === id) found = n;
    });
    return found;
  }

  function startConfig(node: VcfConfigNode, def: VcfConfigDef): void {
    node.connection = new VcfConnection({
      def,
      credentials: node.credentials,
      lookupNode: (id) => RED.nodes.getNode(id),
      findInFlows,
      userDir: RED.settings.userDir,
      log: (level, text) => (level === "warn" ? node.warn(text) : node.debug(text)),
    });
    if (node.connection.problem) node.warn(node.connection.problem.message);
    if (def.tlsMode === "insecure") {
      node.warn(t("vcf-config.warning.insecure"));
    }
    // A save outside a phase (an acknowledgement, the end of the pause after success) failed: nobody else hears it.
    node.connection.engine?.on("storeError", (err: unknown) => {
      const where = node.connection.storeFile ?? t("vcf-config.errors.inMemory");
      node.error(t("vcf-config.errors.storeWrite", { file: where, error: describeError(err) }));
    });

    const resume = (): void => {
      node.connection
        .resumeRuns()
        .catch((err: unknown) => node.error(t("vcf-config.errors.resume", { error: describeError(err) })));
    };
    const stopListening = onFlowsStarted(RED.events, resume);
    // Node-RED waits (up to 15 s) for done(): the run file must not change after the flows stopped.
    node.on("close", (removed, done) => {
      stopListening();
      node.connection.close().then(
        () => {
          if (removed) reportKeptFiles(node);
          done();
        },
        (err: unknown) => {
          node.error(t("vcf-config.errors.close", { error: describeError(err) }));
          done();
        },
      );
    });
  }

  /** After the node was deleted: its files stay, since undoing the deletion in the editor brings back the same id. */
  function reportKeptFiles(node: VcfConfigNode): void {
    const files = node.connection.files().filter((file) => fs.existsSync(file));
    if (files.length === 0) return;
    node.log(t("vcf-config.log.keptFiles", { files: files.join(", ") }));
  }

  RED.nodes.registerType(CONFIG_TYPE, VcfConfig, { credentials: CREDENTIALS });

  /** The deployed node's settings and stored credentials; undefined when it is not deployed or not usable. */
  function deployed(id: string): DeployedConnection | undefined {
    const node = RED.nodes.getNode(id);
    if (!isVcfConfigNode(node) || !node.connection.settings) return undefined;
    return {
      settings: node.connection.settings,
      credentials: { username: node.credentials?.username, password: node.credentials?.password },
    };
  }

  const test: AdminHandler = (req, res) => {
    testConnection(req.params.id ?? "", req.body, { deployed, lookupNode: (id) => RED.nodes.getNode(id) })
      .then((result) => res.json(result))
      .catch((err: unknown) => res.status(500).json({ ok: false, error: describeError(err) }));
  };
  RED.httpAdmin.post(`/${CONFIG_TYPE}/:id/test`, RED.auth.needsPermission(`${CONFIG_TYPE}.write`), test);
};
