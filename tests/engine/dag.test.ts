import { deepStrictEqual, equal } from "node:assert/strict";
import { childNames, phases, runWorkflow } from "./driver.ts";
import { nodeId } from "../../controller/engine/names.ts";

const diamond = (extra = "", tasks = "") => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: d}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
${extra}
      tasks:
${
  tasks || `      - {name: A, template: echo, arguments: {parameters: [{name: m, value: A}]}}
      - {name: B, template: echo, dependencies: [A], arguments: {parameters: [{name: m, value: "{{tasks.A.outputs.result}}-B"}]}}
      - {name: C, template: echo, dependencies: [A], arguments: {parameters: [{name: m, value: C}]}}
      - {name: D, template: echo, dependencies: [B, C], arguments: {parameters: [{name: m, value: D}]}}`
}
  - name: echo
    inputs: {parameters: [{name: m}]}
    container: {image: busybox, args: ["{{inputs.parameters.m}}"]}
`;
const echo = { echo: (run: { main: { args?: string[] } }) => ({ stdout: `${run.main.args?.[0]}\n` }) };

Deno.test("dag: a diamond runs A, then B and C together, then D", () => {
  const r = runWorkflow(diamond(), { scripts: echo });
  equal(r.status.phase, "Succeeded");
  deepStrictEqual(r.started.map((s) => s.nodeName), ["d.A", "d.B", "d.C", "d.D"]);
  deepStrictEqual(r.log.filter((l) => l.action.type === "start").map((l) => l.t), [0, 1, 1, 2]);
  deepStrictEqual(r.started[1]?.main.args, ["A-B"]);
  deepStrictEqual(childNames(r, "d"), ["d.A"]);
  deepStrictEqual(childNames(r, "d.A"), ["d.B", "d.C"]);
  deepStrictEqual(childNames(r, "d.B"), ["d.D"]);
  deepStrictEqual(childNames(r, "d.C"), ["d.D"]);
  equal(r.byName["d.D"]?.id, nodeId("d", "d.D"));
  equal(r.byName["d.D"]?.displayName, "D");
  deepStrictEqual(r.byName["d"]?.outboundNodes, [nodeId("d", "d.D")]);
});

Deno.test("dag: a failed dependency omits its dependants; running siblings finish; the DAG fails", () => {
  const r = runWorkflow(diamond(), {
    scripts: { ...echo, "d.B": { exitCode: 1, duration: 1 }, "d.C": { duration: 3 } },
  });
  equal(r.status.phase, "Failed");
  deepStrictEqual(phases(r), {
    d: "Failed",
    "d.A": "Succeeded",
    "d.B": "Failed",
    "d.C": "Succeeded",
    "d.D": "Omitted",
  });
  equal(r.elapsed, 4);
});

Deno.test("dag: depends with results, Omitted tasks and the DAG phase from its leaves", () => {
  const tasks = `      - {name: A, template: echo, arguments: {parameters: [{name: m, value: A}]}}
      - {name: B, template: echo, depends: "A.Failed", arguments: {parameters: [{name: m, value: B}]}}
      - {name: C, template: echo, depends: "A.Succeeded", arguments: {parameters: [{name: m, value: C}]}}
      - {name: D, template: echo, depends: "B || C", arguments: {parameters: [{name: m, value: D}]}}`;
  const r = runWorkflow(diamond("", tasks), { scripts: echo });
  equal(r.status.phase, "Succeeded");
  deepStrictEqual(phases(r), {
    d: "Succeeded",
    "d.A": "Succeeded",
    "d.B": "Omitted",
    "d.C": "Succeeded",
    "d.D": "Succeeded",
  });
  equal(r.byName["d.B"]?.type, "Skipped");
  equal(r.byName["d.B"]?.message, "omitted: depends condition not met");
});

Deno.test("dag: a failed task handled by depends does not fail the DAG", () => {
  const tasks = `      - {name: A, template: echo, arguments: {parameters: [{name: m, value: A}]}}
      - {name: B, template: echo, depends: "A.Failed", arguments: {parameters: [{name: m, value: B}]}}
      - {name: C, template: echo, depends: "A.Succeeded", arguments: {parameters: [{name: m, value: C}]}}`;
  const r = runWorkflow(diamond("      failFast: false", tasks), {
    scripts: { ...echo, "d.A": { exitCode: 1 } },
  });
  deepStrictEqual(phases(r), { d: "Failed", "d.A": "Failed", "d.B": "Succeeded", "d.C": "Omitted" });
  // C is a leaf whose branch failed (Omitted inherits A's Failed): the DAG fails, as in Argo.
  equal(r.status.phase, "Failed");
});

Deno.test("dag: continueOn failed and target", () => {
  const tasks =
    `      - {name: A, template: echo, continueOn: {failed: true}, arguments: {parameters: [{name: m, value: A}]}}
      - {name: B, template: echo, dependencies: [A], arguments: {parameters: [{name: m, value: B}]}}
      - {name: C, template: echo, arguments: {parameters: [{name: m, value: C}]}}`;
  const r = runWorkflow(diamond("      target: B", tasks), { scripts: { ...echo, "d.A": { exitCode: 1 } } });
  equal(r.status.phase, "Succeeded");
  deepStrictEqual(phases(r), { d: "Succeeded", "d.A": "Failed", "d.B": "Succeeded" });
});

Deno.test("dag: when false skips with Argo's message; outputs from parameter and expression", () => {
  const text = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: flip, template: flip}
      - {name: heads, template: flip, depends: flip, when: "{{tasks.flip.outputs.result}} == heads"}
      - {name: tails, template: flip, depends: flip, when: "{{tasks.flip.outputs.result}} == tails"}
    outputs:
      parameters:
      - {name: side, valueFrom: {parameter: "{{tasks.flip.outputs.result}}"}}
      - {name: upper, valueFrom: {expression: "tasks.flip.outputs.result == 'heads' ? 'H' : 'T'"}}
      - {name: missing, valueFrom: {parameter: "{{tasks.tails.outputs.result}}", default: dflt}}
      - {name: tagged, valueFrom: {parameter: "{{=tasks.flip.outputs.result + '-x'}}"}}
      - {name: badTag, valueFrom: {parameter: "{{=tasks.nope.outputs.result}}", default: fallback}}
  - name: flip
    script: {image: python, command: [python], source: "print('heads')"}
`;
  const r = runWorkflow(text, { scripts: { flip: { stdout: "heads\n" } } });
  equal(r.status.phase, "Succeeded");
  equal(r.byName["w.tails"]?.phase, "Skipped");
  equal(r.byName["w.tails"]?.type, "Skipped");
  equal(r.byName["w.tails"]?.message, "when 'heads == tails' evaluated false");
  equal(r.byName["w.heads"]?.phase, "Succeeded");
  deepStrictEqual(r.byName["w"]?.outputs?.parameters, [
    { name: "side", value: "heads" },
    { name: "upper", value: "H" },
    { name: "missing", value: "dflt" },
    { name: "tagged", value: "heads-x" }, // an expression tag in valueFrom.parameter, as Argo's ResolveVar compiles it
    { name: "badTag", value: "fallback" },
  ]);
});
