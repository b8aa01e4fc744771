/**
 * What a variable name resolves to where it is written (see variables.ts for where names are
 * found): the scope rules of Argo's validation (workflow/validate/validate.go) and of
 * docs/variables.md, as verdicts that are fine, a warning (Argo leaves the text as written, or
 * someone else may supply the value) or an error (the name can never resolve there).
 */
import type { RuleContext } from "./context.ts";
import { ancestors, dependencyGraph } from "./depends.ts";
import {
  type CallerModel,
  inputArtifacts,
  inputParameters,
  namesOf,
  outputArtifacts,
  outputParameters,
  type TemplateModel,
  type WorkflowModel,
} from "./model.ts";
import { calledTemplate, localTemplates } from "./resolve.ts";
import { asList, asRecord, asText, closest, hasTag, isRecord, q, suggest } from "./util.ts";

/** Where a string is written, which decides what it may refer to. */
export interface Site {
  /** The template whose inputs are in scope (undefined at workflow level). */
  template: TemplateModel | undefined;
  /** The step or task whose fields these are. */
  caller: CallerModel | undefined;
  /** True inside the caller's hooks (which may look at the caller's own results). */
  inHooks: boolean;
  /** The template's outputs or metrics, which may look at any of its steps or tasks. */
  section: "body" | "caller" | "outputs" | "workflow" | "inline";
}

/** Whether a name resolves: fine (and whether it names one value), or a problem to report. */
export type Verdict =
  | { ok: true; complete: boolean }
  | { ok: false; severity: "error" | "warning"; message: string };

const OK: Verdict = { ok: true, complete: true };
const PREFIX: Verdict = { ok: true, complete: false };
const bad = (message: string): Verdict => ({ ok: false, severity: "error", message });
const doubt = (message: string): Verdict => ({ ok: false, severity: "warning", message });

const NODE_ATTRIBUTES = [
  "id",
  "ip",
  "status",
  "exitCode",
  "startedAt",
  "finishedAt",
  "hostNodeName",
  "outputs",
];
const WORKFLOW_VARIABLES = [
  "name",
  "namespace",
  "uid",
  "mainEntrypoint",
  "serviceAccountName",
  "status",
  "failures",
  "duration",
  "priority",
  "scheduledTime",
  "creationTimestamp",
  "parameters",
  "outputs",
  "labels",
  "annotations",
];
const LAST_RETRY = ["exitCode", "status", "duration", "message"];
/** Roots Argo sets in special places (metrics, HTTP conditions, CronWorkflow expressions). */
const QUIET_ROOTS = new Set([
  "status",
  "duration",
  "exitCode",
  "resourcesDuration",
  "request",
  "response",
  "cronworkflow",
]);
const KNOWN_ROOTS = "inputs, outputs, steps, tasks, item, workflow, pod, node, retries, lastRetry";

/** The names a document's strings may use, and the verdict on each name used. */
export class Scope {
  private readonly wf: WorkflowModel;
  private readonly graphs = new Map<TemplateModel, Map<string, string[]>>();
  private readonly declaredParams: Set<string>;
  private readonly globalOutputs: Set<string>;
  private readonly labels: Set<string>;
  private readonly annotations: Set<string>;

  constructor(private readonly ctx: RuleContext) {
    this.wf = ctx.wf;
    const params = new Set(namesOf(asRecord(this.wf.spec.arguments)?.parameters));
    if (this.wf.kind === "Workflow") { for (const p of ctx.opts.parameters) params.add(p); }
    const holder = localTemplates(this.wf, ctx.registry);
    if (holder && holder !== this.wf) {
      for (const p of namesOf(asRecord(holder.spec.arguments)?.parameters)) params.add(p);
    }
    this.declaredParams = params;
    this.globalOutputs = new Set();
    for (const t of [...this.wf.allTemplates, ...(holder && holder !== this.wf ? holder.allTemplates : [])]) {
      const outputs = asRecord(t.value.outputs);
      for (const item of [...asList(outputs?.parameters), ...asList(outputs?.artifacts)]) {
        const g = asText(asRecord(item)?.globalName);
        if (g !== undefined) this.globalOutputs.add(hasTag(g) ? "*" : g);
      }
    }
    // Labels and annotations the workflow will carry: its own metadata, workflowMetadata (of a
    // CronWorkflow's spec too) and those of the WorkflowTemplate it runs.
    const sources: (Record<string, unknown> | undefined)[] = [];
    for (const m of holder && holder !== this.wf ? [this.wf, holder] : [this.wf]) {
      const root = asRecord(m.doc.value);
      sources.push(asRecord(root?.metadata), asRecord(m.spec.workflowMetadata));
      if (m.kind === "CronWorkflow") sources.push(asRecord(asRecord(root?.spec)?.workflowMetadata));
    }
    const keys = (field: string) => sources.flatMap((s) => Object.keys(asRecord(s?.[field]) ?? {}));
    this.labels = new Set([...keys("labels"), ...keys("labelsFrom")]);
    this.annotations = new Set(keys("annotations"));
  }

