/**
 * A long chain of steps, each reading what the one before it printed: what a user sees of it must
 * not depend on the engine walking only the groups that can still change (tree.ts, steps-scope.ts).
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { runWorkflow } from "./driver.ts";

const N = 300;

function chain(n: number): string {
  const steps = Array.from({ length: n }, (_, i) => {
    const from = i === 0 ? "0" : `{{steps.s${i - 1}.outputs.result}}`;
    return `    - - {name: s${i}, template: add, arguments: {parameters: [{name: n, value: "${from}"}]}}`;
  }).join("\n");
  return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: chain}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
${steps}
    outputs:
      parameters:
      - name: total
        valueFrom: {parameter: "{{steps.s${n - 1}.outputs.result}}"}
  - name: add
    inputs: {parameters: [{name: n}]}
    container: {image: busybox, args: ["{{inputs.parameters.n}}"]}
`;
}

Deno.test(`a ${N}-step chain passing each result on: every node, output and progress as Argo shows them`, () => {
  // Each pod prints its argument plus one, so step i prints i + 1 only if it got step i-1's result.
  const r = runWorkflow(chain(N), {
    maxSteps: 4 * N,
    scriptFor: (run) => ({ stdout: `${Number(run.main.args?.[0]) + 1}\n` }),
  });
  equal(r.status.phase, "Succeeded");
  equal(r.status.progress, `${N}/${N}`);
  deepStrictEqual(r.started.map((s) => s.main.args), Array.from({ length: N }, (_, i) => [String(i)]));

  const root = r.byName["chain"]!;
  equal(root.phase, "Succeeded");
  equal(root.progress, `${N}/${N}`);
  deepStrictEqual(root.outputs?.parameters, [{ name: "total", value: String(N) }]);
  for (let i = 0; i < N; i++) {
    const group = r.byName[`chain[${i}]`]!;
    const pod = r.byName[`chain[${i}].s${i}`]!;
    equal(group.phase, "Succeeded", `group ${i}`);
    // A group's later groups hang below it: its progress counts every step from it on.
    equal(group.progress, `${N - i}/${N - i}`, `group ${i}`);
    deepStrictEqual(group.children, [pod.id], `group ${i}`);
    equal(pod.phase, "Succeeded", `step ${i}`);
    equal(pod.progress, "1/1", `step ${i}`);
    equal(pod.outputs?.result, String(i + 1), `step ${i}`);
    deepStrictEqual(pod.children, i + 1 < N ? [r.byName[`chain[${i + 1}]`]!.id] : undefined, `step ${i}`);
  }
  equal(Object.keys(r.status.nodes ?? {}).length, 2 * N + 1);
});
