// vcf-plan in the real Node-RED runtime against the simulator: the plan as data and markdown, its badge, its errors
// for Catch, the vcf-config estimates in it, vcf-status showing it until a run starts, joined and refused messages,
// close, and the German texts.
import assert from "node:assert/strict";
import type { UpgradePlan } from "../../nodes/engine";
import { byteLength, formatDuration } from "../../nodes/engine";
import { useLanguage } from "../support/catalog";
import {
  CONFIG_ID,
  Collector,
  Completions,
  MANAGEMENT_DOMAIN,
  NODE_MODULES,
  TAB,
  callsOf,
  catchNode,
  caughtError,
  configNode,
  connectionOf,
  credentialsFor,
  flowNode,
  getNode,
  helper,
  helperNode,
  nodeRedPerTest,
  startSilentServer,
  upgradeChainFlow,
  type FlowNode,
  type Msg,
} from "../support/nodes-harness";
import { mutatingRequests } from "../support/request-log";
import type { RunningSimulator } from "../../nodes/sim/index";

/** The POSTs a plan may send besides logins: the password-expiry query and, when asked, the check-sets. */
const PLAN_MAY_POST = ["/v1/credentials/expirations", "/v1/system/check-sets/queries", "/v1/system/check-sets"];

interface Badge {
  fill?: string;
  shape?: string;
  text?: string;
}

function changesIn(sim: RunningSimulator): string[] {
  return mutatingRequests(sim.requestLog())
    .filter((e) => !(e.method === "POST" && PLAN_MAY_POST.includes(e.path)))
    .map((e) => `${e.method} ${e.path}`);
}

function badgesOf(nodeId: string): Badge[] {
  return callsOf(nodeId, "status").map(([s]) => s as Badge);
}

/** The plan node wired to "planned", plus a Catch node wired to "caught". */
function planFlow(sim: { url: string }, plan: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
  return [
    { id: TAB, type: "tab" },
    configNode(sim, config),
    flowNode("plan", "vcf-plan", { domain: MANAGEMENT_DOMAIN, markdownMaxBytes: 4096, ...plan }, ["planned"]),
    helperNode("planned"),
    catchNode("catcher", "caught"),
    helperNode("caught"),
  ];
}

