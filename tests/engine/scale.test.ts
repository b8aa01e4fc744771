/**
 * What the engine's shortcuts for large workflows must not change: progress counted once per
 * executable node however many paths lead to it, long steps templates, fan-outs under parallelism,
 * `changed`, and substitution with only the variables a text names.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { reconcile } from "../../controller/engine/reconcile.ts";
import { defaultExpr, substituteIn, substituteValue, withScope } from "../../controller/engine/expr.ts";
import { onePod, runWorkflow } from "./driver.ts";

function sequential(n: number) {
  const steps = Array.from({ length: n }, (_, i) => `    - - {name: s${i}, template: work}`).join("\n");
  return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: seq}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
${steps}
  - name: work
    container: {image: busybox}
`;
}

Deno.test("a 200-step sequential workflow: every step runs once, in order; progress as Argo sums it", () => {
  const r = runWorkflow(sequential(200), { maxSteps: 2000, checkIdempotent: false });
  equal(r.status.phase, "Succeeded");
  deepStrictEqual(
    r.started.map((s) => s.nodeName),
    Array.from({ length: 200 }, (_, i) => `seq[${i}].s${i}`),
  );
  equal(r.status.progress, "200/200");
  // Each group's later groups hang below it, so its progress counts every step from it on.
  equal(r.byName["seq[0]"]?.progress, "200/200");
  equal(r.byName["seq[150]"]?.progress, "50/50");
  equal(r.byName["seq[199]"]?.progress, "1/1");
  equal(r.byName["seq"]?.progress, "200/200");
});

Deno.test("progress: a DAG task reached through two paths is counted once", () => {
  const r = runWorkflow(
    `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: diamond}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: work}
      - {name: b, template: work, dependencies: [a]}
      - {name: c, template: work, dependencies: [a]}
      - {name: d, template: work, dependencies: [b, c]}
  - name: work
    container: {image: busybox}
`,
    { scripts: { "diamond.d": { exitCode: 1 } } },
  );
  equal(r.status.phase, "Failed");
  equal(r.status.progress, "3/4");
  equal(r.byName["diamond"]?.progress, "3/4");
  equal(r.byName["diamond.a"]?.progress, "1/1");
  equal(r.byName["diamond.d"]?.progress, "0/1");
});

Deno.test("a 60-item fan-out under parallelism 4: never more than 4 pods at once, items in order", () => {
  const r = runWorkflow(
    `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: fan}
spec:
  entrypoint: main
  parallelism: 4
  templates:
  - name: main
    steps:
    - - {name: x, template: work, arguments: {parameters: [{name: i, value: "{{item}}"}]}, withSequence: {count: "60"}}
    - - {name: after, template: work, arguments: {parameters: [{name: i, value: done}]}}
  - name: work
    inputs: {parameters: [{name: i}]}
    container: {image: busybox, args: ["{{inputs.parameters.i}}"]}
`,
    { scripts: { work: { duration: 10 } }, maxSteps: 1000 },
  );
  equal(r.status.phase, "Succeeded");
  const starts = r.log.filter((l) => l.action.type === "start").map((l) => l.t);
  const perInstant = new Map<number, number>();
  for (const t of starts) perInstant.set(t, (perInstant.get(t) ?? 0) + 1);
  equal(Math.max(...perInstant.values()), 4);
  equal(starts.length, 61);
  deepStrictEqual(
    r.started.slice(0, 60).map((s) => s.main.args?.[0]),
    Array.from({ length: 60 }, (_, i) => String(i)),
  );
  equal(r.started[60]?.nodeName, "fan[1].after");
  equal(r.status.progress, "61/61");
});

Deno.test("reconcile says whether the status changed", () => {
  const workflow = onePod("one");
  const first = reconcile({ workflow, observed: {}, now: "2024-01-01T00:00:00Z" });
  equal(first.changed, true);
  const settled = { ...workflow, status: first.status };
  const again = reconcile({
    workflow: settled,
    observed: { one: { phase: "Pending" } },
    now: "2024-01-01T00:00:01Z",
  });
  equal(again.changed, false);
  deepStrictEqual(again.status, first.status);
  const ended = reconcile({
    workflow: settled,
    observed: { one: { phase: "Succeeded", exitCode: 0, finishedAt: "2024-01-01T00:00:02Z" } },
    now: "2024-01-01T00:00:02Z",
  });
  equal(ended.changed, true);
  equal(ended.status.phase, "Succeeded");
  deepStrictEqual(settled.status, first.status, "the input is not changed");
});

Deno.test("substituting with only the variables a text names gives what the whole scope gives", () => {
  const expr = defaultExpr();
  const globals = { "workflow.name": "wf-1", "workflow.parameters.msg": 'say "hi"\n' };
  const locals = { "steps.a.outputs.result": "42", "item": "x", "inputs.parameters.n": "a" };
  const cases: unknown[] = [
    { args: ["{{workflow.name}}", "{{ steps.a.outputs.result }}", "{{\tworkflow.parameters.msg\n}}"] },
    { value: "{{steps.missing.outputs.result}} and {{item}}" },
    { nested: "{{steps.{{inputs.parameters.n}}.outputs.result}}" },
    { expression: "{{=asInt(steps.a.outputs.result) + 1}} {{=item}}" },
    { none: "no tags here", n: 3 },
    ["{{workflow.name}}{{workflow.name}}", { deep: ["{{item}}"] }],
  ];
  for (const value of cases) {
    const whole = withScope(expr, { ...globals, ...locals }, (s) => substituteValue(s, value));
    deepStrictEqual(substituteIn(expr, [globals, locals], value), whole, JSON.stringify(value));
  }
  const strict = ["steps"];
  const bad = { v: "{{steps.missing.outputs.result}}" };
  let wholeError = "";
  let namedError = "";
  try {
    withScope(expr, { ...globals, ...locals }, (s) => substituteValue(s, bad, strict));
  } catch (e) {
    wholeError = (e as Error).message;
  }
  try {
    substituteIn(expr, [globals, locals], bad, strict);
  } catch (e) {
    namedError = (e as Error).message;
  }
  equal(namedError, wholeError);
  equal(wholeError !== "", true, "a strict prefix makes an unresolved tag an error");
});
