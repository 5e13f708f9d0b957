// The adapters' pure parts: message and settings parsing, badges, error sentences.
import assert from "node:assert/strict";
import { ackPolicy, readAckControl } from "../../nodes/adapters/ack-control";
import { buildClientOptions } from "../../nodes/adapters/client-options";
import { ConfigError, parseConnection, parseEngineSettings } from "../../nodes/adapters/config-settings";
import { runStoreName } from "../../nodes/adapters/connection";
import { matchesDomain, readPhaseRequest, requireDomain } from "../../nodes/adapters/domain-ref";
import { InputError, describeError, shortText } from "../../nodes/adapters/errors";
import { errorBadge, runBadge } from "../../nodes/adapters/status-badge";
import { EngineError, engineText } from "../../nodes/engine";
import { VcfApiError } from "../../nodes/vcf/errors";
import { TEST_CA_PEM } from "../support/test-certificate";
import { useNodeRedCatalogs } from "../support/catalog";

const PEM = TEST_CA_PEM;

function inputErrorField(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputError || err instanceof ConfigError, `unexpected ${String(err)}`);
    return err.field;
  }
  assert.fail("expected an error");
}

describe("nodes: adapters", () => {
  before(() => useNodeRedCatalogs());

  describe("readPhaseRequest", () => {
    it("takes the run id from msg.vcf and the domain from the message before the node setting", () => {
      const request = readPhaseRequest({ vcf: { runId: "r1", domainId: "d1" }, domain: "wld01" }, { domain: "mgmt" });
      assert.deepEqual(request, { runId: "r1", domain: "wld01" });
      assert.equal(readPhaseRequest({ vcf: { domainId: "d1" } }, { domain: "mgmt" }).domain, "d1");
      assert.equal(readPhaseRequest({}, { domain: " mgmt " }).domain, "mgmt");
    });

    it("takes the target version from the message before the node setting", () => {
      assert.equal(
        readPhaseRequest({ targetVersion: "5.2.1.0" }, { targetVersion: "5.2.0.0" }).targetVersion,
        "5.2.1.0",
      );
      assert.equal(readPhaseRequest({}, { targetVersion: "5.2.1" }).targetVersion, "5.2.1");
    });

    it("refuses malformed properties, naming them", () => {
      assert.equal(
        inputErrorField(() => readPhaseRequest({ domain: 42 }, {})),
        "msg.domain",
      );
      assert.equal(
        inputErrorField(() => readPhaseRequest({ vcf: "run-1" }, {})),
        "msg.vcf",
      );
      assert.equal(
        inputErrorField(() => readPhaseRequest({ vcf: { runId: 7 } }, {})),
        "msg.vcf.runId",
      );
      assert.equal(
        inputErrorField(() => readPhaseRequest({ targetVersion: "latest" }, {})),
        "msg.targetVersion",
      );
      assert.equal(
        inputErrorField(() => readPhaseRequest({}, { targetVersion: "5.2" })),
        "Target version",
      );
    });

    it("requires a domain to start a run", () => {
      assert.equal(
        inputErrorField(() => requireDomain({})),
        "domain",
      );
      assert.equal(requireDomain({ domain: "wld01" }), "wld01");
    });

    it("matches a run's domain by id or by name, ignoring case in names", () => {
      const run = { domainId: "a-1", domainName: "WLD01" };
      assert.ok(matchesDomain(run, "a-1"));
      assert.ok(matchesDomain(run, "wld01"));
      assert.ok(!matchesDomain(run, "A-1"));
    });
  });

  describe("vcf-config settings", () => {
    const base = { id: "c1", type: "vcf-config", url: "https://sddc.example.test/" };

    it("reads the URL, TLS choice and durations", () => {
      const connection = parseConnection({ ...base, tlsMode: "ca", ca: PEM, requestTimeout: "5", retryDelay: "0.01" });
      assert.deepEqual(connection, {
        baseUrl: "https://sddc.example.test",
        tlsMode: "ca",
        ca: PEM,
        requestTimeoutMs: 5000,
        retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 8000 },
      });
      assert.deepEqual(
        parseEngineSettings({
          ...base,
          pollInterval: "0.5",
          precheckDeadline: 40,
          downloadConcurrency: "3",
          sddcSettle: 0,
          authGrace: "45",
        }),
        {
          pollIntervalMs: 500,
          precheckDeadlineMs: 2_400_000,
          downloadConcurrency: 3,
          sddcSettleMs: 0,
          authGraceMs: 2_700_000,
        },
      );
    });

    it("takes empty or missing number fields as the defaults", () => {
      for (const missing of [
        {},
        { retryAttempts: "", retryDelay: "", authGrace: "" },
        { retryAttempts: " ", retryDelay: "" },
      ]) {
        assert.deepEqual(parseConnection({ ...base, ...missing }).retry, {
          maxAttempts: 4,
          baseDelayMs: 500,
          maxDelayMs: 8000,
        });
        assert.deepEqual(parseEngineSettings({ ...base, ...missing }), {});
      }
    });

    it("names the field to fix", () => {
      assert.equal(
        inputErrorField(() => parseConnection({ ...base, url: "sddc.example.test" })),
        "url",
      );
      assert.equal(
        inputErrorField(() => parseConnection({ ...base, url: "https://sddc.example.test/v1/domains" })),
        "url",
      );
      assert.equal(
        inputErrorField(() => parseConnection({ ...base, tlsMode: "trust-me" })),
        "tlsMode",
      );
      assert.equal(
        inputErrorField(() => parseConnection({ ...base, tlsMode: "ca", ca: "not a pem" })),
        "ca",
      );
      assert.equal(
        inputErrorField(() => parseConnection({ ...base, tlsMode: "tls-config", tls: "" })),
        "tls",
      );
      assert.equal(
        inputErrorField(() => parseEngineSettings({ ...base, pollInterval: "0" })),
        "pollInterval",
      );
      assert.equal(
        inputErrorField(() => parseEngineSettings({ ...base, componentDeadline: "three hours" })),
        "componentDeadline",
      );
      assert.equal(
        inputErrorField(() => parseEngineSettings({ ...base, downloadConcurrency: "1.5" })),
        "downloadConcurrency",
      );
      assert.equal(
        inputErrorField(() => parseConnection({ ...base, retryAttempts: "2.5" })),
        "retryAttempts",
      );
      assert.equal(
        inputErrorField(() => parseEngineSettings({ ...base, authGrace: "0" })),
        "authGrace",
      );
    });

    it("takes http:// only for this machine, and no user name or password in the URL", () => {
      for (const url of [
        "http://127.0.0.1:8080",
        "http://127.12.0.3",
        "http://localhost:3000/",
        "http://[::1]:8443",
        "HTTP://LocalHost",
      ]) {
        assert.equal(parseConnection({ ...base, url }).baseUrl, url.replace(/\/$/, ""));
      }
      for (const url of [
        "http://sddc.example.test",
        "http://10.0.0.5:8080",
        "http://127.0.0.1.example.test",
        "http://[::2]",
      ]) {
        assert.throws(
          () => parseConnection({ ...base, url }),
          (err: ConfigError) => err.field === "url" && /uses http:\/\/.*use https:\/\//.test(err.message),
          url,
        );
      }
      const withUserinfo = [
        "https://admin:Pa55word@sddc.example.test",
        "https://admin@sddc.example.test",
        "http://u:p@127.0.0.1/v1/x",
        "https://admin:Pa/55word@sddc.example.test",
        "https://admin:Pa#55word@sddc.example.test",
        "https://admin:Pa?55word@sddc.example.test",
        "https://admin:Pa 55word@sddc.example.test",
      ];
      for (const url of withUserinfo) {
        assert.throws(
          () => parseConnection({ ...base, url }),
          (err: ConfigError) =>
            err.field === "url" &&
            /contains user information \(user:password@\): remove it and enter the credentials in the Username and Password fields/.test(
              err.message,
            ) &&
            !err.message.includes("55word"),
          url,
        );
      }
    });

    it("builds client TLS options for each choice, and requires credentials", () => {
      const creds = { username: "u", password: "p" };
      const none = (): undefined => undefined;
      assert.deepEqual(buildClientOptions(parseConnection({ ...base, tlsMode: "insecure" }), creds, none).tls, {
        allowSelfSigned: true,
      });
      assert.deepEqual(buildClientOptions(parseConnection({ ...base }), creds, none).tls, {});
      const tlsNode = {
        addTLSOptions: (o: Record<string, unknown>) => ({ ...o, ca: Buffer.from(PEM), rejectUnauthorized: true }),
      };
      const viaNode = buildClientOptions(parseConnection({ ...base, tlsMode: "tls-config", tls: "t1" }), creds, (id) =>
        id === "t1" ? tlsNode : undefined,
      );
      assert.deepEqual(viaNode.tls, { ca: PEM, allowSelfSigned: false });
      assert.equal(
        inputErrorField(() =>
          buildClientOptions(parseConnection({ ...base, tlsMode: "tls-config", tls: "gone" }), creds, none),
        ),
        "tls",
      );
      assert.equal(
        inputErrorField(() => buildClientOptions(parseConnection(base), { username: "u" }, none)),
        "password",
      );
      assert.equal(
        inputErrorField(() => buildClientOptions(parseConnection(base), { password: "p" }, none)),
        "username",
      );
    });

    it("words the client's coded warnings from the catalog, with their parameters; other lines pass as they are", () => {
      const lines: string[] = [];
      const credentials = { username: "u", password: "p" };
      const noNode = (): undefined => undefined;
      const options = buildClientOptions(parseConnection(base), credentials, noNode, (_level, text) =>
        lines.push(text),
      );
      options.log?.("warn", "token refresh failed (HTTP 500); logging in again", {
        code: "TOKEN_REFRESH_FAILED",
        params: { reason: "HTTP 500" },
      });
      options.log?.("warn", "TLS certificate verification is disabled", { code: "TLS_UNVERIFIED" });
      options.log?.("info", "logged in to SDDC Manager");
      assert.deepEqual(lines, [
        "The SDDC Manager session could not be renewed (HTTP 500); logging in again",
        'TLS certificate checks are off (TLS option "Allow self-signed certificates"): use this only in a lab, or paste the SDDC Manager CA certificate instead',
        "logged in to SDDC Manager",
      ]);
    });

    it("names one run file per config node, safe for the file system", () => {
      assert.equal(runStoreName("a1b2.c3"), "vcf-upgrade-runs-a1b2.c3");
      assert.equal(runStoreName("../x"), "vcf-upgrade-runs-.._x");
    });
  });

  describe("vcf-await-ack control messages", () => {
    it('reads acknowledge and ignoreAlerts (a boolean or "default") in both forms', () => {
      assert.deepEqual(readAckControl({ acknowledge: true }), { acknowledge: true });
      assert.deepEqual(readAckControl({ payload: "acknowledge" }), { acknowledge: true });
      assert.deepEqual(readAckControl({ ignoreAlerts: false }), { acknowledge: false, ignoreAlerts: false });
      assert.deepEqual(readAckControl({ topic: "ignoreAlerts", payload: true }), {
        acknowledge: false,
        ignoreAlerts: true,
      });
      assert.deepEqual(readAckControl({ topic: "ignoreAlerts", payload: "default" }), {
        acknowledge: false,
        ignoreAlerts: "default",
      });
      assert.deepEqual(readAckControl({ payload: "go" }), { acknowledge: false });
      assert.equal(
        inputErrorField(() => readAckControl({ ignoreAlerts: "yes" })),
        "msg.ignoreAlerts",
      );
      assert.equal(
        inputErrorField(() => readAckControl({ topic: "ignoreAlerts", payload: "on" })),
        "msg.payload (topic ignoreAlerts)",
      );
    });

    it("lets a message override the node's ignore-alerts checkbox only", () => {
      const settings = { ignoreAlerts: false, alsoIgnoreErrors: true, failOnErrors: true };
      assert.deepEqual(ackPolicy(settings), { ignoreAlerts: false, alsoIgnoreErrors: true, failOnErrors: true });
      assert.deepEqual(ackPolicy(settings, true), { ignoreAlerts: true, alsoIgnoreErrors: true, failOnErrors: true });
    });
  });

  describe("status badges and error sentences", () => {
    it("colours a badge by status", () => {
      const run = { domainName: "wld01", step: "bundle 1 of 2", progress: 12 };
      assert.deepEqual(pick(runBadge({ ...run, status: "downloading_bundles" })), ["blue", "ring"]);
      assert.deepEqual(pick(runBadge({ ...run, status: "waiting_for_alert_acknowledgement" })), ["yellow", "ring"]);
      assert.deepEqual(pick(runBadge({ ...run, status: "successfully_completed" })), ["green", "dot"]);
      assert.deepEqual(pick(runBadge({ ...run, status: "failed" })), ["red", "ring"]);
      assert.deepEqual(pick(runBadge({ ...run, status: "waiting_for_initiation" })), ["grey", "dot"]);
      assert.match(runBadge({ ...run, status: "downloading_bundles" }).text ?? "", /^wld01: /);
      assert.ok((errorBadge("x".repeat(500)).text ?? "").length <= 60);
    });

    it("turns client and engine errors into sentences that say what to fix", () => {
      const api = (
        kind: VcfApiError["kind"],
        extra: Partial<ConstructorParameters<typeof VcfApiError>[0]> = {},
      ): string =>
        describeError(
          new VcfApiError({ kind, message: "x", method: "GET", path: "/v1/domains", retryable: false, ...extra }),
        );
      assert.match(api("auth", { status: 401 }), /username and password in the vcf-config node/);
      assert.match(api("tls", { code: "SELF_SIGNED_CERT_IN_CHAIN" }), /CA certificate.*TLS configuration.*self-signed/);
      assert.match(api("network", { code: "ECONNREFUSED" }), /Cannot reach SDDC Manager .*ECONNREFUSED.*check the URL/);
      assert.match(
        api("http", { status: 500, remediationMessage: "Retry later" }),
        /GET \/v1\/domains: x\. Retry later/,
      );
      assert.match(
        describeError(
          new EngineError("NO_UPDATE", engineText("noUpdate", { domain: "wld01", version: "5.2.0.0" }), {
            fix: engineText("noUpdateFix"),
          }),
        ),
        /wld01 is at 5\.2\.0\.0; no applicable newer release is available\. Nothing to do; check the depot/,
      );
      assert.equal(shortText("a\n  b"), "a b");
    });

    it("names credentials refused past the grace time, and an unknown outcome, in the badge; Catch gets the whole sentence", () => {
      const auth = new EngineError(
        "AUTH_FAILED",
        engineText("credentialsRefused", {
          what: "Waiting for the download of bundle 0b3ef944-f964-4fd4-9f29-3f199b5de71c",
          since: "2026-11-26T13:47:19.207Z",
          error: "HTTP 401",
        }),
        { fix: engineText("credentialsRefusedFix") },
      );
      assert.equal(errorBadge(auth).text, "credentials refused: check the vcf-config node");
      assert.match(
        describeError(auth),
        /refused the credentials since .*\(HTTP 401\)\. Check the user name and password in the vcf-config node/,
      );
      const unknown = new EngineError(
        "OUTCOME_UNKNOWN",
        engineText("outcomeUnknown", {
          request: engineText("upgradeRequest", { what: "bundle b1" }),
          requestedAt: "2026-11-26T13:47:19Z",
          why: "timeout",
        }),
        { fix: engineText("outcomeUnknownFix", { check: "Tasks" }) },
      );
      assert.equal(errorBadge(unknown).text, "outcome unknown: check the tasks in SDDC Manager");
      assert.match(
        describeError(unknown),
        /upgrade request for bundle b1 .* is unknown: .*\. In SDDC Manager, check Tasks\./,
      );
      assert.equal(
        errorBadge(new EngineError("NO_UPDATE", engineText("noCurrentRelease", { domain: "wld01" }))).text,
        "SDDC Manager reports no current release for domain wld01",
      );
    });
  });
});

function pick(badge: { fill?: string; shape?: string }): [string | undefined, string | undefined] {
  return [badge.fill, badge.shape];
}
