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
 *
 * A host gives back the record of nodes a reconcile returned (its `status.nodes`), unchanged: it
 * changes neither that record nor its nodes in place (the engine never does). So the tree that built
 * a record remembers, by the record object, what the next reconcile given it can reuse rather than
 * work out from every node again: the index of the nodes' places, and answers that hold for the
 * record as it is (see {@link NodeTree.lasting}). Given any other record, a tree starts afresh.
 */

import type { NodeStatus } from "../spec/types.ts";

/** A node as seen by code that only reads it. */
export type NodeView = Readonly<NodeStatus>;

/** Keys that `Object.values` puts first, in numeric order (array indices). */
const INDEX_LIKE = /^(0|[1-9]\d*)$/;

/** Does `id` look like an array index (tested on its first character first: ids rarely do)? */
function indexLike(id: string): boolean {
  const c = id.charCodeAt(0);
  return c >= 48 && c <= 57 && INDEX_LIKE.test(id);
}

/** A mark of the tree at the start of a pass, to tell whether the pass changed a node. */
export type TreeMark = Map<string, string>;

/**
 * The places of nodes by id and by name, shared along a line of records where each is the result of
 * a reconcile of the one before: a tree built on a record whose index nobody changed since takes the
 * index over and appends to it, rather than indexing every node of the record again.
 */
interface PlaceIndex {
  readonly byId: Map<string, number>;
  readonly byName: Map<string, number>;
  readonly ids: string[];
  /** Bumped by every change, so that the tree of a record tells whether it is as the record left it. */
  version: number;
}

/** What the tree that returned a record knew of it, for a tree given that record again. */
interface RecordState {
  readonly index: PlaceIndex;
  readonly version: number;
  readonly list: readonly NodeStatus[];
  readonly uniqueNames: boolean;
  readonly indexLike: boolean;
  /** Answers that hold for the record as it is (see {@link NodeTree.lasting}). */
  readonly lasting: ReadonlyMap<string, unknown>;
}

/**
 * The children of a node as a set, kept with a record for the node object it was made for. The first
 * tree given that node takes the set over (and updates it as it links children); any other builds
 * its own.
 */
interface KeptChildSet {
  readonly node: NodeView;
  readonly set: Set<string>;
  taken: boolean;
}

/** The key in {@link NodeTree.lasting} of the kept child sets, by parent id. */
const CHILD_SETS = "child-sets";

/** What the trees that returned records knew of them, by record object (see the module doc). */
const recordStates = new WeakMap<Record<string, NodeStatus>, RecordState>();

