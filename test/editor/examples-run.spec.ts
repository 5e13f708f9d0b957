// Examples 01 and 02 deployed to a real Node-RED against the simulator and driven as a user does: the inject
// buttons of 01 (watched in the editor's debug messages), and the dashboard page of 02 in headless Chromium.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import {
  deployFlows,
  exampleAgainstSim,
  missingBrowserReason,
  openEditor,
  openPage,
  pressInject,
  screenshot,
  startAll,
  type BrowserTestContext,
  type FlowNode,
} from "../support/editor-harness";
import type { EditorGlobals } from "../support/editor-red";
import { RUN_WITH_ACKNOWLEDGEMENT } from "../support/status-sequences";
import { defined } from "../support/defined";
import { eventually } from "../support/eventually";

/** Simulated seconds per real second: bundle downloads, prechecks and a domain upgrade in a few seconds. */
const TIME_SCALE = 20_000;
const RUN_TIMEOUT_MS = 60_000;

/** What vcf-status reports from Start to the end of a run whose prechecks found warnings. */
const STATUSES_OF_A_RUN = RUN_WITH_ACKNOWLEDGEMENT;
const PHASES = ["download", "prechecks", "acknowledgement", "upgrade"];

function nodeNamed(flows: FlowNode[], type: string, name: string): FlowNode {
  const node = flows.find((n) => n.type === type && n.name === name);
  assert.ok(node, `the example has no ${type} node named "${name}"`);
  return node;
}

/** Where example 02's widgets are on the dashboard page (each widget's element id is its node id). */
function dashboardOf(flows: FlowNode[]): {
  pagePath: string;
  statusText: string;
  progressBar: string;
  logLines: string;
  findingRows: string;
  planRows: string;
  ignoreSwitch: string;
} {
  const widget = (node: FlowNode | undefined): string => {
    assert.ok(node, "the example has the widget");
    return `#nrdb-ui-widget-${node.id}`;
  };
  return {
    pagePath: String(flows.find((n) => n.type === "ui-page")?.path),
    statusText: `${widget(flows.find((n) => n.type === "ui-text" && n.value === "payload.status"))} .nrdb-ui-text-value`,
    progressBar: `${widget(flows.find((n) => n.type === "ui-progress"))} [role="progressbar"]`,
    logLines: `${widget(nodeNamed(flows, "ui-template", "Log"))} .vcf-line`,
    findingRows: `${widget(nodeNamed(flows, "ui-template", "Log"))} .vcf-findings tbody tr`,
    planRows: `${widget(nodeNamed(flows, "ui-template", "Plan"))} .vcf-components tbody tr`,
    ignoreSwitch: widget(flows.find((n) => n.type === "ui-switch")),
  };
}

function waitForText(page: Page, selector: string, text: string): Promise<unknown> {
  return page.waitForFunction(
    ({ where, wanted }) => {
      const { document } = globalThis as unknown as EditorGlobals;
      return document.querySelector(where)?.textContent?.trim() === wanted;
    },
    { where: selector, wanted: text },
    { timeout: RUN_TIMEOUT_MS },
  );
}

/** Waits until the progress bar's coloured part has finished growing to the value it announces; returns that value. */
async function settledProgress(page: Page, selector: string): Promise<number> {
  const settled = await page.waitForFunction(
    (barSelector) => {
      const { document } = globalThis as unknown as EditorGlobals;
      const bar = document.querySelector(barSelector);
      const filled = bar?.querySelector(".v-progress-linear__determinate");
      const value = Number(bar?.getAttribute("aria-valuenow"));
      if (!bar || !filled || !Number.isFinite(value)) return false;
      const shown = (100 * filled.getBoundingClientRect().width) / bar.getBoundingClientRect().width;
      return Math.abs(shown - value) < 1 ? value : false;
    },
    selector,
    { timeout: RUN_TIMEOUT_MS },
  );
  return Number(await settled.jsonValue());
}

