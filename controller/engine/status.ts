/**
 * The workflow-level status: phase transitions (Argo's `markWorkflowPhase`), `progress` of the
 * workflow and of every node, and `{{workflow.failures}}`.
 */

import type { NodeStatus, Outputs, WorkflowPhase } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { podName } from "./names.ts";
import { parseTime, secondsF } from "./time.ts";

/** A deep copy of outputs (undefined stays undefined). */
export function outputsCopy(outputs: Outputs | undefined): Outputs | undefined {
  return outputs === undefined ? undefined : structuredClone(outputs);
}

/** Succeeded, Failed or Error: the workflow is over. */
export function workflowCompleted(phase: WorkflowPhase | undefined): boolean {
  return phase === "Succeeded" || phase === "Failed" || phase === "Error";
}

/**
 * Argo's `markWorkflowPhase`: sets phase and message; the first non-Pending phase stamps
 * `startedAt`, a final phase stamps `finishedAt` and fixes `{{workflow.duration}}`. An Error
 * phase turns a still-running root node into Error ("Workflow operation error").
 */
export function markWorkflowPhase(op: Op, phase: WorkflowPhase, message: string): void {
  const status = op.status;
  status.phase = phase;
  if (!status.startedAt && phase !== "Pending") status.startedAt = op.nowText;
  if (message) status.message = message;
  else delete status.message;
  if (phase === "Error") {
    const root = op.nodes[op.name];
    if (root && root.phase === "Running") {
      root.phase = "Error";
      root.message = "Workflow operation error";
    }
  }
  if (workflowCompleted(phase)) {
    status.finishedAt = op.nowText;
    op.globals["workflow.duration"] = secondsF(parseTime(status.startedAt ?? op.nowText), op.now);
  }
}

/**
 * `{{workflow.failures}}`: the failed and errored nodes as Argo's JSON list, quoted as a string
 * literal (Argo applies `strconv.Quote`, so `echo {{workflow.failures}}` prints the JSON).
 */
export function failuresJson(op: Op): string {
  const failures = Object.values(op.nodes)
    .filter((n) => n.phase === "Failed" || n.phase === "Error")
    .map((n) => ({
      displayName: n.displayName ?? "",
      message: n.message ?? "",
      templateName: n.templateName ?? "",
      phase: n.phase ?? "",
      podName: podName(op.name, n.name, n.templateName ?? ""),
      finishedAt: n.finishedAt ?? null,
    }));
  return JSON.stringify(JSON.stringify(failures.length === 0 ? null : failures));
}

/** Node types whose progress is their own (Argo's `executable` for progress). */
function executable(node: NodeStatus): boolean {
  return node.type === "Pod" || node.type === "Container" || node.type === "Suspend" ||
    node.type === "HTTP" ||
    node.type === "Plugin";
}

interface Progress {
  done: number;
  total: number;
}

/**
 * Argo's `UpdateProgress`: every executable node counts `0/1` (`1/1` once Succeeded, Skipped or
 * Omitted); other nodes sum their children; the workflow sums its executable nodes.
 */
export function updateProgress(op: Op): void {
  const own = new Map<string, Progress>();
  let done = 0;
  let total = 0;
  for (const node of Object.values(op.nodes)) {
    if (!executable(node)) continue;
    const complete = node.phase === "Succeeded" || node.phase === "Skipped" || node.phase === "Omitted";
    const p = { done: complete ? 1 : 0, total: 1 };
    own.set(node.id, p);
    node.progress = `${p.done}/${p.total}`;
    done += p.done;
    total += p.total;
  }
  const sum = (node: NodeStatus, visited: Set<string>): Progress => {
    const acc = { done: 0, total: 0 };
    for (const id of node.children ?? []) {
      if (visited.has(id)) continue;
      visited.add(id);
      const child = op.nodes[id];
      if (!child) continue;
      const below = sum(child, visited);
      acc.done += below.done;
      acc.total += below.total;
      const p = own.get(id);
      if (p) {
        acc.done += p.done;
        acc.total += p.total;
      }
    }
    return acc;
  };
  for (const node of Object.values(op.nodes)) {
    if (executable(node)) continue;
    const p = sum(node, new Set());
    node.progress = `${p.done}/${p.total}`;
  }
  op.status.progress = `${done}/${total}`;
}
