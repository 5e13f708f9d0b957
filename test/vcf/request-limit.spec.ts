// The client's bound on requests in flight, and the token a queued request carries when it is finally sent.
import assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import { MAX_REQUESTS_IN_FLIGHT, type VcfClient } from "../../nodes/vcf/client";
import { VcfApiError } from "../../nodes/vcf/errors";
import { RequestLimiter } from "../../nodes/vcf/http/limiter";
import type { StubReply, StubRequest, StubServer } from "./helpers";
import { rejectionOf, simClient, startStub } from "./helpers";

const REFRESH = "/v1/tokens/access-token/refresh";
const json = (body: unknown): StubReply => ({
  status: 200,
  contentType: "application/json",
  body: JSON.stringify(body),
});

/** GET /v1/domains/{id} answers are held until the test lets them go; the stub counts what it holds. */
class HeldReads {
  private readonly held: Array<() => void> = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  max = 0;

  reply(request: StubRequest): Promise<StubReply> {
    return new Promise((resolve) => {
      this.held.push(() =>
        resolve(json({ id: request.path.split("/").pop(), name: "d", status: "ACTIVE", type: "VI" })),
      );
      this.max = Math.max(this.max, this.held.length);
      this.waiters = this.waiters.filter((w) => (this.held.length >= w.count ? (w.resolve(), false) : true));
    });
  }

  get count(): number {
    return this.held.length;
  }

  /** Resolves once `count` reads are held at once. */
  until(count: number): Promise<void> {
    if (this.held.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  releaseAll(): void {
    for (const release of this.held.splice(0)) release();
  }
}

describe("request limiter", function () {
  it("runs work in arrival order once a slot is free, work marked first ahead of the queue", async function () {
    const limiter = new RequestLimiter(1);
    const order: string[] = [];
    let release = (): void => undefined;
    let started = (): void => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const busy = limiter.run(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          started();
        }),
    );
    await running;
    const queued = ["a", "b"].map((name) => limiter.run(async () => void order.push(name)));
    const renewal = limiter.run(async () => void order.push("renewal"), { first: true });
    release();
    await Promise.all([busy, ...queued, renewal]);
    assert.deepEqual(order, ["renewal", "a", "b"]);
  });

  it("refuses a bound below 1", function () {
    assert.throws(() => new RequestLimiter(0), /at least 1/);
  });
});

describe("client request limit", function () {
  let stub: StubServer | undefined;
  let client: VcfClient | undefined;
  afterEach(async function () {
    client?.close();
    await stub?.stop();
    stub = client = undefined;
  });

  function clientFor(server: StubServer, now?: () => number): VcfClient {
    return simClient(
      { url: server.url, credentials: { username: "u", password: "p" } } as RunningSimulator,
      now ? { now } : {},
    ).client;
  }

  it(`has at most ${MAX_REQUESTS_IN_FLIGHT} requests in flight; the others wait their turn and all are answered`, async function () {
    const reads = new HeldReads();
    stub = await startStub((r) => (r.path.startsWith("/v1/domains/") ? reads.reply(r) : undefined));
    client = clientFor(stub);
    await client.login();
    const c = client;
    const calls = Array.from({ length: 20 }, (_, i) => c.getDomain(`d-${i}`));
    let answered = 0;
    while (answered < 20) {
      await reads.until(Math.min(MAX_REQUESTS_IN_FLIGHT, 20 - answered));
      answered += reads.count;
      reads.releaseAll();
    }
    const domains = await Promise.all(calls);
    assert.deepEqual(
      domains.map((d) => d.id),
      Array.from({ length: 20 }, (_, i) => `d-${i}`),
    );
    assert.equal(reads.max, MAX_REQUESTS_IN_FLIGHT);
  });

  it("sends a request that waited for a slot with the token current when it is sent, renewed if it became due meanwhile", async function () {
    let now = Date.now();
    const reads = new HeldReads();
    stub = await startStub((r) => {
      if (r.path === REFRESH) return json("token-2");
      return r.path.startsWith("/v1/domains/") ? reads.reply(r) : undefined;
    });
    client = clientFor(stub, () => now);
    await client.login();
    const c = client;
    const calls = Array.from({ length: 10 }, (_, i) => c.getDomain(`d-${i}`));
    await reads.until(MAX_REQUESTS_IN_FLIGHT);
    now += 51 * 60_000; // the queued requests' token is now due for refresh (55 min assumed, refreshed 5 min before)
    reads.releaseAll();
    await reads.until(10 - MAX_REQUESTS_IN_FLIGHT);
    reads.releaseAll();
    await Promise.all(calls);
    const [refresh, ...queued] = stub.requests.slice(1 + MAX_REQUESTS_IN_FLIGHT);
    assert.equal(refresh?.path, REFRESH);
    assert.equal(queued.length, 10 - MAX_REQUESTS_IN_FLIGHT);
    assert.ok(
      queued.every((r) => r.authorization === "Bearer token-2"),
      JSON.stringify(queued.map((r) => `${r.path} ${r.authorization}`)),
    );
  });

  it("rejects a call aborted while it waits for a slot, and never sends it", async function () {
    const reads = new HeldReads();
    stub = await startStub((r) => (r.path.startsWith("/v1/domains/") ? reads.reply(r) : undefined));
    client = clientFor(stub);
    await client.login();
    const c = client;
    const calls = Array.from({ length: MAX_REQUESTS_IN_FLIGHT }, (_, i) => c.getDomain(`d-${i}`));
    await reads.until(MAX_REQUESTS_IN_FLIGHT);
    const controller = new AbortController();
    const waiting = rejectionOf(c.getDomain("d-aborted", { signal: controller.signal }));
    controller.abort();
    const error = await waiting;
    assert.ok(error instanceof VcfApiError && error.kind === "aborted", String(error));
    reads.releaseAll();
    await Promise.all(calls);
    const more = Array.from({ length: MAX_REQUESTS_IN_FLIGHT }, (_, i) => c.getDomain(`d-more-${i}`));
    await reads.until(MAX_REQUESTS_IN_FLIGHT); // every slot is free again
    reads.releaseAll();
    await Promise.all(more);
    assert.ok(!stub.requests.some((r) => r.path.endsWith("d-aborted")));
  });
});
