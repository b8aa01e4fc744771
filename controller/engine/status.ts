/**
 * The workflow-level status: phase transitions (Argo's `markWorkflowPhase`), `progress` of the
 * workflow and of every node, and `{{workflow.failures}}`.
 */

import type { Outputs, WorkflowPhase } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { copyData } from "./copy.ts";
import {
  COMPLETE,
  EXECUTABLE,
  FAILED,
  nodeFlags,
  placesWith,
  RECORD_FLAGS,
  type RecordFlags,
} from "./facts.ts";
import { podName } from "./names.ts";
import { parseTime, secondsF } from "./time.ts";
import type { NodeView } from "./tree.ts";

/** A deep copy of outputs (undefined stays undefined). */
export function outputsCopy(outputs: Outputs | undefined): Outputs | undefined {
  return outputs === undefined ? undefined : copyData(outputs);
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
  const failed = op.tree.valuesByPlace()
    ? placesWith(op, FAILED).map((i) => op.tree.nodeAt(i))
    : op.tree.values().filter((n) => n.phase === "Failed" || n.phase === "Error");
  const failures = failed
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

/**
 * What {@link updateProgress} read of the nodes of a result, by place (tree.ts), kept for a
 * reconcile given that record: there a node not written is the same object (a node is copied to be
 * written), so it is not read again, and its progress is the one set from these facts.
 */
interface ProgressFacts extends RecordFlags {
  /** The places of each node's children that are in the tree. */
  readonly kids: readonly (readonly number[] | undefined)[];
  /** Was a child not in the tree? A node created later may be it, so no `kids` are reused. */
  readonly missing: boolean;
  /** The executable nodes below each node (its progress, if not executable), see {@link Counts}. */
  readonly counts: Counts;
}

/** By place `i`: at `2i` the executable nodes below done, at `2i + 1` all of them. */
type Counts = Uint32Array;

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
 * bitset per edge. What is read of each node is kept for the next reconcile (see ProgressFacts),
 * which reads only the nodes written since.
 */
export function updateProgress(op: Op): boolean {
  const n = op.tree.size();
  const known = op.tree.carry.get(RECORD_FLAGS) as ProgressFacts | undefined;
  const { flags, kids, read, missing } = readNodes(op, known);
  let done = 0, total = 0;
  for (let i = 0; i < n; i++) {
    if (flags[i]! & EXECUTABLE) {
      total++;
      if (flags[i]! & COMPLETE) done++;
    }
  }
  let changed = false;
  if (op.status.progress !== `${done}/${total}`) {
    op.status.progress = `${done}/${total}`;
    changed = true;
  }
  const counts = countsBelow(kids, flags) ?? countsByBitsets(op);
  const set = (i: number, progress: string) => {
    if (op.tree.nodeAt(i).progress === progress) return;
    op.tree.setProgress(i, progress);
    changed = true;
  };
  // A node not read has the progress its facts gave it: an executable one keeps it, another one
  // keeps it unless its counts moved.
  for (const i of read) {
    if (flags[i]! & EXECUTABLE) set(i, flags[i]! & COMPLETE ? "1/1" : "0/1");
  }
  const before = known?.counts;
  for (let i = 0, r = 0; i < n; i++) {
    const wasRead = read[r] === i;
    if (wasRead) r++;
    if (flags[i]! & EXECUTABLE) continue;
    const d = counts[2 * i]!, t = counts[2 * i + 1]!;
    if (!wasRead && before![2 * i] === d && before![2 * i + 1] === t) continue;
    set(i, `${d}/${t}`);
  }
  op.tree.lasting.set(RECORD_FLAGS, { flags, kids, missing, counts } satisfies ProgressFacts);
  return changed;
}

/**
 * The flags and the children's places of every node, by place: those of `known` for the nodes not
 * written in this reconcile (the given objects), read for the others, whose places are `read` (in
 * order; all of them without `known`).
 */
function readNodes(
  op: Op,
  known: ProgressFacts | undefined,
): Omit<ProgressFacts, "counts"> & { read: number[] } {
  const n = op.tree.size();
  const flags = new Uint8Array(n);
  let kids: (readonly number[] | undefined)[];
  let read: number[];
  if (known !== undefined && !known.missing) {
    flags.set(known.flags);
    kids = known.kids.slice();
    // New nodes are written ones too.
    read = [...new Set(op.tree.ownedSince(0).map((id) => op.tree.placeOf(id)!))].sort((a, b) => a - b);
  } else {
    kids = new Array(n);
    read = Array.from({ length: n }, (_, i) => i);
  }
  let missing = false;
  for (const i of read) {
    const node = op.tree.nodeAt(i);
    flags[i] = nodeFlags(node);
    const children = node.children;
    const before = kids[i];
    kids[i] = undefined;
    if (children && children.length > 0) {
      const list = keptChildPlaces(op, before, children);
      for (let k = list.length; k < children.length; k++) {
        const c = op.tree.placeOf(children[k]!);
        if (c === undefined) missing = true;
        else list.push(c);
      }
      kids[i] = list;
    }
  }
  return { flags, kids, read, missing };
}

/**
 * The places of the first children of a written node, as read in an earlier reconcile (`before`,
 * none missing), to be followed by the places of the others. Children are only ever appended
 * (nodes.ts, `addChildNode`), so a step group of a large fan-out that links a few items at each
 * event has only those to look up; its last known child is checked to be where it was.
 */
function keptChildPlaces(
  op: Op,
  before: readonly number[] | undefined,
  children: readonly string[],
): number[] {
  const n = before?.length ?? 0;
  if (n === 0 || n > children.length || op.tree.idAt(before![n - 1]!) !== children[n - 1]) return [];
  return before!.slice();
}

/**
 * The executable nodes below each node (by place), counted by summing over children, when no node
 * is a child twice (of two parents, or twice of one) and no path comes back to a node on it;
 * otherwise none (the sums would count a node twice).
 */
function countsBelow(
  kids: readonly (readonly number[] | undefined)[],
  flags: Uint8Array,
): Counts | undefined {
  const n = kids.length;
  // 1: a child; then 0: not visited, 2: on the current path, 3: counted.
  const state = new Uint8Array(n);
  let ascending = true;
  for (let i = 0; i < n; i++) {
    const list = kids[i];
    if (list === undefined) continue;
    for (let k = 0; k < list.length; k++) {
      const c = list[k]!;
      if (state[c]) return undefined;
      state[c] = 1;
      if (c <= i) ascending = false;
    }
  }
  const counts: Counts = new Uint32Array(2 * n);
  if (ascending) {
    // Every child after its parent (as nodes are mostly created): no cycle, and the last place
    // first is bottom-up.
    for (let v = n - 1; v >= 0; v--) sumChildren(kids[v], flags, counts, v);
    return counts;
  }
  state.fill(0);
  const stack: number[] = [], next: number[] = [];
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    stack.push(root);
    next.push(0);
    state[root] = 2;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const v = stack[top]!;
      const list = kids[v];
      if (list !== undefined && next[top]! < list.length) {
        const c = list[next[top]!++]!;
        if (state[c] === 2) return undefined;
        if (state[c] === 0) {
          state[c] = 2;
          stack.push(c);
          next.push(0);
        }
        continue;
      }
      stack.pop();
      next.pop();
      state[v] = 3;
      sumChildren(list, flags, counts, v);
    }
  }
  return counts;
}

