/**
 * Suspend templates (indefinite, or for a `duration` after which they resume themselves) and
 * resuming: `resumeWorkflow` marks active Suspend nodes Succeeded as `argo resume` does.
 */

import type { NodeStatus, Outputs, Template, Workflow } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { wakeAt } from "./context.ts";
import type { Exec, ExecOpts } from "./exec-types.ts";
import { markNodePhase, templateNode } from "./nodes.ts";
import { formatTime, parseArgoDuration, parseTime } from "./time.ts";

/** Argo's `OverrideOutputParametersWithDefault`: unsupplied `valueFrom.supplied` outputs take their default. */
export function overrideOutputParametersWithDefault(outputs: Outputs | undefined): void {
  for (const param of outputs?.parameters ?? []) {
    if (param.valueFrom?.supplied !== undefined) {
      if (param.valueFrom.default === undefined) {
        throw new Error(
          `raw output parameter '${param.name}' has not been set and does not have a default value`,
        );
      }
      param.value = param.valueFrom.default;
      delete param.valueFrom;
    }
  }
}

/** Argo's `executeSuspend`: a Suspend node stays Running until resumed or its duration passes. */
export function executeSuspend(
  op: Op,
  nodeName: string,
  templateName: string,
  tmpl: Template,
  opts: ExecOpts,
): Exec {
  const { node, created } = templateNode(op, nodeName, "Suspend", "Pending", {
    templateName,
    boundaryID: opts.boundaryID,
    flag: opts.nodeFlag,
    inputs: tmpl.inputs,
  });
  if (created) {
    const supplied = (tmpl.outputs?.parameters ?? []).filter((p) => p.valueFrom?.supplied !== undefined);
    if (supplied.length > 0) node.outputs = { parameters: structuredClone(supplied) };
  }
  if (tmpl.suspend?.duration) {
    const until = parseTime(node.startedAt ?? op.nowText) + parseArgoDuration(tmpl.suspend.duration);
    if (op.now >= until) {
      try {
        overrideOutputParametersWithDefault(node.outputs);
      } catch (e) {
        return { node, err: { kind: "error", message: (e as Error).message } };
      }
      markNodePhase(op, nodeName, "Succeeded");
      return { node };
    }
    wakeAt(op, until);
  }
  markNodePhase(op, nodeName, "Running");
  return { node };
}

/** Does a node match a `--node-field-selector` such as `displayName=approve,phase=Running`? */
export function selectorMatches(selector: string, node: NodeStatus): boolean {
  const fields: Record<string, string> = {
    displayName: node.displayName ?? "",
    templateName: node.templateRef?.template ?? node.templateName ?? "",
    phase: node.phase ?? "",
    name: node.name,
    id: node.id,
  };
  for (const p of node.inputs?.parameters ?? []) fields[`inputs.parameters.${p.name}.value`] = p.value ?? "";
  for (const term of selector.split(",").map((t) => t.trim()).filter((t) => t !== "")) {
    const m = /^([^!=]+)(==|!=|=)(.*)$/.exec(term);
    if (!m) throw new Error(`invalid selector: '${term}'`);
    const [, key = "", op, value = ""] = m;
    const actual = fields[key.trim()] ?? "";
    if (op === "!=" ? actual === value.trim() : actual !== value.trim()) return false;
  }
  return true;
}

/** Options of {@link resumeWorkflow}. */
export interface ResumeOptions {
  /** Only resume Suspend nodes matching this node field selector (`argo resume --node-field-selector`). */
  nodeFieldSelector?: string;
  /** When the resume happens (RFC 3339); without it the next reconcile stamps `finishedAt`. */
  now?: string;
  /** Message recorded on resumed nodes. */
  message?: string;
}

/**
 * Argo's `ResumeWorkflow`: returns a copy of `workflow` with `spec.suspend` cleared and its active
 * Suspend nodes (those matching `nodeFieldSelector`, if given) marked Succeeded, their
 * unsupplied outputs set to defaults. Throws, as Argo does, when a selector matches no Suspend
 * node or an output has no value and no default.
 */
export function resumeWorkflow(workflow: Workflow, options: ResumeOptions | string = {}): Workflow {
  const opts: ResumeOptions = typeof options === "string" ? { nodeFieldSelector: options } : options;
  const wf = structuredClone(workflow);
  const selector = opts.nodeFieldSelector ?? "";
  if (selector === "" && wf.spec.suspend) delete wf.spec.suspend;
  let updated = false;
  for (const node of Object.values(wf.status?.nodes ?? {})) {
    if (node.type !== "Suspend" || node.phase !== "Running") continue;
    if (selector !== "" && !selectorMatches(selector, node)) continue;
    overrideOutputParametersWithDefault(node.outputs);
    node.phase = "Succeeded";
    if (opts.message) node.message = node.message ? `${node.message}; ${opts.message}` : opts.message;
    if (opts.now) node.finishedAt = formatTime(parseTime(opts.now));
    updated = true;
  }
  if (selector !== "" && !updated) {
    throw new Error(
      `currently, set only targets suspend nodes: no suspend nodes matching nodeFieldSelector: ${selector}`,
    );
  }
  return wf;
}

/**
 * Argo's `argo node set`: sets output parameters (`valueFrom.supplied`) and optionally the phase and
 * message of active Suspend nodes matching `nodeFieldSelector`.
 */
export function setSuspendedNode(
  workflow: Workflow,
  nodeFieldSelector: string,
  values: {
    phase?: "Succeeded" | "Failed";
    message?: string;
    outputParameters?: Record<string, string>;
    now?: string;
  },
): Workflow {
  const wf = structuredClone(workflow);
  let updated = false;
  for (const node of Object.values(wf.status?.nodes ?? {})) {
    if (node.type !== "Suspend" || node.phase !== "Running" || !selectorMatches(nodeFieldSelector, node)) {
      continue;
    }
    for (const [name, value] of Object.entries(values.outputParameters ?? {})) {
      const param = node.outputs?.parameters?.find((p) => p.name === name);
      if (!param) throw new Error(`node is not expecting output parameter '${name}'`);
      if (param.valueFrom?.supplied === undefined) {
        throw new Error(
          `cannot set output parameter '${name}' because it does not use valueFrom.raw or it was already set`,
        );
      }
      param.value = value;
      delete param.valueFrom;
    }
    if (values.phase) {
      node.phase = values.phase;
      if (values.now) node.finishedAt = formatTime(parseTime(values.now));
    }
    if (values.message) node.message = values.message;
    updated = true;
  }
  if (!updated) {
    throw new Error(
      `currently, set only targets suspend nodes: no suspend nodes matching nodeFieldSelector: ${nodeFieldSelector}`,
    );
  }
  return wf;
}
