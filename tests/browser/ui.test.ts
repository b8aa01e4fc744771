/**
 * The web UI in a real browser (chromium through playwright-core) against a real server: sign
 * in, list and page, submit from the editor (a lint error at its line first), watch the graph go
 * green, read a node's logs (followed while it runs), resume a suspended workflow.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { withServer } from "../web/helpers.ts";
import {
  collectErrors,
  errorsOf,
  finishedWorkflow,
  insertWorkflows,
  screenshot,
  signedInPage,
  SKIP_REASON,
  withBrowser,
} from "./harness.ts";
import type { Page } from "./deps.ts";

const ignore = SKIP_REASON !== undefined;

/** Replaces the editor's whole text, as a user selecting all and pasting would. */
async function setEditorText(page: Page, text: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

/** What the predicates below use of the page's DOM (this file is type-checked without the DOM lib). */
type Dom = {
  document: {
    querySelectorAll(sel: string): ArrayLike<{ classList: { contains(c: string): boolean } }>;
    querySelector(sel: string): { textContent: string | null } | null;
  };
};

/** Waits until the list shows `n` rows. */
function rowCount(page: Page, n: number) {
  return page.waitForFunction(
    (n) => (globalThis as unknown as Dom).document.querySelectorAll("table.workflows tbody tr").length === n,
    n,
  );
}

/** Waits until the log panel shows `text`. */
function logShows(page: Page, text: string, timeout = 30000) {
  return page.waitForFunction(
    (text) => (globalThis as unknown as Dom).document.querySelector("pre.log")?.textContent?.includes(text),
    text,
    { timeout },
  );
}

/** Waits until every node drawn has the phase (and there are at least `min` of them). */
async function allNodes(page: Page, phase: string, min: number): Promise<void> {
  await page.waitForFunction(
    ([cls, min]) => {
      const nodes = Array.from((globalThis as unknown as Dom).document.querySelectorAll("svg.graph g.node"));
      return nodes.length >= Number(min) && nodes.every((e) => e.classList.contains(String(cls)));
    },
    [`phase-${phase.toLowerCase()}`, min] as const,
    { timeout: 60000 },
  );
}

const BAD = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-ui-
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: hello
            template: sayy
            arguments:
              parameters: [{ name: message, value: hello from the ui }]
        - - name: bye
            template: say
            arguments:
              parameters: [{ name: message, value: "{{steps.hello.outputs.result}} again" }]
    - name: say
      inputs:
        parameters:
          - name: message
      container:
        image: busybox
        command: [echo]
        args: ["{{inputs.parameters.message}}"]
`;

Deno.test({
  name: "the token prompt signs in; the list pages 50 at a time and filters by phase and label",
  ignore,
  async fn() {
    await withServer(async (s) => {
      insertWorkflows(
        s.dataDir,
        Array.from(
          { length: 120 },
          (_, i) =>
            finishedWorkflow(
              `wf-${String(i).padStart(3, "0")}`,
              i % 4 === 0 ? "Failed" : "Succeeded",
              60 + i * 60,
              {
                team: i % 3 === 0 ? "a" : "b",
              },
            ),
        ),
      );
      await withBrowser(async (ctx) => {
        const page = await ctx.newPage();
        collectErrors(page);
        await page.goto(s.url + "/");
        await page.fill("#token", "not-the-token");
        await page.click("form[aria-label='sign in'] button[type=submit]");
        await page.getByText("That token is not valid here.").waitFor();
        await page.fill("#token", s.token);
        await page.click("form[aria-label='sign in'] button[type=submit]");
        const rows = page.locator("table.workflows tbody tr");
        await rows.first().waitFor();
        assert.equal(await rows.count(), 50, "the first page holds 50");
        assert.equal(await rows.first().getAttribute("data-name"), "wf-000", "newest first");
        await screenshot(page, "list");

        await page.click("text=Older ›");
        await page.waitForSelector("tr[data-name='wf-050']");
        assert.equal(await rows.count(), 50);
        await page.click("text=Older ›");
        await page.waitForSelector("tr[data-name='wf-100']");
        assert.equal(await rows.count(), 20, "the last page holds the rest");
        assert.equal(await page.locator("text=Older ›").isDisabled(), true);
        await page.click("text=‹ Newer");
        await page.waitForSelector("tr[data-name='wf-050']");

        await page.click("label.chip:has-text('Failed')");
        await rowCount(page, 30);
        assert.ok(new URL(page.url()).search.includes("phase=Failed"), "filters are in the URL");
        for (const cls of await rows.evaluateAll((trs) => trs.map((tr) => tr.className))) {
          assert.match(cls, /phase-failed/);
        }
        await page.fill("input[aria-label='label selector']", "team=a");
        await page.click("form.label-filter button");
        // Failed (i % 4 == 0) and team a (i % 3 == 0): i % 12 == 0, 10 of them.
        await rowCount(page, 10);
        await screenshot(page, "list-filtered");

        // A reload keeps the filters (they are in the URL) and the sign-in (the cookie).
        await page.reload();
        await rowCount(page, 10);
        assert.deepEqual(errorsOf(page), []);
      });
    });
  },
});

Deno.test({
  name:
    "submit: a lint error shows at its line; fixed, the workflow runs, its graph goes green, a node's logs",
  ignore,
  async fn() {
    await withServer(async (s) => {
      await withBrowser(async (ctx) => {
        const page = await signedInPage(ctx, s);
        await page.goto(s.url + "/submit");
        await page.waitForSelector(".editor[data-ready=true] .cm-content");
        await setEditorText(page, BAD);

        // The server's lint error, placed at line 11 where "sayy" is written.
        const problem = page.locator("ul.problems li.error");
        await problem.first().waitFor();
        assert.equal(await problem.count(), 1);
        assert.equal(await problem.getAttribute("data-line"), "11");
        assert.match(await problem.innerText(), /line 11:23\s+step "hello" calls unknown template "sayy"/);
        assert.equal(await page.locator(".cm-lintRange-error").first().innerText(), "sayy");
        await page.locator(".cm-lint-marker-error").first().waitFor();
        await screenshot(page, "submit-lint-error");

        // Submitting anyway is refused with the same problem.
        await page.click("#submit");
        await page.waitForSelector("ul.problems li.error[data-line='11']");
        assert.ok(page.url().endsWith("/submit"));

        await setEditorText(page, BAD.replace("template: sayy", "template: say"));
        await page.waitForSelector(".lint[data-lint=clean]");
        await page.click("#submit");
        await page.waitForURL(/\/workflows\/default\/hello-ui-\w+$/);
        await page.waitForSelector("#workflow-phase[data-phase=Succeeded]", { timeout: 60000 });
        await allNodes(page, "Succeeded", 5); // steps, 2 step groups, 2 pods
        await screenshot(page, "graph-green");

        await page.click("svg.graph g.node.t-pod:has(text:text-is('bye'))");
        await page.waitForSelector(".panel h2:text-is('bye')");
        await logShows(page, "hello from the ui again");
        const panel = await page.locator(".panel").innerText();
        assert.match(panel, /message\s+hello from the ui again/, "inputs");
        assert.match(panel, /exit code\s+0/, "outputs");
        assert.match(page.url(), /\?node=/, "the selected node is in the URL");
        await screenshot(page, "node-logs");
        assert.deepEqual(errorsOf(page), []);
      });
    });
  },
});

Deno.test({
  name: "a running step's logs are followed in its panel until it ends",
  ignore,
  async fn() {
    await withServer(async (s) => {
      const wf = {
        metadata: { name: "ticker" },
        spec: {
          entrypoint: "tick",
          templates: [{
            name: "tick",
            container: {
              image: "busybox",
              command: ["sh", "-c"],
              args: ["for i in $(seq 1 16); do echo tick $i; sleep 0.5; done"],
            },
          }],
        },
      };
      await withBrowser(async (ctx) => {
        const page = await signedInPage(ctx, s);
        await page.goto(s.url + "/");
        // Submitted once the browser is up, so the step is still running when its panel opens.
        const created = await s.api("POST", "/api/v1/workflows/default", { workflow: wf });
        assert.equal(created.status, 200, JSON.stringify(created.body));
        await page.goto(s.url + "/workflows/default/ticker");
        await page.click("svg.graph g.node.t-pod");
        await page.waitForSelector("[data-log-state=following]");
        await logShows(page, "tick 2");
        const early = await page.locator("pre.log").innerText();
        assert.ok(!early.includes("tick 16"), `lines arrive while it runs, not at the end: ${early}`);
        await logShows(page, "tick 16", 60000);
        await page.waitForSelector("#workflow-phase[data-phase=Succeeded]");
        assert.deepEqual(errorsOf(page), []);
      });
    });
  },
});

Deno.test({
  name: "a suspended workflow (examples/suspend.yaml) is resumed from its page",
  ignore,
  async fn() {
    await withServer(async (s) => {
      const wf = parse(await Deno.readTextFile(new URL("../../examples/suspend.yaml", import.meta.url)));
      const created = await s.api<{ metadata: { name: string } }>("POST", "/api/v1/workflows/default", {
        workflow: wf,
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const name = created.body.metadata.name;
      await withBrowser(async (ctx) => {
        const page = await signedInPage(ctx, s);
        await page.goto(`${s.url}/workflows/default/${name}`);
        await page.waitForSelector("svg.graph g.node.t-suspend.suspended", { timeout: 30000 });
        const resume = page.locator("button[data-action=resume]");
        await resume.waitFor();
        assert.equal(await resume.isEnabled(), true);
        await screenshot(page, "suspended");
        await resume.click();
        await page.waitForSelector("#workflow-phase[data-phase=Succeeded]", { timeout: 60000 });
        await allNodes(page, "Succeeded", 6);
        assert.equal(await resume.isDisabled(), true, "nothing to resume any more");
        await screenshot(page, "resumed");
        assert.deepEqual(errorsOf(page), []);
      });
    });
  },
});

Deno.test({
  name: "templates and cron workflows: listed, shown as YAML; a template is submitted with a parameter",
  ignore,
  async fn() {
    await withServer(async (s) => {
      const say = {
        name: "main",
        inputs: { parameters: [{ name: "who" }] },
        container: { image: "busybox", command: ["echo"], args: ["hi {{inputs.parameters.who}}"] },
      };
      const tmpl = await s.api("POST", "/api/v1/workflow-templates/default", {
        template: {
          metadata: { name: "greeter" },
          spec: {
            entrypoint: "main",
            arguments: { parameters: [{ name: "who", value: "world" }] },
            templates: [{
              ...say,
              inputs: { parameters: [{ name: "who", value: "{{workflow.parameters.who}}" }] },
            }],
          },
        },
      });
      assert.equal(tmpl.status, 200, JSON.stringify(tmpl.body));
      const cron = await s.api("POST", "/api/v1/cron-workflows/default", {
        cronWorkflow: {
          metadata: { name: "nightly" },
          spec: {
            schedule: "0 3 * * *",
            workflowSpec: {
              entrypoint: "main",
              templates: [{ name: "main", container: { image: "busybox", command: ["true"] } }],
            },
          },
        },
      });
      assert.equal(cron.status, 200, JSON.stringify(cron.body));
      await withBrowser(async (ctx) => {
        const page = await signedInPage(ctx, s);
        await page.goto(s.url + "/cron-workflows");
        // The list as a user reads it: the columns, and the cron's row under them.
        await page.waitForSelector("table.grid td.name a:text-is('nightly')");
        assert.deepEqual(await page.locator("table.grid th").allTextContents(), [
          "Name",
          "Schedule",
          "Timezone",
          "State",
          "Last run",
          "Created",
        ]);
        assert.deepEqual(
          (await page.locator("table.grid tbody tr").first().locator("td").allTextContents()).slice(0, 4),
          ["nightly", "0 3 * * *", "-", "active"],
        );
        // An empty list says how to make the first object of its kind.
        await page.goto(s.url + "/cluster-workflow-templates");
        await page.waitForSelector("p.empty:has-text('None yet.')");
        assert.match(await page.locator("p.empty").textContent() ?? "", /kind: ClusterWorkflowTemplate/);
        await page.goto(s.url + "/cron-workflows");
        await page.click("a:text-is('nightly')");
        await page.waitForSelector(".editor.readonly .cm-content:has-text('schedule: 0 3 * * *')");
        await page.click("button:text-is('Suspend')");
        await page.waitForSelector(".badge.suspended");
        await screenshot(page, "cron");

        await page.click("header.top a:text-is('Templates')");
        await page.click("a:text-is('greeter')");
        await page.waitForSelector(".editor.readonly .cm-content:has-text('entrypoint: main')");
        await page.fill("fieldset.params input", "skiff");
        await screenshot(page, "template");
        await page.click("button:text-is('Submit')");
        await page.waitForURL(/\/workflows\/default\/greeter-\w+$/);
        await page.waitForSelector("#workflow-phase[data-phase=Succeeded]", { timeout: 60000 });
        await page.click("svg.graph g.node.t-pod");
        await logShows(page, "hi skiff");
        assert.deepEqual(errorsOf(page), []);
      });
    });
  },
});