/** Sets the counts of node `v` from those of its children `list` (counted already). */
function sumChildren(
  list: readonly number[] | undefined,
  flags: Uint8Array,
  counts: Counts,
  v: number,
): void {
  if (list === undefined) return;
  let d = 0, t = 0;
  for (let k = 0; k < list.length; k++) {
    const c = list[k]!;
    const f = flags[c]!;
    t += (f & EXECUTABLE) + counts[2 * c + 1]!;
    d += (f & COMPLETE) / COMPLETE + counts[2 * c]!;
  }
  counts[2 * v] = d;
  counts[2 * v + 1] = t;
}

/**
 * The executable nodes below each node (by place) as bitsets (see updateProgress), for
 * trees where some node has two parents. The walk goes in the order of {@link NodeTree.values}: with
 * a cycle, which edge is not followed depends on it.
 */
function countsByBitsets(op: Op): Counts {
  const values = op.tree.values();
  const index = new Map<string, number>();
  const completed: number[] = [];
  for (const node of values) {
    const flags = nodeFlags(node);
    if (!(flags & EXECUTABLE)) continue;
    if (flags & COMPLETE) completed.push(index.size);
    index.set(node.id, index.size);
  }
  const words = (index.size + 31) >>> 5;
  const doneMask = new Uint32Array(words);
  for (const i of completed) doneMask[i >>> 5]! |= 1 << (i & 31);
  const reachable = reachableExecutables(op, values, index, words);
  const counts: Counts = new Uint32Array(2 * op.tree.size());
  for (let i = 0; i < op.tree.size(); i++) {
    const below = reachable.get(op.tree.idAt(i));
    if (below) {
      counts[2 * i] = popcount(below, doneMask);
      counts[2 * i + 1] = popcount(below);
    }
  }
  return counts;
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