describe("nodes: vcf-plan", function () {
  const perTest = nodeRedPerTest();

  it("sends the plan, its markdown under the cap and the domain; the badge sums it up; nothing changes", async () => {
    // A backup three days old and passwords about to expire: readiness warnings for the badge to count.
    const sim = await perTest.startSim({
      scenario: "happy",
      faults: { lastBackupHoursAgo: 72, passwordExpiry: "expiring" },
    });
    await helper.load(NODE_MODULES, planFlow(sim), credentialsFor(sim));
    sim.clearRequestLog();
    const out = new Collector("planned");
    getNode("plan").receive({ _msgid: "p-1", payload: "plan", note: "kept" });
    const msg = await out.waitFor(() => true, "the plan");
    const plan = msg.payload as UpgradePlan;
    assert.deepEqual([msg._msgid, msg.note, msg.topic, msg.domain], ["p-1", "kept", "lab-m01", "lab-m01"]);
    assert.equal(plan.domainName, MANAGEMENT_DOMAIN);
    assert.deepEqual(
      plan.components.map((c) => c.kind),
      ["SDDC_MANAGER", "NSX_T_MANAGER", "VCENTER", ...plan.components.slice(3).map(() => "ESX_HOST")],
    );
    assert.ok(plan.components.length > 3 && plan.components.every((c) => c.estimate.source === "default"));
    assert.equal(
      plan.estimate.totalMs,
      plan.components.reduce((sum, c) => sum + c.estimate.ms, 0),
    );
    assert.equal(plan.precheckRunId, undefined, "the checkbox is off: no check-sets");

    const markdown = String(msg.markdown);
    assert.match(markdown, /^## VCF upgrade plan: lab-m01/);
    assert.match(markdown, /\| 1 \| SDDC Manager \|/);
    assert.ok(byteLength(markdown) <= 4096, `${byteLength(markdown)} bytes`);

    assert.ok(plan.findings.length > 0, "the readiness findings are in the plan");
    assert.match(markdown, /### Findings/);
    const warnings = plan.findings.filter((f) => f.severity === "WARNING").length;
    const errors = plan.findings.length - warnings;
    const findings = [
      errors ? `${errors} error${errors > 1 ? "s" : ""}` : "",
      warnings ? `${warnings} warning${warnings > 1 ? "s" : ""}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    assert.deepEqual(badgesOf("plan").slice(-2), [
      { fill: "blue", shape: "ring", text: "lab-m01: planning…" },
      {
        fill: findings ? "yellow" : "green",
        shape: findings ? "ring" : "dot",
        text: `lab-m01: ${plan.components.length} components, about ${formatDuration(plan.estimate.totalMs)}, ${findings || "no findings"}`,
      },
    ]);
    assert.deepEqual(changesIn(sim), [], "a plan changes nothing in SDDC Manager");
  });

  it("uses the estimates of the vcf-config node (minutes; ESXi per host)", async () => {
    const sim = await perTest.startSim({ scenario: "happy" });
    await helper.load(
      NODE_MODULES,
      planFlow(sim, {}, { estimateNsx: 90, estimateEsxHost: 12, estimateVcenter: 1440 }),
      credentialsFor(sim),
    );
    const out = new Collector("planned");
    getNode("plan").receive({});
    const msg = await out.waitFor(() => true, "the plan");
    const plan = msg.payload as UpgradePlan;
    const ms = (kind: string): number[] => plan.components.filter((c) => c.kind === kind).map((c) => c.estimate.ms);
    assert.deepEqual(ms("NSX_T_MANAGER"), [90 * 60_000]);
    assert.deepEqual(ms("VCENTER"), [1440 * 60_000]);
    assert.deepEqual(ms("SDDC_MANAGER"), [45 * 60_000], "left at the editor's default");
    const esx = plan.components.filter((c) => c.kind === "ESX_HOST");
    assert.ok(esx.length > 0);
    for (const c of esx) assert.equal(c.estimate.ms, 12 * 60_000 * (c.cluster?.hosts ?? 1), c.name);
    assert.match(String(msg.markdown), /\| NSX \|.*\| 1 h 30 min \(default\) \|/);
  });

  it("a bad domain, target or option reaches Catch, the node status and the log, naming the field", async () => {
    const sim = await perTest.startSim({ scenario: "happy" });
    await helper.load(NODE_MODULES, planFlow(sim, { domain: "" }), credentialsFor(sim));
    const caught = new Collector("caught");
    const cases: Array<[Msg, RegExp]> = [
      [{}, /Domain/],
      [{ domain: "lab-w99" }, /Domain "lab-w99" was not found in SDDC Manager/],
      [{ domain: MANAGEMENT_DOMAIN, targetVersion: "5.2" }, /^Error: msg\.targetVersion "5\.2" is not a VCF version/],
      [{ domain: MANAGEMENT_DOMAIN, targetVersion: "9.9.9.9" }, /targetVersion 9\.9\.9\.9 cannot be used/],
      [
        { domain: MANAGEMENT_DOMAIN, runPrechecks: "yes" },
        /^Error: msg\.runPrechecks must be true or false, not "yes"/,
      ],
      [{ domain: MANAGEMENT_DOMAIN, clusterImages: "img" }, /msg\.clusterImages/],
    ];
    for (const [i, [msg, expected]] of cases.entries()) {
      getNode("plan").receive({ ...msg, _msgid: `bad-${i}` });
      const error = caughtError(await caught.waitFor((m) => m._msgid === `bad-${i}`, `the error of case ${i}`));
      assert.match(error, expected, JSON.stringify(msg));
      const [badge] = callsOf("plan", "status").at(-1) ?? [];
      assert.equal((badge as Badge).fill, "red", JSON.stringify(msg));
      const logged = callsOf("plan", "error").map(([text]) => String(text));
      assert.ok(
        logged.some((text) => text === error),
        `logged: ${JSON.stringify(msg)}`,
      );
    }
    assert.equal(new Collector("planned").messages.length, 0);
    assert.deepEqual(changesIn(sim), []);
  });

  it("joins a message asking for the plan being made, and refuses one for another plan of that domain", async () => {
    const sim = await perTest.startSim({ scenario: "happy" });
    await helper.load(NODE_MODULES, planFlow(sim), credentialsFor(sim));
    const plans: UpgradePlan[] = [];
    connectionOf()
      .requireEngine()
      .on("plan", (plan: UpgradePlan) => plans.push(plan));
    const out = new Collector("planned");
    const caught = new Collector("caught");
    const node = getNode("plan");
    node.receive({ _msgid: "first" });
    node.receive({ _msgid: "same", domain: "LAB-M01" });
    node.receive({ _msgid: "other", runPrechecks: true });
    const refused = caughtError(await caught.waitFor((m) => m._msgid === "other", "the refusal"));
    assert.match(refused, /A plan of domain "lab-m01" with other settings is being made at this node/);
    const first = await out.waitFor((m) => m._msgid === "first", "the first plan");
    const same = await out.waitFor((m) => m._msgid === "same", "the joined plan");
    assert.deepEqual(same.payload, first.payload);
    assert.equal(plans.length, 1, "one plan made for both");
    assert.match(String(badgesOf("plan").at(-1)?.text), /^lab-m01: \d+ components/, "the refusal left the badge");
  });

  it("close aborts a plan whose SDDC Manager does not answer, and done() ends its message", async () => {
    const silent = await startSilentServer();
    const completions = new Completions();
    try {
      // A request timeout of 10 minutes: only the abort ends the plan within the test's time.
      await helper.load(NODE_MODULES, planFlow({ url: silent.url }, {}, { requestTimeout: 600 }), {
        [CONFIG_ID]: { username: "u", password: "p" },
      });
      getNode("plan").receive({ _msgid: "hangs" });
      await silent.connected;
      await helper.unload();
      const done = await completions.waitFor((c) => c.nodeId === "plan", "done() of the plan's message", 2000);
      assert.equal(done.error, undefined);
    } finally {
      completions.stop();
      await silent.stop();
    }
  });

  it("vcf-status shows the plan until a run starts, then the run", async () => {
    const sim = await perTest.startSim({ scenario: "happy" });
    const flow: FlowNode[] = [
      ...upgradeChainFlow(sim),
      flowNode("plan", "vcf-plan", { domain: MANAGEMENT_DOMAIN }, ["planned"]),
      helperNode("planned"),
    ];
    await helper.load(NODE_MODULES, flow, credentialsFor(sim));
    const status = new Collector("statusOut");
    await status.waitFor(() => true, "the state after the deploy");
    getNode("plan").receive({});
    const planned = (await new Collector("planned").waitFor(() => true, "the plan")).payload as UpgradePlan;
    const shown = await status.waitFor((m) => (m.payload as { plan?: unknown }).plan !== undefined, "the plan");
    const payload = shown.payload as { status: string; markdown: string; plan: UpgradePlan };
    assert.equal(payload.status, "waiting_for_initiation", "a plan is not a status");
    assert.deepEqual(payload.plan, planned);
    assert.match(payload.markdown, /^## VCF upgrade plan: lab-m01/);

    getNode("download").receive({ payload: "start" });
    const running = await status.waitFor(
      (m) => (m.payload as { status: string }).status === "update_process_started",
      "the run's first status",
    );
    const runPayload = running.payload as { plan?: unknown; markdown: string };
    assert.equal(runPayload.plan, undefined);
    assert.doesNotMatch(runPayload.markdown, /VCF upgrade plan/);
    getNode("status").receive({});
    const asked = status.messages.length;
    const refreshed = await status.waitFor((m) => status.messages.indexOf(m) >= asked, "the state on request");
    assert.equal((refreshed.payload as { plan?: unknown }).plan, undefined, "the run hides the plan");
  });

  describe("German", function () {
    before(() => useLanguage("de"));
    after(() => useLanguage("en-US"));

    it("the badge and the errors come from the de catalog", async () => {
      const sim = await perTest.startSim({ scenario: "happy" });
      await helper.load(NODE_MODULES, planFlow(sim), credentialsFor(sim));
      const out = new Collector("planned");
      const caught = new Collector("caught");
      getNode("plan").receive({});
      const plan = (await out.waitFor(() => true, "the plan")).payload as UpgradePlan;
      assert.match(
        String(badgesOf("plan").at(-1)?.text),
        new RegExp(`^lab-m01: ${plan.components.length} Komponenten, etwa `),
      );
      assert.equal(badgesOf("plan").at(-2)?.text, "lab-m01: Plan wird erstellt …");
      getNode("plan").receive({ runPrechecks: 1 });
      assert.match(
        caughtError(await caught.waitFor(() => true, "the error")),
        /^Error: msg\.runPrechecks muss true oder false sein, nicht .*„Vorabprüfungen ausführen“/,
      );
    });
  });
});