/** The nodes of the status being built, shared with the given status until written. */
export class NodeTree {
  /** The children of parents linked in this reconcile, as sets (see {@link childSet}). */
  readonly #childSets = new Map<string, Set<string>>();
  /** The child sets kept with the given record, by parent id. */
  readonly #keptChildSets: ReadonlyMap<string, KeptChildSet> | undefined;
  /**
   * Answers that later passes of the same reconcile may reuse: the settled groups of a steps node
   * (steps-scope.ts, which holds while none of their nodes is written). It starts as the
   * {@link lasting} answers of the tree that returned the given record, if it did.
   */
  readonly carry = new Map<string, unknown>();
  /**
   * Answers that hold for the result as it is, for a tree given that record in a later reconcile
   * (see {@link result}): the settled groups still good (steps-scope.ts), what progress read
   * (status.ts).
   */
  readonly lasting = new Map<string, unknown>();
  /** The nodes of this reconcile's own (copied or created), by id. */
  readonly #current = new Map<string, NodeStatus>();
  /**
   * Every node, in the order of the given record followed by the created nodes, with their ids:
   * the order of `Object.values` of the result unless an id looks like an array index (those come
   * first in `Object.values`, see {@link values}).
   */
  readonly #list: NodeStatus[];
  /**
   * The ids of {@link #list}, and its places by node id (one lookup for {@link peek}, the most asked
   * question) and by node name.
   */
  readonly #index: PlaceIndex;
  /** Has each node a name of its own (so the node called `n.name` is `n`)? */
  #uniqueNames = true;
  /** Does some id look like an array index? */
  #indexLike = false;
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
   * The given nodes are indexed, not copied: a record of a few thousand nodes costs more to copy
   * than a pass of a chain of steps; the record of the result is built once (see {@link result}).
   * A record a tree returned is not even indexed again, while its index is unchanged.
   */
  constructor(given: Record<string, NodeStatus>) {
    const known = recordStates.get(given);
    if (known && known.index.version === known.version) {
      this.#index = known.index;
      this.#list = known.list.slice();
      this.#uniqueNames = known.uniqueNames;
      this.#indexLike = known.indexLike;
      for (const [key, value] of known.lasting) this.carry.set(key, value);
      this.#keptChildSets = known.lasting.get(CHILD_SETS) as ReadonlyMap<string, KeptChildSet> | undefined;
      return;
    }
    const index: PlaceIndex = { byId: new Map(), byName: new Map(), ids: Object.keys(given), version: 0 };
    const list: NodeStatus[] = [];
    for (let i = 0; i < index.ids.length; i++) {
      const id = index.ids[i]!;
      const node = given[id]!;
      if (this.#uniqueNames && index.byName.has(node.name)) this.#uniqueNames = false;
      index.byName.set(node.name, i);
      index.byId.set(id, i);
      list.push(node);
      if (!this.#indexLike && indexLike(id)) this.#indexLike = true;
    }
    this.#index = index;
    this.#list = list;
    this.#keptChildSets = undefined;
  }

  /**
   * The ids of the children of `parent` (a node of this tree) as a set, which the caller keeps as
   * the node's children when it links one (nodes.ts, `addChildNode`), so that linking each of many
   * items is O(1). The set kept with the given record for this very node is taken over rather than
   * built again: a step group of a large fan-out links a few items in each reconcile.
   */
  childSet(parent: NodeView): Set<string> {
    let set = this.#childSets.get(parent.id);
    if (set) return set;
    const kept = this.#keptChildSets?.get(parent.id);
    if (kept && kept.node === parent && !kept.taken) {
      kept.taken = true;
      set = kept.set;
    } else set = new Set(parent.children);
    this.#childSets.set(parent.id, set);
    return set;
  }

  /** The child sets that hold for the result (see {@link childSet}), for a tree given it. */
  #keepChildSets(): void {
    const kept = new Map<string, KeptChildSet>();
    for (const [id, entry] of this.#keptChildSets ?? []) if (!entry.taken) kept.set(id, entry);
    for (const [id, set] of this.#childSets) {
      const node = this.peek(id);
      if (node) kept.set(id, { node, set, taken: false });
    }
    if (kept.size > 0) this.lasting.set(CHILD_SETS, kept);
  }

  /** The node with id `id`, to read only (see the module doc). */
  peek(id: string): NodeView | undefined {
    const at = this.#index.byId.get(id);
    return at === undefined ? undefined : this.#list[at];
  }

  /** The id of the node called `name`, if there is one. */
  idOf(name: string): string | undefined {
    const at = this.#index.byName.get(name);
    return at === undefined ? undefined : this.#index.ids[at];
  }

  /** The node called `name`, to read only (see the module doc). */
  peekByName(name: string): NodeView | undefined {
    const at = this.#index.byName.get(name);
    return at === undefined ? undefined : this.#list[at];
  }

  /**
   * Is `node` (read from this tree) the node called `name`, as {@link peekByName} finds it? Asked
   * of a node at hand, this compares names rather than looking one up.
   */
  isNamed(node: NodeView, name: string): boolean {
    return node.name === name && (this.#uniqueNames || this.peekByName(name) === node);
  }

  /** The node with id `id`, this reconcile's own copy, free to write. */
  get(id: string): NodeStatus | undefined {
    const node = this.peek(id) as NodeStatus | undefined;
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
    const index = this.#index;
    if (index.byName.has(node.name)) this.#uniqueNames = false;
    this.#replace(node.id, node);
    index.byName.set(node.name, this.#placeOf(node.id)!);
    index.version++;
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
   * Every node, to read only: `Object.values` of the result, copied from a list kept up to date
   * (several loops over all nodes run in every pass, and `Object.values` of a large record cost
   * more than they did).
   */
  values(): NodeView[] {
    return this.#indexLike ? Object.values(this.record()) : this.#list.slice();
  }

  /** Every node, given or copied or new, as a new record. */
  record(): Record<string, NodeStatus> {
    const nodes: Record<string, NodeStatus> = {};
    const list = this.#list, ids = this.#index.ids;
    for (let i = 0; i < list.length; i++) nodes[ids[i]!] = list[i]!;
    return nodes;
  }

  /**
   * `status.nodes` of the result ({@link record}), remembered with the {@link lasting} answers for a
   * tree given this record in a later reconcile. Nothing is written after.
   */
  result(): Record<string, NodeStatus> {
    this.#keepChildSets();
    const nodes = this.record();
    recordStates.set(nodes, {
      index: this.#index,
      version: this.#index.version,
      list: this.#list,
      uniqueNames: this.#uniqueNames,
      indexLike: this.#indexLike,
      lasting: this.lasting,
    });
    return nodes;
  }

  /**
   * How many nodes there are. Nodes have places `0` to `size() - 1`: the order of the given record
   * followed by the created nodes (which {@link values} is too, unless an id looks like an array
   * index). A node keeps its place for the whole reconcile, and in a tree given the result.
   */
  size(): number {
    return this.#list.length;
  }

  /** The node at `place`, to read only (see the module doc). */
  nodeAt(place: number): NodeView {
    return this.#list[place]!;
  }

  /** The place of node `id` (see {@link size}), if it is there. */
  placeOf(id: string): number | undefined {
    return this.#index.byId.get(id);
  }

  /** The id of the node at `place` (see {@link size}). */
  idAt(place: number): string {
    return this.#index.ids[place]!;
  }

  /** Does {@link values} list the nodes by place (no id looks like an array index)? */
  valuesByPlace(): boolean {
    return !this.#indexLike;
  }

  /** The place of node `id` in {@link #list}, if it is there. */
  #placeOf(id: string): number | undefined {
    return this.#index.byId.get(id);
  }

  #replace(id: string, node: NodeStatus): void {
    const at = this.#placeOf(id);
    this.#current.set(id, node);
    if (at !== undefined) this.#list[at] = node;
    else {
      const index = this.#index;
      index.byId.set(id, this.#list.length);
      index.ids.push(id);
      index.version++;
      this.#list.push(node);
      if (indexLike(id)) this.#indexLike = true;
    }
  }

  /**
   * Sets the progress of the node at `place` (see {@link size}), copying it shallowly if it is
   * not already copied: progress is set last in a reconcile, after every other write, and in a
   * chain of steps it moves on every earlier step group at each event, so this is the one write
   * that reaches many nodes.
   */
  setProgress(place: number, progress: string): void {
    const node = this.#list[place];
    if (node === undefined || node.progress === progress) return;
    if (this.#owned.has(this.#index.ids[place]!)) node.progress = progress;
    else {
      this.#list[place] = { ...node, progress };
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
    for (const id of this.#owned) mark.set(id, JSON.stringify(this.#current.get(id)));
    return mark;
  }

  /** Did a node change since `mark` (or, without one, since the tree was given)? */
  changedSince(mark?: TreeMark): boolean {
    if (mark !== undefined) {
      const seen: TreeMark = new Map();
      let changed = false;
      for (const id of this.#owned) {
        const text = JSON.stringify(this.#current.get(id));
        seen.set(id, text);
        if ((mark.get(id) ?? this.#given.get(id)) !== text) changed = true;
      }
      this.#lastSeen = seen;
      return changed;
    }
    if (this.#progressed > 0) return true;
    // What the end of the last pass found is still so, if it was asked (nothing runs between).
    const seen = this.#lastSeen;
    for (const id of this.#owned) {
      const before = this.#given.get(id);
      if (before === undefined || before !== (seen?.get(id) ?? JSON.stringify(this.#current.get(id)))) {
        return true;
      }
    }
    return false;
  }
}
