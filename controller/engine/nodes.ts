/**
 * The node tree: creating nodes, moving them between phases, linking children, and the questions
 * Argo asks of nodes (fulfilled? completed? outbound nodes?).
 */

import type { Inputs, NodeFlag, NodePhase, NodeStatus, NodeType } from "../spec/types.ts";
import { memoized, type Op, touch } from "./context.ts";
import { copyData } from "./copy.ts";
import { nodeId } from "./names.ts";
import type { NodeView } from "./tree.ts";

/** Succeeded, Failed or Error (a node that ran to an end; Skipped and Omitted did not). */
export function completed(phase: NodePhase | undefined): boolean {
  return phase === "Succeeded" || phase === "Failed" || phase === "Error";
}

/** Failed or Error. */
export function failedOrError(phase: NodePhase | undefined): boolean {
  return phase === "Failed" || phase === "Error";
}

/** Completed, Skipped or Omitted: nothing more will happen to this node by itself. */
export function phaseFulfilled(phase: NodePhase | undefined): boolean {
  return completed(phase) || phase === "Skipped" || phase === "Omitted";
}

/** Argo's `NodeStatus.Fulfilled`: a final phase, or a daemon that is up. */
export function fulfilled(node: NodeView): boolean {
  return phaseFulfilled(node.phase) || (node.daemoned === true && node.phase !== "Pending");
}

/** The node called `name`, if it exists, free to write (see tree.ts). */
export function getNode(op: Op, name: string): NodeStatus | undefined {
  const id = op.tree.idOf(name);
  return id === undefined ? undefined : op.tree.get(id);
}

/** The node called `name`, if it exists, to read only and at once (see tree.ts). */
export function peekNode(op: Op, name: string): NodeView | undefined {
  return op.tree.peekByName(name);
}

/** The node with id `id`, free to write; throws if missing (a corrupt tree). */
export function nodeById(op: Op, id: string): NodeStatus {
  const node = op.tree.get(id);
  if (!node) throw new Error(`node ${id} not found`);
  return node;
}

/** The node with id `id`, to read only; throws if missing (a corrupt tree). */
export function peekById(op: Op, id: string): NodeView {
  const node = op.tree.peek(id);
  if (!node) throw new Error(`node ${id} not found`);
  return node;
}

/** What a new node carries besides its name, type and phase. */
export interface NewNode {
  templateName?: string | undefined;
  boundaryID?: string | undefined;
  message?: string | undefined;
  flag?: NodeFlag | undefined;
  inputs?: Inputs | undefined;
}

const stepsOrDagSeparator = /^(\[\d+\])?\./;

/** Argo's `initializeNode`: creates a node (it must not exist yet). */
export function initializeNode(
  op: Op,
  name: string,
  type: NodeType,
  phase: NodePhase,
  opts: NewNode = {},
): NodeStatus {
  const id = nodeId(op.name, name);
  if (op.tree.peek(id)) throw new Error(`node ${name} already initialized`);
  const boundary = opts.boundaryID ? op.tree.peek(opts.boundaryID) : undefined;
  let displayName = name;
  if (boundary) {
    displayName = name.startsWith(boundary.name) ? name.slice(boundary.name.length) : name;
    displayName = displayName.replace(stepsOrDagSeparator, "");
  }
  const node: NodeStatus = { id, name, displayName, type };
  if (opts.templateName) node.templateName = opts.templateName;
  node.templateScope = "local/";
  node.phase = phase;
  if (opts.boundaryID) node.boundaryID = opts.boundaryID;
  if (opts.message) node.message = opts.message;
  node.startedAt = op.nowText;
  if (phaseFulfilled(phase)) node.finishedAt = op.nowText;
  if (opts.flag) node.nodeFlag = { ...opts.flag };
  if (
    opts.inputs && ((opts.inputs.parameters?.length ?? 0) > 0 || (opts.inputs.artifacts?.length ?? 0) > 0)
  ) {
    node.inputs = copyData(opts.inputs);
  }
  op.tree.add(node);
  touch(op);
  return node;
}

/**
 * The node a steps, dag or suspend template runs as: the one that exists, or a new one of `type` in
 * `phase` with the template's inputs, under the caller's boundary. `created` tells which.
 */
export function templateNode(
  op: Op,
  nodeName: string,
  type: NodeType,
  phase: NodePhase,
  opts: {
    templateName: string;
    inputs: Inputs | undefined;
    boundaryID?: string | undefined;
    flag?: NodeFlag | undefined;
  },
): { node: NodeStatus; created: boolean } {
  const existing = getNode(op, nodeName);
  if (existing) return { node: existing, created: false };
  return { node: initializeNode(op, nodeName, type, phase, opts), created: true };
}

/** Argo's `markNodePhase`: sets phase (and message), stamping finishedAt on a final phase. */
export function markNodePhase(op: Op, name: string, phase: NodePhase, message?: string): NodeStatus {
  const node = getNode(op, name);
  if (!node) throw new Error(`node ${name} uninitialized when marking as ${phase}`);
  if (node.phase !== phase) touch(op);
  node.phase = phase;
  if (message !== undefined) {
    if (message === "") delete node.message;
    else node.message = message;
  }
  if (fulfilled(node) && !node.finishedAt) node.finishedAt = op.nowText;
  return node;
}

