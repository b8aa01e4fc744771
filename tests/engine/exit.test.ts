import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { childNames, runWorkflow } from "./driver.ts";

const exitWf = (mainExit: number | string = 0, handler = "exit-handler") => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: e}
spec:
  entrypoint: main
  onExit: ${handler}
  templates:
  - name: main
    steps:
    - - {name: work, template: work}
  - name: work
    container: {image: busybox, args: ["${mainExit}"]}
  - name: exit-handler
    steps:
    - - name: report
        template: report
        arguments:
          parameters:
          - {name: status, value: "{{workflow.status}}"}
          - {name: failures, value: "{{workflow.failures}}"}
          - {name: duration, value: "{{workflow.duration}}"}
  - name: report
    inputs: {parameters: [{name: status}, {name: failures}, {name: duration}]}
    container: {image: busybox, args: ["{{inputs.parameters.status}}", "{{inputs.parameters.failures}}", "{{inputs.parameters.duration}}"]}
`;

Deno.test("exit handler: runs after the workflow with its status; a success stays a success", () => {
  const r = runWorkflow(exitWf(), { scripts: { work: { duration: 5 } } });
  equal(r.status.phase, "Succeeded");
  const exit = r.byName["e.onExit"];
  ok(exit);
  equal(exit.type, "Steps");
  equal(exit.nodeFlag?.hooked, true);
  equal(exit.boundaryID, undefined);
  const args = r.started.at(-1)?.main.args;
  deepStrictEqual(args, ["Succeeded", '"null"', "5.000000"]);
  equal(r.byName["e.onExit[0].report"]?.displayName, "report");
});

Deno.test("exit handler: sees Failed and the failures as Argo's quoted JSON", () => {
  const r = runWorkflow(exitWf(), { scripts: { work: { exitCode: 3, duration: 2 } } });
  equal(r.status.phase, "Failed");
  const [status, failures] = r.started.at(-1)?.main.args ?? [];
  equal(status, "Failed");
  const list = JSON.parse(JSON.parse(failures ?? "")) as Record<string, unknown>[];
  deepStrictEqual(list.map((f) => f.displayName), ["e", "[0]", "work"]);
  deepStrictEqual(list.find((f) => f.displayName === "work"), {
    displayName: "work",
    message: "main: Error (exit code 3)",
    templateName: "work",
    phase: "Failed",
    podName: r.started[0]?.podName,
    finishedAt: "2024-01-01T00:00:02Z",
  });
  equal(r.status.message, r.byName["e"]?.message);
});

Deno.test("exit handler: a failing exit handler fails a workflow that had succeeded", () => {
  const r = runWorkflow(exitWf(), { scripts: { report: { exitCode: 1 } } });
  equal(r.status.phase, "Failed");
  equal(r.byName["e"]?.phase, "Succeeded");
  equal(r.byName["e.onExit"]?.phase, "Failed");
  equal(r.status.message, r.byName["e.onExit"]?.message);
});

Deno.test("exit handler: spec.hooks.exit and step-level hooks.exit / onExit", () => {
  const text = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: h}
spec:
  entrypoint: main
  hooks:
    exit: {template: bye}
  templates:
  - name: main
    steps:
    - - name: a
        template: work
        hooks:
          exit:
            template: step-exit
            arguments: {parameters: [{name: code, value: "{{steps.a.outputs.parameters.p}}"}]}
      - {name: b, template: work, onExit: bye}
    - - {name: c, template: work}
  - name: work
    container: {image: busybox}
    outputs: {parameters: [{name: p, valueFrom: {path: /p}}]}
  - name: bye
    container: {image: busybox}
  - name: step-exit
    inputs: {parameters: [{name: code}]}
    container: {image: busybox, args: ["{{inputs.parameters.code}}"]}
`;
  const r = runWorkflow(text, { scripts: { work: { parameters: { p: "out" } } } });
  equal(r.status.phase, "Succeeded");
  deepStrictEqual(childNames(r, "h[0].a"), ["h[0].a.onExit", "h[1]"]);
  equal(r.byName["h[0].a.onExit"]?.displayName, "a.onExit");
  deepStrictEqual(r.started.find((s) => s.nodeName === "h[0].a.onExit")?.main.args, ["out"]);
  equal(r.byName["h[0].b.onExit"]?.phase, "Succeeded");
  // group [1] starts only once both exit handlers are done
  const t = (name: string) =>
    r.log.find((l) => l.action.type === "start" && l.action.run.nodeName === name)?.t;
  equal(t("h[0].a.onExit"), 1);
  equal(t("h[1].c"), 2);
  equal(r.byName["h.onExit"]?.phase, "Succeeded");
});

