/**
 * The store's listing in SQL (`listWorkflowPage`) and the upgrade of a data directory written by
 * the schema before it (2): the old file opens, keeps its workflows, logs and order, and lists.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Store, type WorkflowObject } from "../../controller/local/store.ts";

type Wf = WorkflowObject & {
  metadata: { labels?: Record<string, string> };
  status?: { phase?: string; nodes?: unknown };
};

const wf = (name: string, phase: string, labels: Record<string, string> = {}): Wf => ({
  metadata: { name, labels, creationTimestamp: "2026-01-01T00:00:00Z" },
  status: { phase, nodes: { [name]: { id: name, phase } } },
});

Deno.test("listWorkflowPage: labels (own and phase-derived), names, cursor, summaries", () => {
  const store = Store.openFile(":memory:");
  store.createWorkflow(wf("a", "Succeeded", { app: "x" }));
  store.createWorkflow(wf("b", "", { app: "y" }));
  store.createWorkflow(wf("c", "Running", { "workflows.argoproj.io/phase": "Custom" }));
  store.createWorkflow(wf("d", "Failed"));
  const names = (q: Parameters<Store["listWorkflowPage"]>[0]) =>
    store.listWorkflowPage(q).items.map((w) => w.name);
  assert.deepEqual(names({}), ["d", "c", "b", "a"], "same creation time: the newest row first");
  assert.deepEqual(names({ labels: [{ key: "app", op: "=", value: "x" }] }), ["a"]);
  assert.deepEqual(names({ labels: [{ key: "app", op: "!=", value: "x" }] }), ["d", "c", "b"]);
  assert.deepEqual(names({ labels: [{ key: "app", op: "exists" }] }), ["b", "a"]);
  assert.deepEqual(names({ labels: [{ key: "app", op: "!exists" }] }), ["d", "c"]);
  assert.deepEqual(
    names({
      labels: [{ key: "workflows.argoproj.io/phase", op: "in", values: ["Pending", "Custom", "Failed"] }],
    }),
    ["d", "c", "b"],
    "not started is Pending; a workflow's own phase label wins",
  );
  assert.deepEqual(
    names({ labels: [{ key: "workflows.argoproj.io/completed", op: "=", value: "true" }] }),
    ["d", "a"],
  );
  assert.deepEqual(names({ fields: [{ field: "metadata.name", op: "!=", value: "c" }] }), ["d", "b", "a"]);

  const p1 = store.listWorkflowPage({ limit: 3, countRemaining: true });
  assert.deepEqual(p1.items.map((w) => w.name), ["d", "c", "b"]);
  assert.equal(p1.remaining, 1);
  const p2 = store.listWorkflowPage({ limit: 3, after: p1.next! });
  assert.deepEqual(p2.items.map((w) => w.name), ["a"]);
  assert.equal(p2.next, undefined);

  const lean = store.listWorkflowPage<Wf>({ withoutNodes: true, limit: 1 }).items[0]!.object;
  assert.equal(lean.status?.phase, "Failed");
  assert.equal(lean.status?.nodes, undefined);
  // The summary follows every write of the object.
  const d = store.getWorkflow<Wf>("default", "d")!;
  store.updateWorkflow(d.uid, { ...d.object, metadata: { ...d.object.metadata, labels: { app: "z" } } });
  assert.deepEqual(names({ labels: [{ key: "app", op: "=", value: "z" }] }), ["d"]);
  store.close();
});

/** The tables of schema 2, as the skiff before this change created them. */
const SCHEMA_2 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE workflows (
  uid TEXT PRIMARY KEY, namespace TEXT NOT NULL, name TEXT NOT NULL, phase TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL, updated TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1, object TEXT NOT NULL,
  UNIQUE (namespace, name)
);
CREATE INDEX workflows_phase ON workflows (phase, created);
CREATE INDEX workflows_created ON workflows (created);
CREATE TABLE observations (
  workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE, node_id TEXT NOT NULL,
  observation TEXT NOT NULL, updated TEXT NOT NULL, PRIMARY KEY (workflow_uid, node_id)
);
CREATE TABLE logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE,
  node_id TEXT NOT NULL, time TEXT NOT NULL, text TEXT NOT NULL
);
CREATE INDEX logs_node ON logs (workflow_uid, node_id, id);
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE,
  time TEXT NOT NULL, type TEXT NOT NULL, reason TEXT NOT NULL, message TEXT NOT NULL, node_id TEXT
);
CREATE TABLE actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE,
  action TEXT NOT NULL, created TEXT NOT NULL, done TEXT
);
CREATE TABLE node_attempts (
  workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE, node_id TEXT NOT NULL,
  attempt INTEGER NOT NULL, cleanup_pending INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (workflow_uid, node_id)
);
INSERT INTO meta (key, value) VALUES ('schema', '2');
`;

Deno.test("a data directory of schema 2 opens: workflows, logs and order kept, lists by label, numbers changes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-store-v2-" });
  try {
    const old = new DatabaseSync(`${dir}/skiff.db`);
    old.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;");
    old.exec(SCHEMA_2);
    const insert = old.prepare(
      "INSERT INTO workflows (uid, namespace, name, phase, created, updated, version, object) VALUES (?, 'default', ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z', 3, ?)",
    );
    // Inserted in this order with one creation time: the list's order is the insertion order.
    for (
      const [uid, name, phase, team] of [["u1", "old-1", "Succeeded", "red"], [
        "u2",
        "old-2",
        "Failed",
        "blue",
      ]]
    ) {
      const object = {
        metadata: { name, namespace: "default", uid, labels: { team } },
        status: { phase, nodes: {} },
      };
      insert.run(uid!, name!, phase!, JSON.stringify(object));
    }
    old.prepare("INSERT INTO logs (workflow_uid, node_id, time, text) VALUES ('u1', 'n', 't', 'hello\n')")
      .run();
    old.close();

    const store = Store.open(dir);
    assert.equal(
      (store.db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string }).value,
      "5",
    );
    assert.deepEqual(store.listWorkflows().map((w) => w.name), ["old-2", "old-1"]);
    assert.deepEqual(
      store.listWorkflowPage({ labels: [{ key: "team", op: "=", value: "red" }] }).items.map((w) => w.name),
      ["old-1"],
    );
    assert.equal(store.getWorkflow("default", "old-2")?.version, 3);
    assert.equal(store.logText("u1", "n"), "hello\n");
    // Foreign keys still hold on the rebuilt table: deleting a workflow deletes its logs.
    assert.ok(store.deleteWorkflow("default", "old-1"));
    assert.equal(store.logText("u1", "n"), "");
    // New workflows get the generated columns as well, and changes are numbered from there.
    const before = store.changeSeq();
    store.createWorkflow({ metadata: { name: "new", labels: { team: "red" } } });
    assert.equal(store.changeSeq(), before + 1);
    assert.deepEqual(
      store.listWorkflowPage({ labels: [{ key: "team", op: "=", value: "red" }] }).items.map((w) => w.name),
      ["new"],
    );
    store.close();
    // Opening it again does not migrate again.
    Store.open(dir).close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
