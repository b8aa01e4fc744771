/**
 * The store's change numbers (what a list's resourceVersion is and a watch starts from): every
 * write and deletion gets the next one, even within one millisecond, and deletions are remembered
 * for watches for a day.
 */
import assert from "node:assert/strict";
import { Store, type WorkflowObject } from "../../controller/local/store.ts";
import { ChangesForgottenError, TOMBSTONE_KEEP_MS } from "../../controller/local/store_changes.ts";

const wf = (name: string, labels?: Record<string, string>): WorkflowObject => ({
  metadata: { name, namespace: "default", ...(labels ? { labels } : {}) },
  status: { phase: "Running" },
});

Deno.test("writes in one millisecond get increasing change numbers; a list's number separates them", () => {
  const frozen = new Date("2026-01-01T00:00:00.000Z");
  const store = Store.openFile(":memory:", { now: () => frozen });
  try {
    const a = store.createWorkflow(wf("a"));
    store.createWorkflow(wf("b"));
    const listed = store.changeSeq();
    store.updateWorkflow(a.uid, { ...a.object, status: { phase: "Succeeded" } });
    const after = store.workflowVersions({ namespace: "default" });
    assert.deepEqual(
      after.filter((r) => r.seq > listed).map((r) => r.name),
      ["a"],
      "the write made in the list's millisecond is after the list",
    );
    assert.equal(store.changeSeq(), listed + 1);
  } finally {
    store.close();
  }
});

Deno.test("a deletion leaves a tombstone with its labels and phase; after a day a watch from before is refused", () => {
  let now = Date.parse("2026-01-01T00:00:00Z");
  const store = Store.openFile(":memory:", { now: () => new Date(now) });
  try {
    store.createWorkflow(wf("gone", { team: "red" }));
    store.createWorkflow(wf("other", { team: "red" }));
    const listed = store.changeSeq();
    assert.ok(store.deleteWorkflow("default", "gone"));
    assert.equal(store.deleteWorkflow("default", "gone"), false, "deleting twice is not a change");
    const dead = store.deletedSince("default", listed);
    assert.deepEqual(
      dead.map((d) => ({ name: d.name, phase: d.phase, labels: d.labels, seq: d.seq })),
      [{ name: "gone", phase: "Running", labels: { team: "red" }, seq: listed + 1 }],
    );
    assert.deepEqual(store.deletedSince("default", listed + 1), []);
    assert.deepEqual(store.deletedSince("elsewhere", listed), []);

    now += TOMBSTONE_KEEP_MS + 1000;
    store.deleteWorkflow("default", "other"); // prunes the day-old tombstone
    assert.throws(() => store.deletedSince("default", listed), ChangesForgottenError);
    assert.deepEqual(store.deletedSince("default", listed + 1).map((d) => d.name), ["other"]);
  } finally {
    store.close();
  }
});
