import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { childNames, phases, runWorkflow } from "./driver.ts";
import { fnv32a, nodeId, podName } from "../../controller/engine/names.ts";

const hello = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: hello}
spec:
  entrypoint: main
  templates:
  - name: main
    container:
      image: busybox
      command: [echo]
      args: ["hello {{workflow.name}}"]
`;

Deno.test("names: fnv32a and node ids as Argo computes them", () => {
  // FNV-1a 32 of "a" is 0xe40c292c, of "" the offset basis.
  equal(fnv32a(""), 0x811c9dc5);
  equal(fnv32a("a"), 0xe40c292c);
  equal(nodeId("wf", "wf"), "wf");
  equal(nodeId("wf", "wf[0].a"), `wf-${fnv32a("wf[0].a")}`);
  equal(podName("wf", "wf[0].a", "echo"), `wf-echo-${fnv32a("wf[0].a")}`);
});

Deno.test("a container workflow runs one pod and succeeds", () => {
  const r = runWorkflow(hello, { scripts: { main: { stdout: "hello hello\n" } } });
  equal(r.status.phase, "Succeeded");
  equal(r.status.progress, "1/1");
  const root = r.byName["hello"];
  ok(root);
  equal(root.id, "hello");
  equal(root.type, "Pod");
  equal(root.outputs?.result, "hello hello");
  equal(r.started.length, 1);
  equal(r.started[0]?.podName, "hello");
  deepStrictEqual(r.started[0]?.main.args, ["hello hello"]);
});

const stepsWf = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: steps-x}
spec:
  entrypoint: main
  arguments:
    parameters: [{name: msg, value: hi}]
  templates:
  - name: main
    steps:
    - - name: a
        template: echo
        arguments: {parameters: [{name: m, value: "{{workflow.parameters.msg}}"}]}
    - - name: b
        template: echo
        arguments: {parameters: [{name: m, value: "{{steps.a.outputs.result}}"}]}
      - name: c
        template: echo
        arguments: {parameters: [{name: m, value: "c"}]}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, args: ["{{inputs.parameters.m}}"]}
`;

const echoScript = {
  echo: (run: { main: { args?: string[] } }) => ({ stdout: `out-${run.main.args?.[0]}\n` }),
};

Deno.test("steps: groups run in order, steps of a group in parallel, outputs flow to later groups", () => {
  const r = runWorkflow(stepsWf, { scripts: echoScript });
  equal(r.status.phase, "Succeeded");
  deepStrictEqual(phases(r), {
    "steps-x": "Succeeded",
    "steps-x[0]": "Succeeded",
    "steps-x[0].a": "Succeeded",
    "steps-x[1]": "Succeeded",
    "steps-x[1].b": "Succeeded",
    "steps-x[1].c": "Succeeded",
  });
  deepStrictEqual(r.started.map((s) => s.main.args), [["hi"], ["out-hi"], ["c"]]);
  // b and c start together, one second after a.
  const starts = r.log.filter((l) => l.action.type === "start").map((l) => l.t);
  deepStrictEqual([...new Set(starts)], [0, 1]);
  deepStrictEqual(childNames(r, "steps-x"), ["steps-x[0]"]);
  deepStrictEqual(childNames(r, "steps-x[0]"), ["steps-x[0].a"]);
  deepStrictEqual(childNames(r, "steps-x[0].a"), ["steps-x[1]"]);
  deepStrictEqual(childNames(r, "steps-x[1]"), ["steps-x[1].b", "steps-x[1].c"]);
  equal(r.byName["steps-x[1].b"]?.id, `steps-x-${fnv32a("steps-x[1].b")}`);
  equal(r.byName["steps-x[1].b"]?.displayName, "b");
  equal(r.byName["steps-x[1].b"]?.boundaryID, "steps-x");
  deepStrictEqual(r.byName["steps-x"]?.outboundNodes, [
    r.byName["steps-x[1].b"]?.id,
    r.byName["steps-x[1].c"]?.id,
  ]);
  equal(r.started[1]?.podName, `steps-x-echo-${fnv32a("steps-x[1].b")}`);
  equal(r.status.progress, "3/3");
  equal(r.byName["steps-x[1]"]?.progress, "2/2");
});

Deno.test("steps: a failed step fails its group and the workflow, later groups do not run", () => {
  const r = runWorkflow(stepsWf, { scripts: { "steps-x[0].a": { exitCode: 1 } } });
  equal(r.status.phase, "Failed");
  equal(r.byName["steps-x[0].a"]?.phase, "Failed");
  equal(r.byName["steps-x[0].a"]?.message, "main: Error (exit code 1)");
  equal(r.byName["steps-x[0]"]?.message, `child '${nodeId("steps-x", "steps-x[0].a")}' failed`);
  equal(r.status.message, `child '${nodeId("steps-x", "steps-x[0].a")}' failed`);
  equal(r.byName["steps-x[1]"], undefined);
  equal(r.status.progress, "0/1");
});

Deno.test("steps: continueOn failed lets the workflow go on", () => {
  const text = stepsWf.replace(
    "      - name: a\n        template: echo",
    "      - name: a\n        continueOn: {failed: true}\n        template: echo",
  )
    .replace(
      "    - - name: a\n        template: echo",
      "    - - name: a\n        continueOn: {failed: true}\n        template: echo",
    );
  const r = runWorkflow(text, { scripts: { "steps-x[0].a": { exitCode: 2, stdout: "x\n" } } });
  equal(r.status.phase, "Succeeded");
  equal(r.byName["steps-x[0].a"]?.phase, "Failed");
  equal(r.byName["steps-x[0].a"]?.outputs?.exitCode, "2");
  equal(r.byName["steps-x[1].b"]?.inputs?.parameters?.[0]?.value, "x");
});
