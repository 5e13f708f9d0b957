// vcf-config: loading, TLS choices, credentials, and the editor's "Test connection" route.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { RunningSimulator } from "../../nodes/sim/index";
import {
  CONFIG_ID,
  TAB,
  Collector,
  callsOf,
  catchNode,
  caughtError,
  configNode,
  connectionOf,
  credentialsFor,
  flowNode,
  getNode,
  helper,
  helperNode,
  makeUserDir,
  NodeCalls,
  NODE_MODULES,
  startNodeRed,
  startSim,
  stopNodeRed,
  type FlowNode,
} from "../support/nodes-harness";
import { english } from "../support/catalog";
import { postBodies } from "../support/request-log";
import { TEST_CA_PEM } from "../support/test-certificate";

// The core tls-config node, loaded beside ours (the test helper only preloads catch/status/complete).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tlsConfigModule = require(
  path.join(path.dirname(require.resolve("@node-red/nodes/package.json")), "core/network/05-tls.js"),
) as (typeof NODE_MODULES)[number];

interface TestAnswer {
  ok: boolean;
  version?: string;
  error?: string;
}

interface SpiedNode {
  warn: { getCalls(): Array<{ thisValue: unknown; args: unknown[] }> };
}

/** Passes the form's certificate check; what matters is that it differs from the deployed TLS settings. */
const PEM_LIKE = TEST_CA_PEM;

async function testRoute(body: Record<string, unknown>, id = CONFIG_ID): Promise<TestAnswer> {
  const response = await helper.request().post(`/vcf-config/${id}/test`).send(body).expect(200);
  return response.body as TestAnswer;
}

