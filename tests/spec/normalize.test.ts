import assert from "node:assert/strict";
import { formatArgoNumber, normalizeDocument, workflowSpecOf } from "../../controller/spec/normalize.ts";
import type { CronWorkflow, Workflow } from "../../controller/spec/types.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

function workflow(spec: Record<string, unknown>, kind = "Workflow"): Record<string, unknown> {
  return { apiVersion: "argoproj.io/v1alpha1", kind, metadata: { generateName: "t-" }, spec };
}

Deno.test("parameter values become strings as Argo reads them", () => {
  const doc = workflow({
    entrypoint: "main",
    arguments: {
      parameters: [
        { name: "count", value: 3 },
        { name: "ratio", value: 1.5 },
        { name: "dry", value: true },
        { name: "mode", default: 0, enum: [0, 1, "two", false], description: 42 },
        { name: "text", value: "kept" },
      ],
    },
    templates: [],
  });
  const out = normalizeDocument(doc) as Loose;
  assert.deepEqual(out.spec.arguments.parameters, [
    { name: "count", value: "3" },
    { name: "ratio", value: "1.5" },
    { name: "dry", value: "true" },
    { name: "mode", default: "0", enum: ["0", "1", "two", "false"], description: "42" },
    { name: "text", value: "kept" },
  ]);
});

Deno.test("parameters are stringified everywhere they appear", () => {
  const args = { parameters: [{ name: "n", value: 7 }] };
  const doc = workflow({
    entrypoint: "main",
    templateDefaults: { inputs: { parameters: [{ name: "d", default: 1 }] } },
    hooks: { exit: { template: "bye", arguments: args } },
    templates: [
      {
        name: "main",
        inputs: { parameters: [{ name: "x", default: 10 }] },
        outputs: { parameters: [{ name: "o", valueFrom: { path: "/tmp/o", default: 0 } }] },
        steps: [[
          {
            name: "s",
            template: "t",
            arguments: args,
            hooks: { running: { expression: "true", template: "h", arguments: args } },
            inline: { inputs: { parameters: [{ name: "i", value: false }] }, container: { image: "alpine" } },
          },
        ]],
      },
      { name: "d", dag: { tasks: [{ name: "a", template: "t", arguments: args }] } },
    ],
  });
  const out = normalizeDocument(doc) as Loose;
  const spec = out.spec;
  assert.equal(spec.templateDefaults.inputs.parameters[0].default, "1");
  assert.equal(spec.hooks.exit.arguments.parameters[0].value, "7");
  const main = spec.templates[0];
  assert.equal(main.inputs.parameters[0].default, "10");
  assert.equal(main.outputs.parameters[0].valueFrom.default, "0");
  const step = main.steps[0][0];
  assert.equal(step.arguments.parameters[0].value, "7");
  assert.equal(step.hooks.running.arguments.parameters[0].value, "7");
  assert.equal(step.inline.inputs.parameters[0].value, "false");
  assert.equal(spec.templates[1].dag.tasks[0].arguments.parameters[0].value, "7");
});

Deno.test("cron workflow parameters and workflow status are normalized too", () => {
  const cron = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "CronWorkflow",
    metadata: { name: "c" },
    spec: {
      schedule: "*/5 * * * *",
      workflowSpec: { entrypoint: "m", arguments: { parameters: [{ name: "p", value: 1 }] } },
    },
  };
  const out = normalizeDocument(cron) as Loose;
  assert.equal(out.spec.workflowSpec.arguments.parameters[0].value, "1");

  const wf = {
    ...workflow({ entrypoint: "m" }),
    status: {
      nodes: {
        "n-1": { id: "n-1", name: "n", type: "Pod", inputs: { parameters: [{ name: "a", value: 2 }] } },
      },
    },
  };
  assert.equal((normalizeDocument(wf) as Loose).status.nodes["n-1"].inputs.parameters[0].value, "2");
});

