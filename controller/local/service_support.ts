/**
 * What the local service's parts share: the kinds it stores and their Kubernetes resource names,
 * objects with their resourceVersion, the phase labels, and checking (lint against the stored
 * templates, with line:col of the request body) and resolving template references of workflows.
 */
import { type LoadedDocument, loadText } from "../spec/load.ts";
import type { NodeStatus, Template } from "../spec/types.ts";
import { joinSpec, localCallsAsRefs, storedTemplateKey, templateRefsIn } from "../engine/template-refs.ts";
import type {
  ClusterWorkflowTemplate,
  RequestSource,
  Workflow,
  WorkflowTemplate,
} from "../../web/service.ts";
import { errors, type ServiceError } from "../../web/service.ts";
import { lintErrors, type ObjectKind } from "../../web/admission.ts";
import { workflowDone } from "./host.ts";
import type { StoredWorkflow } from "./store.ts";
import type { ObjectTable, StoredObject } from "./service_objects.ts";

/** The kinds of objects the service keeps. */
/** The kinds the service serves (the API's). */
export type Kind = ObjectKind;
/** Any of them, as far as the service looks into them. */
export type AnyObject = { apiVersion?: string; kind?: string; metadata: Workflow["metadata"]; spec: unknown };

/** Kubernetes' resource name of each kind, as errors name them (`workflows.argoproj.io "x" not found`). */
export const RESOURCE: Record<Kind, string> = {
  Workflow: "workflows.argoproj.io",
  WorkflowTemplate: "workflowtemplates.argoproj.io",
  ClusterWorkflowTemplate: "clusterworkflowtemplates.argoproj.io",
  CronWorkflow: "cronworkflows.argoproj.io",
};
const PHASE_LABEL = "workflows.argoproj.io/phase";
const COMPLETED_LABEL = "workflows.argoproj.io/completed";
/** Node phases after which a node does nothing more. */
export const FINAL_NODE = new Set(["Succeeded", "Failed", "Error", "Skipped", "Omitted"]);

export function withVersion(stored: StoredWorkflow<Workflow>): Workflow {
  const o = stored.object;
  return { ...o, metadata: { ...o.metadata, resourceVersion: String(stored.version) } };
}

export function objectOf<T extends AnyObject>(stored: StoredObject<T>): T {
  const o = stored.object;
  return { ...o, metadata: { ...o.metadata, resourceVersion: String(stored.version) } };
}

/** A workflow's labels plus the phase and completed labels Argo's controller keeps on it. */
export function workflowLabels(wf: Workflow): Record<string, string> {
  const phase = wf.status?.phase || "Pending";
  return {
    [PHASE_LABEL]: phase,
    [COMPLETED_LABEL]: String(workflowDone(wf)),
    ...wf.metadata.labels,
  };
}

export function notFound(kind: Kind, name: string): ServiceError {
  return errors.notFound(`${RESOURCE[kind]} "${name}" not found`);
}

/** The Pod nodes of a workflow, in the order they started. */
export function podNodes(wf: Workflow): NodeStatus[] {
  return Object.values(wf.status?.nodes ?? {})
    .filter((n) => n.type === "Pod")
    .sort((a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? "") || a.name.localeCompare(b.name));
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Lint errors of `obj` as `line:col: message`, against the templates stored here. */
export function lintProblems(
  objects: ObjectTable,
  kind: Kind,
  obj: AnyObject,
  namespace: string,
  source?: RequestSource,
): string[] {
  const registry: LoadedDocument[] = [];
  if (JSON.stringify(obj).includes("emplateRef")) {
    const docs = [
      ...objects.list<WorkflowTemplate>("WorkflowTemplate", namespace),
      ...objects.list<ClusterWorkflowTemplate>("ClusterWorkflowTemplate", ""),
    ];
    for (const d of docs) {
      if (d.kind === kind && d.name === obj.metadata.name) continue; // the old version of the subject
      registry.push(...loadText(JSON.stringify(d.object), `${d.kind}/${d.name}`).documents);
    }
  }
  return lintErrors(obj, registry, "local", source);
}

/** Resolves template references: workflowTemplateRef merged into the spec, templateRefs stored. */
export function hydrate(objects: ObjectTable, namespace: string, input: Workflow): Workflow {
  const wf = structuredClone(input);
  const wtRef = wf.spec.workflowTemplateRef;
  if (wtRef) {
    const cluster = wtRef.clusterScope === true;
    const kind = cluster ? "ClusterWorkflowTemplate" : "WorkflowTemplate";
    const tmpl = objects.get<WorkflowTemplate>(kind, cluster ? "" : namespace, wtRef.name ?? "")
      ?.object;
    if (!tmpl) throw errors.invalid(`spec.workflowTemplateRef: ${kind} "${wtRef.name ?? ""}" not found`);
    const { workflowTemplateRef: _, ...own } = wf.spec;
    wf.spec = { ...joinSpec(tmpl.spec, own), workflowTemplateRef: wtRef };
    const label = cluster
      ? "workflows.argoproj.io/cluster-workflow-template"
      : "workflows.argoproj.io/workflow-template";
    wf.metadata.labels = { ...wf.metadata.labels, [label]: wtRef.name ?? "" };
  }
  const stored: Record<string, Template> = { ...wf.status?.storedTemplates };
  const queue: unknown[] = [wf.spec.templates, wf.spec.hooks, wf.spec.templateDefaults];
  while (queue.length > 0) {
    for (const ref of templateRefsIn(queue.shift())) {
      const key = storedTemplateKey(ref);
      if (stored[key]) continue;
      const kind = ref.clusterScope ? "ClusterWorkflowTemplate" : "WorkflowTemplate";
      const doc = objects.get<WorkflowTemplate>(kind, ref.clusterScope ? "" : namespace, ref.name)
        ?.object;
      const tmpl = doc?.spec.templates?.find((t) => t.name === ref.template);
      if (!doc) throw errors.invalid(`templateRef: ${kind} "${ref.name}" not found`);
      if (!tmpl) {
        throw errors.invalid(`templateRef: ${kind} "${ref.name}" has no template "${ref.template}"`);
      }
      // Inside a referenced template, plain `template: x` calls mean x of that WorkflowTemplate.
      stored[key] = localCallsAsRefs(tmpl, ref.name, ref.clusterScope) as Template;
      queue.push(stored[key]);
    }
  }
  if (Object.keys(stored).length > 0) wf.status = { ...wf.status, storedTemplates: stored };
  return wf;
}
