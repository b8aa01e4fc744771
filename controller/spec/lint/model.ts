/**
 * A read-only outline of one Argo document for the rules: its templates, steps, tasks and hooks,
 * each with the path it was written at. Built from the raw value as written, it never throws: parts
 * of the wrong shape are left out here (fields.ts reports their types).
 */
import type { LoadedDocument, Path } from "../load.ts";
import { asList, asRecord, asText, isRecord, present, q } from "./util.ts";

/** The kinds of document that hold a workflow spec. */
export const ARGO_KINDS = [
  "Workflow",
  "WorkflowTemplate",
  "ClusterWorkflowTemplate",
  "CronWorkflow",
] as const;
/** One of the Argo document kinds. */
export type ArgoKind = typeof ARGO_KINDS[number];

/** The keys that give a template its type; exactly one must be present. */
export const TEMPLATE_KINDS = [
  "container",
  "script",
  "resource",
  "suspend",
  "steps",
  "dag",
  "containerSet",
  "data",
  "http",
  "plugin",
] as const;
/** A key that gives a template its type. */
export type TemplateKind = typeof TEMPLATE_KINDS[number];

/** Template types that run something themselves (Argo's IsLeaf). */
export const LEAF_KINDS: readonly TemplateKind[] = [
  "container",
  "script",
  "resource",
  "containerSet",
  "data",
  "http",
  "plugin",
];

/** A template, top-level or inline in a step or task. */
export interface TemplateModel {
  path: Path;
  value: Record<string, unknown>;
  /** `name:` as written (numbers turned to text); undefined for inline templates or a missing name. */
  name: string | undefined;
  /** How messages call it: `template "main"` or `inline template of step "a"`. */
  label: string;
  /** The step or task that holds it, for inline templates. */
  owner: CallerModel | undefined;
  /** Type keys present with a value. */
  kinds: TemplateKind[];
  /** The type, when exactly one is present. */
  type: TemplateKind | undefined;
  /** Step groups (steps templates). */
  groups: CallerModel[][];
  /** All steps (steps templates) or tasks (dag templates). */
  callers: CallerModel[];
}

/** A step or a DAG task: something that calls a template. */
export interface CallerModel {
  kind: "step" | "task";
  path: Path;
  value: Record<string, unknown>;
  name: string | undefined;
  /** `step "a"` or `task "a"`. */
  label: string;
  /** The template it is written in. */
  parent: TemplateModel;
  /** 0-based step group (steps only). */
  group: number;
  /** Its inline template, if any. */
  inline: TemplateModel | undefined;
  /** True when it loops with withItems, withParam or withSequence. */
  loops: boolean;
  hooks: HookModel[];
}

/** A lifecycle hook: `hooks: {exit: {...}, running: {expression: ..., template: ...}}`. */
export interface HookModel {
  event: string;
  path: Path;
  value: Record<string, unknown>;
  /** The step or task it belongs to; undefined for workflow-level hooks. */
  owner: CallerModel | undefined;
}

/** A reference to a template in another document. */
export interface WorkflowTemplateRefModel {
  path: Path;
  name: string | undefined;
  cluster: boolean;
}

/** One Argo document, outlined. */
export interface WorkflowModel {
  doc: LoadedDocument;
  kind: ArgoKind;
  /** `metadata.name`, if written. */
  name: string | undefined;
  /** Where the WorkflowSpec is: `["spec"]`, or `["spec", "workflowSpec"]` for a CronWorkflow. */
  specPath: Path;
  spec: Record<string, unknown>;
  /** Top-level templates that are mappings, in order. */
  templates: TemplateModel[];
  /** Top-level and inline templates. */
  allTemplates: TemplateModel[];
  /** Top-level templates by name (the first of each name). */
  byName: Map<string, TemplateModel>;
  /** Steps and tasks of every template. */
  callers: CallerModel[];
  /** Workflow-level hooks. */
  hooks: HookModel[];
  workflowTemplateRef: WorkflowTemplateRefModel | undefined;
}

/** Outlines an Argo document (the caller has checked that `value` is a mapping of an Argo kind). */
export function buildModel(doc: LoadedDocument, kind: ArgoKind): WorkflowModel {
  const root = asRecord(doc.value) ?? {};
  const metadata = asRecord(root.metadata);
  const specPath: Path = kind === "CronWorkflow" ? ["spec", "workflowSpec"] : ["spec"];
  const spec = kind === "CronWorkflow"
    ? asRecord(asRecord(root.spec)?.workflowSpec) ?? {}
    : asRecord(root.spec) ?? {};
  const wf: WorkflowModel = {
    doc,
    kind,
    name: asText(metadata?.name),
    specPath,
    spec,
    templates: [],
    allTemplates: [],
    byName: new Map(),
    callers: [],
    hooks: [],
    workflowTemplateRef: undefined,
  };
  asList(spec.templates).forEach((value, i) => {
    if (!isRecord(value)) return;
    const name = asText(value.name);
    const t = buildTemplate(wf, [...specPath, "templates", i], value, name, undefined);
    wf.templates.push(t);
    if (name !== undefined && !wf.byName.has(name)) wf.byName.set(name, t);
  });
  wf.hooks = buildHooks([...specPath, "hooks"], spec.hooks, undefined);
  const ref = asRecord(spec.workflowTemplateRef);
  if (ref) {
    wf.workflowTemplateRef = {
      path: [...specPath, "workflowTemplateRef"],
      name: asText(ref.name),
      cluster: ref.clusterScope === true,
    };
  }
  return wf;
}