  /** Whether the variable `segments` resolves at `site`; `exact` for simple tags (a whole name). */
  judge(segments: string[], site: Site, exact: boolean): Verdict {
    const [root, ...rest] = segments as [string, ...string[]];
    switch (root) {
      case "inputs":
        return this.judgeInputs(rest, site);
      case "outputs":
        return OK;
      case "steps":
      case "tasks":
        return this.judgeNode(root, rest, site);
      case "item":
        return this.judgeItem(rest, site);
      case "workflow":
        return this.judgeWorkflow(rest);
      case "pod":
        if (rest.length === 0) return PREFIX;
        if (rest[0] !== "name" || rest.length > 1) return bad(`the only pod variable is "pod.name"`);
        if (
          site.template &&
          (site.template.type === "steps" || site.template.type === "dag" || site.template.type === "suspend")
        ) {
          return bad(`${site.template.label} runs no pod of its own, so pod.name is not set here`);
        }
        return OK;
      case "node":
        return rest.length === 0
          ? PREFIX
          : rest[0] === "name" && rest.length === 1
          ? OK
          : doubt(`the only node variable is "node.name"`);
      case "retries":
        return rest.length > 0 ? doubt(`"retries" is a number with no fields`) : this.judgeRetries(site);
      case "lastRetry":
        if (rest.length === 0) return PREFIX;
        return LAST_RETRY.includes(rest[0]!) && rest.length === 1
          ? OK
          : doubt(`lastRetry has ${LAST_RETRY.map((n) => `lastRetry.${n}`).join(", ")}`);
      default:
        if (QUIET_ROOTS.has(root)) return OK;
        if (!exact) return OK;
        return doubt(
          `unknown variable, which Argo leaves as written; ${this.unknownRootHint(root, rest, site)}`,
        );
    }
  }

  /** For `{{message}}`: the variable the author probably meant. */
  private unknownRootHint(root: string, rest: string[], site: Site): string {
    const name = [root, ...rest].join(".");
    if (site.template && inputParameters(site.template).includes(name)) {
      return `did you mean ${q(`{{inputs.parameters.${name}}}`)}?`;
    }
    if (this.declaredParams.has(name)) return `did you mean ${q(`{{workflow.parameters.${name}}}`)}?`;
    const near = closest(root, KNOWN_ROOTS.split(", "));
    if (near !== undefined) return `did you mean ${q(near)}?`;
    return `variables start with ${KNOWN_ROOTS}`;
  }

  private judgeInputs(rest: string[], site: Site): Verdict {
    const t = site.template;
    if (t === undefined) return OK; // workflow-level fields: nothing to compare with
    if (rest.length === 0) return PREFIX;
    const [kind, name, ...more] = rest as [string, ...string[]];
    if (kind !== "parameters" && kind !== "artifacts") {
      const near = closest(kind, ["parameters", "artifacts"]);
      return bad(
        `inputs has only "parameters" and "artifacts"${near ? `; did you mean ${q(`inputs.${near}`)}?` : ""}`,
      );
    }
    const declared = kind === "parameters" ? inputParameters(t) : inputArtifacts(t);
    const what = kind === "parameters" ? "input parameter" : "input artifact";
    if (name === undefined) {
      if (declared.length === 0) {
        return bad(`${t.label} declares no ${what}s; declare them under inputs.${kind}`);
      }
      return kind === "parameters" ? OK : PREFIX;
    }
    if (!declared.includes(name)) {
      const near = closest(name, declared);
      const hint = near !== undefined
        ? `did you mean ${q(near)}?`
        : declared.length > 0
        ? `its ${what}s are: ${declared.map(q).join(", ")}; or declare it under inputs.${kind}`
        : `declare it under inputs.${kind}`;
      return bad(`${t.label} has no ${what} ${q(name)}; ${hint}`);
    }
    if (more.length === 0) return OK;
    if (kind === "artifacts" && more.length === 1 && more[0] === "path") return OK;
    return bad(`${what} ${q(name)} has no field ${q(more.join("."))}`);
  }

