/**
 * Entrypoint: a Workflow or CronWorkflow must name the template it starts with (unless it runs a
 * WorkflowTemplate through workflowTemplateRef); a WorkflowTemplate may omit it. When written, it
 * must name a template of the document (or of the referenced WorkflowTemplate).
 */
import type { RuleContext } from "./context.ts";
import { templateNames } from "./model.ts";
import { localTemplates } from "./resolve.ts";
import { asText, hasTag, q, suggest } from "./util.ts";

/** Checks that the entrypoint is set where required and names a template. */
export function checkEntrypoint({ wf, registry, report }: RuleContext): void {
  const raw = wf.spec.entrypoint;
  const path = [...wf.specPath, "entrypoint"];
  if (raw === undefined || raw === null || raw === "") {
    const required = (wf.kind === "Workflow" || wf.kind === "CronWorkflow") &&
      wf.workflowTemplateRef === undefined;
    if (!required) return;
    const names = templateNames(wf);
    const hint = names.length > 0 ? `; templates are: ${names.map(q).join(", ")}` : "";
    const where = wf.kind === "CronWorkflow" ? "spec.workflowSpec" : "spec";
    report.errorAtKey(
      "entrypoint",
      raw === undefined ? wf.specPath : path,
      `${wf.kind} has no entrypoint; add "entrypoint: <template name>" under ${where}${hint}`,
    );
    return;
  }
  const name = asText(raw);
  if (name === undefined || hasTag(name)) return;
  const holder = localTemplates(wf, registry);
  if (holder === undefined || holder.byName.has(name)) return;
  if (holder.spec.templates !== undefined && !Array.isArray(holder.spec.templates)) return; // see fields.ts
  const of = holder === wf ? "" : ` of ${holder.kind} ${q(holder.name)}`;
  report.error(
    "entrypoint",
    path,
    `entrypoint ${q(name)} is not a template${of}${suggest(name, templateNames(holder), "templates")}`,
  );
}