/** Argo's `markNodeError`. */
export function markNodeError(op: Op, name: string, message: string): NodeStatus {
  return markNodePhase(op, name, "Error", message);
}

/** Argo's `addChildNode`: links `child` under `parent` (by names), once. */
export function addChildNode(op: Op, parent: string, child: string): void {
  const seen = peekNode(op, parent);
  if (!seen) throw new Error(`was unable to obtain node for ${parent}`);
  const childId = op.tree.idOf(child) ?? nodeId(op.name, child);
  // A set of the children per parent, so that linking each of n loop items stays O(1); a link
  // already there writes nothing (and so copies nothing, see tree.ts).
  const known = op.tree.childSet(seen);
  if (known.has(childId) && seen.children) return;
  const parentNode = nodeById(op, seen.id);
  const children = parentNode.children ?? [];
  if (!known.has(childId)) {
    children.push(childId);
    known.add(childId);
    touch(op);
  }
  parentNode.children = children;
}

/** Is node `childId` a child of node `parentId` already (so that linking it writes nothing)? */
export function isLinked(op: Op, parentId: string, childId: string): boolean {
  const parent = op.tree.peek(parentId);
  if (!parent?.children) return false;
  return op.tree.childSet(parent).has(childId);
}

/**
 * Argo's `childrenFulfilled`: every leaf below `node` is fulfilled. Answers for every node visited are
 * kept until the tree changes, so asking it of each step group of a long chain stays linear. The
 * walk is iterative (a chain of thousands of steps is that deep); a node met again on the current
 * path counts as fulfilled, as Argo's visited set makes it.
 */
export function childrenFulfilled(op: Op, node: NodeView): boolean {
  const known = memoized(op, "childrenFulfilled", () => new Map<string, boolean>());
  const cached = known.get(node.id);
  if (cached !== undefined) return cached;
  const onPath = new Set<string>([node.id]);
  const stack: { node: NodeView; next: number; ok: boolean }[] = [{ node, next: 0, ok: true }];
  let result = true;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const children = top.node.children ?? [];
    if (children.length === 0) top.ok = fulfilled(top.node);
    else if (top.ok && top.next < children.length) {
      const id = children[top.next++]!;
      const child = op.tree.peek(id);
      if (!child || onPath.has(id)) continue;
      const seen = known.get(id);
      if (seen !== undefined) {
        if (!seen) top.ok = false;
        continue;
      }
      onPath.add(id);
      stack.push({ node: child, next: 0, ok: true });
      continue;
    }
    stack.pop();
    onPath.delete(top.node.id);
    known.set(top.node.id, top.ok);
    const parent = stack[stack.length - 1];
    if (parent) {
      if (!top.ok) parent.ok = false;
    } else result = top.ok;
  }
  return result;
}

/** Retry attempts of a Retry node (children flagged `retried`), and the last one. */
export function retryAttempts(op: Op, node: NodeView): { ids: string[]; last: NodeStatus | undefined } {
  const ids = (node.children ?? []).filter((id) => op.tree.peek(id)?.nodeFlag?.retried === true);
  const lastId = ids.at(-1);
  return { ids, last: lastId === undefined ? undefined : op.tree.get(lastId) };
}

/** Argo's `possiblyGetRetryChildNode`: the last non-hook child of a Retry node, to read only. */
export function lastRetryChild(op: Op, node: NodeView): NodeView | undefined {
  if (node.type !== "Retry") return undefined;
  const children = node.children ?? [];
  for (let i = children.length - 1; i >= 0; i--) {
    const child = op.tree.peek(children[i] ?? "");
    if (child && child.nodeFlag?.hooked !== true) return child;
  }
  return undefined;
}

/** Argo's `getOutboundNodes`: the last nodes of a node's subtree, which whatever follows hangs from. */
export function outboundNodes(op: Op, id: string): string[] {
  const node = peekById(op, id);
  switch (node.type) {
    case "Skipped":
    case "Suspend":
    case "Pod":
    case "HTTP":
    case "Plugin":
      return [node.id];
    case "Container":
    case "TaskGroup": {
      if (!node.children || node.children.length === 0) return [node.id];
      return node.children.flatMap((child) => outboundNodes(op, child));
    }
    case "Retry": {
      const last = node.children?.at(-1);
      if (last !== undefined) return [last];
      break;
    }
    default:
      break;
  }
  return (node.outboundNodes ?? []).flatMap((out) => outboundNodes(op, out));
}

/** Argo's `IsPartOfExitHandler`: the node is (inside) an `.onExit` node. */
export function isPartOfExitHandler(op: Op, node: NodeView): boolean {
  let current: NodeView | undefined = node;
  while (current) {
    if ((current.displayName ?? "").endsWith(".onExit") || current.name.endsWith(".onExit")) return true;
    if (!current.boundaryID) return false;
    current = op.tree.peek(current.boundaryID);
  }
  return false;
}
