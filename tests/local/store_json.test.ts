/** The store's workflow texts: what JSON.stringify gives, with node JSON kept between writes. */
import assert from "node:assert/strict";
import { WorkflowJson } from "../../controller/local/store_json.ts";
import { Store } from "../../controller/local/store.ts";

/** What the store wrote before keeping node texts: the object, and the object without status.nodes. */
function plain(object: Record<string, unknown>): { object: string; summary: string } {
  const status = object.status as Record<string, unknown> | undefined;
  if (!status || !("nodes" in status)) {
    const text = JSON.stringify(object);
    return { object: text, summary: text };
  }
  const { nodes: _nodes, ...rest } = status;
  return { object: JSON.stringify(object), summary: JSON.stringify({ ...object, status: rest }) };
}

Deno.test("workflow texts are exactly JSON.stringify's, whatever the object holds", () => {
  const json = new WorkflowJson();
  const node = { id: "a", name: "wf", phase: "Running", message: undefined, children: ["b"] };
  const objects: Record<string, unknown>[] = [
    { metadata: { name: "wf" }, spec: { entrypoint: "main" } },
    { metadata: { name: "wf" }, status: { phase: "Running" } },
    { metadata: { name: "wf" }, status: undefined, spec: { x: undefined } },
    {
      kind: "Workflow",
      metadata: { name: "wf", labels: { a: "b" } },
      spec: { entrypoint: "main", templates: [{ name: "main" }] },
      status: {
        phase: "Running",
        startedAt: "2026-01-01T00:00:00Z",
        message: undefined,
        // ids that look like array indices come first, as JSON.stringify puts them
        nodes: { a: node, "2": { ...node, id: "2" }, "1": { ...node, id: "1", outputs: { result: 'q"\n' } } },
        progress: "0/1",
      },
    },
    { metadata: { name: "wf" }, status: { nodes: null, phase: "Pending" } },
    { metadata: { name: "wf" }, status: { nodes: {} } },
    { metadata: { name: "wf" }, status: { nodes: { a: undefined, b: node } } },
    { metadata: { name: "wf" }, status: { startedAt: new Date(0), nodes: { b: node } } },
  ];
  for (const o of objects) {
    assert.deepEqual(json.texts(o), plain(o));
    assert.deepEqual(json.texts(o), plain(o), "and again, from the kept node texts");
  }
});

Deno.test("a workflow written step after step reads back as it was written, nodes new and old", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-store-json-" });
  const store = Store.open(dir);
  const wf = store.createWorkflow({ metadata: { name: "wf" }, status: { phase: "Running" } });
  let nodes: Record<string, { id: string; phase: string }> = {};
  let version = wf.version;
  let spec: { parallelism: number } = { parallelism: 1 };
  for (let i = 0; i < 5; i++) {
    // As the engine does: finished nodes are the same objects, a changed node a new one; and as
    // the host does, the same spec object until a user changes it (then a new one).
    nodes = { ...nodes, [`n${i}`]: { id: `n${i}`, phase: "Running" } };
    if (i > 0) nodes[`n${i - 1}`] = { ...nodes[`n${i - 1}`]!, phase: "Succeeded" };
    if (i === 3) spec = { parallelism: 2 };
    const object = { ...wf.object, spec, status: { phase: "Running", nodes } };
    version = store.updateWorkflow(wf.uid, object, version).version;
    assert.deepEqual(store.getWorkflowByUid(wf.uid)!.object, object);
    assert.deepEqual(store.getWorkflowByUid(wf.uid, { withoutNodes: true })!.object, {
      ...wf.object,
      spec,
      status: { phase: "Running" },
    });
  }
  store.close();
  await Deno.remove(dir, { recursive: true });
});
