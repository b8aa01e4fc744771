/** The local store on a real SQLite file in a temp dir. */
import assert from "node:assert/strict";
import { ConflictError, Store, type WorkflowObject } from "../../controller/local/store.ts";
import type { Action } from "../../controller/engine/actions.ts";

async function openStore() {
  const dir = await Deno.makeTempDir({ prefix: "skiff-store-" });
  return { dir, store: Store.open(dir) };
}

type TestWorkflow = WorkflowObject & { apiVersion: string; kind: string; spec: { entrypoint: string } };

const wf = (name: string, phase?: string, namespace?: string): TestWorkflow => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { name, ...(namespace ? { namespace } : {}) },
  spec: { entrypoint: "main" },
  ...(phase ? { status: { phase } } : {}),
});

Deno.test("the store is one SQLite file in the data dir, in WAL mode", async () => {
  const { dir, store } = await openStore();
  assert.equal(store.journalMode(), "wal");
  assert.ok((await Deno.stat(`${dir}/skiff.db`)).isFile);
  store.close();
});

Deno.test("workflows: created with uid and timestamp, read back whole, listed newest first with filters", async () => {
  let t = Date.parse("2026-01-01T00:00:00Z");
  const dir = await Deno.makeTempDir({ prefix: "skiff-store-" });
  const store = Store.open(dir, { now: () => new Date(t += 1000) });
  const a = store.createWorkflow(wf("a", "Running"));
  store.createWorkflow(wf("b", "Succeeded"));
  store.createWorkflow(wf("c", "Running", "other"));
  assert.match(a.uid, /^[0-9a-f-]{36}$/);
  assert.equal(a.object.metadata.namespace, "default");
  assert.equal(a.object.metadata.creationTimestamp, "2026-01-01T00:00:01Z");
  assert.deepEqual(store.getWorkflow<TestWorkflow>("default", "a")?.object.spec, { entrypoint: "main" });
  assert.deepEqual(store.listWorkflows().map((w) => w.name), ["c", "b", "a"]);
  assert.deepEqual(store.listWorkflows({ phases: ["Running"] }).map((w) => w.name), ["c", "a"]);
  assert.deepEqual(store.listWorkflows({ namespace: "default", limit: 1 }).map((w) => w.name), ["b"]);
  assert.throws(() => store.createWorkflow(wf("a")), ConflictError);
  store.close();
});

Deno.test("updates bump the version; a stale version is a conflict", async () => {
  const { store } = await openStore();
  const w = store.createWorkflow(wf("w"));
  const next = store.updateWorkflow(w.uid, { ...w.object, status: { phase: "Running" } }, w.version);
  assert.equal(next.version, 2);
  assert.equal(next.phase, "Running");
  assert.throws(() => store.updateWorkflow(w.uid, w.object, w.version), ConflictError);
  // The version alone (what `skiff run` asks each tick before reading the workflow again).
  assert.equal(store.workflowVersion("default", "w"), 2);
  assert.equal(store.workflowVersion("default", "nope"), undefined);
  store.close();
});

Deno.test("a transition and its actions are written together; pending ones survive a reopen", async () => {
  const { dir, store } = await openStore();
  const w = store.createWorkflow(wf("t"));
  const actions: Action[] = [
    { type: "wake", at: "2026-01-01T00:00:10Z" },
    { type: "kill", nodeId: "t-1", podName: "t-main-1", reason: "Stopped" },
  ];
  const { actions: recorded } = store.commitTransition(
    w.uid,
    { ...w.object, status: { phase: "Running" } },
    actions,
    1,
  );
  store.markActionDone(recorded[0]!.id);
  store.close();

  const again = Store.open(dir);
  assert.equal(again.getWorkflow("default", "t")?.phase, "Running");
  assert.deepEqual(again.pendingActions().map((a) => a.action), [actions[1]]);
  // A transition from a stale version writes nothing at all.
  assert.throws(() => again.commitTransition(w.uid, w.object, [{ type: "wake", at: "x" }], 1), ConflictError);
  assert.equal(again.pendingActions(w.uid).length, 1);
  assert.equal(again.getWorkflow("default", "t")?.version, 2);
  again.close();
});

Deno.test("a transaction that throws leaves nothing behind", async () => {
  const { store } = await openStore();
  assert.throws(() =>
    store.transaction(() => {
      store.createWorkflow(wf("gone"));
      throw new Error("boom");
    }), /boom/);
  assert.equal(store.getWorkflow("default", "gone"), undefined);
  store.close();
});

Deno.test("observations are upserted per node; logs append in order; events list", async () => {
  const { store } = await openStore();
  const w = store.createWorkflow(wf("o"));
  store.putObservation(w.uid, "o-1", { phase: "Running", startedAt: "2026-01-01T00:00:00Z" });
  store.putObservation(w.uid, "o-1", { phase: "Succeeded", exitCode: 0, stdout: "hi\n" });
  store.putObservation(w.uid, "o-2", { phase: "Pending" });
  assert.deepEqual(store.observations(w.uid), {
    "o-1": { phase: "Succeeded", exitCode: 0, stdout: "hi\n" },
    "o-2": { phase: "Pending" },
  });
  const first = store.appendLog(w.uid, "o-1", "line 1\n");
  store.appendLog(w.uid, "o-1", "line 2\n");
  store.appendLog(w.uid, "o-2", "other\n");
  assert.equal(store.logText(w.uid, "o-1"), "line 1\nline 2\n");
  assert.deepEqual(store.logEntries(w.uid, "o-1", first).map((e) => e.text), ["line 2\n"]);
  store.addEvent(w.uid, { reason: "WorkflowRunning", message: "Workflow Running" });
  store.addEvent(w.uid, {
    type: "Warning",
    reason: "WorkflowNodeFailed",
    message: "Failed node o-1",
    nodeId: "o-1",
  });
  assert.deepEqual(store.events(w.uid).map((e) => [e.type, e.reason, e.nodeId]), [
    ["Normal", "WorkflowRunning", undefined],
    ["Warning", "WorkflowNodeFailed", "o-1"],
  ]);
  assert.equal(store.deleteWorkflow("default", "o"), true);
  assert.deepEqual(store.observations(w.uid), {});
  assert.equal(store.logText(w.uid, "o-1"), "");
  store.close();
});

Deno.test("a second connection reads committed writes (WAL readers do not block the writer)", async () => {
  const { dir, store } = await openStore();
  const reader = Store.open(dir);
  const w = store.createWorkflow(wf("shared"));
  assert.equal(reader.getWorkflow("default", "shared")?.uid, w.uid);
  reader.db.exec("BEGIN");
  reader.listWorkflows(); // a read transaction stays open...
  store.updateWorkflow(w.uid, { ...w.object, status: { phase: "Succeeded" } }); // ...and the writer is not blocked
  reader.db.exec("COMMIT");
  assert.equal(reader.getWorkflow("default", "shared")?.phase, "Succeeded");
  reader.close();
  store.close();
});
