/**
 * The shape of Argo's argoproj.io/v1alpha1 documents at run time, for the linter: which fields
 * each object type has, what kind of value each holds, which are Kubernetes-only, deprecated, or
 * limited to a set of values.
 *
 * Keeping this in step with `types.ts`: the type names here are the interface names there, and
 * `tests/spec/schema.test.ts` holds a compile-time check that, for every name in `SpecTypes`, the
 * interface's keys equal this type's field names and each field's TypeScript type fits its kind
 * (enum values included). Hand-written TypeScript keeps doc comments, required fields and literal
 * unions that a derived type would lose; the check makes drift fail `deno check` instead.
 *
 * @module
 */

import type { ObjectSpec } from "./schema/fields.ts";
import { artifactTypes } from "./schema/artifact.ts";
import { k8sTypes } from "./schema/k8s.ts";
import { templateTypes } from "./schema/template.ts";
import { workflowTypes } from "./schema/workflow.ts";

export type { Field, FieldSpec, ObjectSpec } from "./schema/fields.ts";

const definitions = {
  ...workflowTypes,
  ...templateTypes,
  ...artifactTypes,
  ...k8sTypes,
} as const satisfies Record<string, ObjectSpec>;

/**
 * The literal type of SCHEMA (every field's kind, type name and enum as literal types), for
 * compile-time checks against `SpecTypes` in types.ts.
 */
export type SchemaDefinitions = typeof definitions;

/**
 * Every named object type, by the interface name it has in types.ts. Frozen; SCHEMA and every
 * `fields` map have no prototype, so `fields["constructor"]` is undefined like any unknown key.
 */
export const SCHEMA: Record<string, ObjectSpec> = freeze(definitions);

function freeze(defs: Record<string, ObjectSpec>): Record<string, ObjectSpec> {
  const out: Record<string, ObjectSpec> = Object.create(null);
  for (const [name, spec] of Object.entries(defs)) {
    const fields: ObjectSpec["fields"] = Object.create(null);
    for (const [key, field] of Object.entries(spec.fields)) fields[key] = deepFreeze(field);
    out[name] = Object.freeze(
      spec.open ? { fields: Object.freeze(fields), open: true } : { fields: Object.freeze(fields) },
    );
  }
  return Object.freeze(out);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The object type of each document kind's root, e.g. { Workflow: "Workflow", WorkflowTemplate: "WorkflowTemplate", ... } */
export const ROOT_TYPES: Record<
  "Workflow" | "WorkflowTemplate" | "ClusterWorkflowTemplate" | "CronWorkflow",
  string
> = {
  Workflow: "Workflow",
  WorkflowTemplate: "WorkflowTemplate",
  ClusterWorkflowTemplate: "ClusterWorkflowTemplate",
  CronWorkflow: "CronWorkflow",
};

/** Looks up a named object type; undefined if unknown. */
export function objectSpec(type: string): ObjectSpec | undefined {
  return Object.hasOwn(SCHEMA, type) ? SCHEMA[type] : undefined;
}
