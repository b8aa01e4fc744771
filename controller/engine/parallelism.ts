/**
 * Parallelism and failFast (Argo's `checkParallelism`): the workflow's `spec.parallelism` caps active
 * pods; a steps/dag template's `parallelism` caps its active children; `failFast` stops scheduling
 * new children of a template once one failed.
 */

import type { NodeStatus, Template } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { ERR_PARALLELISM, type ExecError } from "./exec-types.ts";
import { markNodePhase } from "./nodes.ts";
import { templateType } from "./templates.ts";
import { resolveTemplate } from "./templates.ts";
import type { NodeView } from "./tree.ts";

/** Pod nodes Pending or Running (under `boundaryID`, or anywhere). */
export function activePods(op: Op, boundaryID?: string): number {
  let n = 0;
  for (const node of op.tree.values()) {
    if (node.type !== "Pod") continue;
    if (boundaryID !== undefined && node.boundaryID !== boundaryID) continue;
    if (node.phase === "Pending" || node.phase === "Running") n++;
  }
  return n;
}

function countChildren(op: Op, boundaryID: string, phases: string[]): number {
  let n = 0;
  for (const node of op.tree.values()) {
    if (node.boundaryID !== boundaryID) continue;
    if (node.type !== "Pod" && node.type !== "Steps" && node.type !== "DAG") continue;
    if (phases.includes(node.phase ?? "")) n++;
  }
  return n;
}

function findLeafStepGroup(op: Op, boundaryID: string): NodeView | undefined {
  let leaf: NodeView | undefined;
  const seen = new Set<string>();
  const dfs = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    const node = op.tree.peek(id);
    if (!node) return;
    if (node.type === "StepGroup") leaf = node;
    for (const child of node.children ?? []) dfs(child);
  };
  dfs(boundaryID);
  return leaf;
}

function failFastFail(op: Op, node: NodeView, tmpl: Template): void {
  const message = "template has failed or errored children and failFast enabled";
  if (templateType(tmpl) === "steps") {
    const leaf = findLeafStepGroup(op, node.id);
    if (leaf) markNodePhase(op, leaf.name, "Failed", message);
  }
  markNodePhase(op, node.name, "Failed", message);
}

/** The template a steps/dag boundary node runs (by its template name). */
function boundaryTemplate(op: Op, boundary: NodeView): Template | undefined {
  try {
    if (boundary.templateName) return resolveTemplate(op, { template: boundary.templateName });
  } catch {
    return undefined;
  }
  return undefined;
}

/** Has the workflow as many active pods as `spec.parallelism` allows? */
export function workflowParallelismReached(op: Op): boolean {
  return workflowParallelismRoom(op) <= 0;
}

/** How many more pods `spec.parallelism` lets start now (Infinity without a limit). */
export function workflowParallelismRoom(op: Op): number {
  const limit = op.spec.parallelism;
  return limit === undefined || limit === null ? Infinity : limit - op.activePods;
}

/** Argo's `checkParallelism`: ERR_PARALLELISM when the template may not start (yet). */
export function checkParallelism(
  op: Op,
  tmpl: Template,
  node: NodeStatus | undefined,
  boundaryID: string | undefined,
): ExecError | undefined {
  if (workflowParallelismReached(op)) return ERR_PARALLELISM;
  const type = templateType(tmpl);
  if (node && (type === "dag" || type === "steps")) {
    if (tmpl.failFast === true && countChildren(op, node.id, ["Failed", "Error"]) > 0) {
      if (activePods(op, node.id) === 0) failFastFail(op, node, tmpl);
      return ERR_PARALLELISM;
    }
    if ((tmpl.parallelism ?? 0) > 0 && activePods(op, node.id) >= (tmpl.parallelism ?? 0)) {
      return ERR_PARALLELISM;
    }
  }
  if (boundaryID && (!node || (node.phase !== "Pending" && node.phase !== "Running"))) {
    const boundary = op.tree.peek(boundaryID);
    if (!boundary) return undefined;
    const btmpl = boundaryTemplate(op, boundary);
    if (!btmpl) return undefined;
    if (btmpl.failFast === true && countChildren(op, boundaryID, ["Failed", "Error"]) > 0) {
      if (activePods(op, boundaryID) === 0) failFastFail(op, boundary, btmpl);
      return ERR_PARALLELISM;
    }
    if (
      (btmpl.parallelism ?? 0) > 0 &&
      countChildren(op, boundaryID, ["Pending", "Running"]) >= (btmpl.parallelism ?? 0)
    ) {
      return ERR_PARALLELISM;
    }
  }
  return undefined;
}
