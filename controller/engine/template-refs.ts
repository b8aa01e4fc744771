/**
 * Pure helpers for Argo's template references, shared by both hosts (each looks templates up its
 * own way): JoinWorkflowSpec for `workflowTemplateRef`, the `templateRef`s under a value, their
 * `status.storedTemplates` key, and the rewrite of a referenced template's local calls.
 */
import type { WorkflowSpec } from "../spec/types.ts";
import { isRecord } from "../spec/lint/util.ts";

/** A `templateRef`: a template of a WorkflowTemplate (or ClusterWorkflowTemplate). */
export interface TemplateRefKey {
  name: string;
  template: string;
  clusterScope: boolean;
}

/** The key under which the engine finds a referenced template in `status.storedTemplates`. */
export function storedTemplateKey(r: TemplateRefKey): string {
  return `${r.clusterScope ? "cluster" : "namespaced"}/${r.name}/${r.template}`;
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

/** Every `templateRef` under `value`. */
export function templateRefsIn(value: unknown, out: TemplateRefKey[] = []): TemplateRefKey[] {
  if (Array.isArray(value)) {
    for (const v of value) templateRefsIn(v, out);
  } else if (isRecord(value)) {
    const ref = value.templateRef;
    if (isRecord(ref) && typeof ref.name === "string" && typeof ref.template === "string") {
      out.push({ name: ref.name, template: ref.template, clusterScope: ref.clusterScope === true });
    }
    for (const [k, v] of Object.entries(value)) if (k !== "templateRef") templateRefsIn(v, out);
  }
  return out;
}

/** A copy of a WorkflowTemplate's template whose `template: x` calls become templateRefs into it. */
export function localCallsAsRefs(value: unknown, name: string, clusterScope: boolean, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => localCallsAsRefs(v, name, clusterScope, depth + 1));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === "templateRef" || k === "inputs" || k === "outputs" || k === "container" || k === "script"
      ? structuredClone(v)
      : localCallsAsRefs(v, name, clusterScope, depth + 1);
  }
  // A call (step, task, hook) names its template; the template itself (depth 0) has a `name` only.
  if (depth > 0 && typeof out.template === "string" && out.templateRef === undefined) {
    out.templateRef = { name, template: out.template, ...(clusterScope ? { clusterScope: true } : {}) };
    delete out.template;
  }
  return out;
}