interface ShownEntry {
  level: string;
  icon: string;
  time: string;
  phase: string;
  text: string;
}

/** The log entries the Log template shows, top to bottom, read from its parts. */
function shownLog(page: Page, selector: string): Promise<ShownEntry[]> {
  return page.locator(selector).evaluateAll((lines) =>
    lines.map((line) => {
      const part = (name: string): string => line.querySelector(`.vcf-${name}`)?.textContent?.trim() ?? "";
      const level = [...line.classList].find((c) => c !== "vcf-line")?.replace(/^vcf-/, "") ?? "";
      return { level, icon: part("icon"), time: part("time"), phase: part("phase"), text: part("text") };
    }),
  );
}

/** The report example 01 wrote to `dir`: one markdown and one JSON file, named by the domain and the run. */
async function writtenReport(dir: string): Promise<{ json: { outcome: string; runId: string }; markdown: string }> {
  const names = (): string[] => fs.readdirSync(dir).sort();
  // The file node writes after the message has passed: written once both files are there and the JSON is whole.
  const whole = (): boolean => {
    const json = names().find((n) => n.endsWith(".json"));
    if (!json || !names().some((n) => n.endsWith(".md"))) return false;
    try {
      JSON.parse(fs.readFileSync(path.join(dir, json), "utf8"));
      return true;
    } catch {
      return false;
    }
  };
  assert.ok(await eventually(whole), `the report files in ${dir}: ${names().join(", ")}`);
  const json = defined(
    names().find((n) => n.endsWith(".json")),
    "the JSON file",
  );
  const parsed = JSON.parse(fs.readFileSync(path.join(dir, json), "utf8")) as { outcome: string; runId: string };
  assert.deepEqual(names(), [`lab-m01-${parsed.runId}.json`, `lab-m01-${parsed.runId}.md`]);
  return { json: parsed, markdown: fs.readFileSync(path.join(dir, `lab-m01-${parsed.runId}.md`), "utf8") };
}

