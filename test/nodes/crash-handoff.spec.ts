// A crash at every write around a phase boundary: the run's file and the bookkeeping file as they were after write k,
// everything the process did after that lost (later writes fail, messages that arrive later are dropped). Node-RED is
// started again on that image; the run must complete with each phase taken up once, the final output delivered once
// and no remote operation repeated.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { RunningSimulator } from "../../nodes/sim/index";
import {
  CONFIG_ID,
  Collector,
  callsOf,
  connectionOf,
  credentialsFor,
  getNode,
  helper,
  helperNode,
  NODE_MODULES,
  nodeRedPerTest,
  upgradeChainFlow,
  type FlowNode,
} from "../support/nodes-harness";
import { eventually } from "../support/eventually";
import { countPerPath, requestsTo, upgradePostsPerBundle } from "../support/request-log";
import { storedTexts } from "../support/stored-runs";

interface StoredRun {
  id: string;
  status: string;
  phase: string;
  completedPhases: string[];
}

/** The two files of the connection, as JSON (undefined when not written yet). */
interface DiskImage {
  runs?: { runs: StoredRun[] };
  bookkeeping?: { sent: Record<string, string[]> };
  texts: Map<string, string>;
}

interface Boundary {
  name: string;
  /** The first write at which this holds starts the boundary. */
  starts: (run: StoredRun) => boolean;
  /** The boundary is over once the image shows this (nothing after it belongs to the boundary). */
  settled: (image: DiskImage, run: StoredRun) => boolean;
}

const sentOf = (image: DiskImage, runId: string): string[] => image.bookkeeping?.sent[runId] ?? [];

const BOUNDARIES: Boundary[] = [
  {
    name: "download -> prechecks",
    starts: (r) => r.completedPhases.includes("download"),
    settled: (image, r) =>
      r.phase === "prechecks" && sentOf(image, r.id).includes("download") && r.status !== "downloading_bundles",
  },
  {
    name: "prechecks -> acknowledgement",
    starts: (r) => r.status === "prechecks_done" || r.completedPhases.includes("prechecks"),
    settled: (image, r) => r.phase === "acknowledgement" && sentOf(image, r.id).includes("prechecks"),
  },
  {
    name: "acknowledgement -> upgrade",
    starts: (r) => r.status === "alerts_were_acknowledged",
    settled: (image, r) =>
      r.phase === "upgrade" && sentOf(image, r.id).includes("acknowledgement") && r.status === "starting_upgrades",
  },
  {
    name: "the final output",
    starts: (r) => r.status === "successfully_completed",
    settled: (image, r) => sentOf(image, r.id).includes("upgrade"),
  },
];

/** The connection's files by path relative to `dir`: the run store's directory (one file per run) and the bookkeeping. */
function readImage(dir: string): DiskImage {
  const texts = new Map<string, string>();
  for (const name of fs.readdirSync(dir).filter((n) => n.startsWith("vcf-upgrade-"))) {
    if (name.startsWith("vcf-upgrade-runs-")) {
      for (const [file, text] of storedTexts(path.join(dir, name))) texts.set(path.join(name, file), text);
    } else if (name.endsWith(".json")) {
      texts.set(name, fs.readFileSync(path.join(dir, name), "utf8"));
    }
  }
  const runs = [...texts]
    .filter(([name]) => name.startsWith("vcf-upgrade-runs-"))
    .map(([, text]) => JSON.parse(text) as StoredRun);
  const bookkeeping = [...texts].find(([name]) => name.startsWith("vcf-upgrade-node-records-"));
  return {
    runs: runs.length > 0 ? { runs } : undefined,
    bookkeeping: bookkeeping ? (JSON.parse(bookkeeping[1]) as DiskImage["bookkeeping"]) : undefined,
    texts,
  };
}

/**
 * Watches the renames that land the connection's files (the atomic writer's last step). Once the boundary has started,
 * the process "dies" just before write number `offset` after that start: that write and every later one fails, and the
 * image is the disk as it was.
 */
class CrashAfterWrites {
  private readonly original = fs.promises.rename;
  private startedAt: number | undefined;
  private writes = 0;
  crashed = false;
  image: DiskImage | undefined;
  private onCrash: () => void = () => undefined;
  readonly crash = new Promise<void>((resolve) => {
    this.onCrash = resolve;
  });