function buildTemplate(
  wf: WorkflowModel,
  path: Path,
  value: Record<string, unknown>,
  name: string | undefined,
  owner: CallerModel | undefined,
): TemplateModel {
  const kinds = TEMPLATE_KINDS.filter((k) => present(value[k]));
  const t: TemplateModel = {
    path,
    value,
    name,
    label: owner
      ? `inline template of ${owner.label}`
      : name !== undefined
      ? `template ${q(name)}`
      : "template",
    owner,
    kinds,
    type: kinds.length === 1 ? kinds[0] : undefined,
    groups: [],
    callers: [],
  };
  wf.allTemplates.push(t);
  if (Array.isArray(value.steps)) {
    value.steps.forEach((group, g) => {
      // A group written as a mapping (a missing "- -") is read as a group of one, to keep going.
      const items: [unknown, Path][] = Array.isArray(group)
        ? group.map((s, j) => [s, [...path, "steps", g, j]])
        : [[group, [...path, "steps", g]]];
      const steps: CallerModel[] = [];
      for (const [s, p] of items) {
        if (isRecord(s)) steps.push(buildCaller(wf, "step", p, s, t, g));
      }
      t.groups.push(steps);
      t.callers.push(...steps);
    });
  }
  const dag = asRecord(value.dag);
  if (dag) {
    asList(dag.tasks).forEach((task, i) => {
      if (isRecord(task)) t.callers.push(buildCaller(wf, "task", [...path, "dag", "tasks", i], task, t, 0));
    });
  }
  return t;
}

function buildCaller(
  wf: WorkflowModel,
  kind: "step" | "task",
  path: Path,
  value: Record<string, unknown>,
  parent: TemplateModel,
  group: number,
): CallerModel {
  const name = asText(value.name);
  const c: CallerModel = {
    kind,
    path,
    value,
    name,
    label: name !== undefined ? `${kind} ${q(name)}` : `unnamed ${kind}`,
    parent,
    group,
    inline: undefined,
    loops: present(value.withItems) || present(value.withParam) || present(value.withSequence),
    hooks: [],
  };
  wf.callers.push(c);
  c.hooks = buildHooks([...path, "hooks"], value.hooks, c);
  const inline = asRecord(value.inline);
  if (inline) c.inline = buildTemplate(wf, [...path, "inline"], inline, undefined, c);
  return c;
}

function buildHooks(path: Path, hooks: unknown, owner: CallerModel | undefined): HookModel[] {
  const out: HookModel[] = [];
  for (const [event, value] of Object.entries(asRecord(hooks) ?? {})) {
    if (isRecord(value)) out.push({ event, path: [...path, event], value, owner });
  }
  return out;
}

/** Declared names of a list of `{name: ...}` items (parameters, artifacts). */
export function namesOf(list: unknown): string[] {
  const out: string[] = [];
  for (const item of asList(list)) {
    const name = asText(asRecord(item)?.name);
    if (name !== undefined) out.push(name);
  }
  return out;
}

/** Input parameter names of a template. */
export function inputParameters(t: TemplateModel): string[] {
  return namesOf(asRecord(t.value.inputs)?.parameters);
}

/** Input artifact names of a template. */
export function inputArtifacts(t: TemplateModel): string[] {
  return namesOf(asRecord(t.value.inputs)?.artifacts);
}

/** Output parameter names of a template. */
export function outputParameters(t: TemplateModel): string[] {
  return namesOf(asRecord(t.value.outputs)?.parameters);
}

/** Output artifact names of a template. */
export function outputArtifacts(t: TemplateModel): string[] {
  return namesOf(asRecord(t.value.outputs)?.artifacts);
}

/** True for template types that run something themselves (Argo's IsLeaf). */
export function isLeaf(t: TemplateModel): boolean {
  return t.type !== undefined && LEAF_KINDS.includes(t.type);
}

/** Every template name of a document, for "templates are: ..." messages. */
export function templateNames(wf: WorkflowModel): string[] {
  return [...wf.byName.keys()];
}
