/**
 * Template references of a workflow, resolved as Argo's controller does when it first sees the
 * workflow: `spec.workflowTemplateRef` -> `status.storedWorkflowTemplateSpec`, every `templateRef`
 * -> `status.storedTemplates["<scope>/<name>/<template>"]` (where the engine looks them up). Later
 * changes of the templates do not change a running workflow.
 *
 * The spec the engine runs is the join of the controller's workflowDefaults, the stored template
 * spec and the workflow's own spec (the workflow's own fields win; named lists merge by name).
 */
import type { Template, Workflow, WorkflowSpec, WorkflowStatus } from "../spec/types.ts";
import {
  joinSpec,
  localCallsAsRefs,
  storedTemplateKey as keyOf,
  templateRefsIn as refsIn,
} from "../engine/template-refs.ts";

/** Where templates are read from (the API, a test's map). */
export interface TemplateSource {
  /** A WorkflowTemplate (namespaced) or ClusterWorkflowTemplate (`cluster`), undefined when absent. */
  get(cluster: boolean, namespace: string, name: string): Promise<{ spec: WorkflowSpec } | undefined>;
}

/** A reference that cannot be resolved (the workflow fails with this message). */
export class TemplateRefError extends Error {
  override name = "TemplateRefError";
}

/** Does the workflow refer to templates that are not stored yet? */
export function needsTemplates(wf: Workflow): boolean {
  if (wf.spec.workflowTemplateRef && !wf.status?.storedWorkflowTemplateSpec) return true;
  const stored = wf.status?.storedTemplates ?? {};
  return refsIn([
    wf.spec.templates,
    wf.spec.hooks,
    wf.spec.templateDefaults,
    wf.status?.storedWorkflowTemplateSpec,
  ])
    .some((r) => !stored[keyOf(r)]);
}

/** The status with the workflow's references resolved into it (throws TemplateRefError). */
export async function resolveTemplates(wf: Workflow, source: TemplateSource): Promise<WorkflowStatus> {
  const status: WorkflowStatus = structuredClone(wf.status ?? {});
  const ns = wf.metadata.namespace ?? "default";
  const ref = wf.spec.workflowTemplateRef;
  if (ref && !status.storedWorkflowTemplateSpec) {
    const cluster = ref.clusterScope === true;
    const kind = cluster ? "ClusterWorkflowTemplate" : "WorkflowTemplate";
    const tmpl = await source.get(cluster, ns, ref.name ?? "");
    if (!tmpl) throw new TemplateRefError(`spec.workflowTemplateRef: ${kind} "${ref.name ?? ""}" not found`);
    status.storedWorkflowTemplateSpec = structuredClone(tmpl.spec);
  }
  const stored: Record<string, Template> = { ...status.storedTemplates };
  const queue: unknown[] = [
    wf.spec.templates,
    wf.spec.hooks,
    wf.spec.templateDefaults,
    status.storedWorkflowTemplateSpec,
  ];
  while (queue.length > 0) {
    for (const r of refsIn(queue.shift())) {
      const key = keyOf(r);
      if (stored[key]) continue;
      const kind = r.clusterScope ? "ClusterWorkflowTemplate" : "WorkflowTemplate";
      const doc = await source.get(r.clusterScope, ns, r.name);
      if (!doc) throw new TemplateRefError(`templateRef: ${kind} "${r.name}" not found`);
      const tmpl = doc.spec.templates?.find((t) => t.name === r.template);
      if (!tmpl) {
        throw new TemplateRefError(`templateRef: ${kind} "${r.name}" has no template "${r.template}"`);
      }
      // Inside a referenced template, plain `template: x` calls mean x of that WorkflowTemplate.
      stored[key] = localCallsAsRefs(tmpl, r.name, r.clusterScope) as Template;
      queue.push(stored[key]);
    }
  }
  if (Object.keys(stored).length > 0) status.storedTemplates = stored;
  return status;
}

/** The spec the engine runs: defaults, then the stored template spec, then the workflow's own. */
export function effectiveSpec(wf: Workflow, defaults?: WorkflowSpec): WorkflowSpec {
  let spec = wf.spec;
  const stored = wf.status?.storedWorkflowTemplateSpec;
  if (stored) {
    const { workflowTemplateRef: _, ...own } = wf.spec;
    spec = {
      ...joinSpec(stored, own),
      ...(wf.spec.workflowTemplateRef ? { workflowTemplateRef: wf.spec.workflowTemplateRef } : {}),
    };
  }
  if (defaults) spec = joinSpec(defaults, spec);
  return spec;
}
