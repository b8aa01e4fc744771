import assert from "node:assert/strict";
import { type Field, type FieldSpec, objectSpec, ROOT_TYPES, SCHEMA } from "../../controller/spec/schema.ts";
import type { SchemaDefinitions } from "../../controller/spec/schema.ts";
import type { SpecTypes } from "../../controller/spec/types.ts";
import type { artifactTypes } from "../../controller/spec/schema/artifact.ts";
import type { k8sTypes } from "../../controller/spec/schema/k8s.ts";
import type { templateTypes } from "../../controller/spec/schema/template.ts";
import type { workflowTypes } from "../../controller/spec/schema/workflow.ts";

// ---------------------------------------------------------------------------------------------
// Compile-time: types.ts and schema.ts describe the same shapes. Each `expectNever<X>()` below
// fails `deno check` (and so `deno test`) with the offending type or field names in the message.
// ---------------------------------------------------------------------------------------------

/** Compiles only when T is never; the error names what T is. */
function expectNever<T extends never>(): T | undefined {
  return undefined;
}
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends (<X>() => X extends B ? 1 : 2) ? true : false;
type Defs = SchemaDefinitions;
type Names = keyof SpecTypes & keyof Defs;
/** Object types whose interface is an index signature (free-form), so keys cannot be compared. */
type OpenTypes = "Plugin";

// The same type names on both sides.
expectNever<Exclude<keyof SpecTypes, keyof Defs>>(); // in types.ts (SpecTypes) but not in SCHEMA
expectNever<Exclude<keyof Defs, keyof SpecTypes>>(); // in SCHEMA but not in SpecTypes

// The same field names for every closed type: the error names the type whose keys differ.
type KeyMismatch = {
  [N in Exclude<Names, OpenTypes>]: Equal<keyof SpecTypes[N], keyof Defs[N]["fields"]> extends true ? never
    : N;
}[Exclude<Names, OpenTypes>];
expectNever<KeyMismatch>();

// Every field's TypeScript type fits its schema kind; an enum's values equal the literal union.
type FieldTS<F> = F extends { kind: "string" } ? string
  : F extends { kind: "int" | "number" } ? number
  : F extends { kind: "bool" } ? boolean
  : F extends { kind: "intOrString" | "quantity" } ? number | string
  : F extends { kind: "any" } ? unknown
  : F extends { kind: "object"; type: infer T } ? (T extends keyof SpecTypes ? SpecTypes[T] : never)
  : F extends { kind: "array"; of: infer O } ? readonly FieldTS<O>[]
  : F extends { kind: "map"; of: infer O } ? Readonly<Record<string, FieldTS<O>>>
  : never;
type EnumOk<TS, F> = F extends { enum: readonly (infer E)[] } ? Equal<TS, E> : true;
type FieldOk<TS, F> = [TS] extends [FieldTS<F>] ? EnumOk<TS, F> : false;
type FieldMismatch = {
  [N in Exclude<Names, OpenTypes>]: {
    [K in keyof Defs[N]["fields"] & keyof SpecTypes[N]]: FieldOk<
      Exclude<Required<SpecTypes[N]>[K], null>,
      Defs[N]["fields"][K]
    > extends true ? never
      : `${N & string}.${K & string}`;
  }[keyof Defs[N]["fields"] & keyof SpecTypes[N]];
}[Exclude<Names, OpenTypes>];
expectNever<FieldMismatch>();

// The parts SCHEMA is assembled from do not define a type twice (a later spread would win silently).
type Overlap<A, B> = keyof A & keyof B;
expectNever<
  | Overlap<typeof workflowTypes, typeof templateTypes>
  | Overlap<typeof workflowTypes, typeof artifactTypes>
  | Overlap<typeof workflowTypes, typeof k8sTypes>
  | Overlap<typeof templateTypes, typeof artifactTypes>
  | Overlap<typeof templateTypes, typeof k8sTypes>
  | Overlap<typeof artifactTypes, typeof k8sTypes>
