// The package in the real Node-RED editor (headless Chromium): palette, edit dialogs, help, validation of fresh and
// imported nodes, every example through Import, and "Test connection" against the simulator.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import {
  EXAMPLE_NAMES,
  PACKAGE_NAME,
  deployFlows,
  REPO_ROOT,
  missingBrowserReason,
  openEditor,
  readExample,
  screenshot,
  startAll,
  type BrowserTestContext,
  type ExampleName,
} from "../support/editor-harness";
import type { EditorGlobals, EditorNode } from "../support/editor-red";

const FLOW_NODE_TYPES = [
  "vcf-download-bundles",
  "vcf-prechecks",
  "vcf-await-ack",
  "vcf-upgrade",
  "vcf-updates",
  "vcf-plan",
  "vcf-status",
  "vcf-fleet",
];
const ALL_TYPES = ["vcf-config", ...FLOW_NODE_TYPES];
/** The label of the markdown cap where it is not "Markdown log cap". */
const CAP_LABELS: Readonly<Record<string, string>> = {
  "vcf-status": "Log size cap",
  "vcf-plan": "Markdown cap",
  "vcf-fleet": "Markdown cap",
};
/** The lowest value the arrows of each number field of vcf-config go to, per tab. */
const CONNECTION_SPINNER_MINIMA = { requestTimeout: "1", retryAttempts: "1", retryDelay: "0.5" };
const WAITS_SPINNER_MINIMA = {
  pollInterval: "1",
  maxPollInterval: "1",
  downloadDeadline: "1",
  downloadConcurrency: "1",
  validationDeadline: "1",
  precheckDeadline: "1",
  componentDeadline: "1",
  sddcOutageBudget: "1",
  sddcSettle: "0",
  authGrace: "1",
  completedPause: "0",
  estimateSddcManager: "1",
  estimateNsx: "1",
  estimateVcenter: "1",
  estimateEsxHost: "1",
};

