// One TLS context per client (per vcf-config node), and kept-alive connections: counted, not timed.
import assert from "node:assert/strict";
import tls from "node:tls";
import { VcfConnection } from "../../nodes/adapters/connection";
import type { VcfConfigDef } from "../../nodes/adapters/config-settings";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { MAX_REQUESTS_IN_FLIGHT, type VcfClient } from "../../nodes/vcf/client";
import type { StubServer } from "./helpers";
import { simClient, startStub, STUB_ACCESS_TOKEN } from "./helpers";

/** At most one kept-alive connection per request slot, and the login's own. */
const READ_CONNECTIONS_AND_LOGIN = MAX_REQUESTS_IN_FLIGHT + 1;

/** Counts the TLS contexts built and the TLS connections opened while installed. */
function tlsCounter(): { contexts: number; connections: number; restore(): void } {
  const { createSecureContext, connect } = tls;
  const counter = {
    contexts: 0,
    connections: 0,
    restore: () => Object.assign(tls, { createSecureContext, connect }),
  };
  Object.assign(tls, {
    createSecureContext: (...args: Parameters<typeof createSecureContext>) => {
      counter.contexts++;
      return createSecureContext(...args);
    },
    connect: (...args: unknown[]) => {
      counter.connections++;
      return (connect as (...a: unknown[]) => tls.TLSSocket)(...args);
    },
  });
  return counter;
}

/** Every domain's current and future releases, all at once, twice: many requests over several domains. */
async function readEveryDomain(client: VcfClient): Promise<number> {
  let requests = 0;
  for (let round = 0; round < 2; round++) {
    const domains = await client.getDomains();
    await Promise.all(domains.flatMap((d) => [client.getCurrentRelease(d.id), client.getFutureReleases(d.id)]));
    requests += 1 + 2 * domains.length;
  }
  return requests;
}

function stubClient(stub: StubServer): VcfClient {
  return simClient({ url: stub.url, credentials: { username: "u", password: "p" } } as RunningSimulator).client;
}

