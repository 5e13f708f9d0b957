import * as assert from "node:assert/strict";
import { EngineError, resolveSettings, verbatimText, waitUntil } from "../../nodes/engine";
import { delay, pollInterval } from "../../nodes/engine/wait";
import { VcfApiError } from "../../nodes/vcf/errors";
import { abortableDelay } from "../../nodes/vcf/http/retry";

function networkError(): VcfApiError {
  return new VcfApiError({ kind: "network", message: "ECONNREFUSED", method: "GET", path: "/v1/x", retryable: true });
}

describe("engine: waiting primitive", () => {
  it("polls until the predicate holds", async () => {
    let n = 0;
    const seen: number[] = [];
    const v = await waitUntil({
      what: verbatimText("counter"),
      poll: async () => ++n,
      until: (x) => x >= 4,
      onValue: (x) => {
        seen.push(x);
      },
      deadline: Date.now() + 5000,
      intervalMs: 1,
      maxIntervalMs: 2,
    });
    assert.equal(v, 4);
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it("fails with DEADLINE naming the wait", async () => {
    await assert.rejects(
      waitUntil({
        what: verbatimText("The never-ending thing"),
        poll: async () => 0,
        until: () => false,
        deadline: Date.now() + 30,
        intervalMs: 5,
        maxIntervalMs: 5,
      }),
      (e: unknown) =>
        e instanceof EngineError && e.code === "DEADLINE" && /The never-ending thing did not finish/.test(e.message),
    );
  });

  it("waits through transient errors with growing back-off, and stops on other errors", async () => {
    let n = 0;
    const retries: number[] = [];
    const v = await waitUntil({
      what: verbatimText("flaky"),
      deadline: Date.now() + 5000,
      intervalMs: 1,
      maxIntervalMs: 8,
      poll: async () => {
        n += 1;
        if (n <= 3) throw networkError();
        return n;
      },
      until: () => true,
      onRetry: (_e, c) => {
        retries.push(c);
      },
    });
    assert.equal(v, 4);
    assert.deepEqual(retries, [1, 2, 3]);
    const notFound = new VcfApiError({
      kind: "http",
      status: 404,
      message: "gone",
      method: "GET",
      path: "/v1/x",
      retryable: false,
    });
    await assert.rejects(
      waitUntil({
        what: verbatimText("x"),
        deadline: Date.now() + 5000,
        intervalMs: 1,
        maxIntervalMs: 1,
        poll: async () => {
          throw notFound;
        },
        until: () => true,
      }),
      (e: unknown) => e === notFound,
    );
  });

  it("backs off on the time waited: as long as it has waited, from the base to the longest interval", () => {
    assert.equal(pollInterval(0, 10_000, 60_000), 10_000);
    assert.equal(pollInterval(5_000, 10_000, 60_000), 10_000);
    assert.equal(pollInterval(30_000, 10_000, 60_000), 30_000);
    assert.equal(pollInterval(50_000, 10_000, 60_000), 50_000);
    assert.equal(pollInterval(3_600_000, 10_000, 60_000), 60_000);
  });

  it("a value that changes on every poll does not hold the wait at its base interval", async () => {
    const started = Date.now();
    let polls = 0;
    await waitUntil({
      what: verbatimText("progress"),
      poll: async () => ++polls,
      until: () => Date.now() - started >= 500,
      deadline: started + 60_000,
      intervalMs: 1,
      maxIntervalMs: 50,
    });
    const spanMs = Date.now() - started;
    // About 15 polls while the interval grows from 1 to 50 ms, then one per 50 ms (at base interval: hundreds).
    assert.ok(polls <= 20 + spanMs / 50, `${polls} polls in ${spanMs} ms`);
  });

  it("after a fresh look (justLooked) the first poll waits for the base interval", async () => {
    const started = Date.now();
    let firstAt = 0;
    await waitUntil({
      what: verbatimText("fresh"),
      poll: async () => {
        firstAt ||= Date.now();
        return 1;
      },
      until: () => true,
      deadline: started + 60_000,
      intervalMs: 200,
      maxIntervalMs: 200,
      justLooked: true,
    });
    assert.ok(firstAt - started >= 150, `first poll after ${firstAt - started} ms`);
  });

  it("work that takes long by nature (firstPollAfterMs) is first looked at after that long, at most the longest interval", async () => {
    const started = Date.now();
    let firstAt = 0;
    await waitUntil({
      what: verbatimText("long work"),
      poll: async () => {
        firstAt ||= Date.now();
        return 1;
      },
      until: () => true,
      deadline: started + 60_000,
      intervalMs: 1,
      maxIntervalMs: 200,
      justLooked: true,
      firstPollAfterMs: 10_000,
    });
    const after = firstAt - started;
    assert.ok(after >= 150, `first poll after ${after} ms, not at the base interval`);
    assert.ok(after < 10_000, `first poll after ${after} ms: no later than the longest interval`);
  });

  it("stops at once when aborted", async () => {
    const ac = new AbortController();
    // Aborted during the first poll: a wait that slept its interval first would outlast the test's timeout.
    await assert.rejects(
      waitUntil({
        what: verbatimText("abortable"),
        poll: async () => {
          ac.abort();
          return 0;
        },
        until: () => false,
        deadline: Date.now() + 1e12,
        intervalMs: 1e9,
        maxIntervalMs: 1e9,
        signal: ac.signal,
      }),
      (e: unknown) => e instanceof EngineError && e.code === "ABORTED",
    );
  });
});

describe("engine: waits longer than Node's timer limit", () => {
  const sleeps = {
    "the engine's": (ms: number, signal: AbortSignal) => delay(ms, signal),
    "the client's": (ms: number, signal: AbortSignal) => abortableDelay(ms, signal, () => new Error("aborted")),
  };
  for (const [whose, sleep] of Object.entries(sleeps)) {
    it(`${whose} delay beyond about 24.8 days does not fire at once`, async () => {
      const ac = new AbortController();
      let fired = false;
      const sleeping = sleep(2 ** 31 + 1000, ac.signal).then(
        () => {
          fired = true;
        },
        () => undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(fired, false, "the long delay fired early");
      ac.abort();
      await sleeping;
    });
  }

  it("a poll interval beyond the timer limit polls once, not in a tight loop", async () => {
    const ac = new AbortController();
    let polls = 0;
    const waiting = waitUntil({
      what: verbatimText("long"),
      poll: async () => ++polls,
      until: () => false,
      deadline: Date.now() + 1e12,
      intervalMs: 1e10,
      maxIntervalMs: 1e10,
      signal: ac.signal,
    }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    ac.abort();
    assert.ok((await waiting) instanceof EngineError);
    assert.equal(polls, 1);
  });

  it("the engine refuses time settings above their maximum", () => {
    assert.throws(
      () => resolveSettings({ pollIntervalMs: 1e10 }),
      /Setting pollIntervalMs is 10000000000; it must be a positive number of milliseconds, at most 3600000/,
    );
    assert.throws(() => resolveSettings({ componentDeadlineMs: 1e12 }), /at most 2592000000/);
    assert.equal(resolveSettings({ componentDeadlineMs: 30 * 86_400_000 }).componentDeadlineMs, 2_592_000_000);
  });
});

describe("engine: a deadline during a poll", () => {
  /** A poll that never answers, but ends (rejects) when its signal aborts; `aborted` tells whether it was. */
  function hangingPoll(): { poll: (signal: AbortSignal | undefined) => Promise<number>; aborted: () => boolean } {
    let aborted = false;
    return {
      aborted: () => aborted,
      poll: (signal) =>
        new Promise<number>((_resolve, reject) => {
          signal?.addEventListener(
            "abort",
            () => {
              aborted = true;
              reject(new Error("aborted"));
            },
            { once: true },
          );
        }),
    };
  }

  it("ends the wait with DEADLINE and aborts the poll in flight", async () => {
    const hanging = hangingPoll();
    await assert.rejects(
      waitUntil({
        what: verbatimText("The hanging read"),
        poll: hanging.poll,
        until: () => true,
        deadline: Date.now() + 100,
        intervalMs: 1,
        maxIntervalMs: 1,
      }),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === "DEADLINE" &&
        /The hanging read did not finish before its deadline/.test(e.message),
    );
    assert.equal(hanging.aborted(), true);
  });

  it("ends the wait even if the poll ignores its signal", async () => {
    await assert.rejects(
      waitUntil({
        what: verbatimText("deaf"),
        poll: () => new Promise<number>(() => undefined),
        until: () => true,
        deadline: Date.now() + 100,
        intervalMs: 1,
        maxIntervalMs: 1,
      }),
      (e: unknown) => e instanceof EngineError && e.code === "DEADLINE",
    );
  });

  it("lets a look-up's first poll finish past the deadline when asked (completeFirstPoll)", async () => {
    for (const completeFirstPoll of [true, false]) {
      let release = (_value: number): void => undefined;
      const answer = new Promise<number>((resolve) => {
        release = resolve;
      });
      const waiting = waitUntil({
        what: verbatimText("look-up"),
        deadline: Date.now() + 300,
        intervalMs: 1,
        maxIntervalMs: 1,
        until: () => true,
        completeFirstPoll,
        poll: () => answer,
      }).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 600));
      release(7);
      const outcome = await waiting;
      if (completeFirstPoll) assert.equal(outcome, 7);
      else assert.ok(outcome instanceof EngineError && outcome.code === "DEADLINE");
    }
  });
});
