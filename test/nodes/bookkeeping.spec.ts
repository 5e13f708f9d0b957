// The per-run bookkeeping beside the run file (sent outputs, kept input messages) and what of a message is kept.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { MESSAGE_COPY_MAX_BYTES, messageCopy } from "../../nodes/adapters/message-copy";
import { RunBookkeeping } from "../../nodes/adapters/run-bookkeeping";
import { makeUserDir } from "../support/nodes-harness";

function readJson(file: string): { sent: Record<string, string[]>; messages?: Record<string, unknown> } {
  return JSON.parse(fs.readFileSync(file, "utf8")) as { sent: Record<string, string[]>; messages?: Record<string, unknown> };
}

describe("nodes: run bookkeeping file", function () {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = makeUserDir();
    file = path.join(dir, "vcf-upgrade-sent-test.json");
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps what the file held when something is recorded before the file was read", async () => {
    fs.writeFileSync(file, JSON.stringify({ version: 1, sent: { "run-old": ["download"], "run-both": ["download"] } }));
    const warnings: string[] = [];
    const book = new RunBookkeeping(file, (text) => warnings.push(text));
    book.recordSent("run-both", "prechecks"); // before the read has finished
    await book.close();
    assert.deepEqual(readJson(file).sent, { "run-old": ["download"], "run-both": ["download", "prechecks"] });
    assert.ok(book.wasSent("run-old", "download") && book.wasSent("run-both", "prechecks"));
    assert.deepEqual(warnings, []);
  });

  it("keeps a message copy across instances and forgets the runs the engine no longer has", async () => {
    const first = new RunBookkeeping(file, () => undefined);
    first.recordMessage("run-1", { ticket: "CHG-1" });
    first.recordMessage("run-2", { ticket: "CHG-2" });
    await first.close();
    const second = new RunBookkeeping(file, () => undefined);
    await second.ready();
    assert.deepEqual(second.messageOf("run-1"), { ticket: "CHG-1" });
    second.keepOnly(new Set(["run-2"]));
    await second.close();
    assert.deepEqual(readJson(file).messages, { "run-2": { ticket: "CHG-2" } });
  });

  it("keeps the ignoreAlerts values per node across instances; one set or cleared while the file is read wins", async () => {
    const first = new RunBookkeeping(file, () => undefined);
    for (const [nodeId, value] of [["ack-on", true], ["ack-off", false], ["ack-set", false], ["ack-cleared", true]] as const) first.setIgnoreAlerts(nodeId, value);
    await first.close();
    const second = new RunBookkeeping(file, () => undefined);
    second.setIgnoreAlerts("ack-set", true); // before the read has finished
    second.setIgnoreAlerts("ack-cleared", undefined);
    await second.ready();
    assert.deepEqual(["ack-on", "ack-off", "ack-set", "ack-cleared"].map((id) => second.ignoreAlertsOf(id)), [true, false, true, undefined]);
    await second.close();
    const kept = (JSON.parse(fs.readFileSync(file, "utf8")) as { ignoreAlerts?: unknown }).ignoreAlerts;
    assert.deepEqual(kept, { "ack-on": true, "ack-off": false, "ack-set": true });
  });

  it("reports a failed write and leaves no temp file behind", async () => {
    fs.mkdirSync(file); // the rename onto a directory fails
    const warnings: string[] = [];
    const book = new RunBookkeeping(file, (text) => warnings.push(text));
    book.recordSent("run-1", "download");
    await book.close();
    assert.equal(warnings.filter((w) => /^Could not write .*vcf-upgrade-sent-test\.json/.test(w)).length, 1, warnings.join("\n"));
    assert.deepEqual(fs.readdirSync(dir).filter((name) => name.endsWith(".tmp")), []);
  });
});

describe("nodes: the kept copy of an input message", function () {
  it("keeps _msgid and plain JSON properties; leaves out req, res, _session, socketid, the output's own properties and anything else", () => {
    class Custom {
      value = 1;
    }
    const msg = {
      _msgid: "m-1", ticket: "CHG-42", count: 3, ok: true, none: null, list: [1, "two", { three: 3 }], nested: { a: { b: ["c"] } },
      req: { url: "/x" }, res: {}, _session: { id: "s" }, socketid: "sock", topic: "t", payload: "p", vcf: { runId: "r" }, markdown: "# m",
      at: new Date(0), fn: (): number => 1, big: BigInt(1), nan: Number.NaN, custom: new Custom(), undef: undefined, partly: { ok: 1, fn: (): void => undefined },
    };
    assert.deepEqual(messageCopy(msg), {
      _msgid: "m-1", ticket: "CHG-42", count: 3, ok: true, none: null, list: [1, "two", { three: 3 }], nested: { a: { b: ["c"] } },
    });
  });

  it("keeps nothing from a circular or deeply nested value, and nothing at all above the size cap", () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    assert.deepEqual(messageCopy({ ticket: "x", circular }), { ticket: "x" });
    const justBelow = { ticket: "x", blob: "y".repeat(MESSAGE_COPY_MAX_BYTES - 40) };
    assert.ok(messageCopy(justBelow));
    assert.equal(messageCopy({ ticket: "x", blob: "y".repeat(MESSAGE_COPY_MAX_BYTES) }), undefined);
  });
});
