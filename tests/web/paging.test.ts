/**
 * Listing many workflows over HTTP: 2,500 stored workflows walked in pages (`listOptions.limit`
 * and `continue`) exactly once each, newest first; selectors and the phase label with paging;
 * Argo's `fields`; and a continue token the server did not give is a 400 in Argo's shape.
 */
import assert from "node:assert/strict";
import type { Store } from "../../controller/local/store.ts";
import { type TestServer, withServer } from "./helpers.ts";

interface Item {
  metadata: { name: string; uid?: string; labels?: Record<string, string> };
  status?: { phase?: string; nodes?: Record<string, unknown> };
  spec?: unknown;
}
interface List {
  metadata: { continue?: string; remainingItemCount?: number; resourceVersion?: string };
  items: Item[] | null;
}

const TOTAL = 2500;
const base = Date.parse("2026-03-01T00:00:00Z");
const name = (i: number) => `wf-${String(i).padStart(5, "0")}`;
const team = (i: number) => (i % 3 === 0 ? "red" : "blue");
const phase = (i: number) => (i % 5 === 0 ? "Failed" : i % 7 === 0 ? "Error" : "Succeeded");

/** 2,500 finished workflows in "default" (ten per second, so creation times tie) and 40 in "other". */
function seed(store: Store): void {
  for (let i = 0; i < TOTAL + 40; i++) {
    const ns = i < TOTAL ? "default" : "other";
    store.createWorkflow(
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: {
          name: name(i),
          namespace: ns,
          creationTimestamp: new Date(base + Math.floor(i / 10) * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
          labels: { team: team(i), ...(i % 4 === 0 ? { tier: "gold" } : {}) },
        },
        spec: { entrypoint: "main", templates: [{ name: "main", container: { image: "busybox" } }] },
        status: {
          phase: phase(i),
          nodes: { [name(i)]: { id: name(i), name: name(i), type: "Pod", phase: phase(i) } },
        },
      } as Parameters<Store["createWorkflow"]>[0],
    );
  }
}

