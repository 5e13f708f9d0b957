// The per-run bookkeeping beside the run file (sent outputs, kept input messages) and what of a message is kept.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { MESSAGE_COPY_MAX_BYTES, messageCopy } from "../../nodes/adapters/message-copy";
import { RunBookkeeping } from "../../nodes/adapters/run-bookkeeping";
import { makeUserDir } from "../support/nodes-harness";
import { useNodeRedCatalogs } from "../support/catalog";

function readJson(file: string): { sent: Record<string, string[]>; messages?: Record<string, unknown> } {
  return JSON.parse(fs.readFileSync(file, "utf8")) as {
    sent: Record<string, string[]>;
    messages?: Record<string, unknown>;
  };
}

describe("nodes: run bookkeeping file", function () {
  before(() => useNodeRedCatalogs());

  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = makeUserDir();
    file = path.join(dir, "vcf-upgrade-node-records-test.json");
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads the file before the first change, so a change, also a deletion, lands beside what the file held", async () => {
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        sent: { "run-old": ["download"], "run-both": ["download"] },
        messages: { "run-old": { ticket: "CHG-1" } },
      }),
    );
    const warnings: string[] = [];
    const book = new RunBookkeeping(file, (text) => warnings.push(text));
    await book.ready();
    book.recordSent("run-both", "prechecks");
    book.recordMessage("run-old", undefined);
    await book.close();
    assert.deepEqual(readJson(file).sent, { "run-old": ["download"], "run-both": ["download", "prechecks"] });
    assert.deepEqual(readJson(file).messages, {});
    assert.ok(book.wasSent("run-old", "download") && book.wasSent("run-both", "prechecks"));
    assert.equal(book.messageOf("run-old"), undefined);
    assert.deepEqual(warnings, []);
  });

  it("keeps a message copy across instances and drops the runs the engine no longer has whenever it writes", async () => {
    const first = new RunBookkeeping(file, () => undefined);
    await first.ready();
    first.recordMessage("run-1", { ticket: "CHG-1" });
    first.recordMessage("run-2", { ticket: "CHG-2" });
    await first.close();
    const known = new Set(["run-1", "run-2"]);
    const second = new RunBookkeeping(
      file,
      () => undefined,
      (runId) => known.has(runId),
    );
    await second.ready();
    assert.deepEqual(second.messageOf("run-1"), { ticket: "CHG-1" });
    known.delete("run-1"); // e.g. pruned by the engine: no event, the next write drops it
    known.add("run-3");
    second.recordSent("run-3", "download");
    await second.close();
    assert.deepEqual(readJson(file).messages, { "run-2": { ticket: "CHG-2" } });
    assert.deepEqual(readJson(file).sent, { "run-3": ["download"] });
    assert.equal(second.messageOf("run-1"), undefined);
  });

  it("forgetGoneRuns rewrites the file without the runs the engine no longer has", async () => {
    fs.writeFileSync(file, JSON.stringify({ version: 1, sent: { "run-1": ["download"], "run-2": ["download"] } }));
    const book = new RunBookkeeping(
      file,
      () => undefined,
      (runId) => runId === "run-2",
    );
    await book.ready();
    book.forgetGoneRuns();
    await book.close();
    assert.deepEqual(readJson(file).sent, { "run-2": ["download"] });
  });

  it("keeps the ignoreAlerts values per node across instances; a cleared one is gone", async () => {
    const first = new RunBookkeeping(file, () => undefined);
    await first.ready();
    for (const [nodeId, value] of [
      ["ack-on", true],
      ["ack-off", false],
      ["ack-set", false],
      ["ack-cleared", true],
    ] as const)
      first.setIgnoreAlerts(nodeId, value);
    await first.close();
    const second = new RunBookkeeping(file, () => undefined);
    await second.ready();
    second.setIgnoreAlerts("ack-set", true);
    second.setIgnoreAlerts("ack-cleared", undefined);
    assert.deepEqual(
      ["ack-on", "ack-off", "ack-set", "ack-cleared"].map((id) => second.ignoreAlertsOf(id)),
      [true, false, true, undefined],
    );
    await second.close();
    const kept = (JSON.parse(fs.readFileSync(file, "utf8")) as { ignoreAlerts?: unknown }).ignoreAlerts;
    assert.deepEqual(kept, { "ack-on": true, "ack-off": false, "ack-set": true });
  });

  it("writes nothing after close: a later change stays in memory", async () => {
    const book = new RunBookkeeping(file, () => undefined);
    await book.ready();
    book.recordSent("run-1", "download");
    await book.close();
    book.recordSent("run-1", "prechecks");
    await book.close();
    assert.deepEqual(readJson(file).sent, { "run-1": ["download"] });
    assert.ok(book.wasSent("run-1", "prechecks"));
  });

  it("removes temp files another process left beside the file when it reads it, not those of this process", async () => {
    const stale = `${file}.999999999.1.tmp`;
    const own = `${file}.${process.pid}.1.tmp`;
    const other = path.join(dir, "other.json.999999999.1.tmp");
    for (const name of [stale, own, other]) fs.writeFileSync(name, "{");
    const book = new RunBookkeeping(file, () => undefined);
    await book.ready();
    assert.deepEqual(
      [stale, own, other].map((name) => fs.existsSync(name)),
      [false, true, true],
    );
    await book.close();
  });

  it("reports a failed write and leaves no temp file behind", async () => {
    fs.mkdirSync(file); // the rename onto a directory fails
    const warnings: string[] = [];
    const book = new RunBookkeeping(file, (text) => warnings.push(text));
    await book.ready();
    book.recordSent("run-1", "download");
    book.recordSent("run-1", "prechecks"); // shares the queued write: one failure, one warning
    await book.close();
    assert.equal(
      warnings.filter((w) => /^Could not write .*vcf-upgrade-node-records-test\.json/.test(w)).length,
      1,
      warnings.join("\n"),
    );
    assert.deepEqual(
      fs.readdirSync(dir).filter((name) => name.endsWith(".tmp")),
      [],
    );
  });
});

