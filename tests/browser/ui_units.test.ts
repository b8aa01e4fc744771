/**
 * The UI's pure parts, without a browser: the layout plan (loops become blocks), the layout
 * (every node placed), the YAML <-> request body mapping of lint problems, formatting.
 */
import assert from "node:assert/strict";
import { layout } from "../../web/ui/client/graph/layout.ts";
import { layoutPlan, MIN_BLOCK, structureKey } from "../../web/ui/client/graph/model.ts";
import { parseYaml, placeProblems, requestBody } from "../../web/ui/client/editor/lint-map.ts";
import { durationOf, formatDuration } from "../../web/ui/client/format.ts";
import type { NodeStatus, Workflow } from "../../web/ui/client/types.ts";
import { applyEvents, type ListEvent } from "../../web/ui/client/live-list.ts";
import { bigStatus } from "./fixtures.ts";

function overlaps(pos: Record<string, { x: number; y: number }>, nodes: Record<string, NodeStatus>): number {
  const boxes = Object.entries(pos).filter(([id]) => nodes[id]!.type === "Pod").map(([, p]) => p);
  const seen = new Set<string>();
  let n = 0;
  for (const p of boxes) {
    const key = `${Math.round(p.x / 10)},${Math.round(p.y / 10)}`;
    if (seen.has(key)) n++;
    seen.add(key);
  }
  return n;
}

Deno.test("a loop of 2,000 pods is one block for the layout, and every pod gets its own place", () => {
  const nodes = bigStatus("wf", 2004, "loop");
  const plan = layoutPlan(nodes);
  assert.equal(plan.blocks.length, 1);
  assert.equal(plan.blocks[0]!.units.length, 2000);
  assert.equal(plan.main.nodes.length, 5, "steps, two step groups, the last step and the block");
  const result = layout(plan);
  assert.equal(Object.keys(result.nodes).length, Object.keys(nodes).length);
  assert.equal(overlaps(result.nodes, nodes), 0);
  assert.ok(result.ms < 5000, `layout took ${result.ms} ms`);
});

Deno.test("loops over a steps template and parallel DAG chains become blocks of whole units", () => {
  for (const shape of ["nested", "dag-chains"] as const) {
    const nodes = bigStatus("wf", 2000, shape);
    const plan = layoutPlan(nodes);
    assert.equal(plan.blocks.length, 1, shape);
    const unitSize = plan.blocks[0]!.unit.nodes.length;
    assert.equal(unitSize, shape === "nested" ? 5 : 10, shape);
    assert.ok(plan.main.nodes.length <= 5, `${shape}: ${plan.main.nodes.length} nodes left to lay out`);
    const result = layout(plan);
    assert.equal(Object.keys(result.nodes).length, Object.keys(nodes).length, shape);
    assert.equal(overlaps(result.nodes, nodes), 0, shape);
    // Every edge is drawn: inside units (copied) and between the rest.
    assert.ok(result.edges.length >= (unitSize - 1) * plan.blocks[0]!.units.length, shape);
  }
});

Deno.test("small fan-outs stay as they are", () => {
  const nodes = bigStatus("wf", MIN_BLOCK - 1 + 4, "loop");
  const plan = layoutPlan(nodes);
  assert.equal(plan.blocks.length, 0);
  assert.equal(plan.ranker, "network-simplex");
  const result = layout(plan);
  assert.equal(Object.keys(result.nodes).length, Object.keys(nodes).length);
  assert.ok(result.edges.every((e) => e.points.length >= 2));
});

Deno.test("the structure key changes with nodes and edges, not with phases", () => {
  const nodes = bigStatus("wf", 30, "loop");
  const key = structureKey(nodes);
  const id = Object.keys(nodes)[3]!;
  assert.equal(structureKey({ ...nodes, [id]: { ...nodes[id]!, phase: "Failed" } }), key);
  assert.notEqual(structureKey({ ...nodes, extra: { id: "extra", name: "x", type: "Pod" } }), key);
});

const YAML = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: x-
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: a
            template: nope
`;

Deno.test("the request body is JSON.stringify's, and a problem at its line:col goes back to the YAML line", () => {
  const parsed = parseYaml(YAML);
  assert.deepEqual(parsed.problems, []);
  assert.equal(parsed.kind, "Workflow");
  const body = requestBody("workflow", parsed.value);
  assert.equal(body.text, JSON.stringify({ workflow: parsed.value }, null, 2));
  const jsonLine = body.text.split("\n").findIndex((l) => l.includes('"template": "nope"')) + 1;
  const [p] = placeProblems(
    `${jsonLine}:25: step "a" calls unknown template "nope"`,
    body,
    parsed,
    "workflow",
  );
  assert.equal(p!.line, 11);
  assert.equal(YAML.slice(p!.from, p!.to), "nope");
  assert.equal(p!.message, 'step "a" calls unknown template "nope"');
  // A message without a position is shown at the top.
  const [q] = placeProblems("something is wrong", body, parsed, "workflow");
  assert.equal(q!.line, 1);
});

Deno.test("YAML syntax errors are problems at their lines, before anything is sent", () => {
  const parsed = parseYaml("kind: Workflow\nspec:\n  entrypoint: [a\n  x: 1\n");
  assert.equal(parsed.value, undefined);
  assert.ok(parsed.problems.length > 0);
  assert.ok(parsed.problems.every((p) => p.line >= 3), JSON.stringify(parsed.problems));
});

Deno.test("durations read as a person would say them", () => {
  assert.equal(formatDuration(4200), "4s");
  assert.equal(formatDuration(125_000), "2m 5s");
  assert.equal(formatDuration(3 * 3600_000 + 60_000), "3h 1m");
  assert.equal(formatDuration(undefined), "-");
  assert.equal(durationOf("2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"), 60_000);
  assert.equal(durationOf("2026-01-01T00:00:00Z", undefined, Date.parse("2026-01-01T00:00:05Z")), 5000);
});

Deno.test("the live list applies watch events: updates in place, new ones on the first page only, deletions", () => {
  const wf = (name: string, created: string, phase = "Running") => ({
    metadata: { name, uid: `uid-${name}`, creationTimestamp: created },
    spec: {},
    status: { phase },
  } as Workflow);
  const page = [wf("b", "2026-01-01T00:00:02Z"), wf("a", "2026-01-01T00:00:01Z")];
  const events: ListEvent[] = [
    { type: "MODIFIED", object: wf("a", "2026-01-01T00:00:01Z", "Succeeded") },
    { type: "ADDED", object: wf("c", "2026-01-01T00:00:03Z", "Pending") },
    { type: "DELETED", object: wf("b", "2026-01-01T00:00:02Z") },
  ];
  const first = applyEvents(page, events, true);
  assert.deepEqual(first.map((w) => `${w.metadata.name} ${w.status?.phase}`), ["c Pending", "a Succeeded"]);
  const later = applyEvents(page, events, false);
  assert.deepEqual(
    later.map((w) => `${w.metadata.name} ${w.status?.phase}`),
    ["a Succeeded"],
    "c is on page 1",
  );
  assert.deepEqual(page.map((w) => w.metadata.name), ["b", "a"], "the page given is left as it was");
});
