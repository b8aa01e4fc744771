/**
 * The UI at scale, in a real browser: a list over 10,000 workflows (server-side pages) and a
 * workflow of 2,000 nodes (laid out, drawn, and kept live as all its nodes change phase). Prints
 * what it measured; the limits asserted are loose (shared CI machines), the printed numbers are
 * the point.
 */
import assert from "node:assert/strict";
import { Store } from "../../controller/local/store.ts";
import type { Workflow } from "../../web/ui/client/types.ts";
import { withServer } from "../web/helpers.ts";
import type { Page } from "./deps.ts";
import { bigWorkflow } from "./fixtures.ts";
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

type Dom = {
  document: { querySelectorAll(sel: string): ArrayLike<{ classList: { contains(c: string): boolean } }> };
};

function since(t: number): number {
  return Math.round(performance.now() - t);
}

function allNodes(page: Page, cls: string, count: number) {
  return page.waitForFunction(
    ([cls, count]) => {
      const nodes = Array.from((globalThis as unknown as Dom).document.querySelectorAll("svg.graph g.node"));
      return nodes.length === Number(count) && nodes.every((e) => e.classList.contains(String(cls)));
    },
    [cls, count] as const,
    { timeout: 60000 },
  );
}

Deno.test({
  name:
    "scale: the list over 10,000 workflows pages from the server; a 2,000-node graph draws and stays live",
  ignore,
  async fn() {
    await withServer(async (s) => {
      let t = performance.now();
      const many = Array.from(
        { length: 10_000 },
        (_, i) =>
          finishedWorkflow(
            `bulk-${String(i).padStart(5, "0")}`,
            i % 10 === 0 ? "Failed" : "Succeeded",
            60 + i,
            {
              batch: String(i % 7),
            },
          ),
      );
      insertWorkflows(s.dataDir, many);
      const big = bigWorkflow("big-graph", 2000, "nested");
      for (const n of Object.values(big.status!.nodes!)) n.phase = "Running";
      insertWorkflows(s.dataDir, [big]);
      const nodeCount = Object.keys(big.status!.nodes!).length;
      console.log(`stored 10,001 workflows in ${since(t)} ms`);

      t = performance.now();
      const first = await s.api<{ items: unknown[]; metadata: { continue?: string } }>(
        "GET",
        "/api/v1/workflows/default?listOptions.limit=50",
      );
      const apiFirst = since(t);
      assert.equal(first.body.items.length, 50);
      t = performance.now();
      const second = await s.api<{ items: unknown[] }>(
        "GET",
        `/api/v1/workflows/default?listOptions.limit=50&listOptions.continue=${first.body.metadata.continue}`,
      );
      const apiSecond = since(t);
      assert.equal(second.body.items.length, 50);
      console.log(`API: a page of 50 of 10,001 in ${apiFirst} ms, the next page in ${apiSecond} ms`);

      await withBrowser(async (ctx) => {
        const page = await signedInPage(ctx, s);
        t = performance.now();
        await page.goto(`${s.url}/workflows/default`);
        await page.waitForSelector("table.workflows tbody tr[data-name='bulk-00000']");
        const listMs = since(t);
        assert.equal(await page.locator("table.workflows tbody tr").count(), 50);
        t = performance.now();
        await page.click("text=Older ›");
        await page.waitForSelector("tr[data-name='bulk-00049']");
        const nextMs = since(t);
        t = performance.now();
        await page.click("label.chip:has-text('Failed')");
        await page.waitForSelector("tr[data-name='bulk-00010']");
        const filterMs = since(t);
        console.log(
          `UI list of 10,001: first page shown in ${listMs} ms (page load included), next page in ${nextMs} ms, ` +
            `phase filter in ${filterMs} ms`,
        );
        await screenshot(page, "scale-list");
        assert.ok(listMs < 20000 && nextMs < 20000 && filterMs < 20000);

        t = performance.now();
        await page.goto(`${s.url}/workflows/default/big-graph`);
        await allNodes(page, "phase-running", nodeCount);
        const drawMs = since(t);
        const layoutText = await page.locator("[data-layout=done]").innerText();
        console.log(
          `UI graph of ${nodeCount} nodes: drawn in ${drawMs} ms (page load included; ${layoutText})`,
        );
        await screenshot(page, "scale-graph");

        // Every node changes phase at once: the page hears it through the event stream and recolors.
        const store = Store.open(s.dataDir);
        try {
          const stored = store.getWorkflow<Workflow>("default", "big-graph")!;
          const next = structuredClone(stored.object);
          for (const n of Object.values(next.status!.nodes!)) n.phase = "Succeeded";
          t = performance.now();
          store.updateWorkflow(stored.uid, next);
        } finally {
          store.close();
        }
        await allNodes(page, "phase-succeeded", nodeCount);
        const liveMs = since(t);
        console.log(`UI graph of ${nodeCount} nodes: all recolored ${liveMs} ms after the store changed`);

        // A node found by name (one loop item of 399) is shown and its panel opens.
        await page.fill("input[aria-label='find node']", "process(321:");
        await page.press("input[aria-label='find node']", "Enter");
        await page.waitForSelector(".panel h2:has-text('process(321:item-321)')");
        await screenshot(page, "scale-graph-node");
        assert.ok(drawMs < 30000 && liveMs < 30000);
        assert.deepEqual(errorsOf(page), []);
      });
    });
  },
});
