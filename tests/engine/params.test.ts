import { deepStrictEqual, equal, ok, throws } from "node:assert/strict";
import { runWorkflow, wf } from "./driver.ts";
import { applyParameters } from "../../controller/engine/mod.ts";

const base = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: p}
spec:
  entrypoint: main
  arguments:
    parameters:
    - {name: greeting, value: hello}
    - {name: color, value: red, enum: [red, blue]}
  templates:
  - name: main
    steps:
    - - name: say
        template: say
        arguments: {parameters: [{name: text, value: "{{workflow.parameters.greeting}} {{workflow.parameters.color}}"}]}
  - name: say
    inputs:
      parameters:
      - {name: text}
      - {name: suffix, default: "!"}
    script:
      image: python:3
      command: [python]
      source: |
        print("{{inputs.parameters.text}}{{inputs.parameters.suffix}}")
    outputs:
      parameters:
      - name: out
        globalName: said
        valueFrom: {path: /tmp/out, default: none}
`;

Deno.test("params: workflow parameters, input defaults and -p overrides reach the script", () => {
  const w = applyParameters(wf(base), ["greeting=hi", "color=blue"]);
  const r = runWorkflow(w, { scripts: { say: { stdout: "hi blue!\n", parameters: { out: "x" } } } });
  equal(r.status.phase, "Succeeded");
  const run = r.started[0];
  ok(run);
  equal(run.script?.source, 'print("hi blue!")\n');
  deepStrictEqual(run.main.command, ["python"]);
  deepStrictEqual(run.outputs.parameters, [{ name: "out", path: "/tmp/out", default: "none" }]);
  const say = r.byName["p[0].say"];
  deepStrictEqual(say?.inputs?.parameters, [{ name: "text", value: "hi blue" }, {
    name: "suffix",
    default: "!",
    value: "!",
  }]);
  deepStrictEqual(say?.outputs?.parameters, [{ name: "out", value: "x", globalName: "said" }]);
  equal(say?.outputs?.result, "hi blue!");
  deepStrictEqual(r.status.outputs?.parameters, [{ name: "said", value: "x" }]);
});

Deno.test("params: -p as Argo's overrideParameters: passed first as name and value, an undeclared one added", () => {
  const w = applyParameters(wf(base), ["nope=x", "color=green"]);
  // A declared parameter passed with -p is rebuilt from name and value: its enum goes with it, as in Argo.
  deepStrictEqual(w.spec.arguments?.parameters, [
    { name: "nope", value: "x" },
    { name: "color", value: "green" },
    { name: "greeting", value: "hello" },
  ]);
  const r = runWorkflow(w, { scripts: { say: { stdout: "hello green!\n" } } });
  equal(r.status.phase, "Succeeded");
  equal(r.started[0]?.script?.source, 'print("hello green!")\n');
  throws(
    () => applyParameters(wf(base), ["color"]),
    /expected parameter of the form: NAME=VALUE. Received: color/,
  );
});

Deno.test("params: a workflow argument outside its enum fails the workflow as Argo's validation", () => {
  const w = wf(base);
  const p = w.spec.arguments?.parameters?.[1];
  if (p) p.value = "green";
  const r = runWorkflow(w);
  equal(r.status.phase, "Failed");
  equal(
    r.status.message,
    "invalid spec: spec.arguments.color.value should be present in spec.arguments.color.enum list",
  );
});

Deno.test("params: an input never supplied is an Error naming it", () => {
  const text = base.replace(
    `        arguments: {parameters: [{name: text, value: "{{workflow.parameters.greeting}} {{workflow.parameters.color}}"}]}\n`,
    "",
  );
  const r = runWorkflow(text);
  equal(r.status.phase, "Failed");
  const say = r.byName["p[0].say"];
  equal(say?.type, "Skipped");
  equal(say?.phase, "Error");
  equal(say?.message, "inputs.parameters.text was not supplied");
  equal(r.byName["p[0]"]?.phase, "Error");
  equal(
    r.byName["p[0]"]?.message,
    "step group deemed errored due to child p[0].say error: inputs.parameters.text was not supplied",
  );
  equal(r.started.length, 0);
});

Deno.test("params: result keeps one trailing newline trimmed and only the last 256 KiB", () => {
  const big = "a".repeat(300 * 1024) + "END\n\n";
  const r = runWorkflow(base, { scripts: { say: { stdout: big } } });
  const result = r.byName["p[0].say"]?.outputs?.result ?? "";
  equal(result.length, 256 * 1024);
  ok(result.endsWith("END\n"));
});

Deno.test("params: a missing output file uses the output default", () => {
  const r = runWorkflow(base, { scripts: { say: { stdout: "x" } } });
  deepStrictEqual(r.byName["p[0].say"]?.outputs?.parameters, [{
    name: "out",
    value: "none",
    globalName: "said",
  }]);
  equal(r.byName["p[0].say"]?.outputs?.result, "x");
});

Deno.test("params: one trailing \\n is trimmed from result and from an output default, and a \\r stays (Argo)", () => {
  const w = base.replace("default: none", 'default: "none\\n"');
  const r = runWorkflow(w, { scripts: { say: { stdout: "x\r\n" } } });
  equal(r.byName["p[0].say"]?.outputs?.result, "x\r");
  equal(r.byName["p[0].say"]?.outputs?.parameters?.[0]?.value, "none");
});