  private judgeNode(root: "steps" | "tasks", rest: string[], site: Site): Verdict {
    const kind = root === "steps" ? "step" : "task";
    const t = site.template;
    if (t === undefined || site.section === "inline") return OK;
    if (rest.length === 0) return PREFIX;
    const [name, ...attr] = rest as [string, ...string[]];
    if (name === "name" && attr.length === 0) return OK;
    const wantType = root === "steps" ? "steps" : "dag";
    if (t.type !== wantType) {
      return bad(`${root}.* variables are only set in ${wantType} templates, and ${t.label} is not one`);
    }
    const names = t.callers.map((c) => c.name).filter((n) => n !== undefined);
    const target = t.callers.find((c) => c.name === name);
    if (target === undefined) {
      return bad(`${t.label} has no ${kind} ${q(name)}${suggest(name, names, `its ${kind}s`)}`);
    }
    const c = site.caller;
    if (c !== undefined && site.section === "caller") {
      const self = target === c;
      if (self && !site.inHooks) {
        return bad(`${c.label} refers to its own results, which only its hooks can see`);
      }
      if (!self && root === "steps" && target.group >= c.group) {
        const where = target.group === c.group
          ? "runs in the same step group as"
          : "runs in a later step group than";
        return bad(
          `${target.label} ${where} ${c.label}, so its results are not known yet; ` +
            `move ${q(name)} to an earlier step group`,
        );
      }
      if (!self && root === "tasks" && !this.ancestorsOf(t, c).has(name)) {
        return bad(
          `${c.label} does not depend on ${target.label}, so its results are not known yet; ` +
            `add ${q(name)} to its depends`,
        );
      }
    }
    return this.judgeAttributes(target, attr);
  }

  private ancestorsOf(t: TemplateModel, c: CallerModel): Set<string> {
    let graph = this.graphs.get(t);
    if (!graph) this.graphs.set(t, graph = dependencyGraph(t.callers));
    return c.name === undefined ? new Set() : ancestors(graph, c.name);
  }

  /** `steps.X.<attr>`: what a step or task node offers, checked against the template it runs. */
  private judgeAttributes(node: CallerModel, attr: string[]): Verdict {
    if (attr.length === 0) return PREFIX;
    const [first, second, third, ...more] = attr as [string, ...string[]];
    if (!NODE_ATTRIBUTES.includes(first)) {
      return bad(`${node.label} has no ${q(first)}${suggest(first, NODE_ATTRIBUTES, "node fields")}`);
    }
    const called = calledTemplate(this.wf, this.ctx.registry, node.value, node.inline);
    if (first !== "outputs") {
      if (second !== undefined) return bad(`${q(first)} of ${node.label} has no fields`);
      if (first === "exitCode" && called && !hasResult(called) && !node.loops) {
        return bad(`${node.label} runs ${called.label}, a ${called.type} template, which has no exit code`);
      }
      if (first === "ip" && called && called.value.daemon !== true) {
        // Argo records the IP of a daemon's pod only (and its validation knows no other).
        return bad(
          `${node.label} runs ${called.label}, which is no daemon: a pod's IP is recorded for daemons only ` +
            `(daemon: true)`,
        );
      }
      return OK;
    }
    if (second === undefined) return PREFIX;
    const kinds = ["result", "parameters", "artifacts"];
    if (!kinds.includes(second)) {
      return bad(`outputs of ${node.label} has no ${q(second)}${suggest(second, kinds, "fields")}`);
    }
    if (second === "result") {
      if (third !== undefined) return bad(`outputs.result of ${node.label} has no fields`);
      if (called && !hasResult(called)) {
        return bad(
          `${node.label} runs ${called.label}, a ${called.type} template, which has no outputs.result; ` +
            `use an output parameter`,
        );
      }
      return OK;
    }
    if (third === undefined) return second === "parameters" ? OK : PREFIX;
    if (more.length > 0) return bad(`output ${second.slice(0, -1)} ${q(third)} has no fields`);
    if (called === undefined) return OK;
    const declared = second === "parameters" ? outputParameters(called) : outputArtifacts(called);
    if (declared.includes(third)) return OK;
    const what = second === "parameters" ? "output parameter" : "output artifact";
    const near = closest(third, declared);
    const hint = near !== undefined
      ? `did you mean ${q(near)}?`
      : declared.length > 0
      ? `its ${what}s are: ${declared.map(q).join(", ")}`
      : `declare it under its outputs.${second}`;
    return bad(`${called.label} (run by ${node.label}) has no ${what} ${q(third)}; ${hint}`);
  }