Deno.test("numbers are printed like Go's FormatFloat(v, 'f', -1)", () => {
  assert.equal(formatArgoNumber(3), "3");
  assert.equal(formatArgoNumber(-2.25), "-2.25");
  assert.equal(formatArgoNumber(0.1), "0.1");
  assert.equal(formatArgoNumber(1e21), "1000000000000000000000");
  assert.equal(formatArgoNumber(1.5e22), "15000000000000000000000");
  assert.equal(formatArgoNumber(1e-7), "0.0000001");
  assert.equal(formatArgoNumber(-1.25e-8), "-0.0000000125");
});

Deno.test("values Argo would not read as a string are left for the linter", () => {
  const doc = workflow({
    arguments: { parameters: [{ name: "obj", value: { a: 1 } }, { name: "nil", value: null }] },
  });
  const out = normalizeDocument(doc) as Loose;
  assert.deepEqual(out.spec.arguments.parameters, [{ name: "obj", value: { a: 1 } }, {
    name: "nil",
    value: null,
  }]);
});

Deno.test("only AnyString fields change: other numbers stay numbers", () => {
  const doc = workflow({
    parallelism: 2,
    templates: [{
      name: "t",
      retryStrategy: { limit: 3 },
      container: { image: "alpine", args: ["1"] },
      steps: [[{ name: "s", template: "x", withItems: [1, true, { n: 2 }] }]],
    }],
  });
  const out = normalizeDocument(doc) as Loose;
  assert.equal(out.spec.parallelism, 2);
  assert.equal(out.spec.templates[0].retryStrategy.limit, 3);
  assert.deepEqual(out.spec.templates[0].steps[0][0].withItems, [1, true, { n: 2 }]);
});

Deno.test("legacy `schedule` becomes `schedules`, keeping both consistent", () => {
  const cron = (spec: Record<string, unknown>) => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "CronWorkflow",
    metadata: { name: "c" },
    spec: { workflowSpec: { entrypoint: "m" }, ...spec },
  });
  const a = normalizeDocument(cron({ schedule: "0 * * * *" })) as CronWorkflow;
  assert.deepEqual(a.spec.schedules, ["0 * * * *"]);
  assert.equal(a.spec.schedule, "0 * * * *");

  const b = normalizeDocument(cron({ schedules: ["0 1 * * *", "0 2 * * *"] })) as CronWorkflow;
  assert.deepEqual(b.spec.schedules, ["0 1 * * *", "0 2 * * *"]);
  assert.equal(b.spec.schedule, undefined);

  // Argo's GetSchedules: a set `schedule` wins.
  const c = normalizeDocument(cron({ schedule: "0 3 * * *", schedules: ["0 4 * * *"] })) as CronWorkflow;
  assert.deepEqual(c.spec.schedules, ["0 3 * * *"]);
});

Deno.test("singular mutex/semaphore become the plural lists", () => {
  const cm = { name: "my-config", key: "workflow" };
  const doc = workflow({
    synchronization: { mutex: { name: "wf" }, semaphore: { configMapKeyRef: cm } },
    templates: [{
      name: "t",
      synchronization: { mutex: { name: "a" }, mutexes: [{ name: "b" }] },
      container: { image: "alpine" },
    }],
  });
  const out = normalizeDocument(doc) as Workflow;
  assert.deepEqual(out.spec.synchronization, {
    semaphores: [{ configMapKeyRef: cm }],
    mutexes: [{ name: "wf" }],
  });
  assert.deepEqual(out.spec.templates?.[0]?.synchronization, { mutexes: [{ name: "a" }, { name: "b" }] });
});

