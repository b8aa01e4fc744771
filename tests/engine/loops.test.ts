import { deepStrictEqual, equal } from "node:assert/strict";
import { childNames, phases, runWorkflow } from "./driver.ts";

const loopWf = (loop: string, extraSteps = "") => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: l}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: gen
        template: gen
    - - name: print
        template: echo
        arguments: {parameters: [{name: m, value: "{{item}}"}]}
${loop}
${extraSteps}
  - name: gen
    script: {image: python, command: [python], source: "print('[1, 2]')"}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, args: ["{{inputs.parameters.m}}"]}
    outputs:
      parameters:
      - {name: o, valueFrom: {path: /o}}
`;
const echo = {
  gen: { stdout: '["a", "b"]\n' },
  echo: (run: { main: { args?: string[] } }) => ({
    stdout: `${run.main.args?.[0]}\n`,
    parameters: { o: `p-${run.main.args?.[0]}` },
  }),
};

Deno.test("loops: withItems of strings and numbers names items as Argo", () => {
  const r = runWorkflow(loopWf(`        withItems: [hello, 3, 4.5, true]`), { scripts: echo });
  equal(r.status.phase, "Succeeded");
  deepStrictEqual(childNames(r, "l[1]"), [
    "l[1].print(0:hello)",
    "l[1].print(1:3)",
    "l[1].print(2:4.5)",
    "l[1].print(3:true)",
  ]);
  deepStrictEqual(r.started.slice(1).map((s) => s.main.args?.[0]), ["hello", "3", "4.5", "true"]);
  equal(r.byName["l[1].print(0:hello)"]?.displayName, "print(0:hello)");
});

Deno.test("loops: withItems of maps binds item.key and names items key:value sorted", () => {
  const text = loopWf(
    `        withItems:\n        - {os: debian, version: 9}\n        - {version: "(x)", os: ubuntu}`,
  )
    .replace('value: "{{item}}"', 'value: "{{item.os}}-{{item.version}}"');
  const r = runWorkflow(text, { scripts: echo });
  deepStrictEqual(childNames(r, "l[1]"), [
    "l[1].print(0:os:debian,version:9)",
    "l[1].print(1:os:ubuntu,version:x)",
  ]);
  deepStrictEqual(r.started.slice(1).map((s) => s.main.args?.[0]), ["debian-9", "ubuntu-(x)"]);
});

Deno.test("loops: withParam from an earlier step, aggregated outputs as JSON lists", () => {
  const extra = `    - - name: after
        template: echo
        arguments: {parameters: [{name: m, value: "{{steps.print.outputs.parameters.o}}|{{steps.print.outputs.result}}"}]}`;
  const r = runWorkflow(loopWf(`        withParam: "{{steps.gen.outputs.result}}"`, extra), {
    scripts: echo,
  });
  equal(r.status.phase, "Succeeded");
  deepStrictEqual(childNames(r, "l[1]"), ["l[1].print(0:a)", "l[1].print(1:b)"]);
  deepStrictEqual(r.started.at(-1)?.main.args, ['["p-a","p-b"]|["a","b"]']);
});

Deno.test("loops: an empty withParam list is a Skipped node", () => {
  const r = runWorkflow(loopWf(`        withParam: "{{steps.gen.outputs.result}}"`), {
    scripts: { gen: { stdout: "[]" } },
  });
  equal(r.status.phase, "Succeeded");
  equal(r.byName["l[1].print"]?.type, "Skipped");
  equal(r.byName["l[1].print"]?.phase, "Skipped");
  equal(r.byName["l[1].print"]?.message, "Skipped, empty params");
});

Deno.test("loops: a withParam that is not a JSON list is an Error", () => {
  const r = runWorkflow(loopWf(`        withParam: "{{steps.gen.outputs.result}}"`), {
    scripts: { gen: { stdout: "nope" } },
  });
  equal(r.status.phase, "Failed");
  equal(r.byName["l[1]"]?.phase, "Error");
  equal(
    (r.byName["l[1]"]?.message ?? "").startsWith("withParam value could not be parsed as a JSON list: nope:"),
    true,
  );
});

Deno.test("loops: withSequence count, start/end, descending and format", () => {
  const run = (seq: string) =>
    runWorkflow(loopWf(`        withSequence: ${seq}`), { scripts: echo }).started.slice(1).map((s) =>
      s.main.args?.[0]
    );
  deepStrictEqual(run(`{count: "3"}`), ["0", "1", "2"]);
  deepStrictEqual(run(`{start: "2", end: "4"}`), ["2", "3", "4"]);
  deepStrictEqual(run(`{start: 3, end: 1}`), ["3", "2", "1"]);
  deepStrictEqual(run(`{count: 2, start: 9, format: "id-%03d"}`), ["id-009", "id-010"]);
  const r = runWorkflow(loopWf(`        withSequence: {count: "0"}`), { scripts: echo });
  equal(r.byName["l[1].print"]?.message, "Skipped, empty params");
});

Deno.test("loops: in a DAG, items form a TaskGroup whose outputs aggregate", () => {
  const text = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: g}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: fan, template: echo, withItems: [x, y], arguments: {parameters: [{name: m, value: "{{item}}"}]}}
      - {name: join, template: echo, depends: fan, arguments: {parameters: [{name: m, value: "{{tasks.fan.outputs.parameters.o}}"}]}}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, args: ["{{inputs.parameters.m}}"]}
    outputs:
      parameters:
      - {name: o, valueFrom: {path: /o}}
`;
  const r = runWorkflow(text, { scripts: echo });
  equal(r.status.phase, "Succeeded");
  equal(r.byName["g.fan"]?.type, "TaskGroup");
  deepStrictEqual(childNames(r, "g.fan"), ["g.fan(0:x)", "g.fan(1:y)"]);
  deepStrictEqual(childNames(r, "g.fan(0:x)"), ["g.join"]);
  deepStrictEqual(r.started.at(-1)?.main.args, ['["p-x","p-y"]']);
  deepStrictEqual(phases(r)["g.join"], "Succeeded");
});

Deno.test("loops: a `when` on {{item}} skips the items it is false for, in every reconcile after", () => {
  const r = runWorkflow(
    loopWf(`        withItems: [1, 2, 3]\n        when: "{{item}} != 2"`),
    { scripts: echo },
  );
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  const phase = phases(r);
  deepStrictEqual(["l[1].print(0:1)", "l[1].print(1:2)", "l[1].print(2:3)"].map((n) => phase[n]), [
    "Succeeded",
    "Skipped",
    "Succeeded",
  ]);
  equal(r.byName["l[1].print(1:2)"]?.message, "when '2 != 2' evaluated false");
  deepStrictEqual(r.started.slice(1).map((s) => s.main.args?.[0]), ["1", "3"]);
});
