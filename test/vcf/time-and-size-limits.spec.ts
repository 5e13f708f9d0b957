// Limits on what one request may cost: a total time limit (a server trickling its answer cannot hold a request
// open), and a size limit (a huge answer is not read in full).
import assert from "node:assert/strict";
import { MAX_REQUEST_TIMEOUT_MS, VcfClient } from "../../nodes/vcf/client";
import { VcfApiError } from "../../nodes/vcf/errors";
import { MAX_RESPONSE_BYTES } from "../../nodes/vcf/http/transport";
import { rejectionOf, startStub, type StubServer } from "./helpers";
import { within } from "../support/trickle";

function stubClient(stub: StubServer, requestTimeoutMs: number): VcfClient {
  return new VcfClient({
    baseUrl: stub.url,
    username: "admin@local",
    password: "secret-pass",
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    requestTimeoutMs,
  });
}

describe("client: time and size limit of one request", function () {
  let stub: StubServer | undefined;
  afterEach(async () => {
    await stub?.stop();
    stub = undefined;
  });

  it("ends a request whose answer trickles in after the request timeout, saying it was the total limit", async function () {
    stub = await startStub((r) => (r.path === "/v1/domains" ? "trickle" : undefined));
    const error = await within(rejectionOf(stubClient(stub, 500).getDomains()), 10_000, "the trickled request");
    assert.ok(error instanceof VcfApiError, String(error));
    assert.equal(error.kind, "timeout");
    assert.match(
      error.message,
      /GET \/v1\/domains: no complete answer within 500 ms, the total time limit for one request .*request timeout/,
    );
  });

  it("takes a request timeout in fractions of a millisecond (the form's seconds may have many decimals)", async function () {
    stub = await startStub((r) => (r.path === "/v1/domains" ? "trickle" : undefined));
    const error = await within(rejectionOf(stubClient(stub, 300.5).getDomains()), 10_000, "the trickled request");
    assert.ok(error instanceof VcfApiError && error.kind === "timeout", String(error));
  });

  it("stops reading an answer larger than the size limit, naming the limit", async function () {
    const huge = JSON.stringify({ elements: [], filler: "x".repeat(MAX_RESPONSE_BYTES + 1024) });
    stub = await startStub((r) =>
      r.path === "/v1/domains" ? { status: 200, contentType: "application/json", body: huge } : undefined,
    );
    const error = await within(rejectionOf(stubClient(stub, 30_000).getDomains()), 15_000, "the huge answer");
    assert.ok(error instanceof VcfApiError, String(error));
    assert.equal(error.retryable, false);
    assert.match(
      error.message,
      new RegExp(
        `GET /v1/domains: the answer is larger than ${MAX_RESPONSE_BYTES} bytes \\(32 MiB\\), the response size limit`,
      ),
    );
  });

  it("refuses a request timeout above the maximum (Node's timers would fire at once)", function () {
    assert.throws(
      () => new VcfClient({ baseUrl: "https://sddc.example", username: "u", password: "p", requestTimeoutMs: 1e10 }),
      new RegExp(`requestTimeoutMs" must be a positive number of milliseconds, at most ${MAX_REQUEST_TIMEOUT_MS}`),
    );
  });
});
