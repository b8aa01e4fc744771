/**
 * Templates: each has exactly one type (container, script, resource, suspend, steps, dag,
 * containerSet, data, http, plugin); fields that only some types honour are where they belong
 * (timeout on leaf templates, activeDeadlineSeconds not on steps/dag, parallelism only on steps/dag);
 * containers and scripts name an image (or inherit one from templateDefaults); resource templates
 * have a valid action and a manifest. What skiff does not run (template types) or act on (memoize,
 * synchronization, metrics) is a warning that says so (unsupported.ts).
 */
import type { RuleContext } from "./context.ts";
import { isLeaf, TEMPLATE_KINDS, type TemplateModel } from "./model.ts";
import { asRecord, asText, hasTag, present, q } from "./util.ts";
import { IGNORED_FIELDS, UNSUPPORTED_TEMPLATE_TYPES, unsupportedTemplateMessage } from "../unsupported.ts";

const RESOURCE_ACTIONS = ["get", "create", "apply", "delete", "replace", "patch"];

/** Checks the type and type-specific fields of every template. */
export function checkTemplates(ctx: RuleContext): void {
  for (const t of ctx.wf.allTemplates) {
    checkType(ctx, t);
    if (t.type === undefined) continue;
    checkPlacement(ctx, t);
    checkImage(ctx, t);
    if (t.type === "resource") checkResource(ctx, t);
    checkSupported(ctx, t);
  }
  for (const field of Object.keys(IGNORED_FIELDS)) {
    if (present(ctx.wf.spec[field])) {
      ctx.report.warnAtKey(
        "ignored-field",
        [...ctx.wf.specPath, field],
        `${q(field)}: ${IGNORED_FIELDS[field]}`,
      );
    }
  }
}

/** Template types skiff does not run, and template fields it ignores: warnings saying what to do. */
function checkSupported(ctx: RuleContext, t: TemplateModel): void {
  if (t.type !== undefined && t.type in UNSUPPORTED_TEMPLATE_TYPES) {
    ctx.report.warnAtKey(
      "unsupported-template",
      [...t.path, t.type],
      `${t.label}: ${unsupportedTemplateMessage(t.type)} (a step that calls it ends in Error)`,
    );
  }
  for (const field of Object.keys(IGNORED_FIELDS)) {
    if (present(t.value[field])) {
      ctx.report.warnAtKey(
        "ignored-field",
        [...t.path, field],
        `${q(field)} in ${t.label}: ${IGNORED_FIELDS[field]}`,
      );
    }
  }
}

function checkType(ctx: RuleContext, t: TemplateModel): void {
  const old = (["template", "templateRef"] as const).find((k) => present(t.value[k]));
  if (old !== undefined) {
    // fields.ts leaves these keys to this message.
    ctx.report.errorAtKey(
      "template-type",
      [...t.path, old],
      `${t.label} calls another template with "${old}:", which Argo no longer supports; ` +
        `call it from a step or DAG task instead`,
    );
    if (t.kinds.length === 0) return;
  }
  if (t.kinds.length > 1) {
    ctx.report.errorAtKey(
      "template-type",
      [...t.path, t.kinds[1]!],
      `${t.label} has both ${t.kinds[0]} and ${t.kinds[1]}; a template has exactly one type`,
    );
    return;
  }
  if (t.kinds.length === 1) return;
  const empty = TEMPLATE_KINDS.find((k) => k in t.value && t.value[k] === null);
  if (empty !== undefined) {
    const fix = empty === "steps" ? "a list of step groups" : empty === "dag" ? `"tasks:"` : `"${empty}: {}"`;
    ctx.report.errorAtKey(
      "template-type",
      [...t.path, empty],
      `${t.label} has "${empty}:" with no value, so it has no type; write ${fix}`,
    );
    return;
  }
  const at = present(t.value.name) ? [...t.path, "name"] : t.path;
  ctx.report.errorAtKey(
    "template-type",
    at,
    `${t.label} has no type; give it exactly one of ${TEMPLATE_KINDS.join(", ")}`,
  );
}

function checkPlacement(ctx: RuleContext, t: TemplateModel): void {
  const composite = t.type === "steps" || t.type === "dag";
  if (present(t.value.timeout) && !isLeaf(t)) {
    ctx.report.errorAtKey(
      "template-field",
      [...t.path, "timeout"],
      `${t.label} is a ${t.type} template, which does not support timeout; ` +
        `set timeout on the templates it calls instead`,
    );
  }
  if (present(t.value.activeDeadlineSeconds) && composite) {
    ctx.report.errorAtKey(
      "template-field",
      [...t.path, "activeDeadlineSeconds"],
      `activeDeadlineSeconds of ${t.label} is only valid for templates that run something, not ${t.type}; ` +
        `set it on the templates it calls instead`,
    );
  }
  if (present(t.value.parallelism) && !composite) {
    ctx.report.errorAtKey(
      "template-field",
      [...t.path, "parallelism"],
      `parallelism of ${t.label} is only valid for steps and dag templates; remove it`,
    );
  }
}

function checkImage(ctx: RuleContext, t: TemplateModel): void {
  if (t.type !== "container" && t.type !== "script") return;
  const body = asRecord(t.value[t.type]);
  if (body === undefined) return;
  const image = body.image;
  if (present(image) && image !== "") return;
  const defaults = asRecord(asRecord(ctx.wf.spec.templateDefaults)?.[t.type]);
  if (present(defaults?.image) && defaults?.image !== "") return;
  ctx.report.errorAtKey(
    "template-field",
    image === undefined ? [...t.path, t.type] : [...t.path, t.type, "image"],
    `${t.type} of ${t.label} has no image; set "image:" (e.g. "image: alpine:3.20")`,
  );
}

function checkResource(ctx: RuleContext, t: TemplateModel): void {
  const r = asRecord(t.value.resource);
  if (r === undefined) return;
  const action = asText(r.action);
  const path = [...t.path, "resource"];
  if (action === undefined) {
    if (r.action === undefined) {
      ctx.report.errorAtKey(
        "resource",
        path,
        `resource of ${t.label} has no action; set "action:" to one of ${RESOURCE_ACTIONS.join(", ")}`,
      );
    }
    return;
  }
  if (!hasTag(action) && !RESOURCE_ACTIONS.includes(action)) {
    ctx.report.error(
      "resource",
      [...path, "action"],
      `resource action ${q(action)} of ${t.label} is not one of ${RESOURCE_ACTIONS.join(", ")}`,
    );
  }
  if (action === "get" || action === "delete") return;
  const hasManifest = present(r.manifest) && r.manifest !== "";
  if (!hasManifest && !present(r.manifestFrom)) {
    ctx.report.errorAtKey(
      "resource",
      path,
      `resource of ${t.label} has no manifest; set "manifest:" (or "manifestFrom:") for action ${q(action)}`,
    );
  } else if (hasManifest && present(r.manifestFrom)) {
    ctx.report.errorAtKey(
      "resource",
      [...path, "manifestFrom"],
      `resource of ${t.label} sets both manifest and manifestFrom; keep only one`,
    );
  }
}