describe("nodes: the kept copy of an input message", function () {
  it("keeps _msgid and plain JSON properties; leaves out req, res, _session, socketid, the output's own properties and anything else", () => {
    class Custom {
      value = 1;
    }
    const msg = {
      _msgid: "m-1",
      ticket: "CHG-42",
      count: 3,
      ok: true,
      none: null,
      list: [1, "two", { three: 3 }],
      nested: { a: { b: ["c"] } },
      req: { url: "/x" },
      res: {},
      _session: { id: "s" },
      socketid: "sock",
      topic: "t",
      payload: "p",
      vcf: { runId: "r" },
      markdown: "# m",
      at: new Date(0),
      fn: (): number => 1,
      big: BigInt(1),
      nan: Number.NaN,
      custom: new Custom(),
      undef: undefined,
      partly: { ok: 1, fn: (): void => undefined },
    };
    assert.deepEqual(messageCopy(msg), {
      _msgid: "m-1",
      ticket: "CHG-42",
      count: 3,
      ok: true,
      none: null,
      list: [1, "two", { three: 3 }],
      nested: { a: { b: ["c"] } },
      partly: { ok: 1 },
    });
    assert.equal(
      messageCopy({ list: [1, new Date(0)] }),
      undefined,
      "a list holding a value that is not plain data is left out whole",
    );
  });

  it("leaves out secret-looking names at every depth, in any case and spelling, and keeps their plain siblings", () => {
    const msg = {
      ticket: "CHG-42",
      secret: "s-top",
      auth: { user: "ops", password: "p-nested" },
      change: {
        approver: "kim",
        apiKey: "k-1",
        links: [{ href: "/x", access_token: "t-1" }],
        Private_Key: "pk",
        "X-Auth-Token": "xt",
      },
      deep: {
        a: {
          b: {
            c: {
              clientSecret: "cs",
              sessionId: "sid",
              Cookie: "c=1",
              passwd: "pw",
              pwd: "pw2",
              Authorization: "Basic x",
            },
          },
        },
      },
    };
    const copy = messageCopy(msg);
    assert.deepEqual(copy, {
      ticket: "CHG-42",
      change: { approver: "kim", links: [{ href: "/x" }] },
      deep: { a: { b: { c: {} } } },
    });
    for (const secret of ["s-top", "p-nested", "k-1", "t-1", "pk", "xt", "cs", "sid", "c=1", "pw", "Basic x", "ops"]) {
      assert.ok(!JSON.stringify(copy).includes(secret), secret);
    }
  });

  it("keeps plain objects made in another realm (a function node's vm context), not class instances from there", () => {
    const foreign = vm.runInNewContext(`({ ticket: { id: "CHG-9", steps: [{ n: 1 }], bare: Object.create(null) },
      at: new Date(0), custom: new (class Custom { constructor() { this.v = 1; } })() })`) as Record<string, unknown>;
    assert.notEqual(Object.getPrototypeOf(foreign), Object.prototype);
    assert.deepEqual(messageCopy(foreign), { ticket: { id: "CHG-9", steps: [{ n: 1 }], bare: {} } });
  });

  it("leaves out headers, cookies and properties that often hold secrets, whatever their case", () => {
    const msg = {
      ticket: "CHG-42",
      headers: { a: "b" },
      Cookies: { c: "d" },
      responseCookies: {},
      statusCode: 200,
      credentials: { user: "u" },
      PASSWORD: "p",
      token: "t",
      Authorization: "Bearer x",
      apiKey: "k",
      APIKEY: "k2",
    };
    assert.deepEqual(messageCopy(msg), { ticket: "CHG-42" });
  });

  it("leaves out a value inside itself, and keeps nothing at all above the size cap", () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    assert.deepEqual(messageCopy({ ticket: "x", circular }), { ticket: "x", circular: { a: 1 } });
    const justBelow = { ticket: "x", blob: "y".repeat(MESSAGE_COPY_MAX_BYTES - 40) };
    assert.ok(messageCopy(justBelow));
    assert.equal(messageCopy({ ticket: "x", blob: "y".repeat(MESSAGE_COPY_MAX_BYTES) }), undefined);
  });
});
