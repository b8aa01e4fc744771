/**
 * What every service does with an object the API receives, whichever host is behind it: check its
 * shape (kind, apiVersion, namespace, name), then lint it with positions in the request body, so a
 * mistake is a 400 naming `line:col`.
 */
import { stringify } from "yaml";
import { lintDocuments, type LintOptions } from "../controller/spec/lint/mod.ts";
import { type LoadedDocument, loadText } from "../controller/spec/load.ts";
import { errors, type RequestSource } from "./service.ts";

/** The kinds of object the API stores. */
export type ObjectKind = "Workflow" | "WorkflowTemplate" | "ClusterWorkflowTemplate" | "CronWorkflow";

/**
 * The kind a submit request's `resourceKind` names (`workflowtemplate`, `cwftmpl`, `cronwf`, ...,
 * as `argo submit --from` accepts them); an InvalidArgument error for anything else.
 */
export function submitResourceKind(text: string): Exclude<ObjectKind, "Workflow"> {
  const k = text.toLowerCase().replace(/s$/, "");
  if (["workflowtemplate", "wftmpl", "wft"].includes(k)) return "WorkflowTemplate";
  if (["clusterworkflowtemplate", "cwftmpl", "cwft", "clusterwftmpl"].includes(k)) {
    return "ClusterWorkflowTemplate";
  }
  if (["cronworkflow", "cronwf", "cwf"].includes(k)) return "CronWorkflow";
  throw errors.invalid(
    `resourceKind "${text}" is not one of WorkflowTemplate, ClusterWorkflowTemplate, CronWorkflow`,
  );
}

/** An object as the API receives it, after {@link admitShape}. */
export interface AdmittedObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; generateName?: string; namespace?: string; [key: string]: unknown };
  spec?: unknown;
}

/**
 * A copy of `input` with kind and apiVersion defaulted and the request's namespace set (none for
 * cluster-scoped kinds); throws an InvalidArgument error saying what to fix.
 */
export function admitShape(kind: ObjectKind, namespace: string, input: unknown): AdmittedObject {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw errors.invalid(`the ${kind} must be a JSON object`);
  }
  const obj = structuredClone(input) as AdmittedObject;
  obj.kind ??= kind;
  obj.apiVersion ??= "argoproj.io/v1alpha1";
  if (obj.kind !== kind) throw errors.invalid(`kind must be ${kind}, not ${JSON.stringify(obj.kind)}`);
  if (obj.metadata === null || typeof obj.metadata !== "object") obj.metadata = {};
  const ns = obj.metadata.namespace;
  if (kind === "ClusterWorkflowTemplate") {
    delete obj.metadata.namespace;
  } else if (ns !== undefined && ns !== "" && ns !== namespace) {
    throw errors.invalid(
      `metadata.namespace "${ns}" does not match the namespace of the request "${namespace}"`,
    );
  } else {
    obj.metadata.namespace = namespace;
  }
  if (!obj.metadata.name && !obj.metadata.generateName) {
    throw errors.invalid(`the ${kind} has neither metadata.name nor metadata.generateName; set one of them`);
  }
  return obj;
}

/**
 * Lint errors of `obj` as `line:col: message` (positions in the request body when `source` is
 * given), linted together with `templates` (the WorkflowTemplates its templateRefs may name).
 */
export function lintErrors(
  obj: object,
  templates: LoadedDocument[],
  target: NonNullable<LintOptions["target"]>,
  source?: RequestSource,
): string[] {
  return lintDocuments([documentOf(obj, source), ...templates], { target })
    .filter((p) => p.file === "" && p.severity === "error")
    .map((p) => `${p.line}:${p.col}: ${p.message}`);
}

/** A LoadedDocument of `value`, with positions in the request body it came from. */
function documentOf(value: object, source?: RequestSource): LoadedDocument {
  if (source) {
    const base = loadText(source.text, "").documents[0];
    if (base) {
      return {
        file: "",
        index: 0,
        kind: (value as { kind?: string }).kind,
        value,
        positionOf: (p) => base.positionOf([...source.path, ...p]),
        keyPositionOf: (p) => base.keyPositionOf([...source.path, ...p]),
      };
    }
  }
  const doc = loadText(stringify(value), "").documents[0]!;
  return { ...doc, value };
}