/** The first paragraph of a node's help file, whitespace folded: what the help sidebar must show. */
function helpSummary(type: string, lang = "en-US"): string {
  const html = fs.readFileSync(path.join(REPO_ROOT, "nodes", "locales", lang, `${type}.html`), "utf8");
  const paragraph = /<p>([\s\S]*?)<\/p>/.exec(html)?.[1];
  assert.ok(paragraph, `nodes/locales/${lang}/${type}.html has no <p> summary`);
  return paragraph
    .replace(/<[^>]+>/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Drags a palette entry onto the workspace at (x, y) (page coordinates), as a user does. */
async function dropFromPalette(page: Page, type: string, x: number, y: number): Promise<void> {
  const entry = page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
  await entry.scrollIntoViewIfNeeded();
  const box = await entry.boundingBox();
  assert.ok(box, `palette entry ${type} is not visible`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(x, y, { steps: 8 });
  await page.mouse.up();
}

/** Node ids (flow and config nodes) currently in the editor. */
function editorNodeIds(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { RED } = globalThis as unknown as EditorGlobals;
    const ids: string[] = [];
    RED.nodes.eachNode((n) => ids.push(n.id));
    RED.nodes.eachConfig((n) => ids.push(n.id));
    return ids;
  });
}

interface ValidationResult {
  id: string;
  type: string;
  valid: boolean;
  errors: string[];
}

/** Validates the given nodes the way the editor does before a deploy. */
function validate(page: Page, ids: string[]): Promise<ValidationResult[]> {
  return page.evaluate((nodeIds) => {
    const { RED } = globalThis as unknown as EditorGlobals;
    return nodeIds.map((id) => {
      const node = RED.nodes.node(id) as EditorNode;
      RED.editor.validateNode(node);
      return { id, type: node.type, valid: node.valid === true, errors: node.validationErrors ?? [] };
    });
  }, ids);
}

/** Shows a node's help in the sidebar and waits until it holds the start of the help file's summary. */
async function showHelp(page: Page, type: string, lang = "en-US"): Promise<void> {
  await page.evaluate((nodeType) => {
    const { RED } = globalThis as unknown as EditorGlobals;
    RED.sidebar.help.show(nodeType);
  }, type);
  await page.waitForFunction(
    (text) => {
      const { document } = globalThis as unknown as EditorGlobals;
      return (document.querySelector(".red-ui-sidebar-help-stack .red-ui-panel .red-ui-help")?.textContent ?? "")
        .replace(/\s+/g, " ")
        .includes(text);
    },
    helpSummary(type, lang).slice(0, 60),
    { timeout: 5000 },
  );
}

/**
 * Types a value into a field as a user does and returns what the edit dialog says about it: Node-RED 4.1 marks an
 * invalid field red and shows the validator's message as the field's tooltip.
 */
async function messageAtField(page: Page, selector: string, value: string): Promise<string> {
  // No other tooltip (e.g. of a tab the mouse rests on) may be open or about to open.
  await page.mouse.move(1, 1);
  await page.waitForSelector(".red-ui-popover", { state: "detached" });
  await page.fill(selector, value);
  // The editor validates on change and keyup; fill() sends neither.
  await page.dispatchEvent(selector, "change");
  await page.waitForSelector(`${selector}.input-error`, { state: "attached" });
  await page.hover(selector);
  const tip = page.locator(".red-ui-popover .red-ui-popover-content");
  await tip.waitFor({ state: "visible" });
  const text = ((await tip.textContent()) ?? "").replace(/\s+/g, " ").trim();
  // Move away so that the next field's tooltip is the only one.
  await page.mouse.move(1, 1);
  await tip.waitFor({ state: "detached" });
  return text;
}

/** Whether a field is a spinner, and the lowest value its arrows go to. */
function spinnerMinimum(page: Page, inputId: string): Promise<{ spinner: boolean; min: string | null }> {
  return page.evaluate((id) => {
    const { document } = globalThis as unknown as EditorGlobals;
    const input = document.querySelector(`.ui-spinner #${id}`);
    return { spinner: input !== null, min: input?.getAttribute("aria-valuemin") ?? null };
  }, inputId);
}

/** Clicks a tab of the vcf-config dialog (the id of its contents) and returns which tab contents are visible then. */
async function pickConfigTab(page: Page, tabId: string): Promise<string[]> {
  const link = `#vcf-config-tabs a.red-ui-tab-label[href="#${tabId}"]`;
  await page.click(link);
  // Node-RED's tabs take a second click on any tab within 400 ms as a double click, which switches nothing; a user
  // clicks again, and so does the test, after waiting longer than that for the first click to show the tab.
  const shown = await page
    .waitForSelector(`#${tabId}`, { state: "visible", timeout: 1000 })
    .then(() => true)
    .catch(() => false);
  if (!shown) await page.click(link);
  await page.waitForSelector(`#${tabId}`, { state: "visible" });
  return page.$$eval("#vcf-config-tabs-content > div", (divs) =>
    divs.filter((div) => (div as unknown as { offsetParent: unknown }).offsetParent !== null).map((div) => div.id),
  );
}

async function closeTray(
  page: Page,
  button: "#node-dialog-ok" | "#node-dialog-cancel" | "#node-config-dialog-ok" | "#node-config-dialog-cancel",
): Promise<void> {
  await page.click(button);
  await page.waitForSelector(button, { state: "detached" });
}

describe("editor: the package in the Node-RED editor (headless Chromium)", function () {
  // Node-RED, Chromium and whole upgrade runs: more than the 20 s of the default mocha settings.
  this.timeout(150_000);
  let ctx: (BrowserTestContext & { stop(): Promise<void> }) | undefined;
  let page: Page;
  let pageErrors: string[];

  before(async function () {
    const missing = missingBrowserReason();
    if (missing) {
      console.warn(`    skipped: ${missing}`);
      this.skip();
    }
    ctx = await startAll();
  });
  after(async () => {
    await ctx?.stop();
  });
  const openPage = async (): Promise<void> => {
    assert.ok(ctx);
    ({ page, pageErrors } = await openEditor(ctx.browser, ctx.nodeRed));
  };
  async function screenshotIfFailed(this: Mocha.Context): Promise<void> {
    if (this.currentTest?.state === "failed")
      await screenshot(page, `failed-${this.currentTest.title.replace(/\W+/g, "-").slice(0, 60)}`);
  }

  describe("palette and Import > Examples (one editor page)", () => {
    before(openPage);
    afterEach(screenshotIfFailed);
    after(async () => {
      await page?.close();
    });

    it("shows the VCF palette category with every node type, and no page errors", async () => {
      const palette = await page.evaluate((types) => {
        const { document } = globalThis as unknown as EditorGlobals;
        return types.map((type) => {
          const entry = document.querySelector(
            `#red-ui-palette-container-VCF .red-ui-palette-node[data-palette-type="${type}"]`,
          );
          return { type, label: entry?.textContent?.replace(/\s+/g, " ").trim() ?? null };
        });
      }, FLOW_NODE_TYPES);
      for (const { type, label } of palette) assert.ok(label, `${type} is missing from the VCF palette category`);
      // The editor code the node files share comes from the package's resources/ folder, served by Node-RED.
      const shared = await page.evaluate(async (url) => {
        const { fetch } = globalThis as unknown as EditorGlobals;
        const res = await fetch(url);
        return { status: res.status, loaded: typeof (globalThis as { VcfEditor?: unknown }).VcfEditor };
      }, `resources/${PACKAGE_NAME}/vcf-editor.js`);
      assert.deepEqual(shared, { status: 200, loaded: "object" });
      assert.deepEqual(pageErrors, []);
    });

    for (const name of EXAMPLE_NAMES) {
      it(`imports the example "${name}" with zero unknown and zero invalid nodes`, async () => {
        const expected = readExample(name);
        const result = await importExample(page, name);
        // Tall enough for the longest example (03) to fit on the canvas.
        await page.setViewportSize({ width: 1800, height: 1100 });
        await page.evaluate(() => {
          // The "Imported" notice would cover the flow in the screenshot.
          const { document } = globalThis as unknown as EditorGlobals;
          document.querySelector("#red-ui-notifications")?.remove();
        });
        await screenshot(page, `editor-example-${name.slice(0, 2)}`);
        assert.deepEqual(result.unknownTypes, [], "types the editor does not know");
        assert.equal(
          result.imported.length,
          expected.filter((n) => n.type !== "tab").length,
          "every node of the file was imported",
        );
        assert.deepEqual(
          result.imported.filter((r) => !r.valid).map((r) => `${r.type}: ${r.errors.join(", ")}`),
          [],
          "invalid nodes",
        );
        assert.deepEqual(
          result.missingDefaults,
          [],
          "settings the file leaves out (the editor would fill in its defaults, and runtime migrations may rewrite them)",
        );
        for (const type of new Set(expected.map((n) => n.type))) {
          if (type.startsWith("vcf-"))
            assert.ok(ALL_TYPES.includes(type), `${type} is not a node type of this package`);
        }
        assert.deepEqual(pageErrors, []);
      });
    }
  });

  describe("dialogs (one editor page, a fresh one after a failure)", () => {
    // Each test closes the dialogs it opens and looks only at the nodes it adds itself, so the tests share a page
    // (loading the editor is most of their time). The first test needs a page without an SDDC Manager node, so that
    // the nodes it drops have none to pick; the later ones only cancel the SDDC Manager dialogs they open.
    // A failed test may leave a dialog open: the next test gets a fresh page.
    beforeEach(async () => {
      if (!page || page.isClosed()) await openPage();
    });
    afterEach(async function () {
      await screenshotIfFailed.call(this);
      if (this.currentTest?.state !== "passed") await page.close();
    });
    after(async () => {
      await page?.close();
    });

    it("opens each node's edit dialog and help; a freshly dropped node validates once its SDDC Manager is set", async () => {
      const before = new Set(await editorNodeIds(page));
      for (const [i, type] of FLOW_NODE_TYPES.entries())
        await dropFromPalette(page, type, 420 + (i % 2) * 220, 180 + i * 70);
      const dropped = (await editorNodeIds(page)).filter((id) => !before.has(id));
      const fresh = await validate(page, dropped);
      assert.deepEqual(
        fresh.map((r) => r.type).sort(),
        [...FLOW_NODE_TYPES].sort(),
        "every palette entry dropped one node",
      );
      for (const r of fresh)
        assert.deepEqual(
          { type: r.type, valid: r.valid, errors: r.errors },
          { type: r.type, valid: false, errors: ["server"] },
        );

      for (const [i, { id, type }] of fresh.entries()) {
        await page.evaluate((nodeId) => {
          const { RED } = globalThis as unknown as EditorGlobals;
          RED.editor.edit(RED.nodes.node(nodeId) as EditorNode);
        }, id);
        await page.waitForSelector("#node-input-server", { state: "attached" });
        if (i === 0) {
          // The first node creates the SDDC Manager connection through the config dialog, as a new user does.
          await page.click("#node-input-btn-server-add");
          await page.waitForSelector("#node-config-input-url", { state: "visible" });
          await page.fill("#node-config-input-url", "https://sddc-manager.example.invalid");
          await closeTray(page, "#node-config-dialog-ok");
        } else {
          // Later nodes pick the existing connection from the list.
          await page.selectOption("#node-input-server", { label: "https://sddc-manager.example.invalid" });
        }
        await closeTray(page, "#node-dialog-ok");

        await showHelp(page, type);
      }
      const filled = await validate(page, dropped);
      for (const r of filled)
        assert.deepEqual({ type: r.type, valid: r.valid, errors: r.errors }, { type: r.type, valid: true, errors: [] });
      const config = await page
        .evaluate(() => {
          const { RED } = globalThis as unknown as EditorGlobals;
          const found: string[] = [];
          RED.nodes.eachConfig((n) => {
            if (n.type === "vcf-config") found.push(n.id);
          });
          return found;
        })
        .then((ids) => ids.filter((id) => !before.has(id)));
      assert.equal(config.length, 1, "one vcf-config node was created");
      assert.deepEqual(
        await validate(page, config).then((r) => r.map((c) => c.errors)),
        [[]],
        "the new vcf-config node is valid",
      );

      await showHelp(page, "vcf-config");
      assert.deepEqual(pageErrors, []);
    });

    it("SDDC Manager dialog: three tabs, number fields are spinners with their minimum, a bad value shows its message", async () => {
      await page.evaluate(() => {
        const { RED } = globalThis as unknown as EditorGlobals;
        RED.editor.editConfig("", "vcf-config", "_ADD_");
      });
      await page.waitForSelector("#node-config-input-url", { state: "visible" });
      assert.deepEqual(
        await page.$$eval("#vcf-config-tabs .red-ui-tab-label", (links) => links.map((a) => a.textContent?.trim())),
        ["Connection", "Waits and deadlines", "Readiness"],
      );
      assert.equal(
        await messageAtField(page, "#node-config-input-url", "http://sddc-manager.example.com"),
        "URL: Use https://: http:// would send the password unencrypted (allowed only for localhost, 127.x.x.x and [::1])",
      );
      assert.equal(
        await messageAtField(page, "#node-config-input-requestTimeout", "0"),
        "Request timeout: Enter a number greater than 0, at most 600",
      );
      assert.equal(
        await messageAtField(page, "#node-config-input-retryAttempts", "2.5"),
        "Read attempts: Enter a whole number, at least 1",
      );
      // The TLS fields are checked against the choice in the form, before it is saved.
      await page.selectOption("#node-config-input-tlsMode", "ca");
      assert.equal(
        await messageAtField(page, "#node-config-input-ca", "not a certificate"),
        "CA certificate: Paste the CA certificate in PEM form, with its BEGIN CERTIFICATE and END CERTIFICATE lines",
      );
      await page.selectOption("#node-config-input-tlsMode", "tls-config");
      await page.waitForSelector("#node-config-input-tls.input-error", { state: "attached" });
      await page.selectOption("#node-config-input-tlsMode", "verify");
      await page.waitForSelector("#node-config-input-tls:not(.input-error)", { state: "attached" });
      for (const [field, min] of Object.entries(CONNECTION_SPINNER_MINIMA))
        assert.deepEqual(await spinnerMinimum(page, `node-config-input-${field}`), { spinner: true, min }, field);

      assert.deepEqual(await pickConfigTab(page, "vcf-config-tab-waits"), ["vcf-config-tab-waits"]);
      assert.ok(!(await page.isVisible("#node-config-input-url")), "the Connection tab is hidden");
      assert.equal(
        await messageAtField(page, "#node-config-input-pollInterval", "0"),
        "Poll interval: Enter a number greater than 0, at most 3600",
      );
      assert.equal(
        await messageAtField(page, "#node-config-input-sddcSettle", "1441"),
        "Settle after outage: Enter a number from 0 to 1440",
      );
      for (const [field, min] of Object.entries(WAITS_SPINNER_MINIMA))
        assert.deepEqual(await spinnerMinimum(page, `node-config-input-${field}`), { spinner: true, min }, field);
      // The arrows stop at the minimum.
      await page.fill("#node-config-input-sddcSettle", "1");
      const down = page.locator(".ui-spinner:has(#node-config-input-sddcSettle) .ui-spinner-down");
      await down.click();
      await down.click();
      assert.equal(await page.inputValue("#node-config-input-sddcSettle"), "0");
      await page.dispatchEvent("#node-config-input-sddcSettle", "change");
      await page.waitForSelector("#node-config-input-sddcSettle:not(.input-error)", { state: "attached" });
      await screenshot(page, "vcf-config-dialog-waits");

      assert.deepEqual(await pickConfigTab(page, "vcf-config-tab-readiness"), ["vcf-config-tab-readiness"]);
      assert.equal(
        await messageAtField(page, "#node-config-input-downloadRetries", "11"),
        "Failed download requested again: Enter a whole number from 0 to 10",
      );
      assert.deepEqual(await spinnerMinimum(page, "node-config-input-passwordWarnDays"), { spinner: true, min: "0" });
      await closeTray(page, "#node-config-dialog-cancel");
      assert.deepEqual(pageErrors, []);
    });

    it("phase, plan and status nodes: the markdown cap is a spinner from 256, bad values say what to enter; phase nodes cancel in SDDC Manager too by default", async () => {
      const before = new Set(await editorNodeIds(page));
      await page.evaluate((types) => {
        const { RED } = globalThis as unknown as EditorGlobals;
        RED.view.importNodes(
          types.map((type, i) => ({ id: `f1e1d000000000${i}`, type, x: 200, y: 80 + 60 * i })),
          { generateIds: true },
        );
      }, FLOW_NODE_TYPES);
      const added = (await editorNodeIds(page)).filter((id) => !before.has(id));
      const nodes = await page.evaluate(
        (ids) =>
          ids.map((id) => ({ id, type: (globalThis as unknown as EditorGlobals).RED.nodes.node(id)?.type ?? "" })),
        added,
      );
      const capped = nodes.filter((n) => n.type !== "vcf-updates");
      assert.equal(capped.length, 7, "seven node types have a markdown cap");
      for (const { id, type } of capped) {
        await page.evaluate((nodeId) => {
          const { RED } = globalThis as unknown as EditorGlobals;
          RED.editor.edit(RED.nodes.node(nodeId) as EditorNode);
        }, id);
        await page.waitForSelector("#node-input-markdownMaxBytes", { state: "visible" });
        assert.deepEqual(
          await spinnerMinimum(page, "node-input-markdownMaxBytes"),
          { spinner: true, min: "256" },
          type,
        );
        const label = CAP_LABELS[type] ?? "Markdown log cap";
        assert.equal(
          await messageAtField(page, "#node-input-markdownMaxBytes", "100"),
          `${label}: Enter a whole number, at least 256`,
          type,
        );
        if (type === "vcf-download-bundles" || type === "vcf-plan")
          assert.equal(
            await messageAtField(page, "#node-input-targetVersion", "5.2"),
            "Target version: Enter a VCF version such as 5.2.1.0, or leave it empty for the next release",
          );
        if (["vcf-download-bundles", "vcf-prechecks", "vcf-await-ack", "vcf-upgrade"].includes(type))
          assert.deepEqual(
            await page.evaluate(() => {
              const { document } = globalThis as unknown as EditorGlobals;
              const box = document.querySelector("#node-input-cancelInSddcManager") as { checked?: boolean } | null;
              const label = document.querySelector('label[for="node-input-cancelInSddcManager"]');
              return { checked: box?.checked, label: label?.textContent?.trim() };
            }),
            { checked: true, label: "msg.cancel also cancels the run's upgrade and downloads in SDDC Manager" },
            `${type}: the cancel checkbox of every phase node`,
          );
        await closeTray(page, "#node-dialog-cancel");
      }
      assert.deepEqual(pageErrors, []);
    });

    it("upgrade dialog: each downtime option lists SDDC Manager's default and its choices, shows the node's value and saves a change", async () => {
      await page.evaluate(() => {
        const { RED } = globalThis as unknown as EditorGlobals;
        RED.view.importNodes(
          [
            {
              id: "f1e1d0000000aa01",
              type: "vcf-upgrade",
              x: 200,
              y: 600,
              esxQuickBoot: "on",
              nsxHostClusters: "sequential",
            },
          ],
          { generateIds: false },
        );
        RED.editor.edit(RED.nodes.node("f1e1d0000000aa01") as EditorNode);
      });
      await page.waitForSelector("#node-input-esxQuickBoot", { state: "visible" });
      const options = (id: string): Promise<string[]> =>
        page
          .locator(`#node-input-${id} option`)
          .evaluateAll((list) =>
            list.map((o) => `${(o as unknown as { value: string }).value}=${o.textContent ?? ""}`),
          );
      assert.deepEqual(await options("esxQuickBoot"), ["=SDDC Manager's default", "on=on", "off=off"]);
      assert.deepEqual(await options("nsxHostClusters"), [
        "=SDDC Manager's default",
        "parallel=in parallel",
        "sequential=one at a time",
      ]);
      assert.equal(await page.locator("#node-input-esxQuickBoot").inputValue(), "on");
      assert.equal(await page.locator("#node-input-nsxHostClusters").inputValue(), "sequential");
      assert.equal(await page.locator("#node-input-esxClusters").inputValue(), "", "unset: SDDC Manager's default");
      // a node saved before these checkboxes existed runs with them on: the dialog shows them on
      for (const box of ["freshBackup", "cancelInSddcManager"])
        assert.equal(await page.locator(`#node-input-${box}`).isChecked(), true, box);
      await page.locator("#node-input-esxQuickBoot").selectOption("off");
      await closeTray(page, "#node-dialog-ok");
      const saved = await page.evaluate(() => {
        const node = (globalThis as unknown as EditorGlobals).RED.nodes.node("f1e1d0000000aa01") as unknown as Record<
          string,
          unknown
        >;
        return [node.esxQuickBoot, node.nsxHostClusters, node.esxClusters, node.freshBackup, node.cancelInSddcManager];
      });
      assert.deepEqual(saved, ["off", "sequential", "", true, true]);
      assert.deepEqual(pageErrors, []);
    });

    it("'Test connection' in the SDDC Manager dialog reports success, and a readable failure for a wrong password", async () => {
      assert.ok(ctx);
      const { sim } = ctx;
      await page.evaluate(() => {
        const { RED } = globalThis as unknown as EditorGlobals;
        RED.editor.editConfig("", "vcf-config", "_ADD_");
      });
      await page.waitForSelector("#node-config-input-url", { state: "visible" });
      // The dialog opens on its first tab; the button still works after a round through the other tab.
      assert.deepEqual(await pickConfigTab(page, "vcf-config-tab-waits"), ["vcf-config-tab-waits"]);
      assert.ok(!(await page.isVisible("#node-config-test-connection")), "the button is on the Connection tab");
      assert.deepEqual(await pickConfigTab(page, "vcf-config-tab-connection"), ["vcf-config-tab-connection"]);
      await page.fill("#node-config-input-name", "Simulator");
      await page.fill("#node-config-input-url", sim.url);
      await page.fill("#node-config-input-username", sim.credentials.username);
      await page.fill("#node-config-input-password", sim.credentials.password);
      await page.click("#node-config-test-connection");
      const ok = await page.waitForSelector("#node-config-test-result.vcf-config-ok", { timeout: 10_000 });
      const okText = (await ok.textContent()) ?? "";
      assert.match(okText, /^Connected to SDDC Manager \d+\.\d+/);
      await screenshot(page, "vcf-config-dialog");

      const wrongPassword = "not-the-password-42";
      await page.fill("#node-config-input-password", wrongPassword);
      await page.click("#node-config-test-connection");
      const failed = await page.waitForSelector("#node-config-test-result.vcf-config-failed", { timeout: 10_000 });
      const failedText = (await failed.textContent()) ?? "";
      assert.match(failedText, /^Failed: /);
      assert.match(
        failedText,
        /password|credentials|401|unauthori[sz]ed|log ?in/i,
        `the failure says what is wrong: ${failedText}`,
      );
      assert.ok(
        !failedText.includes(wrongPassword) && !failedText.includes(sim.credentials.password),
        "no password in the message",
      );
      await closeTray(page, "#node-config-dialog-cancel");
      assert.deepEqual(pageErrors, []);
    });

    it("'Test connection' of a deployed SDDC Manager uses its stored password while the field is untouched", async () => {
      assert.ok(ctx);
      const configId = "a0c0ffee00000001";
      await deployFlows(
        ctx.nodeRed,
        [
          {
            id: configId,
            type: "vcf-config",
            name: "Simulator",
            url: ctx.sim.url,
            tlsMode: "verify",
            ca: "",
            tls: "",
          },
        ],
        { [configId]: ctx.sim.credentials },
      );
      // A new editor page loads the deployed flows. Not page.reload(): with undeployed edits on the page its
      // "leave site?" dialog would stop the reload, and closing runs no beforeunload handler.
      await page.close();
      await openPage();
      await page.waitForFunction((id) => {
        const { RED } = globalThis as unknown as EditorGlobals;
        return RED?.nodes?.node(id) !== undefined;
      }, configId);
      await page.evaluate((id) => {
        const { RED } = globalThis as unknown as EditorGlobals;
        RED.editor.editConfig("", "vcf-config", id);
      }, configId);
      await page.waitForSelector("#node-config-input-url", { state: "visible" });
      assert.equal(await page.inputValue("#node-config-input-username"), ctx.sim.credentials.username);
      assert.notEqual(
        await page.inputValue("#node-config-input-password"),
        ctx.sim.credentials.password,
        "the editor never receives the password",
      );
      await page.click("#node-config-test-connection");
      const ok = await page.waitForSelector("#node-config-test-result.vcf-config-ok", { timeout: 10_000 });
      assert.match((await ok.textContent()) ?? "", /^Connected to SDDC Manager /);
      await closeTray(page, "#node-config-dialog-cancel");
      assert.deepEqual(pageErrors, []);
    });
  });

  describe("in German (browser language de-DE)", () => {
    beforeEach(async () => {
      assert.ok(ctx);
      ({ page, pageErrors } = await openEditor(ctx.browser, ctx.nodeRed, "de-DE"));
    });
    afterEach(async function () {
      await screenshotIfFailed.call(this);
      await page.close();
    });

    it("shows every node's German help, and the SDDC Manager dialog's tabs and messages in German", async () => {
      for (const type of ALL_TYPES) await showHelp(page, type, "de");
      await page.evaluate(() => {
        const { RED } = globalThis as unknown as EditorGlobals;
        RED.editor.editConfig("", "vcf-config", "_ADD_");
      });
      await page.waitForSelector("#node-config-input-url", { state: "visible" });
      assert.deepEqual(
        await page.$$eval("#vcf-config-tabs .red-ui-tab-label", (links) => links.map((a) => a.textContent?.trim())),
        ["Verbindung", "Wartezeiten und Fristen", "Bereitschaft"],
      );
      assert.deepEqual(await pickConfigTab(page, "vcf-config-tab-waits"), ["vcf-config-tab-waits"]);
      // Only the message's own text: the field labels come from the runtime texts' catalog.
      assert.match(
        await messageAtField(page, "#node-config-input-pollInterval", "0"),
        /: Eine Zahl größer als 0 eingeben, höchstens 3600$/,
      );
      await screenshot(page, "vcf-config-dialog-de");
      await closeTray(page, "#node-config-dialog-cancel");
      assert.deepEqual(pageErrors, []);
    });
  });
});

interface ImportResult {
  unknownTypes: string[];
  imported: ValidationResult[];
  /** "type id: key" for every editor default the example file does not set. */
  missingDefaults: string[];
}

/** Fetches an example from the runtime's example library, imports it as Import > Examples does, and validates every new node. */
async function importExample(page: Page, name: ExampleName): Promise<ImportResult> {
  const before = new Set(await editorNodeIds(page));
  const url = `library/examples/flows/${PACKAGE_NAME}/${encodeURIComponent(name)}`;
  const { unknownTypes, missingDefaults } = await page.evaluate(async (exampleUrl) => {
    const { RED, fetch } = globalThis as unknown as EditorGlobals;
    const res = await fetch(exampleUrl);
    if (!res.ok) throw new Error(`GET ${exampleUrl}: HTTP ${res.status}`);
    const flow = (await res.json()) as EditorNode[];
    const unknown = flow.filter((n) => n.type !== "tab" && !RED.nodes.getType(n.type)).map((n) => n.type);
    // Checked before the import, which fills in what is missing. Not the settings an export leaves out too: those
    // without a default value (retired settings of old node versions) and a tab's "locked" while it is false.
    const missing = flow.flatMap((n) =>
      Object.entries(RED.nodes.getType(n.type)?.defaults ?? {})
        .filter(
          ([key, setting]) => !(key in n) && setting.value !== undefined && !(n.type === "tab" && key === "locked"),
        )
        .map(([key]) => `${n.type} ${n.id}: ${key}`),
    );
    RED.view.importNodes(flow, { generateIds: true, addFlow: true });
    return { unknownTypes: unknown, missingDefaults: missing };
  }, url);
  const added = (await editorNodeIds(page)).filter((id) => !before.has(id));
  await page.evaluate((ids) => {
    // Show the imported flow without the import's selection highlight, as after a click on the canvas.
    const { RED } = globalThis as unknown as EditorGlobals;
    const tab = ids.map((id) => RED.nodes.node(id)?.z).find((z) => z !== undefined && z !== "");
    if (tab) RED.workspaces.show(tab);
    RED.view.select("");
  }, added);
  const imported = await validate(page, added);
  return {
    unknownTypes: [...unknownTypes, ...imported.filter((r) => r.type === "unknown").map((r) => r.id)],
    imported,
    missingDefaults,
  };
}
