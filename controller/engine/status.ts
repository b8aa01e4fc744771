/**
 * The workflow-level status: phase transitions (Argo's `markWorkflowPhase`), `progress` of the
 * workflow and of every node, and `{{workflow.failures}}`.
 */

import type { Outputs, WorkflowPhase } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { podName } from "./names.ts";
import { parseTime, secondsF } from "./time.ts";
import type { NodeView } from "./tree.ts";

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
    const root = op.tree.peek(op.name)?.phase === "Running" ? op.tree.get(op.name) : undefined;
    if (root) {
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
  const failures = op.tree.values()
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
function executable(node: NodeView): boolean {
  return node.type === "Pod" || node.type === "Container" || node.type === "Suspend" ||
    node.type === "HTTP" ||
    node.type === "Plugin";
}

/**
 * Argo's `UpdateProgress`: every executable node counts `0/1` (`1/1` once Succeeded, Skipped or
 * Omitted); other nodes sum the executable nodes below them (each counted once, however many paths
 * lead to it); the workflow sums its executable nodes.
 *
 * Argo walks the subtree of every node, which is quadratic (a step group's subtree holds every later
 * step). Where no node has two parents (a chain of steps, a fan-out, any tree) the executable nodes
 * below a node are the sum of those below its children, counted once bottom-up. Where some node has
 * two parents (a DAG join, a step group after a group of several steps) sums would count it twice,
 * so the sets of executable nodes below each node are bitsets built once bottom-up: one OR of a
 * bitset per edge.
 */
export function updateProgress(op: Op): boolean {
  let changed = false;
  const set = (node: NodeView, progress: string) => {
    if (node.progress !== progress) {
      op.tree.setProgress(node.id, progress);
      changed = true;
    }
  };
  const nodes = op.tree.values();
  let done = 0, total = 0;
  for (const node of nodes) {
    if (!executable(node)) continue;
    const complete = isComplete(node);
    set(node, complete ? "1/1" : "0/1");
    total++;
    if (complete) done++;
  }
  if (op.status.progress !== `${done}/${total}`) {
    op.status.progress = `${done}/${total}`;
    changed = true;
  }
  const counts = countsBelow(nodes);
  if (counts) {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (!executable(node)) set(node, `${counts.done[i]}/${counts.total[i]}`);
    }
    return changed;
  }
  const index = new Map<string, number>();
  const completed: number[] = [];
  for (const node of nodes) {
    if (!executable(node)) continue;
    if (isComplete(node)) completed.push(index.size);
    index.set(node.id, index.size);
  }
  const words = (index.size + 31) >>> 5;
  const doneMask = new Uint32Array(words);
  for (const i of completed) doneMask[i >>> 5]! |= 1 << (i & 31);
  const reachable = reachableExecutables(op, nodes, index, words);
  for (const node of nodes) {
    if (executable(node)) continue;
    const below = reachable.get(node.id);
    set(node, below ? `${popcount(below, doneMask)}/${popcount(below)}` : "0/0");
  }
  return changed;
}

/** Succeeded, Skipped or Omitted: an executable node that counts as done. */
function isComplete(node: NodeView): boolean {
  return node.phase === "Succeeded" || node.phase === "Skipped" || node.phase === "Omitted";
}

/**
 * The executable nodes below each node (by its place in `nodes`), counted by summing over children,
 * when no node is a child twice (of two parents, or twice of one) and no path comes back to a node
 * on it; otherwise none (the sums would count a node twice).
 */
function countsBelow(nodes: NodeView[]): { done: Uint32Array; total: Uint32Array } | undefined {
  const n = nodes.length;
  const at = new Map<string, number>();
  for (let i = 0; i < n; i++) at.set(nodes[i]!.id, i);
  // Children by place (-1: not in the tree, not counted), each place a child at most once.
  const parented = new Uint8Array(n);
  const kids: (number[] | undefined)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const children = nodes[i]!.children;
    if (!children || children.length === 0) continue;
    const list: number[] = [];
    for (const id of children) {
      const c = at.get(id);
      if (c === undefined) continue;
      if (parented[c]) return undefined;
      parented[c] = 1;
      list.push(c);
    }
    kids[i] = list;
  }
  const done = new Uint32Array(n), total = new Uint32Array(n);
  // 0: not visited, 1: on the current path, 2: counted.
  const state = new Uint8Array(n);
  const stack: number[] = [], next: number[] = [];
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    stack.push(root);
    next.push(0);
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const v = stack[top]!;
      const list = kids[v];
      if (list && next[top]! < list.length) {
        const c = list[next[top]!++]!;
        if (state[c] === 1) return undefined;
        if (state[c] === 0) {
          state[c] = 1;
          stack.push(c);
          next.push(0);
        }
        continue;
      }
      stack.pop();
      next.pop();
      state[v] = 2;
      let d = 0, t = 0;
      if (list) {
        for (const c of list) {
          const child = nodes[c]!;
          if (executable(child)) {
            t++;
            if (isComplete(child)) d++;
          }
          d += done[c]!;
          t += total[c]!;
        }
      }
      done[v] = d;
      total[v] = t;
    }
  }
  return { done, total };
}

const EMPTY = new Uint32Array(0);

/**
 * For each node, the executable nodes reachable below it through `children`, as bitsets over
 * `index`. Iterative post-order (chains of steps are deep); an edge back to a node on the current
 * path is not followed, as Argo's visited set stops it.
 */
function reachableExecutables(
  op: Op,
  nodes: NodeView[],
  index: Map<string, number>,
  words: number,
): Map<string, Uint32Array> {
  const sets = new Map<string, Uint32Array>();
  const onPath = new Set<string>();
  for (const root of nodes) {
    if (sets.has(root.id)) continue;
    const stack: { node: NodeView; next: number }[] = [{ node: root, next: 0 }];
    onPath.add(root.id);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const children = top.node.children ?? [];
      if (top.next < children.length) {
        const id = children[top.next++]!;
        const child = op.tree.peek(id);
        if (child && !sets.has(id) && !onPath.has(id)) {
          onPath.add(id);
          stack.push({ node: child, next: 0 });
        }
        continue;
      }
      stack.pop();
      onPath.delete(top.node.id);
      sets.set(top.node.id, union(children, sets, index, words));
    }
  }
  return sets;
}

/** The executable nodes among `children` and below them. */
function union(
  children: string[],
  sets: Map<string, Uint32Array>,
  index: Map<string, number>,
  words: number,
): Uint32Array {
  if (children.length === 0) return EMPTY;
  if (children.length === 1 && !index.has(children[0]!)) return sets.get(children[0]!) ?? EMPTY;
  const out = new Uint32Array(words);
  for (const id of children) {
    const own = index.get(id);
    if (own !== undefined) out[own >>> 5]! |= 1 << (own & 31);
    const set = sets.get(id);
    if (set) { for (let w = 0; w < set.length; w++) out[w]! |= set[w]!; }
  }
  return out;
}

/** Bits set in `set` (and in `mask`, when given). */
function popcount(set: Uint32Array, mask?: Uint32Array): number {
  let n = 0;
  for (let w = 0; w < set.length; w++) {
    let v = mask ? set[w]! & mask[w]! : set[w]!;
    v = v - ((v >>> 1) & 0x55555555);
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}
