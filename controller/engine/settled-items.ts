/**
 * The finished start of a looped step of a step group, carried from one pass of a reconcile to the
 * next, and from one reconcile to the next (as steps-scope.ts carries settled groups).
 *
 * With workflow parallelism a large fan-out starts a few items at a time, so there is a reconcile
 * (of several passes) for every few items that finish, and each pass went through every item: its
 * name, its node, the group's children. Most of those items are finished and never written again,
 * and what the walk makes of a finished item (no hook, no `when`) is only the `steps.<item>.status`
 * variable and, if it failed, the group's failure. So the items found so, from the first on, are
 * kept with those variables and skipped in the next pass; and the items from the last one with a
 * node on, which have none yet and wait for room, are not named and looked up one by one.
 *
 * Both facts hold while no node of an item is written or created, which only the tree's own nodes
 * can have been (tree.ts): an item's nodes, and those below it, are named `<step>(<index>:...`.
 */

import type { WorkflowStep } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { failedOrError } from "./nodes.ts";
import type { NodeView } from "./tree.ts";

/** A variable a finished item sets in the scope of its steps node: `steps.<item>.status`. */
export interface StatusWrite {
  readonly key: string;
  readonly value: string;
}

/** What a pass found of the items of one looped step (see the module doc). */
interface ItemsState {
  /** The step's loop and `continueOn`, as JSON: what the facts were found for. */
  readonly loop: string;
  /** `<group>.<step>(`: how the names of the items' nodes, and of those below them, start. */
  readonly namePrefix: string;
  /** Items `0` to `count - 1` are finished, unwritten, and the group's first children, in order. */
  readonly count: number;
  /**
   * Their variables, in order. The array is shared along a line of states that extend it: the first
   * `count` entries are this state's.
   */
  readonly writes: StatusWrite[];
  /** The first of them that failed (without `continueOn`), by index. */
  readonly failed: number | undefined;
  /** No item from this index on has a node. */
  readonly absentFrom: number;
}

const KEY_PREFIX = "settled-items:";
const keyOf = (sgName: string, stepName: string) => `${KEY_PREFIX}${sgName}\u0000${stepName}`;

/**
 * The state of a step's items as the tree is now: `state` cut back to before the first item with
 * a node written or created in this reconcile, and its absent items moved past such a node.
 */
function revalidated(op: Op, state: ItemsState): ItemsState | undefined {
  let { count, absentFrom } = state;
  for (const id of op.tree.ownedSince(0)) {
    const name = op.tree.peek(id)?.name ?? "";
    if (!name.startsWith(state.namePrefix)) continue;
    const index = Number.parseInt(name.slice(state.namePrefix.length), 10);
    if (!(index >= 0)) return undefined; // a name not read as an item's: nothing is known
    if (index < count) count = index;
    if (index >= absentFrom) absentFrom = index + 1;
  }
  if (count === state.count && absentFrom === state.absentFrom) return state;
  const failed = state.failed !== undefined && state.failed < count ? state.failed : undefined;
  return { ...state, count, failed, absentFrom };
}

/** The loop of `step` and how its items' failures count, as a key of what was found of them. */
function loopKey(step: WorkflowStep): string {
  return JSON.stringify([step.withItems, step.withParam, step.withSequence, step.continueOn]);
}

/**
 * Follows the items of one looped step through a pass: what an earlier pass found that still holds,
 * and the finished items found after them in this pass, kept for the next pass when it ends.
 */
export class ItemsTracker {
  /** How many first items are skipped in this pass (their children too): all known finished. */
  readonly skipped: number;
  /** The first of the skipped items that failed (without `continueOn`), by index. */
  readonly skippedFailed: number | undefined;
  /** No item from this index on has a node (unknown in a first pass: Infinity). */
  readonly absentFrom: number;
  readonly #key: string;
  readonly #loop: string;
  readonly #namePrefix: string;
  #count: number;
  #writes: StatusWrite[];
  #failed: number | undefined;
  /** One more than the index of the last item seen with a node in this pass. */
  #seenUpTo = 0;

  constructor(op: Op, sgName: string, step: WorkflowStep, namePrefix: string) {
    this.#key = keyOf(sgName, step.name ?? "");
    this.#loop = loopKey(step);
    this.#namePrefix = namePrefix;
    const kept = op.tree.carry.get(this.#key) as ItemsState | undefined;
    const state = kept && kept.loop === this.#loop && kept.namePrefix === namePrefix
      ? revalidated(op, kept)
      : undefined;
    this.skipped = this.#count = state?.count ?? 0;
    this.skippedFailed = this.#failed = state?.failed;
    this.absentFrom = state?.absentFrom ?? Infinity;
    this.#writes = state?.writes ?? [];
  }

  /** The variables of the skipped items, in order (the first {@link skipped} of the array). */
  skippedWrites(): readonly StatusWrite[] {
    return this.#writes;
  }

  /**
   * The step's items are not the group's first children (an earlier step's are): none is skipped,
   * and none joins the finished first items.
   */
  notFirst(): void {
    this.#count = -1;
  }

  /** Notes that item `index` has a node. */
  seen(index: number): void {
    if (index >= this.#seenUpTo) this.#seenUpTo = index + 1;
  }

  /**
   * Notes item `index`, found as the group's child after the items known finished: if it is the
   * next one, finished and not written in this reconcile, it joins them. `fails` tells whether its
   * failure (if it failed) fails the group.
   */
  found(op: Op, index: number, node: NodeView, fails: boolean): void {
    if (index !== this.#count || op.tree.isOwned(node.id)) return;
    // The array is shared with the states that it extends: only its end is appended to.
    if (this.#writes.length !== this.#count) this.#writes = this.#writes.slice(0, this.#count);
    this.#writes.push({ key: `steps.${node.displayName ?? ""}.status`, value: node.phase ?? "" });
    if (this.#failed === undefined && fails && failedOrError(node.phase)) this.#failed = index;
    this.#count++;
  }

  /** Keeps what this pass found, having gone through every item it did not know to be absent. */
  keep(op: Op): void {
    const first = this.#count >= 0;
    const state: ItemsState = {
      loop: this.#loop,
      namePrefix: this.#namePrefix,
      count: first ? this.#count : 0,
      writes: first ? this.#writes : [],
      failed: first ? this.#failed : undefined,
      absentFrom: Number.isFinite(this.absentFrom)
        ? Math.max(this.absentFrom, this.#seenUpTo)
        : this.#seenUpTo,
    };
    op.tree.carry.set(this.#key, state);
  }
}

/**
 * Keeps what holds of the items of each looped step for the result of this reconcile, for the next
 * one given it (see tree.ts): each state cut back to before the first item written in this reconcile.
 */
export function keepLastingItems(op: Op): void {
  for (const [key, value] of op.tree.carry) {
    if (!key.startsWith(KEY_PREFIX)) continue;
    const state = revalidated(op, value as ItemsState);
    if (state) op.tree.lasting.set(key, state);
  }
}