describe("client connections: one TLS context, kept-alive connections", function () {
  describe("over HTTPS", function () {
    let sim: RunningSimulator;
    let counter: ReturnType<typeof tlsCounter> | undefined;
    before(async function () {
      sim = await startSimulator({ tls: true, scenario: "many-domains", domains: 5, tokenLifetimeSeconds: 10 ** 9 });
    });
    afterEach(function () {
      counter?.restore();
      counter = undefined;
    });
    after(async function () {
      await sim.stop();
    });

    it("builds one TLS context per client with a custom CA, however many requests and domains", async function () {
      counter = tlsCounter();
      const { client } = simClient(sim);
      const requests = await readEveryDomain(client);
      assert.ok(requests >= 20, `${requests} requests`);
      assert.equal(counter.contexts, 1, `${counter.contexts} TLS contexts for ${requests} requests`);
      assert.ok(
        counter.connections <= READ_CONNECTIONS_AND_LOGIN,
        `${counter.connections} connections for ${requests} requests: reads kept alive, at most one per request slot, and the login's`,
      );
      client.close();
    });

    it("builds one TLS context per client with verification off too", async function () {
      counter = tlsCounter();
      const { client } = simClient(sim, { tls: { allowSelfSigned: true } });
      const requests = await readEveryDomain(client);
      assert.equal(counter.contexts, 1, `${counter.contexts} TLS contexts for ${requests} requests`);
      assert.ok(
        counter.connections <= READ_CONNECTIONS_AND_LOGIN,
        `${counter.connections} connections for ${requests} requests`,
      );
      client.close();
    });

    it("builds one TLS context per vcf-config node with a tls-config node, also for its engine's discovery", async function () {
      counter = tlsCounter();
      const tlsConfigNode = {
        addTLSOptions: (opts: Record<string, unknown>) => ({
          ...opts,
          ca: sim.caCertificatePem,
          rejectUnauthorized: true,
        }),
      };
      const def = {
        id: "cfg-tls",
        type: "vcf-config",
        url: sim.url,
        tlsMode: "tls-config",
        tls: "tls1",
        requestTimeout: 5,
      } as unknown as VcfConfigDef;
      const connection = new VcfConnection({
        def,
        credentials: sim.credentials,
        lookupNode: (id) => (id === "tls1" ? tlsConfigNode : undefined),
        findInFlows: () => undefined,
        userDir: undefined,
        log: () => undefined,
      });
      try {
        assert.equal(connection.problem, undefined);
        const engine = connection.requireEngine();
        for (let round = 0; round < 3; round++) {
          const found = await engine.discoverUpdates();
          assert.equal(found.length, 6);
        }
        assert.equal(counter.contexts, 1, `${counter.contexts} TLS contexts`);
        assert.ok(counter.connections <= READ_CONNECTIONS_AND_LOGIN, `${counter.connections} connections`);
      } finally {
        await connection.close();
      }
    });
  });

  describe("over HTTP", function () {
    let stub: StubServer | undefined;
    afterEach(async function () {
      await stub?.stop();
      stub = undefined;
    });

    const domainsReply = { status: 200, contentType: "application/json", body: JSON.stringify({ elements: [] }) };

    it("keeps connections alive: one after another, requests share one connection", async function () {
      stub = await startStub((r) => (r.path === "/v1/domains" ? domainsReply : undefined));
      const client = stubClient(stub);
      for (let i = 0; i < 10; i++) await client.getDomains();
      const [login, ...reads] = stub.requests;
      assert.equal(login?.path, "/v1/tokens");
      assert.equal(reads.length, 10);
      assert.deepEqual(new Set(reads.map((r) => r.connection)).size, 1, "the reads share one connection");
      assert.equal(stub.connections(), 2, "the login had one of its own");
      client.close();
    });

    it("retries a GET whose kept-alive connection the server closed", async function () {
      let reads = 0;
      stub = await startStub((r) => {
        if (r.path !== "/v1/domains") return undefined;
        reads++;
        return reads === 2 ? "drop" : domainsReply;
      });
      const client = stubClient(stub);
      await client.getDomains();
      assert.deepEqual(await client.getDomains(), []);
      const gets = stub.requests.filter((r) => r.path === "/v1/domains");
      assert.equal(gets.length, 3, "the read, the dropped one, its retry");
      assert.equal(gets[1]?.connection, gets[0]?.connection, "the dropped read came on the reused connection");
      assert.notEqual(gets[2]?.connection, gets[1]?.connection, "the retry on a new one");
      client.close();
    });

    it("sends a write and a token call on a connection of their own, and keeps reading on the kept-alive one", async function () {
      const task = {
        status: 202,
        contentType: "application/json",
        body: JSON.stringify({ id: "task-1", status: "IN_PROGRESS" }),
      };
      stub = await startStub((r) =>
        r.path === "/v1/domains" ? domainsReply : r.path === "/v1/upgrades" ? task : undefined,
      );
      const client = stubClient(stub);
      await client.getDomains();
      await client.startUpgrade({ bundleId: "b", resourceType: "DOMAIN", resourceUpgradeSpecs: [] });
      await client.getDomains();
      const [login, read, write, again] = stub.requests;
      assert.equal(write?.path, "/v1/upgrades");
      assert.ok(login && read && login.connection !== read.connection, "the login on a connection of its own");
      assert.ok(
        write && write.connection !== read?.connection && write.connection !== login?.connection,
        "the POST on a new connection",
      );
      assert.equal(again?.connection, read?.connection, "reads go on on the kept-alive connection");
      assert.equal(write?.authorization, `Bearer ${STUB_ACCESS_TOKEN}`);
      client.close();
    });

    it("closes its kept-alive connections when closed, and so does a vcf-config node's connection", async function () {
      stub = await startStub((r) => (r.path === "/v1/domains" ? domainsReply : undefined));
      const client = stubClient(stub);
      await client.getDomains();
      client.close();
      await stub.allClosed();

      const def = {
        id: "cfg-http",
        type: "vcf-config",
        url: stub.url,
        tlsMode: "verify",
        requestTimeout: 5,
      } as unknown as VcfConfigDef;
      const connection = new VcfConnection({
        def,
        credentials: { username: "u", password: "p" },
        lookupNode: () => undefined,
        findInFlows: () => undefined,
        userDir: undefined,
        log: () => undefined,
      });
      await connection.client?.getDomains();
      const before = stub.connections();
      await connection.close();
      await stub.allClosed();
      assert.equal(stub.connections(), before);
    });
  });
});
