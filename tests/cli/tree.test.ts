/** `skiff get`'s header and node tree, as Argo's CLI prints them, from a fixed status. */
import assert from "node:assert/strict";
import type { Workflow } from "../../controller/spec/types.ts";
import { printTree, printWorkflow, workflowStatus } from "../../cli/tree.ts";

const T = (s: number) => new Date(Date.UTC(2024, 0, 2, 3, 4, s)).toISOString().replace(".000", "");

const wf: Workflow = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { name: "wf", namespace: "default", creationTimestamp: T(0) },
  spec: { entrypoint: "main", arguments: { parameters: [{ name: "msg", value: "hi" }] } },
  status: {
    phase: "Failed",
    startedAt: T(0),
    finishedAt: T(9),
    progress: "2/3",
    message: "child 'b' failed",
    nodes: {
      wf: {
        id: "wf",
        name: "wf",
        displayName: "wf",
        type: "Steps",
        templateName: "main",
        phase: "Failed",
        startedAt: T(0),
        children: ["g0"],
      },
      g0: {
        id: "g0",
        name: "wf[0]",
        displayName: "[0]",
        type: "StepGroup",
        boundaryID: "wf",
        phase: "Failed",
        startedAt: T(1),
        children: ["a", "b"],
      },
      a: {
        id: "a",
        name: "wf[0].a",
        displayName: "a",
        type: "Pod",
        templateName: "say",
        boundaryID: "wf",
        phase: "Succeeded",
        startedAt: T(1),
        finishedAt: T(3),
      },
      b: {
        id: "b",
        name: "wf[0].b",
        displayName: "b",
        type: "Pod",
        templateName: "say",
        boundaryID: "wf",
        phase: "Failed",
        message: "Error (exit code 1)",
        startedAt: T(1),
        finishedAt: T(2),
      },
      x: {
        id: "x",
        name: "wf.onExit",
        displayName: "wf.onExit",
        type: "Pod",
        templateName: "cleanup",
        phase: "Succeeded",
        startedAt: T(5),
        finishedAt: T(9),
      },
    },
  },
};

Deno.test("the tree has Argo's columns, glyphs and branches, and the exit handler after a blank row", () => {
  const lines = printTree(wf, { now: Date.parse(T(30)) }).split("\n").map((l) => l.trimEnd());
  assert.deepEqual(lines, [
    "STEP          TEMPLATE  PODNAME               DURATION  MESSAGE",
    " ✖ wf         main",
    " └─┬─✔ a      say       wf-say-3986212215     2s",
    "   └─✖ b      say       wf-say-4002989834     1s        Error (exit code 1)",
    "",
    " ✔ wf.onExit  cleanup   wf-cleanup-403321795  4s",
    "",
  ]);
});

Deno.test("the header: name, status, message, duration, progress and parameters", () => {
  const text = printWorkflow(wf, { now: Date.parse(T(30)) });
  const lines = text.split("\n");
  assert.equal(lines[0], "Name:                wf");
  assert.equal(lines[1], "Namespace:           default");
  assert.equal(lines[2], "ServiceAccount:      unset (will run with the default ServiceAccount)");
  assert.equal(lines[3], "Status:              Failed");
  assert.equal(lines[4], "Message:             child 'b' failed");
  assert.match(lines[5]!, /^Created: {13}\w{3} Jan 02 \d\d:04:00 [+-]\d{4} \(30 seconds ago\)$/);
  assert.ok(lines.includes("Duration:            9 seconds"));
  assert.ok(lines.includes("Progress:            2/3"));
  assert.ok(lines.includes("Parameters:          "));
  assert.ok(lines.includes("  msg:               hi"));
});

Deno.test("a waiting suspend node shows ǁ and the workflow reads Running (Suspended)", () => {
  const running: Workflow = structuredClone(wf);
  running.status = {
    phase: "Running",
    nodes: {
      wf: {
        id: "wf",
        name: "wf",
        displayName: "wf",
        type: "Steps",
        templateName: "main",
        phase: "Running",
        children: ["g0"],
      },
      g0: {
        id: "g0",
        name: "wf[0]",
        displayName: "[0]",
        type: "StepGroup",
        boundaryID: "wf",
        phase: "Running",
        children: ["s"],
      },
      s: {
        id: "s",
        name: "wf[0].approve",
        displayName: "approve",
        type: "Suspend",
        templateName: "approve",
        boundaryID: "wf",
        phase: "Running",
      },
    },
  };
  assert.equal(workflowStatus(running), "Running (Suspended)");
  assert.deepEqual(printTree(running).split("\n").map((l) => l.trimEnd()).slice(1, 3), [
    " ● wf           main",
    " └───ǁ approve  approve",
  ]);
});
