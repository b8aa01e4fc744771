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

/** Argo's JoinWorkflowSpec: `over`'s fields over `base`'s; templates and arguments merge by name. */
export function joinSpec(base: WorkflowSpec, over: WorkflowSpec): WorkflowSpec {
  const out = merge(base, over) as WorkflowSpec;
  const byName = <T extends { name?: string }>(a: T[] = [], b: T[] = []): T[] => {
    const names = new Set(b.map((x) => x.name));
    return [...a.filter((x) => !names.has(x.name)), ...b];
  };
  if (base.templates || over.templates) out.templates = byName(base.templates, over.templates);
  const params = byName(base.arguments?.parameters, over.arguments?.parameters);
  const artifacts = byName(base.arguments?.artifacts, over.arguments?.artifacts);
  if (params.length > 0 || artifacts.length > 0) {
    out.arguments = {
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(artifacts.length > 0 ? { artifacts } : {}),
    };
  }
  return out;
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (!isRecord(base) || !isRecord(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out;
}

interface Ref {
  name: string;
  template: string;
  clusterScope: boolean;
}

function keyOf(r: Ref): string {
  return `${r.clusterScope ? "cluster" : "namespaced"}/${r.name}/${r.template}`;
}

/** Every `templateRef` under `values`. */
function refsIn(value: unknown, out: Ref[] = []): Ref[] {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
  } else if (isRecord(value)) {
    const ref = value.templateRef;
    if (isRecord(ref) && typeof ref.name === "string" && typeof ref.template === "string") {
      out.push({ name: ref.name, template: ref.template, clusterScope: ref.clusterScope === true });
    }
    for (const [k, v] of Object.entries(value)) if (k !== "templateRef") refsIn(v, out);
  }
  return out;
}

/** A copy of a WorkflowTemplate's template whose `template: x` calls become templateRefs into it. */
function localCallsAsRefs(value: unknown, name: string, clusterScope: boolean, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => localCallsAsRefs(v, name, clusterScope, depth + 1));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === "templateRef" || k === "inputs" || k === "outputs" || k === "container" || k === "script"
      ? structuredClone(v)
      : localCallsAsRefs(v, name, clusterScope, depth + 1);
  }
  if (depth > 0 && typeof out.template === "string" && out.templateRef === undefined) {
    out.templateRef = { name, template: out.template, ...(clusterScope ? { clusterScope: true } : {}) };
    delete out.template;
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
