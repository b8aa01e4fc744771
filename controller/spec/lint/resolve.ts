/** Finding the template a step, task, hook or entrypoint calls: by name, by templateRef, or inline. */
import type { Registry } from "./context.ts";
import type { TemplateModel, WorkflowModel } from "./model.ts";
import { asRecord, asText, hasTag } from "./util.ts";

/** Where the templates named without templateRef live: the document, or the one it refers to. */
export function localTemplates(wf: WorkflowModel, registry: Registry): WorkflowModel | undefined {
  const ref = wf.workflowTemplateRef;
  if (ref === undefined) return wf;
  if (ref.name === undefined || hasTag(ref.name)) return undefined;
  return registry.find(ref.name, ref.cluster);
}

/** The template called by name from `wf`, if it can be found among the linted documents. */
export function templateByName(
  wf: WorkflowModel,
  registry: Registry,
  name: string,
): TemplateModel | undefined {
  return localTemplates(wf, registry)?.byName.get(name);
}

/**
 * The template a caller (a step, task or hook mapping) runs, when it can be known before the run:
 * its inline template, a template of this document, or one of a linted WorkflowTemplate.
 */
export function calledTemplate(
  wf: WorkflowModel,
  registry: Registry,
  holder: Record<string, unknown>,
  inline: TemplateModel | undefined,
): TemplateModel | undefined {
  if (inline) return inline;
  const ref = asRecord(holder.templateRef);
  if (ref) {
    const name = asText(ref.name);
    const template = asText(ref.template);
    if (name === undefined || template === undefined || hasTag(name) || hasTag(template)) return undefined;
    return registry.find(name, ref.clusterScope === true)?.byName.get(template);
  }
  const name = asText(holder.template);
  if (name === undefined || hasTag(name)) return undefined;
  return templateByName(wf, registry, name);
}
