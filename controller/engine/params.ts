/**
 * Parameters: the workflow's global parameters (`{{workflow.*}}`), `-p` overrides applied by hosts
 * before the first reconcile, and a template's inputs resolved from the caller's arguments.
 */

import type { Arguments, Parameter, Template, Workflow, WorkflowSpec } from "../spec/types.ts";
import { processInputArtifacts } from "./artifacts.ts";
import { ConfigMapNotFound, configMapValue } from "./configmaps.ts";
import { copyData } from "./copy.ts";
import type { Op } from "./context.ts";
import { substituteIn } from "./expr.ts";
import { parseTime, secondsF } from "./time.ts";
import { overrideParameters } from "../spec/parameters.ts";

/**
 * Returns a copy of `workflow` with `overrides` applied as `argo submit -p name=value` applies them
 * (see {@link overrideParameters}).
 */
export function applyParameters(workflow: Workflow, overrides: Record<string, string> | string[]): Workflow {
  const wf = structuredClone(workflow);
  overrideParameters(wf, overrides);
  return wf;
}

/**
 * Checks the workflow's arguments as Argo's validation does at submission; returns the message of
 * the first problem (prefixed `spec.arguments.`), or undefined.
 */
export function checkWorkflowArguments(wf: Workflow): string | undefined {
  for (const param of wf.spec.arguments?.parameters ?? []) {
    const p = `spec.arguments.${param.name}`;
    if (param.value === undefined && param.valueFrom === undefined) {
      return `${p}.value or ${p}.valueFrom is required`;
    }
    if (param.enum) {
      if (param.enum.length === 0) return `${p}.enum should contain at least one value`;
      if (param.value === undefined) return `${p}.value is required`;
      if (!param.enum.includes(param.value)) return `${p}.value should be present in ${p}.enum list`;
    }
  }
  return undefined;
}

/** JSON of parameters as Go writes `[]Parameter` (fields in declaration order, empty ones left out). */
export function parametersJson(params: Parameter[]): string {
  return JSON.stringify(params.map((p) => {
    const out: Record<string, unknown> = { name: p.name };
    if (p.default !== undefined) out.default = p.default;
    if (p.value !== undefined) out.value = p.value;
    if (p.valueFrom !== undefined) out.valueFrom = p.valueFrom;
    if (p.globalName !== undefined) out.globalName = p.globalName;
    if (p.enum !== undefined) out.enum = p.enum;
    if (p.description !== undefined) out.description = p.description;
    return out;
  }));
}