  constructor(
    private readonly dir: string,
    private readonly boundary: Boundary,
    private readonly offset: number,
  ) {
    fs.promises.rename = async (from: fs.PathLike, to: fs.PathLike) => {
      if (!String(to).startsWith(this.dir)) return this.original(from, to);
      if (this.crashed) throw new Error("simulated crash: this process is gone");
      if (this.startedAt !== undefined && this.writes - this.startedAt >= this.offset) {
        this.crashed = true;
        this.image = readImage(this.dir);
        this.onCrash();
        throw new Error("simulated crash: this process is gone");
      }
      await this.original(from, to);
      this.writes += 1;
      if (this.startedAt === undefined) {
        const run = readImage(this.dir).runs?.runs[0];
        if (run && this.boundary.starts(run)) this.startedAt = this.writes;
      }
    };
  }

  restore(): void {
    fs.promises.rename = this.original;
  }
}

/** The chain with a counter after every phase node, so each phase output is seen. */
function countedChain(sim: RunningSimulator): FlowNode[] {
  const chain = upgradeChainFlow(sim, { ack: { ignoreAlerts: true } });
  const next: Record<string, string> = { download: "prechecks", prechecks: "ack", ack: "upgrade", upgrade: "done" };
  return [
    ...chain.map((n) => (next[n.id] ? { ...n, wires: [[next[n.id], `out-${n.id}`]] } : n)),
    ...Object.keys(next).map((id) => helperNode(`out-${id}`)),
  ];
}

