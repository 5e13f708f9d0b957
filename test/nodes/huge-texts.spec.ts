// SDDC Manager (here a proxy in front of the simulator) sending 200 KB texts: error messages, remediations and codes,
// precheck finding texts, task error texts, sub-task and domain names. Nothing of that size may reach the run (step,
// failureReason, log), the run file, a Catch message, a node status or a vcf-status message.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { UpgradeRun } from "../../nodes/engine";
import type { RunningSimulator, SimulatorOptions } from "../../nodes/sim/index";
import { type FaultProxy, type ProxyRewrite, type ProxyRule, startFaultProxy } from "../engine/fault-proxy";
import {
  Collector,
  caughtError,
  connectionOf,
  credentialsFor,
  getNode,
  helper,
  NODE_MODULES,
  nodeRedPerTest,
  upgradeChainFlow,
  type Msg,
} from "../support/nodes-harness";
import { clientFor } from "../engine/harness";
import { storedTexts } from "../support/stored-runs";
import { defined } from "../support/defined";

const HUGE = 200_000;
const huge = (label: string): string => `${label} ${"X".repeat(HUGE)}`;

/** The longest text the package may show from a server or input text (the largest cap plus its "… (N more characters)" note). */
const LONGEST_TEXT = 2100;
/** vcf-status's markdown and lists are capped at 12 KiB each; one message holds a few of them. */
const LONGEST_STATUS_MESSAGE = 64 * 1024;
const NODES = ["download", "prechecks", "ack", "upgrade", "status"];

/** Replaces the string value of every `keys` property, at any depth, with a 200 KB text. */
function inflate(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => inflate(v, keys));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = keys.has(k) && typeof v === "string" ? huge(v) : inflate(v, keys);
  return out;
}

function inflateBody(reply: { body: string }, keys: string[]): string | undefined {
  try {
    return JSON.stringify(inflate(JSON.parse(reply.body), new Set(keys)));
  } catch {
    return undefined;
  }
}

/** The longest string anywhere in `value`. */
function longestString(value: unknown): number {
  if (typeof value === "string") return value.length;
  if (Array.isArray(value)) return Math.max(0, ...value.map(longestString));
  if (typeof value === "object" && value !== null) return Math.max(0, ...Object.values(value).map(longestString));
  return 0;
}

interface Sizes {
  runFileBytes: number;
  largestStatusMessage: number;
  catchMessage: number;
  failureReason: number;
}

