/**
 * Outputs: what a finished node makes visible to what follows (`steps.X.*`, `tasks.X.*`), the
 * aggregated outputs of loops, the outputs of steps/dag templates (`valueFrom.parameter` and
 * `valueFrom.expression`), and global outputs (`globalName` -> `workflow.outputs`).
 */

import type { Outputs, Parameter, Template } from "../spec/types.ts";
import { addArtifactToGlobalScope, artifactScopeValue, templateOutputArtifacts } from "./artifacts.ts";
import type { Op } from "./context.ts";
import { withScope } from "./expr.ts";
import { loopIndexOf } from "./names.ts";
import { lastRetryChild } from "./nodes.ts";
import { normalizeTime } from "./time.ts";
import type { NodeView } from "./tree.ts";

/** Variables of a steps/dag template being executed: `steps.X.*` / `tasks.X.*` plus its inputs. */
export type LocalScope = Record<string, string>;

/** Argo's `addParamToGlobalScope`: a parameter with `globalName` becomes a workflow output. */
export function addParamToGlobalScope(op: Op, param: Parameter): void {
  if (!param.globalName) return;
  if (param.value !== undefined) op.globals[`workflow.outputs.parameters.${param.globalName}`] = param.value;
  const outputs = op.status.outputs ?? {};
  op.status.outputs = outputs;
  const params = outputs.parameters ?? [];
  outputs.parameters = params;
  const existing = params.find((p) => p.name === param.globalName);
  if (!existing) {
    const gp: Parameter = { name: param.globalName };
    if (param.value !== undefined) gp.value = param.value;
    params.push(gp);
  } else if (param.value !== undefined) {
    existing.value = param.value;
  }
}

/** Argo's `addOutputsToGlobalScope`: parameters and artifacts with a `globalName`. */
export function addOutputsToGlobalScope(op: Op, outputs: Outputs | undefined): void {
  for (const param of outputs?.parameters ?? []) addParamToGlobalScope(op, param);
  for (const art of outputs?.artifacts ?? []) addArtifactToGlobalScope(op, art);
}

/**
 * Argo's `addOutputsToLocalScope`: `<prefix>.outputs.result`, `.exitCode`, `.outputs.parameters.<p>`
 * and `.outputs.artifacts.<a>` (an artifact's scope value is its JSON, see artifacts.ts).
 */
export function addOutputsToLocalScope(
  prefix: string,
  outputs: Outputs | undefined,
  scope: LocalScope,
): void {
  if (!outputs) return;
  if (prefix !== "workflow" && outputs.result !== undefined) {
    scope[`${prefix}.outputs.result`] = outputs.result;
  }
  if (prefix !== "workflow" && outputs.exitCode !== undefined) scope[`${prefix}.exitCode`] = outputs.exitCode;
  for (const param of outputs.parameters ?? []) {
    if (param.value !== undefined) scope[`${prefix}.outputs.parameters.${param.name}`] = param.value;
  }
  for (const art of outputs.artifacts ?? []) {
    scope[`${prefix}.outputs.artifacts.${art.name}`] = artifactScopeValue(art);
  }
}

/** Argo's `buildLocalScope`: a finished step/task node's id, times, status and outputs under `prefix`. */
export function buildLocalScope(op: Op, scope: LocalScope, prefix: string, node: NodeView): void {
  const n = lastRetryChild(op, node) ?? node;
  if (n.id) scope[`${prefix}.id`] = n.id;
  if (n.startedAt) scope[`${prefix}.startedAt`] = normalizeTime(n.startedAt);
  if (n.finishedAt) scope[`${prefix}.finishedAt`] = normalizeTime(n.finishedAt);
  if (n.podIP) scope[`${prefix}.ip`] = n.podIP;
  if (n.phase) scope[`${prefix}.status`] = n.phase;
  if (n.hostNodeName) scope[`${prefix}.hostNodeName`] = n.hostNodeName;
  addOutputsToLocalScope(prefix, n.outputs, scope);
}

function tryJsonList(values: string[]): unknown[] | undefined {
  const list: unknown[] = [];
  for (const value of values) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed === null || typeof parsed !== "object") return undefined;
      list.push(parsed);
    } catch {
      return undefined;
    }
  }
  return list;
}

/** Argo's `aggregatedJSONValueList`: a JSON list of the values, nested JSON objects/lists kept as such. */
export function aggregatedJsonValueList(values: string[]): string {
  return JSON.stringify(tryJsonList(values) ?? values);
}

/**
 * Argo's `processAggregateNodeOutputs`: the outputs of a loop's items as JSON lists under `prefix`
 * (`outputs.result`, `outputs.parameters`, `outputs.parameters.<p>`), in item order, only from
 * items that succeeded. Throws when a result is not valid as Argo parses it.
 */