describe("nodes: a crash at every write of a phase boundary", function () {
  this.timeout(120_000);
  const perTest = nodeRedPerTest();

  /** Outputs seen by the counters before the crash (later ones died with the process) and after the restart. */
  async function crashAndRestart(
    boundary: Boundary,
    offset: number,
  ): Promise<
    { image: DiskImage; outputs: Map<string, number>; sim: RunningSimulator; restartLog: string[] } | undefined
  > {
    const sim = await perTest.startSim();
    const flow = countedChain(sim);
    const dir = perTest.userDir();
    const injector = new CrashAfterWrites(dir, boundary, offset);
    const outputs = new Map<string, number>();
    const count = (id: string): void => {
      getNode(`out-${id}`).on("input", () => {
        if (!injector.crashed) outputs.set(id, (outputs.get(id) ?? 0) + 1);
      });
    };
    try {
      await helper.load(NODE_MODULES, flow, credentialsFor(sim));
      for (const id of ["download", "prechecks", "ack", "upgrade"]) count(id);
      getNode("download").receive({ payload: "start" });
      await Promise.race([
        injector.crash,
        new Collector("out-upgrade").waitFor(() => true, "the end of the run", 30_000),
      ]);
      await helper.unload();
    } finally {
      injector.restore();
    }
    const image = injector.image;
    if (!image) {
      // The run ended with fewer writes after the boundary's start than `offset`: every crash point was tried.
      assert.equal(outputs.get("upgrade"), 1, `${boundary.name}: final outputs of the run without a crash`);
      await sim.stop();
      clearFiles(dir);
      return undefined;
    }
    clearFiles(dir);
    for (const [name, text] of image.texts) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }

    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const after = new Map<string, Collector>();
    for (const id of ["download", "prechecks", "ack", "upgrade"]) after.set(id, new Collector(`out-${id}`));
    const done = after.get("upgrade") as Collector;
    const runId = image.runs?.runs[0]?.id;
    if (outputs.get("upgrade") === 1 || (runId !== undefined && sentOf(image, runId).includes("upgrade"))) {
      // The final output's record landed before the crash: either the output left too (its record was written before
      // the run file showed the end), or the process died between the record and the send, and the output died with
      // it (an output is recorded before it is sent, so a crash loses one rather than repeating it; an unsent phase
      // output is handed on by the next node, a final one has no next node). After the restart the run is back,
      // finished, and the final assertion checks that nothing was sent again.
      const back = await eventually(
        () => connectionOf().engine?.getRun(runId ?? "")?.outcome === "successfully_completed",
      );
      assert.ok(back, `the run is back after a crash at write ${offset} of ${boundary.name}`);
    } else {
      await done
        .waitFor(() => true, `the final output after a crash at write ${offset} of ${boundary.name}`, 30_000)
        .catch((err: Error) => {
          throw new Error(
            `${err.message}\nimage: ${JSON.stringify(image.runs?.runs[0])} sent ${JSON.stringify(image.bookkeeping?.sent)}`,
          );
        });
    }
    for (const [id, collector] of after) outputs.set(id, (outputs.get(id) ?? 0) + collector.messages.length);
    const restartLog = ["download", "prechecks", "ack", "upgrade"].flatMap((id) =>
      callsOf(id, "log").map((args) => String(args[0])),
    );
    return { image, outputs, sim, restartLog };
  }

  function assertNothingRepeated(sim: RunningSimulator, where: string): void {
    const log = sim.requestLog();
    for (const [p, n] of countPerPath(log, "PATCH", /^\/v1\/bundles\//))
      assert.equal(n, 1, `${where}: ${p} requested ${n} times`);
    for (const [bundle, n] of upgradePostsPerBundle(log))
      assert.equal(n, 1, `${where}: POST /v1/upgrades for ${bundle}: ${n} times`);
    const accepted = requestsTo(log, "POST", "/v1/system/check-sets").filter((e) => e.status >= 200 && e.status < 300);
    assert.equal(accepted.length, 1, `${where}: precheck runs started`);
  }

  for (const boundary of BOUNDARIES) {
    it(`${boundary.name}: completes from the image after every write, each output taken up once`, async () => {
      const tried: string[] = [];
      for (let offset = 0; offset < 12; offset++) {
        const result = await crashAndRestart(boundary, offset);
        if (!result) {
          assert.ok(offset > 0, `${boundary.name}: the run ended before the boundary's first write`);
          return;
        }
        const { image, outputs, sim, restartLog } = result;
        const run = image.runs?.runs[0];
        assert.ok(run, "the image holds the run");
        const where = `crash at write ${offset} of ${boundary.name} (status ${run.status}, phase ${run.phase}, done ${run.completedPhases.join("+")}, sent ${sentOf(image, run.id).join("+")})`;
        tried.push(where);
        assertNothingRepeated(sim, where);
        // Exactly once, unless the process died between recording the final output and sending it (see crashAndRestart).
        const finals = outputs.get("upgrade") ?? 0;
        assert.ok(
          finals === 1 || (finals === 0 && sentOf(image, run.id).includes("upgrade")),
          `${where}: ${finals} final outputs`,
        );
        const sentAgain = restartLog.filter((line) => /sending it again/.test(line)).length;
        for (const id of ["download", "prechecks", "ack"]) {
          // A second delivery only where the first one died with the process before the next node took the run over.
          const n = outputs.get(id) ?? 0;
          assert.ok(
            n === 1 || (n === 2 && sentAgain === 1),
            `${where}: ${id} output delivered ${n} times (${sentAgain} sent again)`,
          );
        }
        await helper.unload();
        await sim.stop();
        clearFiles(perTest.userDir());
        if (boundary.settled(image, run)) return;
      }
      assert.fail(`the boundary never settled within 12 writes: ${tried.join("; ")}`);
    });
  }

  it("a run left between phases on purpose (nothing wired after the node) is not sent again, and is reported", async () => {
    const sim = await perTest.startSim();
    const flow = upgradeChainFlow(sim).map((n) => (n.id === "prechecks" ? { ...n, wires: [["parked"]] } : n));
    flow.push(helperNode("parked"));
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const parked = new Collector("parked");
    getNode("download").receive({ payload: "start" });
    await parked.waitFor(() => true, "the prechecks output");
    await helper.unload();
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const again = new Collector("parked");
    const warned = await eventually(() =>
      callsOf(CONFIG_ID, "warn").some((args) =>
        /no vcf-await-ack node is wired after node prechecks/.test(String(args[0])),
      ),
    );
    assert.ok(warned, "the parked run is reported");
    assert.equal(again.messages.length, 0);
    // The flow hands it over later: a message to the await-ack node continues it.
    getNode("ack").receive({ domain: "lab-m01" });
    const done = await new Collector("done").waitFor(() => true, "the final output");
    assert.match(String(done.payload), /upgraded from VCF/);
  });
});

/** Removes the connection's files and the run store's directory (and any temp file). */
function clearFiles(dir: string): void {
  for (const name of fs.readdirSync(dir).filter((n) => n.startsWith("vcf-upgrade-")))
    fs.rmSync(path.join(dir, name), { recursive: true });
}
