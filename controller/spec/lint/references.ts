/**
 * References: every step, task, hook and onExit must call a template that exists: by `template`
 * (a template of this document), by `templateRef` (a template of a WorkflowTemplate or
 * ClusterWorkflowTemplate; checked when that document is linted too, else a warning), or `inline`.
 * `workflowTemplateRef` must name a WorkflowTemplate, and then the Workflow defines no templates.
 */
import type { Path } from "../load.ts";
import type { RuleContext } from "./context.ts";
import { templateNames } from "./model.ts";
import { localTemplates } from "./resolve.ts";
import { asList, asRecord, asText, hasTag, present, q, suggest } from "./util.ts";

/** Checks that every template reference (template, templateRef, onExit, hooks, workflowTemplateRef) resolves. */
export function checkReferences(ctx: RuleContext): void {
  const { wf } = ctx;
  for (const c of wf.callers) {
    checkCall(ctx, c.label, c.path, c.value, true);
    if (present(c.value.onExit)) {
      checkTemplateName(ctx, `onExit of ${c.label}`, [...c.path, "onExit"], c.value.onExit);
    }
  }
  for (const h of [...wf.hooks, ...wf.callers.flatMap((c) => c.hooks)]) {
    const label = h.owner ? `hook ${q(h.event)} of ${h.owner.label}` : `workflow hook ${q(h.event)}`;
    checkCall(ctx, label, h.path, h.value, false);
  }
  if (present(wf.spec.onExit)) {
    checkTemplateName(ctx, "workflow onExit", [...wf.specPath, "onExit"], wf.spec.onExit);
  }
  checkWorkflowTemplateRef(ctx);
}

/** A step, task or hook: exactly one of template, templateRef (or inline), and it must resolve. */
function checkCall(
  ctx: RuleContext,
  label: string,
  path: Path,
  value: Record<string, unknown>,
  inlineAllowed: boolean,
): void {
  const ways = (inlineAllowed ? ["template", "templateRef", "inline"] : ["template", "templateRef"])
    .filter((k) => present(value[k]));
  if (ways.length === 0) {
    const options = inlineAllowed
      ? `"template:", "templateRef:" or "inline:"`
      : `"template:" or "templateRef:"`;
    ctx.report.error("no-template", path, `${label} calls no template; set ${options}`);
    return;
  }
  if (ways.length > 1) {
    ctx.report.errorAtKey(
      "no-template",
      [...path, ways[1]!],
      `${label} sets both ${ways[0]} and ${ways[1]}; keep only one`,
    );
  }
  if (ways.includes("template")) checkTemplateName(ctx, label, [...path, "template"], value.template);
  if (ways.includes("templateRef")) checkTemplateRef(ctx, label, [...path, "templateRef"], value.templateRef);
}

/** A template called by name must be a template of this document (or of its workflowTemplateRef). */
function checkTemplateName(ctx: RuleContext, label: string, path: Path, raw: unknown): void {
  const name = asText(raw);
  if (name === undefined || name === "" || hasTag(name)) return;
  const holder = localTemplates(ctx.wf, ctx.registry);
  if (holder === undefined || holder.byName.has(name)) return;
  if (holder.spec.templates !== undefined && !Array.isArray(holder.spec.templates)) return; // see fields.ts
  const of = holder === ctx.wf ? "" : ` (templates come from ${holder.kind} ${q(holder.name)})`;
  ctx.report.error(
    "unknown-template",
    path,
    `${label} calls unknown template ${q(name)}${of}${suggest(name, templateNames(holder), "templates")}`,
  );
}

/** `templateRef: {name, template, clusterScope}` must name a template of a linted WorkflowTemplate. */
function checkTemplateRef(ctx: RuleContext, label: string, path: Path, raw: unknown): void {
  const ref = asRecord(raw);
  if (ref === undefined) return;
  const name = asText(ref.name);
  const template = asText(ref.template);
  if (name === undefined || name === "") {
    ctx.report.errorAtKey(
      "template-ref",
      path,
      `templateRef of ${label} has no name; set the WorkflowTemplate name`,
    );
  }
  if (template === undefined || template === "") {
    ctx.report.errorAtKey(
      "template-ref",
      path,
      `templateRef of ${label} has no template; set the name of a template in that WorkflowTemplate`,
    );
  }
  if (name === undefined || name === "" || hasTag(name)) return;
  const cluster = ref.clusterScope === true;
  const kind = cluster ? "ClusterWorkflowTemplate" : "WorkflowTemplate";
  const target = ctx.registry.find(name, cluster);
  if (target === undefined) {
    reportMissingTemplateDoc(ctx, `${label} refers to`, [...path, "name"], name, cluster);
    return;
  }
  if (template === undefined || template === "" || hasTag(template) || target.byName.has(template)) return;
  ctx.report.error(
    "template-ref",
    [...path, "template"],
    `${label} refers to unknown template ${q(template)} of ${kind} ${q(name)}` +
      suggest(template, templateNames(target), "its templates"),
  );
}

/** A WorkflowTemplate that is not among the linted documents: a warning, or an error when the scope is wrong. */
function reportMissingTemplateDoc(
  ctx: RuleContext,
  what: string,
  path: Path,
  name: string,
  cluster: boolean,
): void {
  const kind = cluster ? "ClusterWorkflowTemplate" : "WorkflowTemplate";
  const other = ctx.registry.find(name, !cluster);
  if (other !== undefined) {
    const fix = cluster ? `remove "clusterScope: true"` : `add "clusterScope: true"`;
    ctx.report.error(
      "template-ref",
      path,
      `${what} ${kind} ${q(name)}, but ${q(name)} is a ${other.kind}; ${fix}`,
    );
    return;
  }
  ctx.report.warn(
    "template-ref",
    path,
    `${what} ${kind} ${q(name)}, which is not among the linted files; lint them together to check it`,
  );
}

function checkWorkflowTemplateRef(ctx: RuleContext): void {
  const ref = ctx.wf.workflowTemplateRef;
  if (ref === undefined) return;
  if (ref.name === undefined || ref.name === "") {
    ctx.report.errorAtKey(
      "workflow-template-ref",
      ref.path,
      `workflowTemplateRef has no name; set the name of the WorkflowTemplate to run`,
    );
  } else if (!hasTag(ref.name) && ctx.registry.find(ref.name, ref.cluster) === undefined) {
    reportMissingTemplateDoc(
      ctx,
      "workflowTemplateRef refers to",
      [...ref.path, "name"],
      ref.name,
      ref.cluster,
    );
  }
  if (asList(ctx.wf.spec.templates).length > 0) {
    ctx.report.errorAtKey(
      "workflow-template-ref",
      [...ctx.wf.specPath, "templates"],
      `a Workflow with workflowTemplateRef may not define templates; move them into the WorkflowTemplate ` +
        `or remove workflowTemplateRef`,
    );
  }
}