/** Every page of a list, following `metadata.continue`; checks each page's size and count. */
async function walk(
  s: TestServer,
  query: string,
  limit: number,
): Promise<{ names: string[]; pages: List[] }> {
  const names: string[] = [];
  const pages: List[] = [];
  let token: string | undefined = "";
  while (token !== undefined) {
    const q: string = `${query}&listOptions.limit=${limit}${
      token ? `&listOptions.continue=${encodeURIComponent(token)}` : ""
    }`;
    const r: { status: number; body: List } = await s.api<List>("GET", `/api/v1/workflows/default?${q}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    pages.push(r.body);
    names.push(...(r.body.items ?? []).map((w) => w.metadata.name));
    token = r.body.metadata.continue;
    if (token !== undefined) {
      assert.equal(r.body.items?.length, limit, "a page with more after it is full");
    }
    assert.ok(pages.length <= TOTAL, "the walk ends");
  }
  return { names, pages };
}

/** Names of the seeded "default" workflows matching `pred`, in the list's order (newest first). */
const expected = (pred: (i: number) => boolean) =>
  Array.from({ length: TOTAL }, (_, i) => TOTAL - 1 - i).filter(pred).map(name);

Deno.test("GET /api/v1/workflows/{ns} with 2,500 workflows: pages, filters, fields, bad tokens", async (t) => {
  await withServer(async (s) => {
    await t.step("pages of 100 walk all 2,500 exactly once, newest first", async () => {
      const { names, pages } = await walk(s, "fields=-items.status.nodes", 100);
      assert.equal(pages.length, 25);
      assert.equal(new Set(names).size, TOTAL);
      assert.deepEqual(names, expected(() => true));
      assert.equal(pages[0]!.metadata.remainingItemCount, 2400);
      assert.equal(pages[23]!.metadata.remainingItemCount, 100);
      assert.equal(pages[24]!.metadata.remainingItemCount, undefined);
    });

    await t.step("a label selector, the phase label and paging: every page full, nothing twice", async () => {
      const sel = encodeURIComponent("team=red,workflows.argoproj.io/phase in (Failed,Error)");
      const { names, pages } = await walk(s, `listOptions.labelSelector=${sel}`, 7);
      const want = expected((i) => team(i) === "red" && phase(i) !== "Succeeded");
      assert.ok(want.length > 100, `${want.length} matches`);
      assert.deepEqual(names, want);
      assert.equal(pages[0]!.metadata.remainingItemCount, want.length - 7);
      for (const p of pages) {
        for (const w of p.items ?? []) assert.notEqual(w.status?.phase, "Succeeded");
      }
    });

    await t.step("notin, !key, completed and field selectors with paging", async () => {
      const sel = encodeURIComponent("team notin (red),!tier,workflows.argoproj.io/completed=true");
      const fieldSel = encodeURIComponent(`metadata.name!=${name(2499)}`);
      const { names } = await walk(
        s,
        `listOptions.labelSelector=${sel}&listOptions.fieldSelector=${fieldSel}`,
        50,
      );
      assert.deepEqual(names, expected((i) => team(i) === "blue" && i % 4 !== 0 && i !== 2499));
    });

    await t.step("another namespace lists only its own", async () => {
      const r = await s.api<List>("GET", "/api/v1/workflows/other?listOptions.limit=100");
      assert.equal(r.body.items?.length, 40);
      assert.equal(r.body.metadata.continue, undefined);
    });

    await t.step("fields: whole objects by default; -items.status.nodes drops the nodes only", async () => {
      const whole = await s.api<List>("GET", "/api/v1/workflows/default?listOptions.limit=2");
      assert.ok(whole.body.items![0]!.status?.nodes, "nodes without fields, as Argo's list");
      const lean = await s.api<List>(
        "GET",
        "/api/v1/workflows/default?listOptions.limit=2&fields=-items.status.nodes",
      );
      const item = lean.body.items![0]!;
      assert.equal(item.metadata.name, name(TOTAL - 1));
      assert.equal(item.status?.phase, phase(TOTAL - 1));
      assert.equal(item.status?.nodes, undefined);
      assert.ok(item.spec, "only the nodes are dropped");
      assert.ok(lean.body.metadata.continue);
    });

    await t.step("fields listing what to keep: only those, and the list metadata when asked", async () => {
      const r = await s.api<List>(
        "GET",
        "/api/v1/workflows/default?listOptions.limit=2&fields=metadata,items.metadata.name,items.status.phase",
      );
      assert.deepEqual(r.body.items, [
        { metadata: { name: name(2499) }, status: { phase: phase(2499) } },
        { metadata: { name: name(2498) }, status: { phase: phase(2498) } },
      ]);
      assert.ok(r.body.metadata.continue);
    });

    await t.step(
      "a workflow deleted between two pages: the next page starts right after the last one",
      async () => {
        const p1 = await s.api<List>("GET", "/api/v1/workflows/default?listOptions.limit=3");
        const last = p1.body.items![2]!.metadata.name;
        assert.equal((await s.api("DELETE", `/api/v1/workflows/default/${last}`)).status, 200);
        const p2 = await s.api<List>(
          "GET",
          `/api/v1/workflows/default?listOptions.limit=3&listOptions.continue=${p1.body.metadata.continue}`,
        );
        assert.deepEqual(p2.body.items!.map((w) => w.metadata.name), [name(2496), name(2495), name(2494)]);
      },
    );

    await t.step(
      "a continue token the server did not give is a 400 with Argo's {code, message}",
      async () => {
        for (const token of ["garbage", btoa(JSON.stringify({ after: "x", index: 3 })), "%%%"]) {
          const r = await s.api<{ code: number; message: string }>(
            "GET",
            `/api/v1/workflows/default?listOptions.limit=5&listOptions.continue=${encodeURIComponent(token)}`,
          );
          assert.equal(r.status, 400, token);
          assert.equal(r.body.code, 3);
          assert.match(
            r.body.message,
            /^listOptions\.continue ".*" is not a token this server gave; use the metadata\.continue of the previous page, or list again without it$/,
          );
        }
      },
    );
  }, { seed });
});
