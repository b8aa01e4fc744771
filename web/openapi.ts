/**
 * `/openapi.json`: an OpenAPI 3 document generated from the route table the app registers (so it
 * describes exactly the routes served) and from the spec's runtime schema (so the Workflow types
 * are the ones the linter checks). Type names follow Argo's swagger.json
 * (`io.argoproj.workflow.v1alpha1.Workflow`, ...).
 */
import { type Field, type FieldSpec, SCHEMA } from "../controller/spec/schema.ts";
import { k8sTypes } from "../controller/spec/schema/k8s.ts";
import { ref, type Route, type Schema } from "./routes/route.ts";

const V1 = "io.argoproj.workflow.v1alpha1";
const META_TYPES = new Set([
  "ObjectMeta",
  "OwnerReference",
  "ManagedFieldsEntry",
  "LabelSelector",
  "LabelSelectorRequirement",
]);

/** The schema name of a spec type, as Argo's swagger.json names it. */
export function schemaName(type: string): string {
  if (META_TYPES.has(type)) return `io.k8s.apimachinery.pkg.apis.meta.v1.${type}`;
  if (Object.hasOwn(k8sTypes, type)) return `io.k8s.api.core.v1.${type}`;
  return `${V1}.${type}`;
}

function fieldSchema(f: FieldSpec | Field): Schema {
  const extra: Schema = {};
  if ("enum" in f && f.enum) extra.enum = [...f.enum];
  if ("deprecated" in f && f.deprecated) {
    extra.deprecated = true;
    extra.description = f.deprecated;
  }
  if ("k8sOnly" in f && f.k8sOnly) extra["x-skiff-kubernetes-only"] = true;
  switch (f.kind) {
    case "string":
      return { type: "string", ...extra };
    case "int":
      return { type: "integer", ...extra };
    case "bool":
      return { type: "boolean", ...extra };
    case "number":
      return { type: "number", ...extra };
    case "intOrString":
    case "quantity":
      return { oneOf: [{ type: "integer" }, { type: "string" }], ...extra };
    case "any":
      return { ...extra };
    case "object":
      return Object.keys(extra).length
        ? { allOf: [ref(schemaName(f.type))], ...extra }
        : ref(schemaName(f.type));
    case "array":
      return { type: "array", items: fieldSchema(f.of), ...extra };
    case "map":
      return { type: "object", additionalProperties: fieldSchema(f.of), ...extra };
  }
}

function specSchemas(): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const [name, spec] of Object.entries(SCHEMA)) {
    const properties: Record<string, Schema> = {};
    for (const [key, field] of Object.entries(spec.fields)) properties[key] = fieldSchema(field);
    out[schemaName(name)] = {
      type: "object",
      properties,
      ...(spec.open ? { additionalProperties: true } : {}),
    };
  }
  return out;
}

const listOf = (item: string): Schema => ({
  type: "object",
  properties: {
    metadata: {
      type: "object",
      properties: { continue: { type: "string" }, resourceVersion: { type: "string" } },
    },
    items: { type: "array", items: ref(`${V1}.${item}`) },
  },
});

/** Request and response types of the API that are not spec types. */
function apiSchemas(): Record<string, Schema> {
  const str = { type: "string" };
  const strs = { type: "array", items: str };
  return {
    [`${V1}.WorkflowList`]: listOf("Workflow"),
    [`${V1}.WorkflowTemplateList`]: listOf("WorkflowTemplate"),
    [`${V1}.ClusterWorkflowTemplateList`]: listOf("ClusterWorkflowTemplate"),
    [`${V1}.CronWorkflowList`]: listOf("CronWorkflow"),
    [`${V1}.WorkflowCreateRequest`]: {
      type: "object",
      required: ["workflow"],
      properties: {
        namespace: { ...str, description: "Ignored: the path's namespace is used." },
        workflow: ref(`${V1}.Workflow`),
        serverDryRun: { type: "boolean" },
        createOptions: { type: "object", properties: { dryRun: strs } },
      },
    },
    [`${V1}.SubmitOpts`]: {
      type: "object",
      properties: {
        name: str,
        generateName: str,
        entryPoint: str,
        parameters: { ...strs, description: "NAME=VALUE pairs" },
        labels: { ...str, description: "a=b,c=d" },
        annotations: { ...str, description: "a=b,c=d" },
        serviceAccount: str,
        dryRun: { type: "boolean" },
        serverDryRun: { type: "boolean" },
        priority: { type: "integer" },
        podPriorityClassName: str,
      },
    },
    [`${V1}.WorkflowSubmitRequest`]: {
      type: "object",
      required: ["resourceKind", "resourceName"],
      properties: {
        resourceKind: { ...str, enum: ["WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"] },
        resourceName: str,
        submitOptions: ref(`${V1}.SubmitOpts`),
      },
    },
    [`${V1}.LogEntry`]: { type: "object", properties: { podName: str, content: str } },
    [`${V1}.WorkflowWatchEvent`]: {
      type: "object",
      properties: { type: { ...str, enum: ["ADDED", "MODIFIED", "DELETED"] }, object: ref(`${V1}.Workflow`) },
    },
    [`${V1}.InfoResponse`]: {
      type: "object",
      properties: {
        managedNamespace: str,
        links: { type: "array", items: { type: "object" } },
        modals: { type: "object", additionalProperties: { type: "boolean" } },
        navColor: str,
        columns: { type: "array", items: { type: "object" } },
      },
    },
    [`${V1}.Version`]: {
      type: "object",
      properties: Object.fromEntries(
        ["version", "buildDate", "gitCommit", "gitTag", "gitTreeState", "goVersion", "compiler", "platform"]
          .map(
            (k) => [k, str],
          ),
      ),
    },
    "grpc.gateway.runtime.Error": {
      type: "object",
      properties: {
        code: { type: "integer", description: "gRPC status code (3 InvalidArgument, 5 NotFound, ...)" },
        message: str,
      },
    },
  };
}

const ERRORS: Record<string, string> = {
  "400": "Invalid request (code 3): a malformed body, a bad parameter, or a workflow that does not lint",
  "401": "No valid bearer token (code 16)",
  "404": "Not found (code 5)",
  "409": "Already exists (code 6) or changed meanwhile (code 10)",
};

/** The OpenAPI document of `routes`. */
export function openApiDocument(routes: Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const queryParams = (r.query ?? []).map((q) => ({
      name: q.name,
      in: "query",
      description: q.description,
      schema: { type: q.type },
    }));
    const success = r.stream
      ? {
        description: 'A stream of `{"result": ...}` objects: newline-delimited JSON, or server-sent events ' +
          "(`data: {...}`) when Accept is text/event-stream.",
        content: {
          "application/json": { schema: { type: "object", properties: { result: r.response } } },
          "text/event-stream": { schema: { type: "string" } },
        },
      }
      : { description: "Success", content: { "application/json": { schema: r.response } } };
    const responses: Record<string, unknown> = { "200": success };
    for (const [status, description] of Object.entries(ERRORS)) {
      responses[status] = {
        description,
        content: { "application/json": { schema: ref("grpc.gateway.runtime.Error") } },
      };
    }
    const op: Record<string, unknown> = {
      tags: [r.tag],
      operationId: r.operationId,
      summary: r.summary,
      parameters: [...pathParams, ...queryParams],
      responses,
    };
    if (r.body) op.requestBody = { required: true, content: { "application/json": { schema: r.body } } };
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "skiff",
      version,
      description: "skiff's API: Argo Server's REST API (paths, bodies, status codes and errors as Argo's).",
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: { ...specSchemas(), ...apiSchemas() },
    },
  };
}
