import * as assert from "node:assert/strict";
import { EngineError, waitUntil } from "../../nodes/engine";
import { VcfApiError } from "../../nodes/vcf/errors";

function networkError(): VcfApiError {
  return new VcfApiError({ kind: "network", message: "ECONNREFUSED", method: "GET", path: "/v1/x", retryable: true });
}

describe("engine: waiting primitive", () => {
  it("polls until the predicate holds", async () => {
    let n = 0;
    const seen: number[] = [];
    const v = await waitUntil({
      what: "counter", poll: async () => ++n, until: (x) => x >= 4, onValue: (x) => { seen.push(x); },
      deadline: Date.now() + 5000, intervalMs: 1, maxIntervalMs: 2,
    });
    assert.equal(v, 4);
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it("fails with DEADLINE naming the wait", async () => {
    await assert.rejects(
      waitUntil({ what: "The never-ending thing", poll: async () => 0, until: () => false, deadline: Date.now() + 30, intervalMs: 5, maxIntervalMs: 5 }),
      (e: unknown) => e instanceof EngineError && e.code === "DEADLINE" && /The never-ending thing did not finish/.test(e.message));
  });

  it("waits through transient errors with growing back-off, and stops on other errors", async () => {
    let n = 0;
    const retries: number[] = [];
    const v = await waitUntil({
      what: "flaky", deadline: Date.now() + 5000, intervalMs: 1, maxIntervalMs: 8,
      poll: async () => { n += 1; if (n <= 3) throw networkError(); return n; },
      until: () => true, onRetry: (_e, c) => { retries.push(c); },
    });
    assert.equal(v, 4);
    assert.deepEqual(retries, [1, 2, 3]);
    const notFound = new VcfApiError({ kind: "http", status: 404, message: "gone", method: "GET", path: "/v1/x", retryable: false });
    await assert.rejects(waitUntil({
      what: "x", deadline: Date.now() + 5000, intervalMs: 1, maxIntervalMs: 1, poll: async () => { throw notFound; }, until: () => true,
    }), (e: unknown) => e === notFound);
  });

  it("stops at once when aborted", async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(
      waitUntil({ what: "abortable", poll: async () => 0, until: () => false, deadline: Date.now() + 60_000, intervalMs: 10_000, maxIntervalMs: 10_000, signal: ac.signal }),
      (e: unknown) => e instanceof EngineError && e.code === "ABORTED");
    assert.ok(Date.now() - started < 1000);
  });
});
