/**
 * Fields, checked against the schema (schema.ts) everywhere in a document: an unknown field is a
 * warning (an error with `strict`) with a "did you mean" suggestion; a value of the wrong type (a
 * string where a list is needed, ...) or outside its enum is an error; a deprecated spelling is a
 * warning saying what to write instead. Kubernetes-only fields go to kubernetes.ts.
 */
import type { Path } from "../load.ts";
import { type Field, type FieldSpec, objectSpec, ROOT_TYPES } from "../schema.ts";
import type { RuleContext } from "./context.ts";
import { reportKubernetesOnly } from "./kubernetes.ts";
import type { WorkflowModel } from "./model.ts";
import { asText, closest, hasTag, isRecord, q, quoteList } from "./util.ts";

/** Enums that other rules check with messages of their own. */
const ENUMS_CHECKED_ELSEWHERE = new Set([
  "RetryStrategy.retryPolicy",
  "ResourceTemplate.action",
  "CronWorkflowSpec.concurrencyPolicy",
]);
/** Fields that documents.ts checks, or that users do not write. */
const SKIPPED = new Set([
  "Workflow.apiVersion",
  "Workflow.kind",
  "Workflow.status",
  "Template.template", // templates.ts: template-level calls are no longer supported
  "Template.templateRef",
]);

/** Fields written one level off, or on the wrong kind of object: where they belong instead. */
const MISPLACED: Record<string, Record<string, string>> = {
  Workflow: {
    entrypoint: "entrypoint belongs under spec:",
    templates: "templates belongs under spec:",
    arguments: "arguments belongs under spec:",
  },
  WorkflowStep: {
    depends: "only DAG tasks have depends; a step waits for the step groups before it",
    dependencies: "only DAG tasks have dependencies; a step waits for the step groups before it",
  },
  Template: {
    image: "image belongs under container: (or script:)",
    command: "command belongs under container: (or script:)",
    args: "args belongs under container: (or script:)",
    source: "source belongs under script:",
    tasks: "tasks belongs under dag:",
  },
  WorkflowSpec: {
    name: "name belongs under metadata:",
    generateName: "generateName belongs under metadata:",
  },
};

/** Checks every field of a document against the schema. */
export function checkFields(ctx: RuleContext): void {
  new FieldWalker(ctx).run();
}

class FieldWalker {
  /** Labels of the objects messages name by themselves: documents, specs, templates, steps, tasks, hooks. */
  private readonly anchors = new Map<string, string>();

  constructor(private readonly ctx: RuleContext) {
    const wf: WorkflowModel = ctx.wf;
    this.anchors.set(key([]), wf.kind);
    if (wf.kind === "CronWorkflow") this.anchors.set(key(["spec"]), "CronWorkflow spec");
    this.anchors.set(key(wf.specPath), `${wf.kind} spec`);
    this.anchors.set(key([...wf.specPath, "templateDefaults"]), "templateDefaults");
    for (const t of wf.allTemplates) this.anchors.set(key(t.path), t.label);
    for (const c of wf.callers) {
      this.anchors.set(key(c.path), c.label);
      for (const h of c.hooks) this.anchors.set(key(h.path), `hook ${q(h.event)} of ${c.label}`);
    }
    for (const h of wf.hooks) this.anchors.set(key(h.path), `workflow hook ${q(h.event)}`);
  }

  run(): void {
    const value = this.ctx.wf.doc.value;
    if (isRecord(value)) this.walkObject(value, ROOT_TYPES[this.ctx.wf.kind], [], this.ctx.wf.kind);
  }

  private walkObject(value: Record<string, unknown>, type: string, path: Path, label: string): void {
    const spec = objectSpec(type);
    if (spec === undefined) return;
    const fieldNames = Object.keys(spec.fields);
    for (const [name, v] of Object.entries(value)) {
      const id = `${type}.${name}`;
      if (
        SKIPPED.has(id.replace(/^(WorkflowTemplate|ClusterWorkflowTemplate|CronWorkflow)\./, "Workflow."))
      ) continue;
      const here = [...path, name];
      const field: Field | undefined = Object.hasOwn(spec.fields, name) ? spec.fields[name] : undefined;
      if (field === undefined) {
        if (!spec.open) this.unknown(here, name, label, type, fieldNames);
        continue;
      }
      if (field.deprecated !== undefined) {
        this.ctx.report.warnAtKey(
          "deprecated-field",
          here,
          `${q(name)} in ${label} is deprecated; ${field.deprecated}`,
        );
      }
      if (field.k8sOnly) reportKubernetesOnly(this.ctx, here, name, label, type);
      this.walkField(v, field, here, `${q(name)} of ${label}`, name, label, id);
    }
  }

  private unknown(path: Path, name: string, label: string, type: string, fieldNames: string[]): void {
    const near = closest(name, fieldNames);
    const misplaced = MISPLACED[type]?.[name];
    const hint = misplaced !== undefined
      ? `; ${misplaced}`
      : near !== undefined
      ? `; did you mean ${q(near)}?`
      : `; remove it or check its spelling`;
    const message = `unknown field ${q(name)} in ${label}${hint}`;
    if (this.ctx.opts.strict) this.ctx.report.errorAtKey("unknown-field", path, message);
    else this.ctx.report.warnAtKey("unknown-field", path, message);
  }

