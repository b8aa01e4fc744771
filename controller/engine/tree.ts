/**
 * The node tree of one reconcile, copied on write. The status a host gives is never changed, yet
 * copying all of it (and comparing all of it after every pass) cost more than the passes once a
 * workflow had a few hundred nodes, and most nodes are finished and never written again. So the
 * tree starts as the given node objects, and a node is copied the first time it is handed to code
 * that may write it ({@link NodeTree.get}); code that only reads uses {@link NodeTree.peek}. Only
 * the nodes copied or created here can differ from the given ones, so only they are compared.
 *
 * A node is copied before any reference to it is handed out for writing, and the copy then stays
 * in place: two callers holding "the node" always hold the same object. A peeked object is the
 * given one until someone gets the node; it must be read at once, not kept.
 */

import type { NodeStatus } from "../spec/types.ts";

/** A node as seen by code that only reads it. */
export type NodeView = Readonly<NodeStatus>;

/** Keys that `Object.values` puts first, in numeric order (array indices). */
const INDEX_LIKE = /^(0|[1-9]\d*)$/;

/** A mark of the tree at the start of a pass, to tell whether the pass changed a node. */
export type TreeMark = Map<string, string>;

/** The nodes of the status being built, shared with the given status until written. */
export class NodeTree {
  /** `status.nodes` of the result: every node, given or copied or new. */
  readonly nodes: Record<string, NodeStatus>;
  /** Node ids by node name. */
  readonly byName = new Map<string, string>();
  /** The children of parents linked in this reconcile, as sets (see `addChildNode`). */
  readonly childSets = new Map<string, Set<string>>();
  /**
   * Answers that later passes of the same reconcile may reuse: the settled groups of a steps node
   * (steps-scope.ts, which holds while none of their nodes is written) and which templates have no
   * tag (params.ts). They live as long as the reconcile, so nothing outlives a call.
   */
  readonly carry = new Map<string, unknown>();
  /** Ids of the nodes that are this reconcile's own objects (copied or created). */
  readonly #owned = new Set<string>();
  /** The same ids, in the order they became own (so a carried answer checks only the later ones). */
  readonly #ownedLog: string[] = [];
  /** The JSON of each copied node as it was given (created nodes have none). */
  readonly #given = new Map<string, string>();
  /** Nodes whose `progress` alone was set, on a shallow copy (see {@link setProgress}). */
  #progressed = 0;
  /** The JSON of the own nodes at the end of the last pass (see {@link mark}). */
  #lastSeen: TreeMark | undefined;
  /**
   * `Object.values(nodes)`, kept up to date (see {@link values}), with each id's place in it; none
   * when an id looks like an array index, as those come first in `Object.values`.
   */
  #list: NodeStatus[] | undefined;
  readonly #place = new Map<string, number>();

  constructor(given: Record<string, NodeStatus>) {
    this.nodes = { ...given };
    let list: NodeStatus[] | undefined = [];
    for (const id in given) {
      const node = given[id]!;
      this.byName.set(node.name, id);
      if (list && INDEX_LIKE.test(id)) list = undefined;
      if (list) {
        this.#place.set(id, list.length);
        list.push(node);
      }
    }
    this.#list = list;
  }

  /** The node with id `id`, to read only (see the module doc). */
  peek(id: string): NodeView | undefined {
    return this.nodes[id];
  }

  /** The node with id `id`, this reconcile's own copy, free to write. */
  get(id: string): NodeStatus | undefined {
    const node = this.nodes[id];
    if (node === undefined || this.#owned.has(id)) return node;
    const text = JSON.stringify(node);
    const copy = JSON.parse(text) as NodeStatus;
    this.#replace(id, copy);
    this.#owned.add(id);
    this.#ownedLog.push(id);
    this.#given.set(id, text);
    return copy;
  }

  /** Adds a node created in this reconcile. */
  add(node: NodeStatus): void {
    this.#replace(node.id, node);
    this.byName.set(node.name, node.id);
    this.#owned.add(node.id);
    this.#ownedLog.push(node.id);
  }

  /** Is the node this reconcile's own object (which may be written after it is read)? */
  isOwned(id: string): boolean {
    return this.#owned.has(id);
  }

  /** How many nodes have become own so far: a point to ask {@link ownedSince} about. */
  ownedCount(): number {
    return this.#ownedLog.length;
  }

  /** The nodes that became own after `count`. Only an own node can have been written. */
  ownedSince(count: number): string[] {
    return this.#ownedLog.slice(count);
  }

  /**
   * Every node, to read only: `Object.values(nodes)`, copied from a list kept up to date (several
   * loops over all nodes run in every pass, and `Object.values` of a large record cost more than
   * they did).
   */
  values(): NodeView[] {
    return this.#list ? this.#list.slice() : Object.values(this.nodes);
  }

  #replace(id: string, node: NodeStatus): void {
    this.nodes[id] = node;
    if (!this.#list) return;
    const at = this.#place.get(id);
    if (at !== undefined) this.#list[at] = node;
    else if (INDEX_LIKE.test(id)) this.#list = undefined;
    else {
      this.#place.set(id, this.#list.length);
      this.#list.push(node);
    }
  }

  /**
   * Sets the progress of a node, copying it shallowly if it is not already copied: progress is
   * set last in a reconcile, after every other write, and in a chain of steps it moves on every
   * earlier step group at each event, so this is the one write that reaches many nodes.
   */
  setProgress(id: string, progress: string): void {
    const node = this.nodes[id];
    if (node === undefined || node.progress === progress) return;
    if (this.#owned.has(id)) node.progress = progress;
    else {
      this.#replace(id, { ...node, progress });
      this.#progressed++;
    }
  }

  /** The JSON of each node of this reconcile's own, at the start of a pass. */
  mark(): TreeMark {
    // What the end of the last pass found is what this pass starts from (nothing runs between).
    const known = this.#lastSeen;
    this.#lastSeen = undefined;
    if (known) return known;
    const mark: TreeMark = new Map();
    for (const id of this.#owned) mark.set(id, JSON.stringify(this.nodes[id]));
    return mark;
  }

  /** Did a node change since `mark` (or, without one, since the tree was given)? */
  changedSince(mark?: TreeMark): boolean {
    if (mark !== undefined) {
      const seen: TreeMark = new Map();
      let changed = false;
      for (const id of this.#owned) {
        const text = JSON.stringify(this.nodes[id]);
        seen.set(id, text);
        if ((mark.get(id) ?? this.#given.get(id)) !== text) changed = true;
      }
      this.#lastSeen = seen;
      return changed;
    }
    if (this.#progressed > 0) return true;
    for (const id of this.#owned) {
      const before = this.#given.get(id);
      if (before === undefined || before !== JSON.stringify(this.nodes[id])) return true;
    }
    return false;
  }
}
