import assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { VcfClient } from "../../nodes/vcf/client";
import { VcfApiError } from "../../nodes/vcf/errors";
import type { LogLine } from "./helpers";
import { rejectionOf } from "./helpers";

describe("client TLS against the HTTPS simulator", function () {
  let sim: RunningSimulator;
  before(async function () {
    sim = await startSimulator({ tls: true });
  });
  after(async function () {
    await sim.stop();
  });

  function client(tls: ConstructorParameters<typeof VcfClient>[0]["tls"], logs: LogLine[] = []): VcfClient {
    return new VcfClient({
      baseUrl: sim.url,
      ...sim.credentials,
      tls,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      log: (level, text) => logs.push({ level, text }),
    });
  }

  it("serves https with a PEM certificate", function () {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(sim.caCertificatePem ?? "", /-----BEGIN CERTIFICATE-----/);
  });

  it("trusts the simulator's certificate given as a custom CA", async function () {
    const domains = await client({ ca: sim.caCertificatePem }).getDomains();
    assert.ok(domains.length >= 2);
  });

  it("refuses the self-signed certificate by default, with kind tls and no retry", async function () {
    sim.clearRequestLog();
    const error = await rejectionOf(client(undefined).getDomains());
    assert.ok(error instanceof VcfApiError, String(error));
    assert.equal(error.kind, "tls");
    assert.equal(error.retryable, false);
    assert.match(error.message, /tls\.ca/);
    assert.equal(
      sim.requestLog().filter((e) => e.path === "/v1/tokens").length,
      0,
      "no request got through the TLS handshake",
    );
  });

  it("accepts the self-signed certificate only on the explicit opt-in, with a warning", async function () {
    const logs: LogLine[] = [];
    const domains = await client({ allowSelfSigned: true }, logs).getDomains();
    assert.ok(domains.length >= 2);
    assert.ok(
      logs.some((l) => l.level === "warn" && /verification is disabled/.test(l.text)),
      JSON.stringify(logs),
    );
  });

  it("rejects a CA that is not PEM at construction, naming the field", function () {
    assert.throws(() => client({ ca: "not a certificate" }), /"tls\.ca" must be a PEM certificate/);
  });
});
