import assert from "node:assert/strict";
import type {
  ArgoDocument,
  ClusterWorkflowTemplate,
  CronWorkflow,
  NodeStatus,
  Parameter,
  Template,
  Workflow,
  WorkflowStatus,
  WorkflowTemplate,
} from "../../controller/spec/types.ts";
import { NODE_PHASES, NODE_TYPES, WORKFLOW_PHASES } from "../../controller/spec/types.ts";
import { objectSpec } from "../../controller/spec/schema.ts";
import { workflowSpecOf } from "../../controller/spec/normalize.ts";

// These literals are type-checked: they are what an engine or test author writes by hand.

const helloWorld: Workflow = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Workflow",
  metadata: { generateName: "hello-world-", labels: { app: "demo" } },
  spec: {
    entrypoint: "main",
    arguments: { parameters: [{ name: "message", value: "hello" }] },
    templates: [
      {
        name: "main",
        inputs: { parameters: [{ name: "message" }] },
        retryStrategy: {
          limit: 2,
          retryPolicy: "OnFailure",
          backoff: { duration: "1s", factor: 2, cap: "1m" },
        },
        container: {
          image: "busybox",
          command: ["echo"],
          args: ["{{inputs.parameters.message}}"],
          resources: { limits: { cpu: "100m", memory: "64Mi" } },
          env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "token" } } }],
        },
      },
    ],
  },
};

const steps: Template = {
  name: "steps",
  steps: [
    [{ name: "a", template: "main", hooks: { exit: { template: "cleanup" } } }],
    [
      {
        name: "b",
        template: "main",
        withItems: [1, "two", { three: 3 }],
        when: "{{steps.a.status}} == Succeeded",
      },
      {
        name: "c",
        templateRef: { name: "lib", template: "t", clusterScope: true },
        continueOn: { failed: true },
      },
    ],
  ],
};

const dag: Template = {
  name: "dag",
  dag: {
    tasks: [
      { name: "A", template: "main" },
      { name: "B", template: "main", depends: "A.Succeeded", withSequence: { count: "3", format: "%02d" } },
      { name: "C", template: "main", dependencies: ["A"] },
    ],
  },
  synchronization: { mutexes: [{ name: "one-at-a-time" }], semaphores: [{ database: { key: "db" } }] },
};

const cron: CronWorkflow = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "CronWorkflow",
  metadata: { name: "nightly" },
  spec: {
    schedules: ["0 2 * * *"],
    timezone: "Europe/Paris",
    concurrencyPolicy: "Forbid",
    stopStrategy: { expression: "cronworkflow.failed >= 3" },
    workflowSpec: { entrypoint: "dag", templates: [dag, steps] },
  },
};

const library: WorkflowTemplate = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "WorkflowTemplate",
  metadata: { name: "lib" },
  spec: { templates: [steps] },
};

const cluster: ClusterWorkflowTemplate = { ...library, kind: "ClusterWorkflowTemplate" };

const node: NodeStatus = {
  id: "hello-world-abc-123",
  name: "hello-world-abc.steps[0].a",
  displayName: "a",
  type: "Pod",
  phase: "Succeeded",
  boundaryID: "hello-world-abc",
  templateName: "main",
  startedAt: "2024-01-02T03:04:05Z",
  finishedAt: null,
  outputs: { result: "hello", exitCode: "0", parameters: [{ name: "out", value: "1" }] },
  nodeFlag: { retried: true },
};

const status: WorkflowStatus = { phase: "Running", progress: "1/2", nodes: { [node.id]: node } };

Deno.test("hand-written documents of every kind type-check and expose their WorkflowSpec", () => {
  const docs: ArgoDocument[] = [helloWorld, cron, library, cluster];
  assert.deepEqual(docs.map((d) => workflowSpecOf(d).templates?.[0]?.name), [
    "main",
    "dag",
    "steps",
    "steps",
  ]);
  assert.equal(status.nodes?.[node.id]?.outputs?.result, "hello");
});

Deno.test("typos, wrong enum values and explicit undefined are type errors", () => {
  const mistakes = [
    // @ts-expect-error `entryPoint` is not a WorkflowSpec field (it is `entrypoint`).
    { entryPoint: "main" } satisfies Workflow["spec"],
    // @ts-expect-error retryPolicy is one of Always, OnFailure, OnError, OnTransientError.
    { retryPolicy: "Sometimes" } satisfies Template["retryStrategy"],
    // @ts-expect-error phases are Argo's capitalised names.
    { id: "x", name: "x", type: "Pod", phase: "succeeded" } satisfies NodeStatus,
    // @ts-expect-error with exactOptionalPropertyTypes an optional field is absent, never undefined.
    { name: "p", value: undefined } satisfies Parameter,
  ];
  assert.equal(mistakes.length, 4);
});

Deno.test("the phase and node-type constants match SCHEMA's enums", () => {
  assert.deepEqual(NODE_PHASES, objectSpec("NodeStatus")?.fields["phase"]?.enum);
  assert.deepEqual(NODE_TYPES, objectSpec("NodeStatus")?.fields["type"]?.enum);
  assert.deepEqual(WORKFLOW_PHASES, objectSpec("WorkflowStatus")?.fields["phase"]?.enum);
});
