import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FileRunStore, MemoryRunStore } from "../../nodes/store";
import { makeRun } from "./run-fixture";

describe("store: run stores", () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), "vcf-store-")); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it("FileRunStore starts empty, then loads what was saved in a new instance", async () => {
    const a = new FileRunStore(dir);
    assert.deepEqual(await a.load(), []);
    await a.save(makeRun({ id: "r1" }));
    await a.save(makeRun({ id: "r2", status: "downloading_bundles" }));
    await a.save(makeRun({ id: "r1", status: "failed" }));
    const b = new FileRunStore(dir);
    const runs = await b.load();
    assert.deepEqual(runs.map((r) => [r.id, r.status]), [["r1", "failed"], ["r2", "downloading_bundles"]]);
    await b.remove("r1");
    assert.deepEqual((await new FileRunStore(dir).load()).map((r) => r.id), ["r2"]);
  });

  it("writes atomically: a new file replaces the old one by rename, no temp file is left, no half file is ever seen", async () => {
    const store = new FileRunStore(dir);
    await store.save(makeRun({ id: "r0" }));
    const before = (await fs.stat(store.filePath)).ino;
    let reads = 0;
    let reading = true;
    // A reader racing the writers must always see complete JSON.
    const reader = (async () => {
      while (reading) {
        const text = await fs.readFile(store.filePath, "utf8");
        JSON.parse(text);
        reads += 1;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.save(makeRun({ id: `r${i}`, step: "x".repeat(2000) }))));
    reading = false;
    await reader;
    assert.ok(reads > 0);
    assert.notEqual((await fs.stat(store.filePath)).ino, before, "the file was replaced (rename), not rewritten in place");
    assert.deepEqual((await fs.readdir(dir)).filter((f) => f.endsWith(".tmp")), []);
    assert.equal((await new FileRunStore(dir).load()).length, 40);
  });

  it("ignores a temp file left by a crash and refuses a corrupt file with a clear message", async () => {
    const store = new FileRunStore(dir);
    await store.save(makeRun({ id: "kept" }));
    await fs.writeFile(`${store.filePath}.999.1.tmp`, "{ half", "utf8");
    assert.deepEqual((await new FileRunStore(dir).load()).map((r) => r.id), ["kept"]);
    await fs.writeFile(store.filePath, "{ not json", "utf8");
    await assert.rejects(new FileRunStore(dir).load(), /not valid JSON; move it away/);
  });

  it("keeps an entry it cannot read through every save, untouched, and names it with the problem", async () => {
    const damaged = { ...makeRun({ id: "r-future", domainId: "dom-2", domainName: "sfo-w01" }), status: "paused_by_a_newer_version",
      remote: { bundles: { "b-1": { taskId: "t-1" } }, upgrades: {} } };
    const file = path.join(dir, "vcf-upgrade-runs.json");
    await fs.writeFile(file, JSON.stringify({ version: 1, runs: [makeRun({ id: "r-ok" }), damaged, null] }), "utf8");
    const store = new FileRunStore(dir);
    assert.deepEqual((await store.load()).map((r) => r.id), ["r-ok"]);
    await store.save(makeRun({ id: "r-new" }));
    await store.remove("r-ok");
    const written = JSON.parse(await fs.readFile(file, "utf8")) as { runs: unknown[] };
    assert.deepEqual(written.runs.map((r) => (r as { id?: string } | null)?.id ?? null), ["r-new", "r-future", null]);
    assert.deepEqual(written.runs[1], damaged, "the damaged entry is written back exactly as it was read");
    assert.deepEqual((await new FileRunStore(dir).load()).map((r) => r.id), ["r-new"]);
    assert.deepEqual(store.unreadableRuns(), [
      { file, position: 2, runId: "r-future", domainId: "dom-2", domainName: "sfo-w01", problem: store.unreadableRuns()[0]?.problem },
      { file, position: 3, problem: "it is not an object" },
    ]);
    assert.match(store.unreadableRuns()[0]?.problem ?? "", /^status "paused_by_a_newer_version" is not a status this version knows \(waiting_for_initiation, /);
  });

  it("MemoryRunStore keeps copies, not the caller's objects", async () => {
    const store = new MemoryRunStore();
    const run = makeRun();
    await store.save(run);
    run.status = "failed";
    assert.equal((await store.load())[0]?.status, "update_process_started");
  });
});
