// Answers that do not look like SDDC Manager's: a login answered 404, a list whose elements is not a list, a
// domain without a name. Each is an error naming what is wrong, where, and the fix, never a crash or "0 domains".
import assert from "node:assert/strict";
import { describeError } from "../../nodes/adapters/errors";
import { UpgradeEngine } from "../../nodes/engine";
import { MemoryRunStore } from "../../nodes/store";
import { VcfClient } from "../../nodes/vcf/client";
import { VcfApiError } from "../../nodes/vcf/errors";
import { rejectionOf, startStub, type StubReply, type StubServer } from "./helpers";

function json(body: unknown, status = 200): StubReply {
  return { status, contentType: "application/json", body: JSON.stringify(body) };
}

describe("client: answers that do not look like SDDC Manager's", function () {
  let stub: StubServer | undefined;
  afterEach(async () => {
    await stub?.stop();
    stub = undefined;
  });

  function clientFor(server: StubServer): VcfClient {
    return new VcfClient({
      baseUrl: server.url,
      username: "administrator@vsphere.local",
      password: "Stub-Password-1",
      retry: { maxAttempts: 1 },
    });
  }

  it("a login answered 404 says the URL does not look like SDDC Manager, not to check the credentials", async () => {
    stub = await startStub((r) =>
      r.path === "/v1/tokens" ? { status: 404, contentType: "text/html", body: "<html>Not Found</html>" } : undefined,
    );
    const error = await rejectionOf(clientFor(stub).getDomains());
    assert.ok(error instanceof VcfApiError, String(error));
    assert.equal(error.kind, "http");
    assert.equal(error.status, 404);
    const text = describeError(error);
    assert.match(
      text,
      new RegExp(`${stub.url} does not look like SDDC Manager: it has no token service at /v1/tokens \\(HTTP 404`),
    );
    assert.match(text, /Check the SDDC Manager URL in the vcf-config node: https:\/\/<sddc-manager-fqdn> with no path/);
    assert.doesNotMatch(text, /username|password/);
  });

  it("a list answer whose elements is not a list is an error naming the path, not an empty list", async () => {
    stub = await startStub((r) => (r.path === "/v1/domains" ? json({ elements: "x" }) : undefined));
    const error = await rejectionOf(clientFor(stub).getDomains());
    assert.ok(error instanceof VcfApiError, String(error));
    assert.equal(error.path, "/v1/domains");
    assert.match(
      describeError(error),
      /^GET \/v1\/domains: the answer's "elements" is a string, not a list\. The answer does not look like SDDC Manager's API: check the URL/,
    );
  });

  it("a domain without a name is an error naming the domain and the fix, in the client and at a start", async () => {
    const domains = {
      elements: [
        { id: "d-m01", name: "lab-m01", type: "MANAGEMENT", status: "ACTIVE" },
        { id: "d-w01", type: "VI", status: "ACTIVE" },
      ],
    };
    stub = await startStub((r) => (r.path === "/v1/domains" ? json(domains) : undefined));
    const client = clientFor(stub);
    const error = await rejectionOf(client.getDomains());
    assert.match(
      describeError(error),
      /^GET \/v1\/domains: domain 2 of 2 \(id d-w01\) has no name\. SDDC Manager \(or a proxy in between\) sent a domain without its id or name/,
    );
    const engine = new UpgradeEngine({ client, store: new MemoryRunStore() });
    try {
      const refused = await rejectionOf(engine.startRun({ domain: "lab-w02" }));
      assert.doesNotMatch(String(refused), /Cannot read properties/);
      assert.match(describeError(refused), /domain 2 of 2 \(id d-w01\) has no name/);
    } finally {
      await engine.close();
    }
  });
});