Deno.test("exit handler: a looped step's hooks.exit gets each item, as Argo expands the whole step", () => {
  const text = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: hi}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: s
        template: work
        withItems: [a, b]
        hooks:
          exit:
            template: step-exit
            arguments: {parameters: [{name: code, value: "exit-{{item}}"}]}
  - name: work
    container: {image: busybox}
  - name: step-exit
    inputs: {parameters: [{name: code}]}
    container: {image: busybox, args: ["{{inputs.parameters.code}}"]}
`;
  const r = runWorkflow(text);
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  deepStrictEqual(
    ["hi[0].s(0:a).onExit", "hi[0].s(1:b).onExit"].map((n) =>
      r.started.find((s) => s.nodeName === n)?.main.args
    ),
    [["exit-a"], ["exit-b"]],
  );
});

Deno.test("a workflow-level hook that cannot run errs the entrypoint's node; the exit handler still runs (Argo's operate)", () => {
  const r = runWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: h}
spec:
  entrypoint: main
  hooks:
    running: {expression: workflow.status == "Running", template: http}
    exit: {template: bye}
  templates:
  - name: main
    steps:
    - - {name: work, template: work}
  - name: work
    container: {image: busybox, args: [work]}
  - name: bye
    container: {image: busybox, args: ["{{workflow.status}}"]}
  - name: http
    http: {url: "http://127.0.0.1:9/x"}
`);
  const message =
    "http templates are not supported by skiff; make the request with curl or wget in a container or script template";
  equal(r.byName["h.hooks.running"]?.message, message);
  equal(r.byName["h"]?.phase, "Error");
  equal(r.byName["h"]?.message, message);
  equal(r.byName["h.onExit"]?.phase, "Succeeded");
  deepStrictEqual(r.started.map((s) => s.main.args?.[0]), ["work", "Error"]);
  equal(r.status.phase, "Error");
  equal(r.status.message, message);
});

Deno.test("recursion: a template calling itself until a condition, and the depth limit", () => {
  const text = (limit: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: rec}
spec:
  entrypoint: loop
  templates:
  - name: loop
    inputs: {parameters: [{name: n, value: "0"}]}
    steps:
    - - name: count
        template: count
        arguments: {parameters: [{name: n, value: "{{inputs.parameters.n}}"}]}
    - - name: again
        template: loop
        when: "{{steps.count.outputs.result}} < ${limit}"
        arguments: {parameters: [{name: n, value: "{{steps.count.outputs.result}}"}]}
  - name: count
    inputs: {parameters: [{name: n}]}
    container: {image: busybox, args: ["{{inputs.parameters.n}}"]}
`;
  const count = {
    count: (run: { main: { args?: string[] } }) => ({ stdout: `${Number(run.main.args?.[0]) + 1}\n` }),
  };
  const r = runWorkflow(text("3"), { scripts: count });
  equal(r.status.phase, "Succeeded");
  deepStrictEqual(r.started.map((s) => s.main.args?.[0]), ["0", "1", "2"]);
  equal(r.byName["rec[1].again[1].again[1].again"]?.phase, "Skipped");
  const deep = runWorkflow(text("1000"), { scripts: count, maxSteps: 2000, checkIdempotent: false });
  equal(deep.status.phase, "Failed");
  const errored = Object.values(deep.status.nodes ?? {}).find((n) =>
    n.message?.includes("Maximum recursion depth exceeded")
  );
  ok(errored, "a node names the recursion limit");
});
