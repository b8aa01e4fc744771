/**
 * The workflow list is live, in a real browser: a workflow submitted after the page loaded
 * appears on it and turns Succeeded without a reload; a deleted one goes away; a filtered list
 * drops a workflow that leaves the filtered phase. The page reads one page of the list, never the
 * polling it did before (no list request after the first).
 */
import assert from "node:assert/strict";
import { echoWorkflow, withServer } from "../web/helpers.ts";
import {
  errorsOf,
  finishedWorkflow,
  insertWorkflows,
  screenshot,
  signedInPage,
  SKIP_REASON,
  withBrowser,
} from "./harness.ts";

const ignore = SKIP_REASON !== undefined;

/** A one-step workflow that takes a moment, so it is seen Running first. */
function slowWorkflow(name: string) {
  const wf = echoWorkflow(name);
  wf.spec.templates[0]!.container = {
    image: "busybox",
    command: ["sh", "-c"],
    args: ["sleep 1.5; echo done"],
  };
  return wf;
}

Deno.test({
  name: "live list: a workflow submitted after the page loaded appears and turns Succeeded without a reload",
  ignore,
  async fn() {
    await withServer(async (s) => {
      insertWorkflows(
        s.dataDir,
        Array.from(
          { length: 120 },
          (_, i) => finishedWorkflow(`old-${String(i).padStart(3, "0")}`, "Succeeded", 600 + i),
        ),
      );
      await withBrowser(async (ctx) => {
        const page = await signedInPage(ctx, s);
        const lists: string[] = [];
        page.on("request", (r) => {
          if (/\/api\/v1\/workflows\/default\?/.test(r.url())) lists.push(r.url());
        });
        await page.goto(s.url + "/workflows/default");
        const rows = page.locator("table.workflows tbody tr");
        await page.waitForSelector("tr[data-name='old-000']");
        assert.equal(await rows.count(), 50, "one page, not all 120");
        await page.waitForSelector(".pager .live.on");

        await s.api("POST", "/api/v1/workflows/default", { workflow: slowWorkflow("fresh") });
        const fresh = page.locator("tr[data-name='fresh']");
        await fresh.waitFor({ timeout: 20000 });
        assert.equal(await rows.first().getAttribute("data-name"), "fresh", "newest first");
        await page.waitForSelector("tr[data-name='fresh'].phase-succeeded", { timeout: 30000 });
        assert.equal(await fresh.locator("td.phase").innerText(), "Succeeded");
        assert.equal(await fresh.locator(".progress").innerText(), "1/1");
        await screenshot(page, "live-list-succeeded");

        await s.api("DELETE", "/api/v1/workflows/default/old-001");
        await page.waitForSelector("tr[data-name='old-001']", { state: "detached", timeout: 20000 });
        assert.equal(lists.length, 1, `one list request, then only events: ${lists.join(" ")}`);
        assert.match(lists[0]!, /fields=/, "the list asks for what it shows, not the nodes");
        assert.deepEqual(errorsOf(page), []);
      });
    });
  },
});

Deno.test({
  name: "live list: filtered to Running, a workflow shows while it runs and leaves when it succeeds",
  ignore,
  async fn() {
    await withServer(async (s) => {
      insertWorkflows(s.dataDir, [finishedWorkflow("done-before", "Succeeded", 60)]);
      await withBrowser(async (ctx) => {
        const page = await signedInPage(ctx, s);
        await page.goto(s.url + "/workflows/default?phase=Running");
        await page.waitForSelector(".pager .live.on");
        await page.getByText("No workflows match these filters").waitFor();

        await s.api("POST", "/api/v1/workflows/default", { workflow: slowWorkflow("runner") });
        await page.waitForSelector("tr[data-name='runner'].phase-running", { timeout: 20000 });
        await page.waitForSelector("tr[data-name='runner']", { state: "detached", timeout: 30000 });
        assert.equal(await page.locator("tr[data-name='done-before']").count(), 0);
        assert.deepEqual(errorsOf(page), []);
      });
    });
  },
});
