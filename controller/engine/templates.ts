/**
 * Finding the template a step, task or hook calls (by name, inline, or through a `templateRef` the
 * host resolved into `status.storedTemplates`), merging `spec.templateDefaults` into it, and telling
 * what kind of template it is.
 */

import type { Arguments, Template, TemplateRef } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { strategicMergeTemplate } from "./strategic_merge.ts";

/** Whatever calls a template: a step, a DAG task, a hook, or the entrypoint. */
export interface TemplateHolder {
  name?: string | undefined;
  template?: string | undefined;
  inline?: Template | undefined;
  templateRef?: TemplateRef | undefined;
  arguments?: Arguments | undefined;
}

/** The kind of a template: which one of its bodies it has. */
export type TemplateType =
  | "container"
  | "script"
  | "steps"
  | "dag"
  | "suspend"
  | "resource"
  | "containerSet"
  | "data"
  | "http"
  | "plugin"
  | "unknown";

/** The kind of `tmpl`. */
export function templateType(tmpl: Template): TemplateType {
  if (tmpl.container) return "container";
  if (tmpl.script) return "script";
  if (tmpl.steps) return "steps";
  if (tmpl.dag) return "dag";
  if (tmpl.suspend) return "suspend";
  if (tmpl.resource) return "resource";
  if (tmpl.containerSet) return "containerSet";
  if (tmpl.data) return "data";
  if (tmpl.http) return "http";
  if (tmpl.plugin) return "plugin";
  return "unknown";
}

/** Container and script templates run as a pod. */
export function isPodType(tmpl: Template): boolean {
  const t = templateType(tmpl);
  return t === "container" || t === "script" || t === "resource" || t === "containerSet" || t === "data";
}

/** The template name a node records (`templateName`): the called name, empty for inline templates. */
export function holderTemplateName(holder: TemplateHolder): string {
  if (holder.template) return holder.template;
  if (holder.templateRef?.template) return holder.templateRef.template;
  return "";
}

/** The template `holder` calls, with `spec.templateDefaults` merged in; throws with Argo's message if missing. */
export function resolveTemplate(op: Op, holder: TemplateHolder): Template {
  let tmpl: Template | undefined;
  if (holder.inline) {
    tmpl = holder.inline;
  } else if (holder.template) {
    tmpl = op.spec.templates?.find((t) => t.name === holder.template);
    if (!tmpl) throw new Error(`template ${holder.template} not found`);
  } else if (holder.templateRef) {
    const ref = holder.templateRef;
    const key = `${ref.clusterScope ? "cluster" : "namespaced"}/${ref.name ?? ""}/${ref.template ?? ""}`;
    tmpl = op.status.storedTemplates?.[key];
    if (!tmpl) {
      throw new Error(
        `template reference ${ref.name ?? ""}.${
          ref.template ?? ""
        } not found (the host must store it in status.storedTemplates["${key}"])`,
      );
    }
  } else {
    throw new Error(`template name cannot be empty`);
  }
  const defaults = op.spec.templateDefaults;
  return defaults ? mergeDefaults(defaults, tmpl) : tmpl;
}

/**
 * `templateDefaults` merged under a template as Argo's strategic merge patch does (see
 * strategic_merge.ts): objects merge key by key, the template's own values win, lists tagged with a
 * merge key (env by name, volumeMounts by mountPath, sidecars by name, ...) merge item by item, other
 * lists are taken from the template when it has them.
 */
export function mergeDefaults(defaults: Template, tmpl: Template): Template {
  const merged = strategicMergeTemplate(defaults, tmpl);
  // A default body must not change the kind of template (Argo restores the type after merging).
  const own = templateType(tmpl);
  const bodies = [
    "container",
    "script",
    "steps",
    "dag",
    "suspend",
    "resource",
    "containerSet",
    "data",
    "http",
    "plugin",
  ];
  for (const body of bodies) {
    if (body !== own && !(body in tmpl)) delete (merged as Record<string, unknown>)[body];
  }
  return merged;
}