  /**
   * Checks one value against its field spec. `what` names the value in messages, `name` is the key
   * it sits under (for the labels of nested objects), `owner` the label of the object holding it.
   */
  private walkField(
    v: unknown,
    field: FieldSpec & { enum?: readonly string[]; anyString?: boolean },
    path: Path,
    what: string,
    name: string,
    owner: string,
    id: string,
  ): void {
    if (v === null || v === undefined) return; // Go reads null as "not set"
    switch (field.kind) {
      case "object": {
        if (!isRecord(v)) return this.typeError(path, what, "a mapping (key: value)", v, field, name);
        const label = this.anchors.get(key(path)) ??
          `${labelName(path, v)} of ${anchorOf(this.anchors, path) ?? owner}`;
        return this.walkObject(v, field.type, path, label);
      }
      case "array":
        if (!Array.isArray(v)) return this.typeError(path, what, "a list", v, field, name);
        v.forEach((item, i) =>
          this.walkField(item, field.of, [...path, i], `item #${i + 1} of ${what}`, name, owner, id)
        );
        return;
      case "map":
        if (!isRecord(v)) return this.typeError(path, what, "a mapping (key: value)", v, field, name);
        for (const [k, item] of Object.entries(v)) {
          this.walkField(
            item,
            field.of,
            [...path, k],
            `${q(k)} in ${what.replace(/^"([^"]*)"/, "$1")}`,
            k,
            owner,
            id,
          );
        }
        return;
      case "string":
        if (typeof v === "string") return this.checkEnum(v, field.enum, path, what, id);
        if (field.anyString && (typeof v === "number" || typeof v === "boolean")) {
          return this.checkEnum(String(v), field.enum, path, what, id);
        }
        return this.typeError(path, what, "a string", v, field, name);
      case "int":
        if (typeof v === "number" && Number.isInteger(v)) return;
        return this.typeError(path, what, "a whole number", v, field, name);
      case "number":
        if (typeof v === "number") return;
        return this.typeError(path, what, "a number", v, field, name);
      case "bool":
        if (typeof v === "boolean") return;
        return this.typeError(path, what, "true or false", v, field, name);
      case "intOrString":
        if (typeof v === "string" || (typeof v === "number" && Number.isInteger(v))) return;
        return this.typeError(path, what, "a whole number or a string", v, field, name);
      case "quantity":
        if (typeof v === "string" || typeof v === "number") return;
        return this.typeError(path, what, `a quantity (e.g. "500m", "1Gi" or 2)`, v, field, name);
      case "any":
        return;
    }
  }

  private checkEnum(
    v: string,
    values: readonly string[] | undefined,
    path: Path,
    what: string,
    id: string,
  ): void {
    if (values === undefined || values.includes(v) || hasTag(v) || ENUMS_CHECKED_ELSEWHERE.has(id)) return;
    const shown = values.filter((x) => x !== "");
    const near = closest(v, shown);
    const hint = near !== undefined ? `did you mean ${q(near)}?` : `use one of ${quoteList(shown, 20)}`;
    this.ctx.report.error("field-value", path, `${what} is ${q(v)}, which is not allowed; ${hint}`);
  }

  private typeError(
    path: Path,
    what: string,
    expected: string,
    v: unknown,
    field: FieldSpec,
    name: string,
  ): void {
    this.ctx.report.error(
      "field-type",
      path,
      `${what} must be ${expected}, not ${describe(v)}${
        hint(v, field, name, this.ctx.wf.doc.sourceOf?.(path))
      }`,
    );
  }
}

function key(path: Path): string {
  return JSON.stringify(path);
}

/** The label of the nearest ancestor that has one. */
function anchorOf(anchors: Map<string, string>, path: Path): string | undefined {
  for (let n = path.length - 1; n >= 0; n--) {
    const label = anchors.get(key(path.slice(0, n)));
    if (label !== undefined) return label;
  }
  return undefined;
}

/** How a nested object is called: its key (`container`), or for list items `parameter "x"` / `env item`. */
function labelName(path: Path, v: Record<string, unknown>): string {
  const last = path[path.length - 1];
  if (typeof last === "string") return last;
  const list = [...path].reverse().find((p) => typeof p === "string") ?? "list";
  const name = asText(v.name);
  const singular = String(list).replace(/ies$/, "y").replace(/s$/, "");
  return name !== undefined ? `${singular} ${q(name)}` : `${list} item #${(last ?? 0) + 1}`;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (isRecord(v)) return "a mapping";
  if (typeof v === "string") return `the string ${q(v.length > 40 ? v.slice(0, 37) + "..." : v)}`;
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return `the number ${v}`;
  return String(v);
}

/** A concrete way out of a type error, where one is clear. */
function hint(v: unknown, field: FieldSpec, name: string, source?: string): string {
  switch (field.kind) {
    case "string":
      if ((typeof v === "number" || typeof v === "boolean") && source !== undefined && source !== String(v)) {
        // `yes` read as true, `0755` read as 493: YAML 1.1 rules, which Argo (Go) applies too.
        return `; YAML reads ${source} as ${v}, as Argo does: quote it: "${source}"`;
      }
      if (typeof v === "number" || typeof v === "boolean") return `; quote it: "${v}"`;
      if (Array.isArray(v) || isRecord(v)) return `; to pass structured data, write it as a JSON string`;
      return "";
    case "int":
    case "number":
      if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) {
        return `; write it without quotes: ${v.trim()}`;
      }
      if (typeof v === "string" && hasTag(v)) return `; this field cannot hold a {{...}} variable`;
      return "";
    case "bool":
      if (v === "true" || v === "false") return `; write it without quotes: ${v}`;
      return "";
    case "array":
      if (name === "withItems" && typeof v === "string") {
        return `; to loop over a JSON list held in a string, use withParam`;
      }
      if (name === "steps" && isRecord(v)) {
        return `; each step group is a list: start it with "- - name: ..."`;
      }
      if (typeof v === "string" && field.of.kind === "string") {
        return `; e.g. [${v.split(/\s+/).filter((s) => s !== "").map((s) => JSON.stringify(s)).join(", ")}]`;
      }
      return "";
    default:
      return "";
  }
}