describe("editor: examples 01 and 02 run against the simulator", function () {
  // Node-RED, Chromium and whole upgrade runs: more than the 20 s of the default mocha settings.
  this.timeout(150_000);
  let ctx: (BrowserTestContext & { stop(): Promise<void> }) | undefined;
  let page: Page | undefined;
  let pageErrors: string[] = [];
  const reportDirs: string[] = [];

  before(async function () {
    const missing = missingBrowserReason();
    if (missing) {
      console.warn(`    skipped: ${missing}`);
      this.skip();
    }
    ctx = await startAll({ scenario: "precheck-warnings", timeScale: TIME_SCALE });
  });
  after(async () => {
    await ctx?.stop();
    for (const dir of reportDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    // A fresh SDDC Manager: the domain is at its old version again.
    ctx?.sim.setScenario("precheck-warnings");
  });
  afterEach(async function () {
    if (page && this.currentTest?.state === "failed") {
      await screenshot(page, `failed-${this.currentTest.title.replace(/\W+/g, "-").slice(0, 60)}`);
      console.log(ctx?.nodeRed.output().slice(-4000));
    }
    await page?.close();
    page = undefined;
  });

  /** Deploys example 01 against the simulator and opens the editor, collecting its debug messages. */
  async function deployExample01(): Promise<{
    flows: FlowNode[];
    press(injectName: string): Promise<void>;
    debugOf(name: string): Promise<string[]>;
    /** Until `times` messages of the debug node contain `text`. */
    waitForDebug(name: string, text: string, times?: number): Promise<unknown>;
    /** Where the example's file nodes write the run reports (a fresh directory). */
    reportDir: string;
  }> {
    assert.ok(ctx);
    const { nodeRed } = ctx;
    const { flows, configId } = exampleAgainstSim("01 - Upgrade a domain", ctx.sim);
    const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), "vcf-reports-"));
    reportDirs.push(reportDir);
    const directory = nodeNamed(flows, "change", "report directory");
    (directory.rules as Array<{ to: string }>)[0] = { ...(directory.rules as Array<{ to: string }>)[0], to: reportDir };
    await deployFlows(nodeRed, flows, { [configId]: ctx.sim.credentials });
    ({ page, pageErrors } = await openEditor(ctx.browser, nodeRed));
    const editor = page;
    await editor.evaluate(() => {
      const globals = globalThis as unknown as EditorGlobals;
      const messages: Array<{ name?: string; msg?: unknown }> = [];
      globals.vcfDebugMessages = messages;
      globals.RED.comms.subscribe("debug", (_topic, message) =>
        messages.push(message as { name?: string; msg?: unknown }),
      );
    });
    // The runtime sends debug messages only to an editor whose websocket is up, which can be after the page is
    // ready. It answers a subscription with the retained runtime state, so that answer means nothing is lost from now.
    await editor.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const { RED } = globalThis as unknown as EditorGlobals;
          RED.comms.subscribe("notification/runtime-state", () => resolve());
        }),
    );
    return {
      flows,
      reportDir,
      press: (injectName) => pressInject(nodeRed, nodeNamed(flows, "inject", injectName).id),
      debugOf: (name) =>
        editor.evaluate((debugName) => {
          const { vcfDebugMessages } = globalThis as unknown as EditorGlobals;
          return (vcfDebugMessages ?? []).filter((m) => m.name === debugName).map((m) => String(m.msg));
        }, name),
      waitForDebug: (name, text, times = 1) =>
        editor.waitForFunction(
          ([debugName, wanted, count]) => {
            const { vcfDebugMessages } = globalThis as unknown as EditorGlobals;
            return (
              (vcfDebugMessages ?? []).filter((m) => m.name === debugName && String(m.msg).includes(wanted)).length >=
              count
            );
          },
          [name, text, times] as const,
          { timeout: RUN_TIMEOUT_MS },
        ),
    };
  }

  /** The statuses the Status debug showed from the Start on: the page may have subscribed before or after the state sent at deploy. */
  function fromTheStart(statuses: string[]): string[] {
    return statuses.slice(statuses.indexOf(defined(STATUSES_OF_A_RUN[0], "the first status")));
  }

  it("01 - Upgrade a domain: Start and Acknowledge drive a full upgrade; the Status debug shows each status once, in order", async () => {
    const { press, debugOf, waitForDebug, reportDir } = await deployExample01();
    await press("Plan");
    await waitForDebug("Plan", "Components, in SDDC Manager's order");
    const [plan] = await debugOf("Plan");
    for (const component of ["| 1 | SDDC Manager |", "| 2 | NSX |", "| 3 | vCenter |", "| 4 | ESXi "])
      assert.ok(plan?.includes(component), `the plan lists ${component}:\n${plan}`);
    assert.ok(!(await debugOf("Status")).includes("update_process_started"), "the plan started no run");
    await press("Start upgrade");
    await waitForDebug("Status", "waiting_for_alert_acknowledgement");
    await press("Acknowledge");
    await waitForDebug("Upgrade finished", "upgraded from VCF");
    await waitForDebug("Status", "successfully_completed");

    // Exactly the documented sequence: the filter drops the messages of log lines and progress steps.
    assert.deepEqual(fromTheStart(await debugOf("Status")), STATUSES_OF_A_RUN);
    assert.deepEqual(await debugOf("Error"), [], "nothing reached the Catch node");
    const report = await writtenReport(reportDir);
    assert.equal(report.json.outcome, "successfully_completed");
    assert.match(report.markdown, /^## VCF upgrade report: lab-m01\n[\s\S]*### Components/);
    assert.deepEqual(pageErrors, []);
  });

  it("01 - Upgrade a domain: Cancel run at the acknowledgement step fails the run with the reason; a new run can start", async () => {
    const { press, debugOf, waitForDebug, reportDir } = await deployExample01();
    await press("Start upgrade");
    await waitForDebug("Status", "waiting_for_alert_acknowledgement");
    await press("Cancel run");
    assert.equal((await writtenReport(reportDir)).json.outcome, "cancelled", "the report of the cancelled run");
    await waitForDebug("Status", "failed");
    const waitingAt = STATUSES_OF_A_RUN.indexOf("waiting_for_alert_acknowledgement");
    assert.deepEqual(fromTheStart(await debugOf("Status")), [...STATUSES_OF_A_RUN.slice(0, waitingAt + 1), "failed"]);
    await waitForDebug("Error", "cancelled by the user: cancelled from the flow");

    await press("Start upgrade");
    await waitForDebug("Status", "update_process_started", 2);
    const statuses = await debugOf("Status");
    assert.deepEqual(
      statuses.slice(statuses.indexOf("failed"), statuses.indexOf("failed") + 2),
      ["failed", "update_process_started"],
      "the second Start begins a new run",
    );
    assert.deepEqual(pageErrors, []);
  });

  it("02 - Dashboard: Start, Acknowledge at the acknowledgement step, and the page shows the finished run with its whole log", async () => {
    assert.ok(ctx);
    const { flows, configId } = exampleAgainstSim("02 - Dashboard", ctx.sim);
    await deployFlows(ctx.nodeRed, flows, { [configId]: ctx.sim.credentials });
    const { pagePath, statusText, progressBar, logLines, findingRows, planRows } = dashboardOf(flows);
    ({ page, pageErrors } = await openPage(ctx.browser, `${ctx.nodeRed.url}/dashboard${pagePath}`, {
      width: 1280,
      height: 1000,
    }));
    const waitForStatus = (status: string): Promise<unknown> => waitForText(page as Page, statusText, status);

    await waitForStatus("waiting_for_initiation");
    await page.getByRole("button", { name: "Plan" }).click();
    await page.waitForSelector(`${planRows} >> nth=3`);
    const planned = await page.locator(planRows).allTextContents();
    assert.match(planned[0] ?? "", /^1SDDC Manager/, planned.join("\n"));
    assert.ok(
      planned.some((row) => /ESXi .*host\(s\), (image|baseline)/.test(row)),
      `ESXi per cluster with its scope:\n${planned.join("\n")}`,
    );
    await screenshot(page, "dashboard-plan");
    assert.equal(await page.locator(statusText).textContent(), "waiting_for_initiation", "the plan started no run");
    await page.getByRole("button", { name: "Start upgrade" }).click();
    await waitForStatus("waiting_for_alert_acknowledgement");
    await page.waitForSelector(`${logLines}.vcf-warning`);
    const findings = await page.locator(findingRows).allTextContents();
    assert.equal(findings.length, 2, `the findings table lists the two warnings:\n${findings.join("\n")}`);
    assert.ok(
      findings.every((row) => row.includes("⚠️ WARNING")),
      findings.join("\n"),
    );
    const midway = await settledProgress(page, progressBar);
    assert.ok(midway > 0 && midway < 100, `the progress bar is part-way while waiting (${midway})`);
    // The example's upgrade node has no window: the widget says so (a run without payload.window).
    await page.getByText("none: components start at once").waitFor();
    await screenshot(page, "dashboard-waiting-for-acknowledgement");

    await page.getByRole("button", { name: "Acknowledge alerts" }).click();
    await waitForStatus("successfully_completed");
    await page.waitForSelector(`${progressBar}[aria-valuenow="100"]`);
    assert.equal(await settledProgress(page, progressBar), 100);
    const log = await shownLog(page, logLines);
    const listing = log.map((e) => `${e.icon} ${e.time} ${e.phase} ${e.text}`).join("\n");
    for (const phase of PHASES)
      assert.ok(
        log.some((e) => e.phase === phase),
        `the log shows the ${phase} phase:\n${listing}`,
      );
    assert.deepEqual(
      { level: log[0]?.level, text: log[0]?.text },
      { level: "success", text: "Domain lab-m01 is at 5.2.1.0" },
      `newest first:\n${listing}`,
    );
    const icons: Record<string, string> = { success: "✅", error: "❌", warning: "⚠️", info: "ℹ️" };
    for (const e of log) {
      assert.equal(e.icon, icons[e.level], `an icon for the level of: ${e.text}`);
      assert.match(e.time, /\d{2}:\d{2}:\d{2}/);
    }
    assert.ok(!log.some((e) => /\*\*|\\_|&gt;|<br>/.test(e.text)), "the log is plain text, without markdown escapes");
    await screenshot(page, "dashboard-completed");
    assert.deepEqual(pageErrors, []);
  });

  it("02 - Dashboard: with the Ignore warnings switch on, a run with precheck warnings completes without Acknowledge", async () => {
    assert.ok(ctx);
    const { flows, configId } = exampleAgainstSim("02 - Dashboard", ctx.sim);
    await deployFlows(ctx.nodeRed, flows, { [configId]: ctx.sim.credentials });
    const dashboard = dashboardOf(flows);
    ({ page, pageErrors } = await openPage(ctx.browser, `${ctx.nodeRed.url}/dashboard${dashboard.pagePath}`));
    await waitForText(page, dashboard.statusText, "waiting_for_initiation");
    await page.locator(`${dashboard.ignoreSwitch} input`).check();
    await page.getByRole("button", { name: "Start upgrade" }).click();
    await waitForText(page, dashboard.statusText, "successfully_completed");
    const log = await shownLog(page, dashboard.logLines);
    assert.ok(
      log.some((e) => e.phase === "acknowledgement" && /2 warnings/.test(e.text)),
      `the log says why the run went on:\n${log.map((e) => `${e.phase} ${e.text}`).join("\n")}`,
    );
    assert.deepEqual(pageErrors, []);
  });

  it("02 - Dashboard: the fleet page lists every domain; Upgrade the fleet and Acknowledge the fleet upgrade them all", async () => {
    assert.ok(ctx);
    // Two domains' prechecks one after the other: a check-set query must not expire (an hour of simulated time is
    // 0.2 s here) on a busy machine between its query and its run.
    ctx.sim.setFaults({ checkSetQueryTtlSeconds: 10 ** 9 });
    const { flows, configId } = exampleAgainstSim("02 - Dashboard", ctx.sim);
    await deployFlows(ctx.nodeRed, flows, { [configId]: ctx.sim.credentials });
    const fleetPage = defined(
      flows.find((n) => n.type === "ui-page" && n.name === "VCF fleet"),
      "the fleet page",
    );
    const rows = `#nrdb-ui-widget-${nodeNamed(flows, "ui-template", "Fleet table").id} tbody tr`;
    ({ page, pageErrors } = await openPage(ctx.browser, `${ctx.nodeRed.url}/dashboard${String(fleetPage.path)}`, {
      width: 1280,
      height: 800,
    }));
    const shown = page;
    const row = (domain: string, status: string): Promise<void> =>
      shown.locator(rows).filter({ hasText: domain }).filter({ hasText: status }).waitFor({ timeout: RUN_TIMEOUT_MS });
    // the simulator's domains: the management domain and one VI domain
    const domains = ["lab-m01", "lab-w01"];
    for (const name of domains) await row(name, "waiting_for_initiation");
    assert.equal(await shown.locator(rows).count(), domains.length);
    await shown.getByRole("button", { name: "Upgrade the fleet" }).click();
    // The management domain first, then the VI domain: each waits at its gate for the precheck warnings.
    for (const name of domains) {
      await row(name, "waiting_for_alert_acknowledgement");
      await shown.getByRole("button", { name: "Acknowledge the fleet" }).click();
    }
    for (const name of domains) await row(name, "successfully_completed");
    await shown.getByText(/Fleet finished: 2 done, 0 failed/).waitFor({ timeout: RUN_TIMEOUT_MS });
    await screenshot(shown, "dashboard-fleet");
    assert.deepEqual(pageErrors, []);
  });
});
