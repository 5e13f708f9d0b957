import { strict as assert } from "node:assert";
import type { RunningSimulator } from "../../nodes/sim/index";
import { startSimulator } from "../../nodes/sim/index";
import { call, login } from "../support/sim-http";

interface JwtPayload {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  sub: string;
}

function decode(token: string): { header: { alg: string }; payload: JwtPayload } {
  const [header = "", payload = ""] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString()),
    payload: JSON.parse(Buffer.from(payload, "base64url").toString()),
  };
}

describe("simulator: tokens", function () {
  let sim: RunningSimulator;
  afterEach(async () => sim.stop());

  it("answers POST /v1/tokens with 200 (not 201) and a JWT-shaped token living 3600 simulated seconds", async () => {
    sim = await startSimulator();
    const res = await call(sim, "POST", "/v1/tokens", { body: sim.credentials });
    assert.equal(res.status, 200);
    const pair = res.json as { accessToken: string; refreshToken: { id: string } };
    const { header, payload } = decode(pair.accessToken);
    assert.equal(header.alg, "HS256");
    assert.equal(payload.iss, "vcf-auth");
    assert.equal(payload.aud, "sddc-services");
    assert.equal(payload.exp - payload.iat, 3600);
    assert.match(pair.refreshToken.id, /^[0-9a-f-]{36}$/);
  });

  it("refuses wrong credentials with 400 and a missing password naming the field", async () => {
    sim = await startSimulator();
    const wrong = await call(sim, "POST", "/v1/tokens", {
      body: { username: sim.credentials.username, password: "nope" },
    });
    assert.equal(wrong.status, 400);
    assert.equal((wrong.json as { errorCode: string }).errorCode, "INVALID_CREDENTIALS");
    const missing = await call(sim, "POST", "/v1/tokens", { body: { username: sim.credentials.username } });
    assert.equal(missing.status, 400);
    assert.match((missing.json as { message: string }).message, /password/);
  });

  it("answers 401 with the Unauthorized Error body for a missing, malformed or expired token", async () => {
    sim = await startSimulator();
    const token = await login(sim);
    for (const header of [undefined, "not-a-token"]) {
      const res = await call(sim, "GET", "/v1/domains", { token: header });
      assert.equal(res.status, 401);
      assert.deepEqual(
        [(res.json as { errorCode: string }).errorCode, (res.json as { message: string }).message],
        ["Unauthorized", "Authorization Header is missing or not in correct format"],
      );
    }
    assert.equal((await call(sim, "GET", "/v1/domains", { token })).status, 200);
    // The simulated clock also runs with the wall clock: a margin of 100 s keeps a busy machine's seconds out of it.
    sim.advanceClock(3500);
    assert.equal((await call(sim, "GET", "/v1/domains", { token })).status, 200);
    sim.advanceClock(101);
    assert.equal((await call(sim, "GET", "/v1/domains", { token })).status, 401);
  });

  it("refreshes with a raw or a JSON-quoted refresh id and answers a JSON string", async () => {
    sim = await startSimulator();
    const pair = (await call(sim, "POST", "/v1/tokens", { body: sim.credentials })).json as {
      refreshToken: { id: string };
    };
    for (const rawBody of [pair.refreshToken.id, JSON.stringify(pair.refreshToken.id)]) {
      const res = await call(sim, "PATCH", "/v1/tokens/access-token/refresh", { rawBody });
      assert.equal(res.status, 200);
      assert.ok(res.text.startsWith('"'), "a JSON string");
      const fresh = res.json as string;
      assert.equal((await call(sim, "GET", "/v1/domains", { token: fresh })).status, 200);
    }
    const unknown = await call(sim, "PATCH", "/v1/tokens/access-token/refresh", {
      rawBody: "00000000-0000-4000-8000-000000000000",
    });
    assert.equal(unknown.status, 404);
  });

  it("short-token-lifetime issues tokens that expire after 60 simulated seconds", async () => {
    sim = await startSimulator({ scenario: "short-token-lifetime" });
    const token = await login(sim);
    assert.equal(decode(token).payload.exp - decode(token).payload.iat, 60);
    sim.advanceClock(61);
    assert.equal((await call(sim, "GET", "/v1/domains", { token })).status, 401);
  });

  it("redacts passwords and tokens in the request log", async () => {
    sim = await startSimulator();
    const pair = (await call(sim, "POST", "/v1/tokens", { body: sim.credentials })).json as {
      refreshToken: { id: string };
    };
    await call(sim, "PATCH", "/v1/tokens/access-token/refresh", { rawBody: pair.refreshToken.id });
    const text = JSON.stringify(sim.requestLog());
    assert.ok(!text.includes(sim.credentials.password));
    assert.ok(!text.includes(pair.refreshToken.id));
    assert.ok(!text.includes("eyJ"), "no JWT in the log");
    const [loginEntry, refreshEntry] = sim.requestLog();
    assert.deepEqual(loginEntry?.requestBody, { username: sim.credentials.username, password: "***" });
    assert.deepEqual(loginEntry?.responseBody, { accessToken: "***", refreshToken: { id: "***" } });
    assert.deepEqual([refreshEntry?.requestBody, refreshEntry?.responseBody], ["***", "***"]);
  });
});
