import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { UpgradeRun } from "../../nodes/engine";
import { FORMAT_KEY, FileRunStore, MemoryRunStore, fileNameForRun, runFileText } from "../../nodes/store";
import { storedTexts } from "../support/stored-runs";
import { makeRun } from "./run-fixture";

/** Every file the store lands (the rename that is an atomic write's last step): its name and size. */
class LandedWrites {
  readonly writes: { name: string; bytes: number }[] = [];
  private readonly original = fs.rename;

  constructor(
    dir: string,
    private readonly onLanded: (name: string) => void = () => undefined,
  ) {
    fs.rename = (async (from: string, to: string) => {
      await this.original(from, to);
      if (!String(to).startsWith(dir)) return;
      this.writes.push({ name: path.basename(String(to)), bytes: (await fs.stat(to)).size });
      this.onLanded(path.basename(String(to)));
    }) as typeof fs.rename;
  }

  restore(): void {
    fs.rename = this.original;
  }
}

describe("store: run stores", () => {
  let dir: string;
  let landed: LandedWrites | undefined;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "vcf-store-"));
  });
  afterEach(async () => {
    landed?.restore();
    landed = undefined;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("FileRunStore starts empty, then loads what was saved in a new instance; a removed run's file is gone", async () => {
    const a = new FileRunStore(dir);
    assert.deepEqual(await a.load(), []);
    await a.save(makeRun({ id: "r1" }));
    await a.save(makeRun({ id: "r2", status: "downloading_bundles", createdAt: "2024-11-04T11:00:00.000Z" }));
    await a.save(makeRun({ id: "r1", status: "failed" }));
    const b = new FileRunStore(dir);
    const runs = await b.load();
    assert.deepEqual(
      runs.map((r) => [r.id, r.status]),
      [
        ["r1", "failed"],
        ["r2", "downloading_bundles"],
      ],
    );
    await b.remove("r1");
    assert.deepEqual(
      (await new FileRunStore(dir).load()).map((r) => r.id),
      ["r2"],
    );
    assert.deepEqual(await fs.readdir(b.directory), [fileNameForRun("r2")]);
  });

  it("a save writes its own run's file only, whatever the number of runs", async () => {
    const store = new FileRunStore(dir);
    for (let i = 0; i < 20; i++) await store.save(makeRun({ id: `r${i}`, step: "x".repeat(2000) }));
    landed = new LandedWrites(dir);
    const run = makeRun({ id: "r7", status: "downloading_bundles", step: "x".repeat(2000) });
    await store.save(run);
    assert.equal(landed.writes.length, 1);
    assert.equal(landed.writes[0]?.name, fileNameForRun("r7"));
    assert.ok(
      (landed.writes[0]?.bytes ?? 0) <= Buffer.byteLength(JSON.stringify(run)) + 64,
      JSON.stringify(landed.writes),
    );
  });

  it("writes atomically: concurrent saves replace each run's file by rename, no temp file is left, no half file is ever seen", async () => {
    const store = new FileRunStore(dir);
    await store.save(makeRun({ id: "r0" }));
    const file = path.join(store.directory, fileNameForRun("r0"));
    const before = (await fs.stat(file)).ino;
    let reads = 0;
    let reading = true;
    // A reader racing the writers must always see complete JSON.
    const reader = (async () => {
      while (reading) {
        for (const text of storedTexts(store.directory).values()) JSON.parse(text);
        reads += 1;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.save(makeRun({ id: `r${i % 10}`, step: `${i} ${"x".repeat(2000)}` }))),
    );
    reading = false;
    await reader;
    assert.ok(reads > 0);
    assert.notEqual((await fs.stat(file)).ino, before, "the file was replaced (rename), not rewritten in place");
    assert.deepEqual(
      (await fs.readdir(store.directory)).filter((f) => f.endsWith(".tmp")),
      [],
    );
    const loaded = await new FileRunStore(dir).load();
    assert.equal(loaded.length, 10);
    assert.ok(
      loaded.every((r) => Number(r.step.split(" ")[0]) >= 30),
      "each run holds its last save",
    );
  });

  it("a progress-only change waits for the run's next save (a crash loses only step and progress); flush writes it", async () => {
    const store = new FileRunStore(dir, undefined, { progressDelayMs: 3_600_000 });
    await store.save(makeRun({ id: "r1", status: "downloading_bundles", step: "Downloading", progress: 5 }));
    landed = new LandedWrites(dir);
    for (let i = 1; i <= 5; i++)
      store.saveLater(
        makeRun({ id: "r1", status: "downloading_bundles", step: `Downloading: ${i} of 5 ready`, progress: 5 + i }),
      );
    await new Promise((r) => setImmediate(r));
    assert.equal(landed.writes.length, 0, "nothing written for the progress");
    // A crash now: the run as last saved, only its step and progress behind.
    const crashed = await new FileRunStore(dir).load();
    assert.deepEqual(
      crashed.map((r) => [r.status, r.step, r.progress]),
      [["downloading_bundles", "Downloading", 5]],
    );

    await store.save(
      makeRun({
        id: "r1",
        status: "running_prechecks",
        step: "Downloading: 5 of 5 ready",
        progress: 25,
        remote: { bundles: {}, upgrades: {}, checkSetRunId: "cs-1" },
      }),
    );
    assert.equal(landed.writes.length, 1, "the next save took the progress along");
    store.saveLater(
      makeRun({
        id: "r1",
        status: "running_prechecks",
        step: "Prechecks running: 50 %",
        progress: 38,
        remote: { bundles: {}, upgrades: {}, checkSetRunId: "cs-1" },
      }),
    );
    await store.flush();
    assert.equal(landed.writes.length, 2);
    const [run] = await new FileRunStore(dir).load();
    assert.deepEqual([run?.step, run?.progress, run?.remote.checkSetRunId], ["Prechecks running: 50 %", 38, "cs-1"]);
  });

  it("a progress-only change is written by itself after the delay when no save comes", async () => {
    const store = new FileRunStore(dir, undefined, { progressDelayMs: 20 });
    await store.save(makeRun({ id: "r1", step: "a" }));
    const written = new Promise<void>((resolve) => {
      landed = new LandedWrites(dir, () => resolve());
    });
    store.saveLater(makeRun({ id: "r1", step: "b" }));
    await written;
    assert.equal((await new FileRunStore(dir).load())[0]?.step, "b");
  });

  it("a crash after any write leaves every run readable, as last saved or newer, losing at most step and progress", async () => {
    const store = new FileRunStore(dir, undefined, { progressDelayMs: 1 });
    const images: { texts: Map<string, string>; durable: Map<string, number> }[] = [];
    /** Per run: the version of its last save that had resolved. */
    const durable = new Map<string, number>();
    await fs.mkdir(store.directory, { recursive: true });
    landed = new LandedWrites(dir, () =>
      images.push({ texts: storedTexts(store.directory), durable: new Map(durable) }),
    );
    const version = (id: string, v: number): UpgradeRun =>
      makeRun({
        id,
        createdAt: `2024-11-04T10:00:0${id.slice(1)}.000Z`,
        status: v === 0 ? "waiting_for_initiation" : "downloading_bundles",
        remote: {
          bundles: Object.fromEntries(
            Array.from({ length: v }, (_, i) => [`b-${i}`, { bundleId: `b-${i}`, requested: true }]),
          ),
          upgrades: {},
        },
        step: `step ${v}`,
        progress: v,
      });
    await Promise.all(
      ["r1", "r2", "r3"].map(async (id) => {
        for (let v = 0; v < 8; v++) {
          const run = version(id, v);
          if (v % 3 === 2) {
            store.saveLater({ ...version(id, v - 1), step: `step ${v}`, progress: v });
            continue;
          }
          await store.save(run);
          durable.set(id, v);
        }
      }),
    );
    await store.flush();
    assert.ok(images.length >= 10, `${images.length} writes`);
    for (const [k, image] of images.entries()) {
      const imageDir = path.join(dir, `image-${k}`);
      await fs.mkdir(imageDir);
      for (const [name, text] of image.texts) await fs.writeFile(path.join(imageDir, name), text);
      const crashed = new FileRunStore(dir, `image-${k}`);
      const runs = await crashed.load();
      assert.deepEqual(crashed.unreadableRuns(), [], `image ${k}`);
      for (const run of runs) {
        const bundles = Object.keys(run.remote.bundles).length;
        assert.ok(
          bundles >= (image.durable.get(run.id) ?? 0),
          `image ${k}: ${run.id} lost a save (${bundles} bundles recorded)`,
        );
        assert.deepEqual(
          { ...run, step: "", progress: 0 },
          { ...version(run.id, bundles), step: "", progress: 0 },
          `image ${k}: ${run.id} is a state it was saved in`,
        );
      }
      assert.deepEqual(
        runs.map((r) => r.id).filter((id) => image.durable.has(id)),
        [...image.durable.keys()].sort(),
        `image ${k}: every saved run is there`,
      );
    }
  });

  it("keeps a run file it cannot read through every save, untouched, names it with the problem, and ignores temp files", async () => {
    const store0 = new FileRunStore(dir);
    await store0.save(makeRun({ id: "r-ok" }));
    const damaged = {
      ...makeRun({ id: "r-future", domainId: "dom-2", domainName: "sfo-w01" }),
      status: "paused_by_a_newer_version",
    };
    const futureFile = path.join(store0.directory, fileNameForRun("r-future"));
    await fs.writeFile(futureFile, runFileText(damaged as unknown as UpgradeRun));
    const cutShort = JSON.stringify(makeRun({ id: "r-cut", domainId: "dom-3", domainName: "sfo-w02" })).slice(0, 120);
    const cutFile = path.join(store0.directory, fileNameForRun("r-cut"));
    await fs.writeFile(cutFile, cutShort);
    await fs.writeFile(path.join(store0.directory, `${fileNameForRun("r-ok")}.999.1.tmp`), "{ half");

    const store = new FileRunStore(dir);
    assert.deepEqual(
      (await store.load()).map((r) => r.id),
      ["r-ok"],
    );
    await store.save(makeRun({ id: "r-new" }));
    await store.remove("r-ok");
    assert.equal(
      await fs.readFile(futureFile, "utf8"),
      runFileText(damaged as unknown as UpgradeRun),
      "the damaged run is left as it was",
    );
    assert.equal(await fs.readFile(cutFile, "utf8"), cutShort);
    assert.deepEqual(
      (await new FileRunStore(dir).load()).map((r) => r.id),
      ["r-new"],
    );
    const reports = store.unreadableRuns();
    assert.deepEqual(
      reports.map((u) => [u.file, u.runId, u.domainId, u.domainName]),
      [
        [cutFile, "r-cut", "dom-3", "sfo-w02"],
        [futureFile, "r-future", "dom-2", "sfo-w01"],
      ],
    );
    assert.match(reports[0]?.problem ?? "", /not valid JSON/);
    assert.match(
      reports[1]?.problem ?? "",
      /^status "paused_by_a_newer_version" is not a status this version knows \(waiting_for_initiation, /,
    );
    assert.deepEqual(
      (await fs.readdir(store.directory)).filter((f) => f.endsWith(".tmp")),
      [],
      "another process's temp file is removed",
    );
  });

  it("reads a run file only by its format marker: a newer format, or none, is refused and kept, never read", async () => {
    const store0 = new FileRunStore(dir);
    await store0.save(makeRun({ id: "r-ok" }));
    const okText = await fs.readFile(path.join(store0.directory, fileNameForRun("r-ok")), "utf8");
    assert.equal((JSON.parse(okText) as Record<string, unknown>)[FORMAT_KEY], 1, "a save writes the marker");
    const files = {
      "r-newer": JSON.stringify({ ...makeRun({ id: "r-newer", domainName: "sfo-w01" }), [FORMAT_KEY]: 2 }),
      "r-none": JSON.stringify(makeRun({ id: "r-none" })),
      "r-odd": JSON.stringify({ ...makeRun({ id: "r-odd" }), [FORMAT_KEY]: "1" }),
    };
    for (const [id, text] of Object.entries(files)) {
      await fs.writeFile(path.join(store0.directory, fileNameForRun(id)), text);
    }

    const store = new FileRunStore(dir);
    const [loaded] = await store.load();
    assert.deepEqual(loaded, makeRun({ id: "r-ok" }), "the marker is not part of the run");
    await store.save(makeRun({ id: "r-ok", status: "failed" }));
    assert.deepEqual(
      store.unreadableRuns().map((u) => [u.runId, u.domainName, u.problem]),
      [
        [
          "r-newer",
          "sfo-w01",
          "it was written by a newer version of this package (run file format 2; this version reads format 1): install that version again to continue the run",
        ],
        ["r-none", "sfo-m01", `it has no format marker (${FORMAT_KEY})`],
        ["r-odd", "sfo-m01", `its format marker ${FORMAT_KEY} is "1", not a format number`],
      ],
    );
    for (const [id, text] of Object.entries(files)) {
      assert.equal(await fs.readFile(path.join(store0.directory, fileNameForRun(id)), "utf8"), text, `${id} kept`);
    }
  });

  it("a run saved again and again while its file is being written is encoded once per write, not once per save", async () => {
    const store = new FileRunStore(dir);
    await store.save(makeRun({ id: "r1" }));
    landed = new LandedWrites(dir);
    let encoded = 0;
    const run = makeRun({ id: "r1" });
    // Counts the encodings of the run (JSON.stringify calls toJSON).
    Object.assign(run.remote.bundles, {
      b1: {
        toJSON: () => {
          encoded += 1;
          return { bundleId: "b1", requested: true };
        },
      },
    });
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      run.step = `step ${i}`;
      saves.push(store.save(run));
    }
    await Promise.all(saves);
    assert.ok(landed.writes.length >= 1 && landed.writes.length <= 2, `${landed.writes.length} writes for 20 saves`);
    assert.equal(encoded, landed.writes.length, "one encoding per write");
    const [stored] = await new FileRunStore(dir).load();
    assert.deepEqual([stored?.step, stored?.remote.bundles.b1], ["step 20", { bundleId: "b1", requested: true }]);
  });

  it("MemoryRunStore keeps copies, not the caller's objects", async () => {
    const store = new MemoryRunStore();
    const run = makeRun();
    await store.save(run);
    run.status = "failed";
    assert.equal((await store.load())[0]?.status, "update_process_started");
  });
});