const strftimeChars: Record<string, (d: Date) => string> = {
  Y: (d) => String(d.getUTCFullYear()),
  y: (d) => pad(d.getUTCFullYear() % 100),
  m: (d) => pad(d.getUTCMonth() + 1),
  d: (d) => pad(d.getUTCDate()),
  e: (d) => String(d.getUTCDate()).padStart(2, " "),
  H: (d) => pad(d.getUTCHours()),
  I: (d) => pad(((d.getUTCHours() + 11) % 12) + 1),
  M: (d) => pad(d.getUTCMinutes()),
  S: (d) => pad(d.getUTCSeconds()),
  p: (d) => (d.getUTCHours() < 12 ? "AM" : "PM"),
  j: (d) =>
    String(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1).padStart(3, "0"),
  a: (d) => ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()] ?? "",
  A: (d) =>
    ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"][d.getUTCDay()] ?? "",
  b: (d) => MONTHS[d.getUTCMonth()]?.slice(0, 3) ?? "",
  h: (d) => MONTHS[d.getUTCMonth()]?.slice(0, 3) ?? "",
  B: (d) => MONTHS[d.getUTCMonth()] ?? "",
  u: (d) => String(d.getUTCDay() === 0 ? 7 : d.getUTCDay()),
  w: (d) => String(d.getUTCDay()),
  D: (d) => `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCFullYear() % 100)}`,
  F: (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
  T: (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  R: (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
  n: () => "\n",
  t: () => "\t",
  Z: () => "UTC",
  z: () => "+0000",
};
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** `workflow.creationTimestamp` and its strftime forms, by the timestamp's text (few distinct ones). */
const creationGlobalsByText = new Map<string, Readonly<Record<string, string>>>();

/**
 * The `workflow.creationTimestamp*` globals of a creation time. A function of the text alone, so
 * they are worked out once per text, not in every reconcile of the workflow (formatting some 30
 * strftime forms was the largest part of setting the globals).
 */
function creationGlobals(created: string): Readonly<Record<string, string>> {
  const known = creationGlobalsByText.get(created);
  if (known) return known;
  const date = new Date(parseTime(created));
  const g: Record<string, string> = {};
  g["workflow.creationTimestamp"] = date.toISOString().replace(".000Z", "Z");
  for (const [ch, fmt] of Object.entries(strftimeChars)) g[`workflow.creationTimestamp.${ch}`] = fmt(date);
  g["workflow.creationTimestamp.s"] = String(Math.floor(date.getTime() / 1000));
  g["workflow.creationTimestamp.RFC3339"] = g["workflow.creationTimestamp"];
  // Bounded: a long-running host sees a new creation time per workflow.
  if (creationGlobalsByText.size >= 1024) creationGlobalsByText.clear();
  creationGlobalsByText.set(created, g);
  return g;
}

/**
 * Argo's `setGlobalParameters` and `setGlobalRuntimeParameters`: fills `op.globals` with
 * `workflow.name`, `.namespace`, `.uid`, `.parameters.*`, `.labels.*`, `.annotations.*`,
 * `.creationTimestamp(.*)`, `.outputs.parameters.*`, `.status`, `.duration`, ...
 * Throws when a workflow parameter has no value.
 */
export function setGlobalParameters(op: Op): void {
  const { first, last } = workflowGlobals(op);
  const g: Record<string, string> = { ...first };
  op.globals = g;
  for (const param of op.status.outputs?.parameters ?? []) {
    if (param.value !== undefined) g[`workflow.outputs.parameters.${param.name}`] = param.value;
  }
  for (const [key, value] of last) g[key] = value;
  g["workflow.status"] = op.status.phase ?? "";
  const started = op.status.startedAt;
  g["workflow.duration"] = started ? secondsF(parseTime(started), op.now) : (0).toFixed(6);
}

/** The globals that follow from a workflow's metadata, spec and creation time, in the order set. */
interface WorkflowGlobals {
  readonly metadata: Workflow["metadata"];
  /** The ConfigMaps given, if a parameter was read from one (a host may give new ones each time). */
  readonly configMaps: Op["configMaps"] | null;
  readonly created: string;
  /**
   * Those set before `workflow.outputs.parameters.*`, as an object with fast properties (as
   * JSON.parse makes one), which a spread copies at once: setting its few dozen keys one by one
   * turns an object into a dictionary, several times slower to fill and to copy.
   */
  readonly first: Readonly<Record<string, string>>;
  /** Those set after. */
  readonly last: readonly (readonly [string, string])[];
}

/**
 * The {@link WorkflowGlobals} of workflows, by spec object: they are set in every pass of every
 * reconcile, and a spec and its metadata are not changed in place (an edited workflow is a new one).
 */
const globalsBySpec = new WeakMap<WorkflowSpec, WorkflowGlobals>();

/** The {@link WorkflowGlobals} of `op`'s workflow. Throws when a workflow parameter has no value. */
function workflowGlobals(op: Op): WorkflowGlobals {
  const meta = op.wf.metadata;
  const spec = op.spec;
  const created = meta.creationTimestamp ?? op.status.startedAt ?? op.nowText;
  const known = globalsBySpec.get(spec);
  if (
    known !== undefined && known.metadata === meta && known.created === created &&
    (known.configMaps === null || known.configMaps === op.configMaps)
  ) {
    return known;
  }
  let readsConfigMaps = false;
  const first: [string, string][] = [];
  const last: [string, string][] = [];
  first.push(["workflow.name", op.name]);
  first.push(["workflow.namespace", op.namespace]);
  first.push(["workflow.mainEntrypoint", spec.entrypoint ?? ""]);
  first.push(["workflow.serviceAccountName", spec.serviceAccountName ?? ""]);
  first.push(["workflow.uid", meta.uid ?? ""]);
  first.push(...Object.entries(creationGlobals(created)));
  const scheduled = meta.annotations?.["workflows.argoproj.io/scheduled-time"];
  if (scheduled !== undefined) first.push(["workflow.scheduledTime", scheduled]);
  if (spec.priority !== undefined) first.push(["workflow.priority", String(spec.priority)]);
  const params = spec.arguments?.parameters ?? [];
  const paramsJson = parametersJson(params);
  first.push(["workflow.parameters", paramsJson]);
  first.push(["workflow.parameters.json", paramsJson]);
  for (const param of params) {
    const ref = param.valueFrom?.configMapKeyRef;
    if (ref && param.value === undefined) {
      readsConfigMaps = true;
      try {
        first.push([`workflow.parameters.${param.name}`, configMapValue(op, ref.name ?? "", ref.key ?? "")]);
      } catch (e) {
        if (e instanceof ConfigMapNotFound && param.valueFrom?.default !== undefined) {
          first.push([`workflow.parameters.${param.name}`, param.valueFrom.default]);
        } else {
          throw new Error(
            `failed to set global parameter ${param.name} from configmap with name ${ref.name} and key ${ref.key}: ${
              (e as Error).message
            }`,
          );
        }
      }
    } else if (param.value !== undefined) first.push([`workflow.parameters.${param.name}`, param.value]);
    else if (param.valueFrom?.default !== undefined) {
      first.push([`workflow.parameters.${param.name}`, param.valueFrom.default]);
    } else {
      throw new Error(
        `either value or valueFrom must be specified in order to set global parameter ${param.name}`,
      );
    }
  }
  const annotations = { ...meta.annotations, ...spec.workflowMetadata?.annotations };
  const labels = { ...meta.labels, ...spec.workflowMetadata?.labels };
  const annotationsJson = JSON.stringify(meta.annotations ?? {});
  last.push(["workflow.annotations", annotationsJson]);
  last.push(["workflow.annotations.json", annotationsJson]);
  const labelsJson = JSON.stringify(meta.labels ?? {});
  last.push(["workflow.labels", labelsJson]);
  last.push(["workflow.labels.json", labelsJson]);
  for (const [k, v] of Object.entries(annotations)) last.push([`workflow.annotations.${k}`, v]);
  for (const [k, v] of Object.entries(labels)) last.push([`workflow.labels.${k}`, v]);
  const globals: WorkflowGlobals = {
    metadata: meta,
    configMaps: readsConfigMaps ? op.configMaps : null,
    created,
    first: JSON.parse(JSON.stringify(Object.fromEntries(first))),
    last,
  };
  globalsBySpec.set(spec, globals);
  return globals;
}

/** Adds (or replaces) a global parameter, as outputs with `globalName` do. */
export function setGlobal(op: Op, key: string, value: string): void {
  op.globals[key] = value;
}

/**
 * Argo's `ProcessArgs` + `SubstituteParams`: resolves the template's input parameters from the
 * caller's `args` (argument, else `value`, else `default`; a `configMapKeyRef` from the ConfigMaps
 * the host gave) and its input artifacts from the caller's artifacts, then substitutes globals,
 * `locals` and inputs (`inputs.parameters.*`, `inputs.parameters`, artifact and output paths) into
 * the whole template in one call. Unresolvable tags (`{{steps.*}}`, `{{item}}`, ...) are left for later.
 * Throws with Argo's message when an input is missing.
 */
export function processTemplate(
  op: Op,
  tmpl: Template,
  args: Arguments | undefined,
  locals: Record<string, string>,
): Template {
  // Only the inputs are written to below; the rest is shared with the spec, which nothing changes
  // (copying a long steps template in every pass cost more than the rest of the pass).
  const newTmpl: Template = tmpl.inputs ? { ...tmpl, inputs: copyData(tmpl.inputs) } : { ...tmpl };
  // Layers rather than one object: copying the globals for each template cost more than substituting.
  const base = [op.globals, locals];
  const inputs = newTmpl.inputs?.parameters ?? [];
  for (const param of inputs) {
    if (param.value === undefined && param.default !== undefined) param.value = param.default;
    const arg = args?.parameters?.find((p) => p.name === param.name);
    if (arg) {
      if (arg.value !== undefined) {
        param.value = arg.value;
        delete param.valueFrom;
      } else if (arg.valueFrom !== undefined) {
        param.valueFrom = arg.valueFrom;
        delete param.value;
      }
    }
    const ref = param.valueFrom?.configMapKeyRef;
    if (ref) {
      let [name, key] = [ref.name ?? "", ref.key ?? ""];
      if (name.includes("{{") || key.includes("{{")) {
        [name, key] = substituteIn(op.expr, op.globals, [name, key]);
      }
      try {
        param.value = configMapValue(op, name, key);
      } catch (e) {
        if (e instanceof ConfigMapNotFound && param.valueFrom?.default !== undefined) {
          param.value = param.valueFrom.default;
        } else {
          throw new Error(
            `unable to retrieve inputs.parameters.${param.name} from ConfigMap: ${(e as Error).message}`,
          );
        }
      }
    } else if (param.value === undefined && param.valueFrom?.supplied === undefined) {
      throw new Error(`inputs.parameters.${param.name} was not supplied`);
    }
  }
  processInputArtifacts(newTmpl, args);
  // Input values may themselves refer to globals (e.g. a default of "{{workflow.name}}").
  if (inputs.some((p) => p.value?.includes("{{"))) {
    const resolved = substituteIn(op.expr, base, inputs);
    newTmpl.inputs = { ...newTmpl.inputs, parameters: resolved };
  }
  // A template with no tag anywhere (only its inputs are new here) substitutes to itself: asking
  // once per template object spares serializing a long steps template in every pass.
  if (tagFree(tmpl) && !JSON.stringify(newTmpl.inputs ?? null).includes("{{")) return newTmpl;
  return substituteIn(op.expr, [...base, templateLocalVars(newTmpl)], newTmpl);
}

/**
 * Whether a template has no `{{`, by template object, across reconciles: a template is never changed
 * in place (the engine copies one to write it; a host gives an edited spec as new objects).
 */
const tagFreeTemplates = new WeakMap<Template, boolean>();

/** Has the text of `tmpl` no `{{`? */
function tagFree(tmpl: Template): boolean {
  let free = tagFreeTemplates.get(tmpl);
  if (free === undefined) tagFreeTemplates.set(tmpl, free = !JSON.stringify(tmpl).includes("{{"));
  return free;
}

/** The variables a template's own fields provide: its inputs and its artifact/output paths. */
export function templateLocalVars(tmpl: Template): Record<string, string> {
  const vars: Record<string, string> = {};
  const inputs = tmpl.inputs?.parameters ?? [];
  for (const p of inputs) if (p.value !== undefined) vars[`inputs.parameters.${p.name}`] = p.value;
  vars["inputs.parameters"] = parametersJson(inputs);
  for (const a of tmpl.inputs?.artifacts ?? []) if (a.path) vars[`inputs.artifacts.${a.name}.path`] = a.path;
  for (const a of tmpl.outputs?.artifacts ?? []) {
    if (a.path) vars[`outputs.artifacts.${a.name}.path`] = a.path;
  }
  for (const p of tmpl.outputs?.parameters ?? []) {
    if (p.valueFrom?.path) vars[`outputs.parameters.${p.name}.path`] = p.valueFrom.path;
  }
  return vars;
}