export function processAggregateNodeOutputs(scope: LocalScope, prefix: string, children: NodeView[]): void {
  if (children.length === 0) return;
  const items = children
    .filter((c) => c.nodeFlag === undefined || (!c.nodeFlag.hooked && !c.nodeFlag.retried))
    .sort((a, b) => loopIndexOf(a.name) - loopIndexOf(b.name));
  const paramList: Record<string, string>[] = [];
  const valueLists = new Map<string, string[]>();
  const results: unknown[] = [];
  for (const node of items) {
    if (!node.outputs || node.phase !== "Succeeded") continue;
    const params = node.outputs.parameters ?? [];
    if (params.length > 0) {
      const entry: Record<string, string> = {};
      for (const p of params) {
        entry[p.name] = p.value ?? "";
        const list = valueLists.get(p.name) ?? [];
        list.push(p.value ?? "");
        valueLists.set(p.name, list);
      }
      paramList.push(entry);
    }
    if (node.outputs.result !== undefined) results.push(parseItem(node.outputs.result));
  }
  scope[`${prefix}.outputs.result`] = JSON.stringify(results);
  scope[`${prefix}.outputs.parameters`] = JSON.stringify(paramList);
  for (const [name, values] of valueLists) {
    scope[`${prefix}.outputs.parameters.${name}`] = aggregatedJsonValueList(values);
  }
}

/** A loop result as Argo's `wfv1.Item` holds it: JSON when it parses, else the text itself. */
function parseItem(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The expression of a `{{=...}}` tag (the whole text one tag), else undefined. */
function expressionTag(text: string | undefined): string | undefined {
  const t = text?.trim();
  if (!t?.startsWith("{{=") || !t.endsWith("}}")) return undefined;
  return t.slice(3, -2);
}

function resolveTag(tag: string, scope: LocalScope): string | undefined {
  const inner = tag.trim().replace(/^\{\{/, "").replace(/\}\}$/, "").trim();
  return scope[inner];
}

/** Go's `%v` of an expression result. */
export function goString(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/**
 * Argo's `getTemplateOutputsFromScope`: the outputs of a steps/dag template, each parameter from
 * `valueFrom.parameter` (a `{{...}}` reference) or `valueFrom.expression`, falling back to
 * `valueFrom.default`, each artifact from `from`/`fromExpression`. Returns undefined when the
 * template declares no outputs; throws when a parameter (or a required artifact) cannot be resolved.
 */
export function templateOutputsFromScope(op: Op, tmpl: Template, scope: LocalScope): Outputs | undefined {
  const declared = tmpl.outputs?.parameters ?? [];
  if (declared.length === 0 && (tmpl.outputs?.artifacts?.length ?? 0) === 0) return undefined;
  const outputs: Outputs = {};
  if (declared.length > 0) {
    const vars = { ...op.globals, ...scope };
    // `valueFrom.expression`, and `valueFrom.parameter` written as an expression tag ({{=...}}),
    // which Argo's ResolveVar compiles too: all evaluated in one call.
    const expressionOf = (vf: Parameter["valueFrom"]) => vf?.expression || expressionTag(vf?.parameter);
    const expressions = declared.map((p) => expressionOf(p.valueFrom)).filter((x) => x !== undefined);
    const evaluated = expressions.length === 0
      ? []
      : withScope(op.expr, vars, (s) => s.evalExprs(expressions));
    let e = 0;
    outputs.parameters = declared.map((param) => {
      const vf = param.valueFrom;
      if (!vf) throw new Error("output parameters must have a valueFrom specified");
      let value: string | undefined;
      let error = "";
      if (expressionOf(vf) !== undefined) {
        const r = evaluated[e++];
        if (r && "value" in r && r.value !== undefined && r.value !== null) value = goString(r.value);
        else if (vf.expression) error = r && "error" in r ? r.error : `Unable to resolve: "${vf.expression}"`;
        else error = `Unable to resolve: ${JSON.stringify(vf.parameter!.trim().slice(2, -2))}`;
      } else if (vf.parameter) {
        value = resolveTag(vf.parameter, vars);
        if (value === undefined) {
          error = `Unable to resolve: "${vf.parameter.replace(/^\{\{|\}\}$/g, "").trim()}"`;
        }
      } else {
        value = "";
      }
      if (value === undefined) {
        if (vf.default !== undefined) value = vf.default;
        else throw new Error(error);
      }
      const out: Parameter = { name: param.name, value };
      if (param.globalName) out.globalName = param.globalName;
      return out;
    });
  }
  if ((tmpl.outputs?.artifacts?.length ?? 0) > 0) {
    const artifacts = templateOutputArtifacts(op, tmpl, { ...op.globals, ...scope });
    if (artifacts.length > 0) outputs.artifacts = artifacts;
  }
  return outputs;
}
