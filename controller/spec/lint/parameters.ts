/**
 * Parameters: an `enum` is not empty and the parameter's value/default is one of it (also a value a
 * step passes to an input with an enum); workflow arguments take valueFrom only from
 * configMapKeyRef, supplied or event; step and task arguments have a value; a step or task passes
 * every input its template needs (inputs without value or default), and warns about parameters the
 * template does not declare; output parameters have exactly one source that suits the template type.
 */
import type { Path } from "../load.ts";
import type { RuleContext } from "./context.ts";
import { type CallerModel, inputParameters, type TemplateModel } from "./model.ts";
import { calledTemplate, templateByName } from "./resolve.ts";
import { asList, asRecord, asText, hasTag, isRecord, present, q, quoteList, suggest } from "./util.ts";

/** Checks enums, argument values and sources, and output parameter sources. */
export function checkParameters(ctx: RuleContext): void {
  const { wf } = ctx;
  const argsPath = [...wf.specPath, "arguments", "parameters"];
  forEachParam(asRecord(wf.spec.arguments)?.parameters, argsPath, (p, path) => {
    checkEnum(ctx, p, path, `workflow parameter ${q(p.name)}`);
    checkArgumentValueFrom(ctx, p, path, `workflow parameter ${q(p.name)}`);
  });
  for (const t of wf.allTemplates) {
    forEachParam(asRecord(t.value.inputs)?.parameters, [...t.path, "inputs", "parameters"], (p, path) => {
      checkEnum(ctx, p, path, `input parameter ${q(p.name)} of ${t.label}`);
    });
    forEachParam(asRecord(t.value.outputs)?.parameters, [...t.path, "outputs", "parameters"], (p, path) => {
      checkOutput(ctx, t, p, path);
    });
  }
  for (const c of wf.callers) checkCallerArguments(ctx, c);
  checkEntrypointInputs(ctx);
}

function forEachParam(list: unknown, path: Path, fn: (p: Record<string, unknown>, path: Path) => void): void {
  asList(list).forEach((p, i) => {
    if (isRecord(p)) fn(p, [...path, i]);
  });
}

function enumOf(p: Record<string, unknown>): string[] | undefined {
  if (!Array.isArray(p.enum)) return undefined;
  return p.enum.map((e) => asText(e)).filter((e) => e !== undefined);
}

function checkEnum(ctx: RuleContext, p: Record<string, unknown>, path: Path, label: string): void {
  const values = enumOf(p);
  if (values === undefined) return;
  if (values.length === 0) {
    ctx.report.errorAtKey("enum", [...path, "enum"], `enum of ${label} is empty; list at least one value`);
    return;
  }
  for (const key of ["default", "value"]) {
    const v = asText(p[key]);
    if (v === undefined || hasTag(v) || values.includes(v)) continue;
    ctx.report.error(
      "enum",
      [...path, key],
      `${key} ${q(v)} of ${label} is not in its enum; use one of ${quoteList(values)}`,
    );
  }
}

/** Arguments may take valueFrom only from a ConfigMap, a supplied value or an event. */
function checkArgumentValueFrom(
  ctx: RuleContext,
  p: Record<string, unknown>,
  path: Path,
  label: string,
): void {
  const from = asRecord(p.valueFrom);
  if (from === undefined) return;
  const bad = ["path", "jsonPath", "jqFilter", "parameter", "expression"].find((k) => present(from[k]));
  const good = ["configMapKeyRef", "supplied", "event"].some((k) => present(from[k]));
  if (bad === undefined && good) return;
  ctx.report.errorAtKey(
    "parameter",
    bad !== undefined ? [...path, "valueFrom", bad] : [...path, "valueFrom"],
    `valueFrom of ${label} may only use configMapKeyRef, supplied or event (with an optional default)`,
  );
}

function checkOutput(ctx: RuleContext, t: TemplateModel, p: Record<string, unknown>, path: Path): void {
  const label = `output parameter ${q(p.name)} of ${t.label}`;
  const from = asRecord(p.valueFrom);
  if (present(p.value) && present(p.valueFrom)) {
    ctx.report.errorAtKey(
      "output",
      [...path, "valueFrom"],
      `${label} has both value and valueFrom; keep only one`,
    );
    return;
  }
  if (present(p.value)) return;
  if (from === undefined) {
    if (!present(p.valueFrom)) {
      ctx.report.error("output", path, `${label} has neither value nor valueFrom; ${wantFor(t)}`);
    }
    return;
  }
  const sources = ["path", "jqFilter", "jsonPath", "parameter", "expression", "supplied"].filter((k) =>
    present(from[k])
  );
  if (sources.length === 0) {
    ctx.report.errorAtKey(
      "output",
      [...path, "valueFrom"],
      `valueFrom of ${label} names no source; ${wantFor(t)}`,
    );
    return;
  }
  if (sources.length > 1) {
    ctx.report.errorAtKey(
      "output",
      [...path, "valueFrom", sources[1]!],
      `valueFrom of ${label} sets both ${sources[0]} and ${sources[1]}; keep only one`,
    );
    return;
  }
  const source = sources[0]!;
  const fits = t.type === "container" || t.type === "script" || t.type === "containerSet"
    ? source === "path" || source === "supplied"
    : t.type === "resource"
    ? source === "jqFilter" || source === "jsonPath" || source === "supplied"
    : t.type === "steps" || t.type === "dag"
    ? source === "parameter" || source === "expression" || source === "supplied"
    : true;
  if (!fits) {
    ctx.report.errorAtKey(
      "output",
      [...path, "valueFrom", source],
      `valueFrom.${source} does not suit ${label}; ${wantFor(t)}`,
    );
  }
}