Deno.test("step and task onExit become exit hooks", () => {
  const doc = workflow({
    onExit: "workflow-exit",
    templates: [
      {
        name: "steps",
        steps: [[
          { name: "a", template: "t", onExit: "cleanup" },
          {
            name: "b",
            template: "t",
            onExit: "wins",
            hooks: { exit: { template: "loses" }, ok: { template: "h" } },
          },
          { name: "c", template: "t", onExit: "" },
        ]],
      },
      { name: "dag", dag: { tasks: [{ name: "x", template: "t", onExit: "cleanup", dependencies: ["y"] }] } },
    ],
  });
  const out = normalizeDocument(doc) as Workflow;
  const [a, b, c] = out.spec.templates?.[0]?.steps?.[0] ?? [];
  assert.deepEqual(a, { name: "a", template: "t", hooks: { exit: { template: "cleanup" } } });
  assert.deepEqual(b, {
    name: "b",
    template: "t",
    hooks: { exit: { template: "wins" }, ok: { template: "h" } },
  });
  assert.deepEqual(c, { name: "c", template: "t" });
  assert.deepEqual(out.spec.templates?.[1]?.dag?.tasks[0], {
    name: "x",
    template: "t",
    dependencies: ["y"],
    hooks: { exit: { template: "cleanup" } },
  });
  // The workflow-level onExit is current Argo, not legacy: untouched.
  assert.equal(out.spec.onExit, "workflow-exit");
});

Deno.test("normalizeDocument never mutates its input", () => {
  const doc = workflow({
    arguments: { parameters: [{ name: "n", value: 1 }] },
    synchronization: { mutex: { name: "m" } },
    templates: [{ name: "s", steps: [[{ name: "a", template: "t", onExit: "e" }]] }],
    unknownField: { nested: [1, 2] },
  });
  const before = structuredClone(doc);
  const out = normalizeDocument(doc) as Loose;
  assert.deepEqual(doc, before);
  assert.notEqual(out, doc);
  // Unknown fields are copied, not shared.
  assert.deepEqual(out.spec.unknownField, { nested: [1, 2] });
  assert.notEqual(out.spec.unknownField, (doc.spec as Loose).unknownField);
});

Deno.test("documents of unknown kinds, and non-objects, come back as copies", () => {
  const cm = { apiVersion: "v1", kind: "ConfigMap", data: { value: 1 } };
  const out = normalizeDocument(cm);
  assert.deepEqual(out, cm);
  assert.notEqual(out, cm);
  assert.equal(normalizeDocument(null), null);
  assert.equal(normalizeDocument("text"), "text");
  assert.deepEqual(normalizeDocument([1, { a: 2 }]), [1, { a: 2 }]);
});

Deno.test("a `__proto__` key is copied as data, not as a prototype", () => {
  const doc = JSON.parse('{"kind":"Workflow","spec":{"__proto__":{"polluted":true},"entrypoint":"m"}}');
  const out = normalizeDocument(doc) as Loose;
  assert.equal(Object.getPrototypeOf(out.spec), Object.prototype);
  assert.equal(out.spec.polluted, undefined);
  assert.deepEqual(Object.keys(out.spec), ["__proto__", "entrypoint"]);
});

Deno.test("workflowSpecOf finds the WorkflowSpec of each kind", () => {
  const spec = { entrypoint: "main" };
  assert.equal(workflowSpecOf(workflow(spec)), spec);
  assert.equal(workflowSpecOf(workflow(spec, "WorkflowTemplate")), spec);
  assert.equal(workflowSpecOf(workflow(spec, "ClusterWorkflowTemplate")), spec);
  assert.equal(
    workflowSpecOf(workflow({ schedules: ["* * * * *"], workflowSpec: spec }, "CronWorkflow")),
    spec,
  );
  assert.equal(workflowSpecOf(workflow(spec, "ConfigMap")), undefined);
  assert.equal(workflowSpecOf({ kind: "Workflow" }), undefined);
  assert.equal(workflowSpecOf({ kind: "CronWorkflow", spec: {} }), undefined);
  assert.equal(workflowSpecOf(undefined), undefined);
});