describe("nodes: vcf-config", function () {
  let sim: RunningSimulator;
  let userDir: string;

  before(async () => {
    sim = await startSim();
  });
  after(async () => {
    await sim.stop();
  });
  beforeEach(async () => {
    userDir = makeUserDir();
    await startNodeRed(userDir);
  });
  afterEach(async () => {
    await stopNodeRed(userDir);
  });

  it("loads with one engine whose run file is in the user directory", async () => {
    await helper.load(NODE_MODULES, [{ id: TAB, type: "tab" }, configNode(sim)], credentialsFor(sim));
    const config = getNode(CONFIG_ID) as unknown as {
      connection: { engine?: unknown; problem?: Error; storeFile?: string };
    };
    assert.equal(config.connection.problem, undefined);
    assert.ok(config.connection.engine);
    assert.equal(config.connection.storeFile, path.join(userDir, `vcf-upgrade-runs-${CONFIG_ID}`));
  });

  describe("Test connection", () => {
    beforeEach(async () => {
      await helper.load(NODE_MODULES, [{ id: TAB, type: "tab" }, configNode(sim)], credentialsFor(sim));
      sim.clearRequestLog();
    });

    it("reports the SDDC Manager version for good form values", async () => {
      const answer = await testRoute({ url: sim.url, tlsMode: "verify", ...sim.credentials });
      assert.equal(answer.ok, true, answer.error);
      assert.match(answer.version ?? "", /^\d+\.\d+\.\d+\.\d+/);
      assert.ok(sim.requestLog().some((e) => e.method === "GET" && e.path === "/v1/sddc-managers"));
    });

    it("says the login was rejected for a wrong password, without echoing it", async () => {
      const wrong = "Wr0ng-Secret-123";
      const answer = await testRoute({ url: sim.url, username: sim.credentials.username, password: wrong });
      assert.equal(answer.ok, false);
      assert.match(answer.error ?? "", /rejected the login.*username and password/);
      assert.ok(!JSON.stringify(answer).includes(wrong));
    });

    it("uses the deployed node's credentials when the password field is untouched or empty", async () => {
      for (const password of ["__PWRD__", ""]) {
        const answer = await testRoute({ url: sim.url, username: "", password });
        assert.equal(answer.ok, true, `${password || "empty"}: ${answer.error}`);
      }
    });

    it("uses the stored password only with the stored username: a different typed username needs its password", async () => {
      for (const password of ["__PWRD__", ""]) {
        const other = await testRoute({ url: sim.url, username: "someone-else@vsphere.local", password });
        assert.equal(other.ok, false);
        assert.match(
          other.error ?? "",
          /username differs from the deployed one, so the stored password is not used: type the password/,
        );
        assert.ok(!JSON.stringify(other).includes("someone-else"), JSON.stringify(other));
        const same = await testRoute({ url: sim.url, username: sim.credentials.username, password });
        assert.equal(same.ok, true, same.error);
      }
      const logins = postBodies(sim.requestLog(), "/v1/tokens");
      assert.deepEqual(
        logins.map((body) => (body as { username?: string }).username),
        [sim.credentials.username, sim.credentials.username],
      );
    });

    it("never sends the stored credentials to another URL or with other TLS settings", async () => {
      const elsewhere = await startSim();
      try {
        for (const form of [
          { url: elsewhere.url },
          { url: sim.url, tlsMode: "insecure" },
          { url: sim.url, tlsMode: "ca", ca: PEM_LIKE },
        ]) {
          for (const password of ["__PWRD__", ""]) {
            const answer = await testRoute({ ...form, username: "", password });
            assert.equal(answer.ok, false, JSON.stringify(form));
            assert.match(
              answer.error ?? "",
              /URL or TLS settings differ from the deployed ones, so the stored username and password are not used: type the password/,
            );
          }
        }
        assert.deepEqual(elsewhere.requestLog(), [], "nothing reached the other host");
        assert.deepEqual(sim.requestLog(), [], "nothing reached the deployed host with other TLS settings");
        const typed = await testRoute({ url: elsewhere.url, ...elsewhere.credentials });
        assert.equal(typed.ok, true, "another URL is tested with the typed credentials");
      } finally {
        await elsewhere.stop();
      }
    });

    it("refuses http:// to another host, and a URL with a user name or password, naming the URL field", async () => {
      const remote = await testRoute({ url: "http://sddc.example.test", ...sim.credentials });
      assert.match(
        remote.error ?? "",
        /SDDC Manager URL "http:\/\/sddc\.example\.test" uses http:\/\/.*use https:\/\/sddc\.example\.test/,
      );
      const userinfo = await testRoute({
        url: "https://admin:Userinfo-Secret-9@sddc.example.test",
        password: "__PWRD__",
      });
      assert.match(
        userinfo.error ?? "",
        /SDDC Manager URL contains user information \(user:password@\): remove it and enter the credentials in the Username and Password fields/,
      );
      assert.ok(!JSON.stringify(userinfo).includes("Userinfo-Secret-9"));
      assert.deepEqual(sim.requestLog(), []);
    });

    it("names the field for an invalid URL and the host for an unreachable one", async () => {
      const invalid = await testRoute({ url: "sddc.example.test", ...sim.credentials });
      assert.match(invalid.error ?? "", /SDDC Manager URL .* is not valid/);
      const unreachable = await testRoute({ url: "http://127.0.0.1:1", ...sim.credentials });
      assert.match(unreachable.error ?? "", /Cannot reach SDDC Manager .*check the URL/);
    });
  });

  describe("TLS", () => {
    let tlsSim: RunningSimulator;
    before(async () => {
      tlsSim = await startSim({ tls: true });
    });
    after(async () => {
      await tlsSim.stop();
    });

    it("verifies with the pasted CA, refuses an untrusted certificate, and allows self-signed only when asked", async () => {
      await helper.load(NODE_MODULES, [{ id: TAB, type: "tab" }, configNode(tlsSim)], credentialsFor(tlsSim));
      const form = { url: tlsSim.url, ...tlsSim.credentials };
      assert.equal((await testRoute({ ...form, tlsMode: "ca", ca: tlsSim.caCertificatePem })).ok, true);
      const untrusted = await testRoute({ ...form, tlsMode: "verify" });
      assert.match(untrusted.error ?? "", /certificate of SDDC Manager is not trusted/);
      assert.equal((await testRoute({ ...form, tlsMode: "insecure" })).ok, true);
    });

    it("uses the CA of a core tls-config node", async () => {
      const tlsNode: FlowNode = {
        id: "tls1",
        type: "tls-config",
        name: "",
        cert: "",
        key: "",
        ca: "",
        certname: "",
        keyname: "",
        caname: "sim.pem",
        servername: "",
        verifyservercert: true,
        alpnprotocol: "",
      };
      const flow = [
        { id: TAB, type: "tab" },
        tlsNode,
        configNode(tlsSim, { tlsMode: "tls-config", tls: "tls1", ca: "" }),
      ];
      await helper.load([tlsConfigModule, ...NODE_MODULES], flow, {
        ...credentialsFor(tlsSim),
        tls1: { cadata: tlsSim.caCertificatePem ?? "" },
      });
      const config = getNode(CONFIG_ID) as unknown as { connection: { problem?: Error } };
      assert.equal(config.connection.problem, undefined);
      assert.equal(
        (await testRoute({ url: tlsSim.url, ...tlsSim.credentials, tlsMode: "tls-config", tls: "tls1" })).ok,
        true,
      );
    });

    it("warns at runtime when self-signed certificates are allowed", async () => {
      await helper.load(
        NODE_MODULES,
        [{ id: TAB, type: "tab" }, configNode(tlsSim, { tlsMode: "insecure", ca: "" })],
        credentialsFor(tlsSim),
      );
      const config = getNode(CONFIG_ID) as unknown as SpiedNode;
      const warnings = config.warn
        .getCalls()
        .filter((c) => c.thisValue === config)
        .map((c) => String(c.args[0]));
      assert.ok(warnings.includes(english("vcf-config.warning.insecure")), warnings.join("\n"));
    });
  });

  it("refuses http:// to another host and a URL with a password at runtime, saying what to enter instead", async () => {
    for (const [url, expected] of [
      [
        "http://sddc.example.test:8080",
        /vcf-config: SDDC Manager URL .* uses http:\/\/, which would send the password unencrypted: use https:\/\/sddc\.example\.test:8080/,
      ],
      ["https://admin:Runtime-Secret-7@sddc.example.test", /vcf-config: SDDC Manager URL contains user information/],
    ] as const) {
      await helper.load(NODE_MODULES, [{ id: TAB, type: "tab" }, configNode(sim, { url })], credentialsFor(sim));
      const problem = connectionOf().problem?.message ?? "";
      assert.match(problem, expected);
      assert.ok(!problem.includes("Runtime-Secret-7"));
      await helper.unload();
    }
  });

  it("refuses a URL whose password holds /, # or ?, and the password shows in no warning, status, Catch or test answer", async () => {
    for (const secret of ["pa/Url-Secret-41", "pa#Url-Secret-42", "pa?Url-Secret-43"]) {
      const url = `https://admin:${secret}@sddc.example.test`;
      const flow = [
        { id: TAB, type: "tab" },
        configNode(sim, { url }),
        flowNode("download", "vcf-download-bundles", { domain: "lab-w01" }),
        flowNode("status", "vcf-status", {}),
        catchNode("catcher", "caught"),
        helperNode("caught"),
      ];
      await helper.load(NODE_MODULES, flow, credentialsFor(sim));
      const caught = new Collector("caught");
      getNode("download").receive({ payload: "go" });
      const msg = await caught.waitFor(() => true, "the error");
      assert.match(
        caughtError(msg),
        /URL contains user information \(user:password@\): remove it and enter the credentials in the Username and Password fields/,
      );
      const answer = await testRoute({ url, username: "admin", password: "typed" });
      assert.match(answer.error ?? "", /URL contains user information/);
      const seen = {
        warn: callsOf(CONFIG_ID, "warn"),
        downloadStatus: callsOf("download", "status"),
        statusStatus: callsOf("status", "status"),
        caught: msg.error,
        answer,
      };
      assert.ok(
        seen.warn.length > 0 && seen.downloadStatus.length > 0 && seen.statusStatus.length > 0,
        JSON.stringify(seen),
      );
      assert.ok(!JSON.stringify(seen).includes("Url-Secret"), JSON.stringify(seen));
      await helper.unload();
    }
  });

  it("keeps the run files when the node is deleted, and logs which (an undo restores the same id)", async () => {
    const flow = [
      { id: TAB, type: "tab" },
      configNode(sim),
      flowNode("download", "vcf-download-bundles", { domain: "lab-m01" }, ["downloaded"]),
      helperNode("downloaded"),
    ];
    const creds = credentialsFor(sim);
    await helper.load(NODE_MODULES, flow, creds);
    const files = connectionOf().files();
    const redeployed = new NodeCalls(CONFIG_ID, "log");
    await helper.setFlows(flow, "full", creds); // a redeploy (removed === false): nothing to report
    const logs = new NodeCalls(CONFIG_ID, "log");
    getNode("download").receive({ payload: "start" });
    await new Collector("downloaded").waitFor(() => true, "the download output");

    await helper.setFlows([{ id: TAB, type: "tab" }], "full", {});
    const [text] = await logs.waitFor(([t]) => /^Deleted: /.test(String(t)), "the log line");
    assert.equal(String(text), english("vcf-config.log.keptFiles", { files: files.join(", ") }));
    assert.deepEqual(
      files.map((file) => path.dirname(file)),
      [userDir, userDir],
    );
    assert.ok(files.every((file) => fs.existsSync(file)));
    assert.equal(logs.items.filter(([t]) => /^Deleted: /.test(String(t))).length, 1);
    assert.deepEqual(
      redeployed.items.filter(([t]) => /^Deleted: /.test(String(t))),
      [],
    );
  });

  it("without credentials, a phase node fails with what to enter, and nothing is sent", async () => {
    const flow = [
      { id: TAB, type: "tab" },
      configNode(sim),
      flowNode("download", "vcf-download-bundles", { domain: "lab-w01" }),
      catchNode("catcher", "caught"),
      helperNode("caught"),
    ];
    await helper.load(NODE_MODULES, flow, {});
    sim.clearRequestLog();
    const caught = new Collector("caught");
    getNode("download").receive({ payload: "go" });
    const msg = await caught.waitFor(() => true, "the error");
    assert.match(caughtError(msg), /Username is empty: open the vcf-config node/);
    assert.equal(sim.requestLog().length, 0);
  });
});