  private judgeItem(rest: string[], site: Site): Verdict {
    if (site.section === "inline") return OK;
    const c = site.caller;
    if (c === undefined || !c.loops) {
      const here = c ? `${c.label} does not loop` : `this is not a step or task`;
      return bad(
        `item is only set in a step or task that loops with withItems, withParam or withSequence, and ${here}`,
      );
    }
    if (rest.length === 0) return OK;
    if (c.value.withSequence !== undefined && c.value.withSequence !== null) {
      return bad(`withSequence items of ${c.label} are numbers, with no field ${q(rest[0])}`);
    }
    if (!Array.isArray(c.value.withItems) || c.value.withItems.length === 0) return OK;
    const items = c.value.withItems;
    if (items.every((i) => isRecord(i))) {
      const keys = [...new Set(items.flatMap((i) => Object.keys(i as Record<string, unknown>)))];
      if (keys.includes(rest[0]!)) return OK;
      return bad(
        `the withItems of ${c.label} have no key ${q(rest[0])}${suggest(rest[0]!, keys, "their keys")}`,
      );
    }
    if (items.every((i) => !isRecord(i) && !Array.isArray(i))) {
      return bad(`the withItems of ${c.label} are plain values, with no field ${q(rest[0])}; use "{{item}}"`);
    }
    return OK;
  }

  private judgeWorkflow(rest: string[]): Verdict {
    if (rest.length === 0) return PREFIX;
    const [name, key, ...more] = rest as [string, ...string[]];
    if (!WORKFLOW_VARIABLES.includes(name)) {
      const near = closest(name, WORKFLOW_VARIABLES);
      const hint = near !== undefined
        ? `did you mean ${q(`workflow.${near}`)}?`
        : `see docs/variables.md for the list`;
      return bad(`unknown workflow variable ${q(`workflow.${name}`)}; ${hint}`);
    }
    switch (name) {
      case "creationTimestamp":
        return OK;
      case "parameters":
        if (key === undefined || (key === "json" && more.length === 0)) return OK;
        if (this.declaredParams.has(key)) {
          return more.length === 0 ? OK : bad(`workflow parameters have no fields`);
        }
        return this.undeclaredParameter(key);
      case "outputs": {
        if (key === undefined) return PREFIX;
        if (key !== "parameters" && key !== "artifacts") {
          return bad(`workflow.outputs has "parameters" and "artifacts"`);
        }
        const global = more[0];
        if (global === undefined || this.globalOutputs.has(global) || this.globalOutputs.has("*")) return OK;
        return doubt(
          `no output of this workflow sets globalName ${q(global)}; ` +
            `set "globalName: ${global}" on the output ${
              key === "parameters" ? "parameter" : "artifact"
            } that makes it`,
        );
      }
      case "labels":
      case "annotations": {
        if (key === undefined || (key === "json" && more.length === 0)) return OK;
        const known = name === "labels" ? this.labels : this.annotations;
        if (known.has(key)) return OK;
        return doubt(
          `the workflow has no ${name.slice(0, -1)} ${
            q(key)
          } in its metadata; add it under metadata.${name} ` +
            `(unless the controller's defaults set it)`,
        );
      }
      default:
        return key === undefined ? OK : bad(`${q(`workflow.${name}`)} has no fields`);
    }
  }

  private undeclaredParameter(key: string): Verdict {
    const names = [...this.declaredParams];
    const near = closest(key, names);
    const fix = near !== undefined ? `did you mean ${q(near)}?` : `add it under spec.arguments.parameters`;
    const message = `workflow parameter ${q(key)} is not declared; ${fix}`;
    const external = this.wf.kind === "WorkflowTemplate" || this.wf.kind === "ClusterWorkflowTemplate" ||
      (this.wf.workflowTemplateRef !== undefined && localTemplates(this.wf, this.ctx.registry) === undefined);
    if (external) {
      return doubt(`${message} (unless every workflow that uses this ${this.wf.kind} supplies it)`);
    }
    return bad(message);
  }

  private judgeRetries(site: Site): Verdict {
    const t = site.template;
    if (t === undefined || site.section !== "body") return OK;
    if (t.value.retryStrategy !== undefined && t.value.retryStrategy !== null) return OK;
    if (this.wf.spec.retryStrategy !== undefined) return OK;
    if (asRecord(this.wf.spec.templateDefaults)?.retryStrategy !== undefined) return OK;
    return doubt(`${t.label} has no retryStrategy, so {{retries}} is never set; add a retryStrategy`);
  }
}

/** Template types whose node has outputs.result and exitCode (Argo's HasOutput). */
function hasResult(t: TemplateModel): boolean {
  return t.type === undefined ||
    ["container", "script", "containerSet", "data", "http", "plugin"].includes(t.type);
}