describe("nodes: 200 KB texts from SDDC Manager", function () {
  const perTest = nodeRedPerTest();
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });

  /** Runs the whole chain through the proxy until the run fails; checks every place a server text can show. */
  async function runAndCheck(
    options: SimulatorOptions,
    rule: ProxyRule,
    rewrite: ProxyRewrite | undefined,
    cutTexts: (run: UpgradeRun, error: string) => string[],
    domain?: (sim: RunningSimulator) => Promise<string>,
  ): Promise<Sizes> {
    const sim = await perTest.startSim(options);
    proxy = await startFaultProxy(sim.url, rule, rewrite);
    const domainRef = domain ? await domain(sim) : "lab-m01";
    await helper.load(
      NODE_MODULES,
      upgradeChainFlow(sim, {
        config: { url: proxy.url, componentDeadline: 5, precheckDeadline: 5, validationDeadline: 5 },
        download: { domain: domainRef },
        ack: { ignoreAlerts: true, alsoIgnoreErrors: true },
        statusDomain: domainRef,
      }),
      credentialsFor(sim),
    );
    const caught = new Collector("caught");
    const statuses = new Collector("statusOut");
    getNode("download").receive({ payload: "start" });
    const error = caughtError(await caught.waitFor(() => true, "the error", 15_000));
    await statuses.waitFor((m) => (m.payload as { status?: string }).status === "failed", "the failed status");

    const runs = connectionOf().requireEngine().listRuns();
    assert.equal(runs.length, 1);
    const run = defined(runs[0], "the run");
    const storeDir = fs.readdirSync(perTest.userDir()).find((f) => /^vcf-upgrade-runs-/.test(f)) ?? "";
    const runFileText = [...storedTexts(path.join(perTest.userDir(), storeDir)).values()].join("");
    const statusLengths = statuses.messages.map((m: Msg) => JSON.stringify(m).length);
    const badges = NODES.flatMap((id) =>
      (getNode(id) as unknown as { status: { getCalls(): { args: unknown[] }[] } }).status
        .getCalls()
        .map((c) => JSON.stringify(c.args[0]) ?? ""),
    );
    const sizes: Sizes = {
      runFileBytes: Buffer.byteLength(runFileText),
      largestStatusMessage: Math.max(...statusLengths),
      catchMessage: error.length,
      failureReason: run.failureReason?.length ?? 0,
    };
    // VCF_SIZES=1 prints the figures (run file, largest vcf-status message, Catch message, failure reason)
    if (process.env.VCF_SIZES) console.log(`      sizes: ${JSON.stringify(sizes)}`);
    for (const text of cutTexts(run, error))
      assert.match(text, /… \(\d+ more characters\)/, "the huge text arrived, cut");

    assert.ok(error.length <= LONGEST_TEXT, `Catch message of ${error.length} characters`);
    assert.ok(run.step.length <= LONGEST_TEXT, `step of ${run.step.length} characters`);
    assert.ok(sizes.failureReason <= LONGEST_TEXT, `failureReason of ${sizes.failureReason} characters`);
    assert.ok(longestString(run) <= LONGEST_TEXT, `a text of ${longestString(run)} characters in the run`);
    assert.ok(
      longestString(JSON.parse(runFileText)) <= LONGEST_TEXT,
      `a text of ${longestString(JSON.parse(runFileText))} characters in the run file`,
    );
    assert.ok(
      sizes.largestStatusMessage <= LONGEST_STATUS_MESSAGE,
      `a vcf-status message of ${sizes.largestStatusMessage} characters`,
    );
    assert.ok(Math.max(...badges.map((b) => b.length)) <= 200, "a node status text is short");
    return sizes;
  }

  it("an error answer (500) with a 200 KB message, remediation and error code", async () => {
    const body = JSON.stringify({
      errorCode: huge("BAD_THING"),
      message: huge("It broke"),
      remediationMessage: huge("Fix it"),
    });
    await runAndCheck(
      {},
      (req) =>
        req.method === "POST" && req.path === "/v1/system/check-sets/queries" ? { status: 500, body } : undefined,
      undefined,
      (run, error) => [run.failureReason ?? "", run.step, error],
    );
  });

  it("200 KB precheck finding texts, task error texts, sub-task and domain names in the answers", async () => {
    const rewrite: ProxyRewrite = (req, reply) => {
      if (req.method !== "GET") return undefined;
      if (req.path === "/v1/domains" || /^\/v1\/domains\/[^/]+$/.test(req.path)) {
        const body = JSON.parse(reply.body) as { name?: string; elements?: { name: string }[] };
        for (const d of body.elements ?? [body]) if (typeof d.name === "string") d.name = huge(d.name);
        return JSON.stringify(body);
      }
      if (/^\/v1\/system\/check-sets\/[^/]+$/.test(req.path))
        return inflateBody(reply, ["message", "remediationMessage", "errorCode", "validationName", "resourceName"]);
      if (/^\/v1\/tasks\/[^/]+$/.test(req.path))
        return inflateBody(reply, ["name", "description", "message", "remediationMessage", "errorCode"]);
      if (/^\/v1\/bundles\/[^/]+$/.test(req.path)) return inflateBody(reply, ["description"]);
      return undefined;
    };
    // the domain by id: its name is now 200 KB long
    await runAndCheck(
      { scenario: "upgrade-failure", faults: { precheckFindings: "warnings" } },
      () => undefined,
      rewrite,
      (run, error) => [
        run.domainName,
        error,
        run.failureReason ?? "",
        // The check-set findings carry SDDC Manager's texts; the target validation and the readiness checks name
        // themselves and their fixes in the package's own words (their server texts are checked by longestString).
        ...run.findings
          .filter((f) => f.code !== "TARGET_VALIDATION" && f.source !== "readiness")
          .flatMap((f) => [f.name, f.description, f.remediation ?? "", f.resource ?? ""]),
        ...Object.values(run.remote.bundles).map((b) => b.description ?? ""),
        ...Object.values(run.remote.upgrades).flatMap((u) => Object.keys(u.subTaskStatus ?? {})),
      ],
      async (sim) => (await clientFor(sim).getDomains()).find((d) => d.type === "MANAGEMENT")?.id ?? "",
    );
  });

  it("input echoed in an error: a 10 KB domain name and a 10 KB target version", async () => {
    const sim = await perTest.startSim();
    await helper.load(NODE_MODULES, upgradeChainFlow(sim), credentialsFor(sim));
    const caught = new Collector("caught");
    getNode("download").receive({ payload: "start", domain: `lab-${"w".repeat(10_000)}` });
    getNode("download").receive({ payload: "start", domain: "lab-m01", targetVersion: `5.${"9".repeat(10_000)}` });
    await caught.waitFor(() => caught.messages.length >= 2, "both errors");
    for (const msg of caught.messages) {
      const error = caughtError(msg);
      assert.ok(error.length <= LONGEST_TEXT, `an error of ${error.length} characters`);
      assert.match(error, /… \(\d+ more characters\)/);
    }
    const notFound = caught.messages.map(caughtError).find((e) => /was not found/.test(e)) ?? "";
    assert.ok(
      notFound.length < 600,
      `the domain error echoes at most a short part of the name: ${notFound.length} characters`,
    );
  });
});