>();

// ---------------------------------------------------------------------------------------------
// Run time
// ---------------------------------------------------------------------------------------------

function referencedTypes(spec: FieldSpec): string[] {
  switch (spec.kind) {
    case "object":
      return [spec.type];
    case "array":
    case "map":
      return referencedTypes(spec.of);
    default:
      return [];
  }
}

function field(type: string, name: string): Field {
  const f = objectSpec(type)?.fields[name];
  assert.ok(f, `${type}.${name} should exist`);
  return f;
}

Deno.test("every object type a field refers to exists in SCHEMA", () => {
  const missing: string[] = [];
  for (const [typeName, spec] of Object.entries(SCHEMA)) {
    for (const [fieldName, f] of Object.entries(spec.fields)) {
      for (const ref of referencedTypes(f)) {
        if (!objectSpec(ref)) missing.push(`${typeName}.${fieldName} -> ${ref}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("every object type is reachable from a document root", () => {
  const seen = new Set<string>();
  const queue: string[] = Object.values(ROOT_TYPES);
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const f of Object.values(objectSpec(name)?.fields ?? {})) queue.push(...referencedTypes(f));
  }
  // SleepAction is reached through Lifecycle; nothing should be dead weight.
  assert.deepEqual(Object.keys(SCHEMA).filter((n) => !seen.has(n)), []);
});

Deno.test("ROOT_TYPES maps each document kind to its root object type", () => {
  assert.deepEqual(ROOT_TYPES, {
    Workflow: "Workflow",
    WorkflowTemplate: "WorkflowTemplate",
    ClusterWorkflowTemplate: "ClusterWorkflowTemplate",
    CronWorkflow: "CronWorkflow",
  });
  for (const root of Object.values(ROOT_TYPES)) {
    const spec = objectSpec(root);
    assert.ok(spec, root);
    assert.deepEqual(field(root, "apiVersion").enum, ["argoproj.io/v1alpha1"]);
    assert.ok(field(root, "spec"));
    assert.ok(field(root, "metadata"));
  }
  assert.deepEqual(field("CronWorkflow", "spec"), { kind: "object", type: "CronWorkflowSpec" });
  assert.deepEqual(field("WorkflowTemplate", "spec"), { kind: "object", type: "WorkflowSpec" });
});

Deno.test("SCHEMA knows `entrypoint` but not the typo `entryPoint`", () => {
  assert.deepEqual(field("WorkflowSpec", "entrypoint"), { kind: "string" });
  assert.equal(objectSpec("WorkflowSpec")?.fields["entryPoint"], undefined);
  assert.equal(objectSpec("Template")?.fields["retryStrategy"]?.kind, "object");
});

Deno.test("objectSpec returns undefined for unknown names, including Object.prototype keys", () => {
  assert.equal(objectSpec("NoSuchType"), undefined);
  assert.equal(objectSpec("toString"), undefined);
  assert.equal(objectSpec("constructor"), undefined);
  assert.ok(objectSpec("Template"));
});

Deno.test("field lookups are safe for any key, and SCHEMA cannot be changed by accident", () => {
  const fields = objectSpec("WorkflowSpec")!.fields;
  assert.equal(fields["constructor"], undefined);
  assert.equal(fields["__proto__"], undefined);
  assert.equal(fields["hasOwnProperty"], undefined);
  assert.ok(Object.isFrozen(SCHEMA) && Object.isFrozen(fields) && Object.isFrozen(fields["templates"]));
  assert.throws(() => {
    (fields as Record<string, Field>)["entryPoint"] = { kind: "string" };
  }, TypeError);
});

Deno.test("Kubernetes-only fields are flagged, portable ones are not", () => {
  for (
    const [type, name] of [
      ["WorkflowSpec", "nodeSelector"],
      ["WorkflowSpec", "tolerations"],
      ["WorkflowSpec", "affinity"],
      ["WorkflowSpec", "serviceAccountName"],
      ["WorkflowSpec", "podGC"],
      ["WorkflowSpec", "podPriorityClassName"],
      ["WorkflowSpec", "schedulerName"],
      ["WorkflowSpec", "imagePullSecrets"],
      ["WorkflowSpec", "hostNetwork"],
      ["WorkflowSpec", "dnsPolicy"],
      ["Template", "nodeSelector"],
      ["Template", "priorityClassName"],
      ["Template", "resource"],
      ["EnvVar", "valueFrom"],
      ["Volume", "secret"],
    ] as const
  ) {
    assert.equal(field(type, name).k8sOnly, true, `${type}.${name}`);
  }
  for (
    const [type, name] of [
      ["WorkflowSpec", "entrypoint"],
      ["WorkflowSpec", "templates"],
      ["Template", "container"],
      ["Template", "script"],
      ["Template", "retryStrategy"],
      ["Container", "image"],
      ["Container", "env"],
      ["Volume", "emptyDir"],
    ] as const
  ) {
    assert.equal(field(type, name).k8sOnly, undefined, `${type}.${name}`);
  }
});

Deno.test("enums list Argo's allowed values", () => {
  assert.deepEqual(field("RetryStrategy", "retryPolicy").enum, [
    "Always",
    "OnFailure",
    "OnError",
    "OnTransientError",
  ]);
  assert.deepEqual(field("CronWorkflowSpec", "concurrencyPolicy").enum, ["Allow", "Forbid", "Replace"]);
  assert.deepEqual(field("ResourceTemplate", "action").enum, [
    "get",
    "create",
    "apply",
    "delete",
    "replace",
    "patch",
  ]);
  assert.ok(field("NodeStatus", "type").enum?.includes("StepGroup"));
  assert.ok(field("NodeStatus", "phase").enum?.includes("Omitted"));
  assert.ok(field("Container", "imagePullPolicy").enum?.includes("IfNotPresent"));
});

Deno.test("legacy spellings are deprecated with a replacement", () => {
  assert.match(field("CronWorkflowSpec", "schedule").deprecated ?? "", /schedules/);
  assert.match(field("Synchronization", "mutex").deprecated ?? "", /mutexes/);
  assert.match(field("Synchronization", "semaphore").deprecated ?? "", /semaphores/);
  assert.match(field("WorkflowStep", "onExit").deprecated ?? "", /hooks/);
  assert.match(field("DAGTask", "onExit").deprecated ?? "", /hooks/);
  assert.equal(field("WorkflowSpec", "onExit").deprecated, undefined);
});

Deno.test("field kinds follow Argo's Go types", () => {
  assert.deepEqual(field("RetryStrategy", "limit"), { kind: "intOrString" });
  assert.deepEqual(field("Sequence", "count"), { kind: "intOrString" });
  assert.deepEqual(field("Template", "steps"), {
    kind: "array",
    of: { kind: "array", of: { kind: "object", type: "WorkflowStep" } },
  });
  assert.deepEqual(field("WorkflowStep", "withItems"), { kind: "array", of: { kind: "any" } });
  assert.deepEqual(field("WorkflowStep", "hooks"), {
    kind: "map",
    of: { kind: "object", type: "LifecycleHook" },
  });
  assert.deepEqual(field("ResourceRequirements", "limits"), { kind: "map", of: { kind: "quantity" } });
  assert.deepEqual(field("Parameter", "value"), { kind: "string", anyString: true });
  assert.equal(objectSpec("Plugin")?.open, true);
  // Inline (embedded) Go structs: a script template has every container field plus `source`.
  const container = Object.keys(objectSpec("Container")!.fields);
  const script = Object.keys(objectSpec("ScriptTemplate")!.fields);
  assert.deepEqual(script, [...container, "source"]);
  // An artifact carries its location fields inline.
  assert.ok(objectSpec("Artifact")?.fields["s3"]);
});
