// Which token the replay after a 401 carries, when the answer comes late and tokens were renewed meanwhile.
// A stub stands in for SDDC Manager: it decides which tokens are valid, and holds one read until the test answers it.
import assert from "node:assert/strict";
import type { RunningSimulator } from "../../nodes/sim/index";
import type { VcfClient } from "../../nodes/vcf/client";
import type { StubReply, StubRequest, StubServer } from "./helpers";
import { simClient, startStub } from "./helpers";

const REFRESH = "/v1/tokens/access-token/refresh";
/** The client assumes 55 minutes for a token that is not a JWT, and refreshes it 5 minutes before. */
const PAST_REFRESH_POINT_MS = 51 * 60_000;
const unauthorized: StubReply = {
  status: 401,
  contentType: "application/json",
  body: JSON.stringify({ errorCode: "Unauthorized", message: "token expired" }),
};
const ok = (body: unknown): StubReply => ({ status: 200, contentType: "application/json", body: JSON.stringify(body) });

/** Issues token-1 at login and token-2, token-3, ... at each refresh; only the tokens in `valid` are accepted. */
class TokenServer {
  issued = 0;
  readonly valid = new Set<string>();
  private held?: { request: StubRequest; answer: (reply: StubReply) => void };
  private onHeld?: () => void;

  route(request: StubRequest): StubReply | Promise<StubReply> {
    if (request.path === "/v1/tokens") return ok({ accessToken: this.issue(), refreshToken: { id: "refresh-1" } });
    if (request.path === REFRESH) return ok(this.issue());
    const token = request.authorization?.replace(/^Bearer /, "") ?? "";
    if (request.path === "/v1/domains/slow" && !this.held) {
      return new Promise((answer) => {
        this.held = { request, answer };
        this.onHeld?.();
      });
    }
    if (!this.valid.has(token)) return unauthorized;
    return request.path === "/v1/domains"
      ? ok({ elements: [] })
      : ok({ id: "slow", name: "slow", status: "ACTIVE", type: "VI" });
  }

  /** Resolves once the slow read has arrived. */
  slowReadArrived(): Promise<void> {
    return this.held ? Promise.resolve() : new Promise((resolve) => (this.onHeld = resolve));
  }

  answerSlowRead(reply: StubReply): void {
    this.held?.answer(reply);
  }

  private issue(): string {
    const token = `token-${++this.issued}`;
    this.valid.add(token);
    return token;
  }
}

describe("client: the token a replay after a 401 carries", function () {
  let stub: StubServer | undefined;
  let client: VcfClient | undefined;
  let tokens: TokenServer;
  let now: number;
  afterEach(async function () {
    client?.close();
    await stub?.stop();
    stub = client = undefined;
  });

  beforeEach(async function () {
    tokens = new TokenServer();
    now = Date.now();
    stub = await startStub((r) => tokens.route(r));
    client = simClient({ url: stub.url, credentials: { username: "u", password: "p" } } as RunningSimulator, {
      now: () => now,
    }).client;
  });

  function slowReadReplay(): StubRequest | undefined {
    return stub?.requests.filter((r) => r.path === "/v1/domains/slow")[1];
  }

  /** Sends the slow read with token-1; meanwhile another call refreshes to token-2. `slow` settles with the read. */
  async function slowReadAcrossARefresh(c: VcfClient): Promise<{ slow: Promise<unknown> }> {
    await c.login();
    const slow = c.getDomain("slow").then(
      () => "answered",
      (error: unknown) => error,
    );
    await tokens.slowReadArrived();
    now += PAST_REFRESH_POINT_MS;
    await c.getDomains();
    assert.equal(tokens.issued, 2, "token-2 came from a refresh while the slow read was out");
    return { slow };
  }

  it("renews once more when the token renewed since the request was sent is itself due by the time the 401 comes", async function () {
    const c = client as VcfClient;
    const { slow } = await slowReadAcrossARefresh(c);
    now += PAST_REFRESH_POINT_MS; // token-2 is due for refresh too, and SDDC Manager no longer takes either
    tokens.valid.clear();
    tokens.answerSlowRead(unauthorized);
    assert.equal(await slow, "answered");
    assert.equal(slowReadReplay()?.authorization, "Bearer token-3", "replayed with the token renewed after the 401");
    assert.equal(tokens.issued, 3, "one renewal after the 401");
  });

  it("replays with the token renewed after the request was sent while it is fresh, without another renewal", async function () {
    const c = client as VcfClient;
    const { slow } = await slowReadAcrossARefresh(c);
    tokens.valid.delete("token-1");
    tokens.answerSlowRead(unauthorized);
    assert.equal(await slow, "answered");
    assert.equal(slowReadReplay()?.authorization, "Bearer token-2");
    assert.equal(tokens.issued, 2, "no renewal: token-2 was obtained after the slow read was sent");
  });

  it("renews after a 401 for the newest token, even when the client still thinks it fresh", async function () {
    const c = client as VcfClient;
    await c.login();
    tokens.valid.clear(); // e.g. SDDC Manager restarted
    await c.getDomains();
    const reads = stub?.requests.filter((r) => r.path === "/v1/domains").map((r) => r.authorization);
    assert.deepEqual(reads, ["Bearer token-1", "Bearer token-2"]);
  });
});
