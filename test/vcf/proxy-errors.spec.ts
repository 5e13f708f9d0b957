/**
 * Answers the simulator does not give on purpose (proxy pages, empty bodies, hanging sockets, servers that
 * echo secrets) come from a tiny real HTTP server on 127.0.0.1:0.
 */
import assert from "node:assert/strict";
import { VcfClient } from "../../nodes/vcf/client";
import { VcfApiError } from "../../nodes/vcf/errors";
import { eventually } from "../support/eventually";
import type { LogLine, StubReply, StubServer } from "./helpers";
import { assertNoSecrets, errorTexts, rejectionOf, startStub, STUB_ACCESS_TOKEN, STUB_REFRESH_ID } from "./helpers";

const PASSWORD = "Stub-Password-42!";

function stubClient(stub: StubServer, logs: LogLine[], requestTimeoutMs = 1000): VcfClient {
  return new VcfClient({
    baseUrl: stub.url,
    username: "administrator@vsphere.local",
    password: PASSWORD,
    requestTimeoutMs,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    log: (level, text) => logs.push({ level, text }),
  });
}

describe("client against a misbehaving server (stub)", function () {
  let stub: StubServer | undefined;
  afterEach(async function () {
    await stub?.stop();
    stub = undefined;
  });

  async function errorFor(
    reply: StubReply,
    call: (c: VcfClient) => Promise<unknown> = (c) => c.getDomains(),
    requestTimeoutMs?: number,
  ): Promise<{ error: VcfApiError; logs: LogLine[] }> {
    stub = await startStub((r) => (r.path === "/v1/tokens" ? undefined : reply));
    const logs: LogLine[] = [];
    const error = await rejectionOf(call(stubClient(stub, logs, requestTimeoutMs)));
    assert.ok(error instanceof VcfApiError, `not a VcfApiError: ${String(error)}`);
    return { error, logs };
  }

  it("maps a 503 HTML page from a proxy, retrying the GET up to the limit", async function () {
    const { error } = await errorFor({
      status: 503,
      contentType: "text/html",
      body: "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
    });
    assert.equal(error.kind, "http");
    assert.equal(error.status, 503);
    assert.equal(error.retryable, true);
    assert.equal(error.method, "GET");
    assert.equal(error.path, "/v1/domains");
    assert.match(error.message, /HTTP 503 Service Unavailable \(non-JSON body\)/);
    assert.equal(stub?.requests.filter((r) => r.path === "/v1/domains").length, 3);
  });

  it("maps an empty 502", async function () {
    const { error } = await errorFor({ status: 502 });
    assert.equal(error.status, 502);
    assert.match(error.message, /HTTP 502 Bad Gateway \(empty body\)/);
  });

  it("maps a JSON Error body with errorCode and remediation", async function () {
    const body = JSON.stringify({
      errorCode: "BUNDLE_DOWNLOAD_ALREADY_REQUESTED",
      message: "Only one download can be triggered",
      remediationMessage: "Wait for it",
    });
    const { error } = await errorFor({ status: 409, contentType: "application/json", body }, (c) =>
      c.requestBundleDownload("b-1"),
    );
    assert.equal(error.kind, "http");
    assert.equal(error.status, 409);
    assert.equal(error.errorCode, "BUNDLE_DOWNLOAD_ALREADY_REQUESTED");
    assert.equal(error.remediationMessage, "Wait for it");
    assert.equal(error.retryable, false);
    assert.match(error.message, /^PATCH \/v1\/bundles\/b-1: HTTP 409 .*Only one download/);
  });

  it("sends the nested bundle download body", async function () {
    stub = await startStub((r) =>
      r.method === "PATCH"
        ? { status: 202, contentType: "application/json", body: JSON.stringify({ id: "t-1", status: "Pending" }) }
        : undefined,
    );
    const task = await stubClient(stub, []).requestBundleDownload("b-1");
    assert.equal(task.id, "t-1");
    const patch = stub.requests.find((r) => r.method === "PATCH");
    assert.deepEqual(JSON.parse(patch?.body ?? ""), { bundleDownloadSpec: { downloadNow: true } });
    assert.equal(patch?.authorization, `Bearer ${STUB_ACCESS_TOKEN}`);
  });

  it("does not repeat a POST after a 503 or a dropped connection", async function () {
    for (const reply of [{ status: 503, contentType: "text/html", body: "<html/>" }, "drop"] as StubReply[]) {
      const { error } = await errorFor(reply, (c) =>
        c.startUpgrade({
          bundleId: "b",
          resourceType: "DOMAIN",
          resourceUpgradeSpecs: [{ resourceId: "d", upgradeNow: true }],
        }),
      );
      assert.equal(error.retryable, false);
      assert.equal(
        stub?.requests.filter((r) => r.path === "/v1/upgrades").length,
        1,
        `POST repeated after ${JSON.stringify(reply)}`,
      );
      await stub?.stop();
      stub = undefined;
    }
  });

  it("times out a request that gets no answer (kind timeout) and retries it as a GET", async function () {
    // The limit leaves a busy machine time to log in; every /v1/domains request hangs, so each one times out.
    const { error, logs } = await errorFor("hang", undefined, 500);
    assert.equal(error.kind, "timeout");
    assert.equal(error.path, "/v1/domains");
    // Counted where the client retries: a request given up before it reached the stub is not in the stub's list.
    const retries = logs.filter((l) => /^GET \/v1\/domains failed .*; attempt \d of 3/.test(l.text));
    assert.equal(retries.length, 2, logs.map((l) => l.text).join("\n"));
  });

  it("aborts a request in flight (kind aborted), without retrying", async function () {
    stub = await startStub((r) => (r.path === "/v1/domains" ? "hang" : undefined));
    const controller = new AbortController();
    const pending = stubClient(stub, []).getDomains({ signal: controller.signal });
    const server = stub;
    assert.ok(await eventually(() => server.requests.some((r) => r.path === "/v1/domains")), "the request arrived");
    controller.abort();
    const error = await rejectionOf(pending);
    assert.ok(error instanceof VcfApiError);
    assert.equal(error.kind, "aborted");
    assert.equal(stub.requests.filter((r) => r.path === "/v1/domains").length, 1);
  });

  it("replays once after a 401 and then reports kind auth, never looping", async function () {
    const unauthorized = {
      status: 401,
      contentType: "application/json",
      body: JSON.stringify({
        errorCode: "Unauthorized",
        message: "Authorization Header is missing or not in correct format",
      }),
    };
    const { error } = await errorFor(unauthorized);
    assert.equal(error.kind, "auth");
    assert.equal(error.status, 401);
    const requests = stub?.requests ?? [];
    assert.equal(requests.filter((r) => r.path === "/v1/domains").length, 2, "one call and one replay");
    // the refresh went to the stub's 401 too, so the client fell back to one fresh login
    assert.equal(requests.filter((r) => r.path === "/v1/tokens/access-token/refresh").length, 1);
    assert.equal(requests.filter((r) => r.path === "/v1/tokens").length, 2);
  });

  it("sends the raw refresh id and strips quotes from the JSON-string answer", async function () {
    let calls = 0;
    stub = await startStub((r) => {
      if (r.path === "/v1/tokens/access-token/refresh")
        return { status: 200, contentType: "application/json", body: JSON.stringify("renewed-token-abcdef") };
      if (r.path === "/v1/domains" && calls++ === 0)
        return { status: 401, contentType: "application/json", body: "{}" };
      if (r.path === "/v1/domains")
        return {
          status: 200,
          contentType: "application/json",
          body: JSON.stringify({ elements: [{ id: "d1", name: "m01" }] }),
        };
      return undefined;
    });
    const domains = await stubClient(stub, []).getDomains();
    assert.deepEqual(
      domains.map((d) => d.id),
      ["d1"],
    );
    const refresh = stub.requests.find((r) => r.path === "/v1/tokens/access-token/refresh");
    assert.equal(refresh?.body, STUB_REFRESH_ID);
    assert.equal(
      stub.requests.filter((r) => r.path === "/v1/domains").at(-1)?.authorization,
      "Bearer renewed-token-abcdef",
    );
  });

  it("assumes a 55 min lifetime for a token that is not a JWT, refreshing 5 min before", async function () {
    stub = await startStub((r) => {
      if (r.path === "/v1/tokens/access-token/refresh")
        return { status: 200, contentType: "application/json", body: JSON.stringify("renewed-opaque-token") };
      if (r.path === "/v1/domains")
        return { status: 200, contentType: "application/json", body: JSON.stringify({ elements: [] }) };
      return undefined;
    });
    let now = Date.now();
    const client = new VcfClient({ baseUrl: stub.url, username: "u", password: PASSWORD, now: () => now });
    const refreshes = (): number =>
      (stub?.requests ?? []).filter((r) => r.path === "/v1/tokens/access-token/refresh").length;
    await client.getDomains();
    now += 49 * 60_000;
    await client.getDomains();
    assert.equal(refreshes(), 0);
    now += 2 * 60_000;
    await client.getDomains();
    assert.equal(refreshes(), 1);
  });

  it("follows pageMetadata.totalPages", async function () {
    stub = await startStub((r) => {
      if (r.path !== "/v1/upgrades") return undefined;
      const page = Number(new URL(r.url, "http://stub").searchParams.get("pageNumber") ?? "0");
      return {
        status: 200,
        contentType: "application/json",
        body: JSON.stringify({
          elements: [{ id: `u${page}` }],
          pageMetadata: { pageNumber: page, pageSize: 1, totalElements: 3, totalPages: 3 },
        }),
      };
    });
    const upgrades = await stubClient(stub, []).listUpgrades();
    assert.deepEqual(
      upgrades.map((u) => u.id),
      ["u0", "u1", "u2"],
    );
  });

  it("never lets a password, token, refresh id or bearer header into errors or logs, even when a server echoes them", async function () {
    const echo = `token ${STUB_ACCESS_TOKEN} refresh ${STUB_REFRESH_ID} password ${PASSWORD} header Bearer ${STUB_ACCESS_TOKEN}`;
    stub = await startStub((r) => {
      if (r.path === "/v1/tokens/access-token/refresh")
        return { status: 404, contentType: "application/json", body: JSON.stringify({ message: echo }) };
      if (r.path === "/v1/domains")
        return {
          status: 500,
          contentType: "application/json",
          body: JSON.stringify({ errorCode: "E", message: echo, remediationMessage: echo }),
        };
      if (r.path === "/v1/bundles") return { status: 401, contentType: "text/plain", body: echo };
      return undefined;
    });
    const logs: LogLine[] = [];
    const client = stubClient(stub, logs);
    const errors = [await rejectionOf(client.getDomains()), await rejectionOf(client.getBundles())];
    const badLogin = new VcfClient({
      baseUrl: stub.url,
      username: "u",
      password: PASSWORD,
      log: (level, text) => logs.push({ level, text }),
    });
    await stub.stop();
    errors.push(await rejectionOf(badLogin.login()));
    stub = undefined;
    assert.ok(logs.length > 0);
    assert.match((errors[0] as VcfApiError).message, /token \*\*\* refresh \*\*\* password \*\*\* header \*\*\*/);
    const texts = [
      ...errors.flatMap(errorTexts),
      ...errors.map((e) => String((e as VcfApiError).remediationMessage)),
      ...logs.map((l) => l.text),
    ];
    assertNoSecrets(texts, [PASSWORD, STUB_ACCESS_TOKEN, STUB_REFRESH_ID]);
  });
});
