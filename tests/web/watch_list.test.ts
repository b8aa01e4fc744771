/**
 * A list, then a watch from its `metadata.resourceVersion` (what Argo's UI does): the watch sends
 * only what changed after the list, drops the nodes when `fields` says so, and a workflow that
 * stops matching the selector (its phase label changed) is DELETED from the watch.
 */
import assert from "node:assert/strict";
import type { Store } from "../../controller/local/store.ts";
import { echoWorkflow, phaseOf, readStream, withServer } from "./helpers.ts";

type Wf = { metadata: { name: string }; status?: { phase?: string; nodes?: unknown } };
type Event = { type: string; object: Wf };

/** The watch events of a stream until `stop` says enough. */
async function readEvents(res: Response, stop: (events: Event[]) => boolean): Promise<Event[]> {
  const results = (ms: { result: Event }[]) => ms.map((m) => m.result);
  return results(await readStream<{ result: Event }>(res, (ms) => stop(results(ms))));
}

function seed(store: Store): void {
  for (let i = 0; i < 300; i++) {
    store.createWorkflow(
      {
        metadata: { name: `old-${i}`, namespace: "default" },
        status: { phase: "Succeeded" },
      } as Parameters<Store["createWorkflow"]>[0],
    );
  }
}

Deno.test("a watch from a list's resourceVersion sends only later changes, without nodes when asked", async () => {
  await withServer(async (s) => {
    const list = await s.api<{ metadata: { resourceVersion: string }; items: Wf[] }>(
      "GET",
      "/api/v1/workflows/default?listOptions.limit=10&fields=metadata,items.metadata.name",
    );
    const rv = list.body.metadata.resourceVersion;
    assert.match(rv, /^\d+$/);
    const res = await s.fetch(
      `/api/v1/workflow-events/default?listOptions.resourceVersion=${rv}` +
        "&fields=-result.object.status.nodes",
      { headers: { accept: "application/json" } },
    );
    assert.equal(res.status, 200);
    await s.api("POST", "/api/v1/workflows/default", { workflow: echoWorkflow("fresh") });
    const events = await readEvents(res, (es) => es.some((e) => e.object.status?.phase === "Succeeded"));
    assert.deepEqual(
      [...new Set(events.map((e) => e.object.metadata.name))],
      ["fresh"],
      "none of the 300 old ones",
    );
    assert.equal(events[0]!.type, "ADDED");
    assert.ok(events.every((e) => e.object.status?.nodes === undefined), "fields dropped the nodes");
  }, { seed });
});

Deno.test("a workflow leaving the watched phase is DELETED from the watch; a bad resourceVersion is a 400", async () => {
  await withServer(async (s) => {
    const sel = encodeURIComponent("workflows.argoproj.io/phase in (Pending,Running)");
    const res = await s.fetch(`/api/v1/workflow-events/default?listOptions.labelSelector=${sel}`, {
      headers: { accept: "application/json" },
    });
    await s.api("POST", "/api/v1/workflows/default", { workflow: echoWorkflow("quick") });
    const events = await readEvents(res, (es) => es.some((e) => e.type === "DELETED"));
    assert.equal(events[0]!.type, "ADDED");
    const last = events.at(-1)!;
    assert.equal(last.type, "DELETED");
    assert.equal(last.object.status?.phase, "Succeeded");
    await phaseOf(s, "quick", "Succeeded");

    const bad = await s.api<{ code: number; message: string }>(
      "GET",
      "/api/v1/workflow-events/default?listOptions.resourceVersion=yesterday",
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 3);
    assert.match(
      bad.body.message,
      /listOptions\.resourceVersion must be the metadata\.resourceVersion of a list/,
    );
  }, { seed });
});

Deno.test("a workflow deleted between the list and the watch is DELETED on the watch", async () => {
  await withServer(async (s) => {
    const list = await s.api<{ metadata: { resourceVersion: string }; items: Wf[] }>(
      "GET",
      "/api/v1/workflows/default?listOptions.limit=5",
    );
    const deleted = await s.api("DELETE", "/api/v1/workflows/default/old-7");
    assert.equal(deleted.status, 200);
    const res = await s.fetch(
      `/api/v1/workflow-events/default?listOptions.resourceVersion=${list.body.metadata.resourceVersion}`,
      { headers: { accept: "application/json" } },
    );
    await s.api("POST", "/api/v1/workflows/default", { workflow: echoWorkflow("later") });
    const events = await readEvents(
      res,
      (es) => es.some((e) => e.object.metadata.name === "later" && e.object.status?.phase === "Succeeded"),
    );
    assert.equal(events[0]!.type, "DELETED");
    assert.equal(events[0]!.object.metadata.name, "old-7");
    assert.deepEqual([...new Set(events.slice(1).map((e) => e.object.metadata.name))], ["later"]);

    const stale = await s.api<{ code: number; message: string }>(
      "GET",
      "/api/v1/workflow-events/default?listOptions.resourceVersion=99999999",
    );
    assert.equal(stale.status, 400);
    assert.match(stale.body.message, /is not one this server gave/);
  }, { seed });
});
