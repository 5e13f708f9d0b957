// Reads several runs share (a bundle, the system upgradables): which answers a caller gets, driven by an injected
// clock and by answers the test releases itself.
import assert from "node:assert/strict";
import { sharedRead } from "../../nodes/engine/shared-reads";
import { VcfClient } from "../../nodes/vcf/client";

/** A read the test answers by hand; `started` counts how often it was sent. */
function manualRead(): { read: () => Promise<string>; started: number; answer: (v: string) => void; fail: () => void } {
  const pending: Array<{ resolve: (v: string) => void; reject: (e: Error) => void }> = [];
  const out = {
    started: 0,
    read: (): Promise<string> => {
      out.started += 1;
      return new Promise<string>((resolve, reject) => pending.push({ resolve, reject }));
    },
    answer: (v: string): void => pending.shift()?.resolve(v),
    fail: (): void => pending.shift()?.reject(new Error("HTTP 500")),
  };
  return out;
}

describe("engine: reads shared by the runs of one SDDC Manager", function () {
  const client = (): VcfClient => new VcfClient({ baseUrl: "http://127.0.0.1:9", username: "u", password: "p" });
  let clock = 0;
  const now = (): number => clock;

  beforeEach(() => {
    clock = 1_000_000;
  });

  it("a read as old as the caller accepts serves it, in flight or answered; an older one does not", async () => {
    const c = client();
    const r = manualRead();
    const first = sharedRead(c, "k", r.read, { maxAgeMs: 0, now });
    clock += 100;
    const joined = sharedRead(c, "k", r.read, { maxAgeMs: 100, now });
    assert.equal(r.started, 1, "the caller that accepts 100 ms joins the read in flight");
    r.answer("one");
    assert.deepEqual(await Promise.all([first, joined]), ["one", "one"]);
    clock += 1;
    const tooOld = sharedRead(c, "k", r.read, { maxAgeMs: 100, now });
    assert.equal(r.started, 2, "101 ms is too old");
    r.answer("two");
    assert.equal(await tooOld, "two");
    assert.equal(await sharedRead(c, "k", r.read, { maxAgeMs: 0, now }), "two", "same instant: the answered read");
    assert.equal(r.started, 2);
  });

  it("keeps keys and clients apart", async () => {
    const [a, b] = [client(), client()];
    const r = manualRead();
    const reads = [
      sharedRead(a, "bundle:1", r.read, { maxAgeMs: 1000, now }),
      sharedRead(a, "bundle:2", r.read, { maxAgeMs: 1000, now }),
      sharedRead(b, "bundle:1", r.read, { maxAgeMs: 1000, now }),
    ];
    assert.equal(r.started, 3);
    r.answer("a1");
    r.answer("a2");
    r.answer("b1");
    assert.deepEqual(await Promise.all(reads), ["a1", "a2", "b1"]);
  });

  it("a failed read fails its callers and is forgotten: the next caller reads again", async () => {
    const c = client();
    const r = manualRead();
    const both = [
      sharedRead(c, "k", r.read, { maxAgeMs: 1000, now }),
      sharedRead(c, "k", r.read, { maxAgeMs: 1000, now }),
    ];
    r.fail();
    for (const p of both) await assert.rejects(p, /HTTP 500/);
    const again = sharedRead(c, "k", r.read, { maxAgeMs: 1000, now });
    assert.equal(r.started, 2);
    r.answer("ok");
    assert.equal(await again, "ok");
  });

  it("a caller's abort ends its own wait only; the read goes on for the others", async () => {
    const c = client();
    const r = manualRead();
    const stop = new AbortController();
    const aborted = sharedRead(c, "k", r.read, { maxAgeMs: 1000, now, signal: stop.signal });
    const other = sharedRead(c, "k", r.read, { maxAgeMs: 1000, now });
    stop.abort();
    await assert.rejects(aborted, /aborted/);
    r.answer("still here");
    assert.equal(await other, "still here");
    assert.equal(r.started, 1);
  });
});
