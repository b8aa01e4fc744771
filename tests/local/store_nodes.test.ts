/**
 * A running workflow's nodes written as changes (controller/local/store_nodes.ts), as a reader of
 * the store sees them: whatever was written last is what any reader gets (this store, another
 * store on the same file as a restarted host or another process opens it, lists), through node
 * additions, changes, progress-only changes and removals, a rolled-back transaction and a write by
 * another process; and the changes go once the workflow is written whole.
 */
import assert from "node:assert/strict";
import { Store, type WorkflowObject } from "../../controller/local/store.ts";

interface Node {
  id: string;
  phase: string;
  children?: string[];
  progress?: string;
}
type Wf = WorkflowObject & {
  spec: { entrypoint: string; templates?: unknown[] };
  status?: { phase?: string; progress?: string; nodes?: Record<string, Node> };
};

function changeRows(store: Store, uid: string): number {
  return (store.db.prepare("SELECT COUNT(*) AS n FROM node_changes WHERE workflow_uid = ?").get(uid) as {
    n: number;
  }).n;
}

/** The next object as the engine makes it: a node that changes is a new object, the others are kept. */
function next(w: Wf, nodes: Record<string, Node>, phase = "Running"): Wf {
  return { ...w, status: { phase, progress: `${Object.keys(nodes).length}/9`, nodes } };
}

Deno.test("a running workflow's nodes written as changes read back as written, by this store and another", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-store-nodes-" });
  const store = Store.open(dir);
  const stored = store.createWorkflow<Wf>({
    metadata: { name: "chain" },
    // A spec of some size, as a real one has: the object is much larger than a step's change.
    spec: {
      entrypoint: "main",
      templates: [{ name: "main", script: { source: "echo hello\n".repeat(100) } }],
    },
    status: { phase: "Running", nodes: { chain: { id: "chain", phase: "Running", progress: "0/0" } } },
  });
  const uid = stored.uid;
  let w = stored.object;
  let version = stored.version;
  const write = (object: Wf) => {
    const done = store.updateWorkflow(uid, object, version);
    version = done.version;
    w = object;
  };
  const readers = () => {
    const other = Store.open(dir);
    try {
      return [
        store.getWorkflowByUid<Wf>(uid)!.object,
        other.getWorkflowByUid<Wf>(uid)!.object,
        other.getWorkflow<Wf>("default", "chain")!.object,
        other.listWorkflowPage<Wf>({}).items[0]!.object,
      ];
    } finally {
      other.close();
    }
  };
  const expectRead = (what: string) => {
    for (const read of readers()) assert.deepEqual(read, w, what);
  };

  // A chain of steps: each step adds a node, finishes the one before, and moves the progress of
  // every node before it (a copy of the node with another progress, as the engine makes it).
  for (let i = 0; i < 6; i++) {
    const nodes: Record<string, Node> = {};
    for (const [id, node] of Object.entries(w.status!.nodes!)) {
      nodes[id] = node.phase === "Running" && id !== "chain"
        ? { ...node, phase: "Succeeded", progress: "1/1" }
        : { ...node, progress: `${i}/${i + 1}` };
    }
    nodes[`s${i}`] = { id: `s${i}`, phase: "Running", progress: "0/1" };
    nodes.chain = { ...nodes.chain!, children: [...(nodes.chain!.children ?? []), `s${i}`] };
    write(next(w, nodes));
    expectRead(`after step ${i}`);
  }
  assert.ok(changeRows(store, uid) > 0, "no write was stored as changes");

  // A node removed (a retry forgets it).
  const { s5: _gone, ...kept } = w.status!.nodes!;
  write(next(w, kept));
  expectRead("after a node was removed");

  // A write rolled back: readers keep what was committed, and the next write is read right too.
  const committed = w;
  assert.throws(() =>
    store.transaction(() => {
      store.updateWorkflow(uid, next(w, { ...kept, s9: { id: "s9", phase: "Running" } }), version);
      throw new Error("rolled back");
    }), /rolled back/);
  for (const read of readers()) assert.deepEqual(read, committed, "a rolled-back write was read");
  write(next(w, { ...kept, s6: { id: "s6", phase: "Running" } }));
  expectRead("after a write that followed a rollback");

  // Another process writes (it changes a node), then this store writes over it without asking for
  // that version (last write wins): readers get exactly this store's object, not a mix of the two.
  const ours = w;
  const other = Store.open(dir);
  const theirs = next(w, { ...w.status!.nodes!, s0: { id: "s0", phase: "Failed" } });
  version = other.updateWorkflow(uid, theirs, version).version;
  other.close();
  w = theirs;
  expectRead("after another process wrote");
  w = next(ours, { ...ours.status!.nodes!, s8: { id: "s8", phase: "Pending" } });
  version = store.updateWorkflow(uid, w).version;
  expectRead("after this store wrote over the other's write");

  // Finished: written whole, the changes dropped.
  write(
    next(w, { ...w.status!.nodes!, chain: { ...w.status!.nodes!.chain!, phase: "Succeeded" } }, "Succeeded"),
  );
  assert.equal(changeRows(store, uid), 0, "changes are left after the workflow finished");
  expectRead("after the workflow finished");

  // Deleting the workflow removes its changes with it.
  assert.ok(store.deleteWorkflow("default", "chain"));
  assert.equal(changeRows(store, uid), 0);
  store.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("changes that would outgrow the object are not written: it is written whole again", () => {
  const store = Store.openFile(":memory:");
  const nodes = (n: number, phase: string): Record<string, Node> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`n${i}`, { id: `n${i}`, phase }]));
  const first = store.createWorkflow<Wf>({
    metadata: { name: "big" },
    spec: { entrypoint: "main" },
    status: { phase: "Running", nodes: nodes(20, "Pending") },
  });
  let version = first.version;
  let w = first.object;
  let most = 0;
  for (let i = 0; i < 10; i++) {
    // Every node changes at every write: each change is as large as the object's nodes.
    w = next(w, nodes(20, `Phase${i}`));
    version = store.updateWorkflow(first.uid, w, version).version;
    most = Math.max(most, changeRows(store, first.uid));
    assert.deepEqual(store.getWorkflowByUid<Wf>(first.uid)!.object, w);
  }
  assert.ok(most <= 1, `${most} changes were kept, larger together than the object`);
  store.close();
});