function wantFor(t: TemplateModel): string {
  switch (t.type) {
    case "container":
    case "script":
    case "containerSet":
      return `set "valueFrom: {path: /tmp/out.txt}" to read a file the ${t.type} writes`;
    case "resource":
      return `set valueFrom.jsonPath or valueFrom.jqFilter`;
    case "steps":
    case "dag":
      return `set valueFrom.parameter (e.g. "{{${
        t.type === "steps" ? "steps" : "tasks"
      }.NAME.outputs.parameters.X}}") ` +
        `or valueFrom.expression`;
    default:
      return `set "value:" or "valueFrom:"`;
  }
}

/** What a step or task passes must fit what its template takes. */
function checkCallerArguments(ctx: RuleContext, c: CallerModel): void {
  const args = asRecord(c.value.arguments);
  const argsPath = [...c.path, "arguments", "parameters"];
  const passed = new Map<string, { p: Record<string, unknown>; path: Path }>();
  forEachParam(args?.parameters, argsPath, (p, path) => {
    const name = asText(p.name);
    if (name !== undefined) passed.set(name, { p, path });
    if (!present(p.value) && !present(p.valueFrom)) {
      ctx.report.error(
        "parameter",
        path,
        `argument ${q(name ?? "?")} of ${c.label} has no value; set "value:"`,
      );
    }
  });
  const t = calledTemplate(ctx.wf, ctx.registry, c.value, c.inline);
  if (t === undefined) return;
  const inputs = asList(asRecord(t.value.inputs)?.parameters).filter(isRecord);
  const declared = inputParameters(t);
  for (const input of inputs) {
    const name = asText(input.name);
    if (name === undefined) continue;
    const arg = passed.get(name);
    if (arg === undefined) {
      if (present(input.value) || present(input.default) || present(input.valueFrom)) continue;
      ctx.report.errorAtKey(
        "missing-argument",
        present(c.value.arguments) ? [...c.path, "arguments"] : [...c.path, "name"],
        `${c.label} does not pass input parameter ${q(name)} that ${t.label} requires; ` +
          `add it under arguments.parameters (or give the input a default)`,
      );
      continue;
    }
    const values = enumOf(input);
    const v = asText(arg.p.value);
    if (values && values.length > 0 && v !== undefined && !hasTag(v) && !values.includes(v)) {
      ctx.report.error(
        "enum",
        [...arg.path, "value"],
        `${c.label} passes ${q(v)} to input parameter ${q(name)} of ${t.label}, which is not in its enum; ` +
          `use one of ${quoteList(values)}`,
      );
    }
  }
  for (const [name, arg] of passed) {
    if (declared.includes(name)) continue;
    ctx.report.warn(
      "unused-argument",
      [...arg.path, "name"],
      `${c.label} passes parameter ${q(name)}, which ${t.label} does not declare, so it is ignored` +
        suggest(name, declared, "its inputs"),
    );
  }
}

/** A Workflow's entrypoint takes its inputs from spec.arguments (or from the submitter). */
function checkEntrypointInputs(ctx: RuleContext): void {
  const { wf } = ctx;
  if (wf.kind !== "Workflow" && wf.kind !== "CronWorkflow") return;
  if (wf.workflowTemplateRef !== undefined) return;
  const entry = asText(wf.spec.entrypoint);
  if (entry === undefined || hasTag(entry)) return;
  const t = templateByName(wf, ctx.registry, entry);
  if (t === undefined) return;
  const supplied = new Set(
    asList(asRecord(wf.spec.arguments)?.parameters).map((p) => asText(asRecord(p)?.name)),
  );
  for (const input of asList(asRecord(t.value.inputs)?.parameters).filter(isRecord)) {
    const name = asText(input.name);
    if (name === undefined || supplied.has(name)) continue;
    if (present(input.value) || present(input.default) || present(input.valueFrom)) continue;
    ctx.report.warnAtKey(
      "missing-argument",
      [...wf.specPath, "entrypoint"],
      `entrypoint ${t.label} needs input parameter ${
        q(name)
      }, which spec.arguments.parameters does not supply; ` +
        `add it there (or pass it when submitting)`,
    );
  }
}
