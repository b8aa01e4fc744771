/**
 * The variables of a steps template being executed (`steps.<name>.*`), written lazily, and the
 * finished start of the template carried from one pass of a reconcile to the next, and from one
 * reconcile to the next.
 *
 * Every pass walks every step group from the first, and each finished step adds its id, times,
 * status and outputs to the scope, though in most passes nothing reads them (a group whose text
 * has no `{{` substitutes nothing). So writes are logged and applied when the scope is first read.
 * Groups whose walk wrote nothing are, in the next pass, skipped with their logged writes reused,
 * unless a node of theirs was written since (see {@link settledPrefix}). Those found settled from
 * their nodes alone, none of which the reconcile wrote, are skipped so in the next reconcile too,
 * when it is given the nodes this one returned (see {@link keepLastingPrefixes} and tree.ts).
 */

import type { WorkflowStep } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { buildLocalScope, type LocalScope, processAggregateNodeOutputs } from "./outputs.ts";
import type { NodeView } from "./tree.ts";

/** One write to the scope: a variable, or the variables of a node the tree will not change. */
type ScopeWrite =
  | { key: string; value: string }
  | { prefix: string; node: NodeView }
  | { each: readonly { key: string; value: string }[]; count: number };

/** A steps template's scope: its starting variables plus the log of writes since. */
export class StepsScope {
  readonly #vars: LocalScope;
  readonly #log: ScopeWrite[];
  #applied = 0;

  constructor(vars: LocalScope, log: ScopeWrite[] = []) {
    this.#vars = vars;
    this.#log = log;
  }

  /** The variables, with every write so far applied. */
  read(op: Op): LocalScope {
    for (; this.#applied < this.#log.length; this.#applied++) {
      const w = this.#log[this.#applied]!;
      if ("key" in w) this.#vars[w.key] = w.value;
      else if ("each" in w) {
        for (let i = 0; i < w.count; i++) this.#vars[w.each[i]!.key] = w.each[i]!.value;
      } else buildLocalScope(op, this.#vars, w.prefix, w.node);
    }
    return this.#vars;
  }

  /** Sets a variable. */
  set(key: string, value: string): void {
    this.#log.push({ key, value });
  }

  /** Sets the first `count` of `writes` in order, as one write (the array is not copied). */
  setEach(writes: readonly { key: string; value: string }[], count: number): void {
    this.#log.push({ each: writes, count });
  }

  /**
   * Adds a finished node's variables under `prefix` (Argo's `buildLocalScope`). A node this
   * reconcile may still write, or a Retry node (whose variables come from its last attempt), is read
   * now; any other node is one the tree never writes, so reading it later reads the same.
   */
  addNode(op: Op, prefix: string, node: NodeView): void {
    if (node.type !== "Retry" && !op.tree.isOwned(node.id)) this.#log.push({ prefix, node });
    else this.#setAll((vars) => buildLocalScope(op, vars, prefix, node));
  }

  /** Adds the aggregated outputs of a loop's items (throws as `processAggregateNodeOutputs`). */
  addAggregate(prefix: string, items: NodeView[]): void {
    this.#setAll((vars) => processAggregateNodeOutputs(vars, prefix, items));
  }

  /** How many writes are logged. */
  get length(): number {
    return this.#log.length;
  }

  /** The first `n` writes, to start the scope of a later pass from. */
  logged(n: number): ScopeWrite[] {
    return this.#log.slice(0, n);
  }

  #setAll(write: (vars: LocalScope) => void): void {
    const vars: LocalScope = {};
    write(vars);
    for (const [key, value] of Object.entries(vars)) this.#log.push({ key, value });
  }
}

/** The first groups of a steps node that a pass walked without writing anything. */
interface SettledPrefix {
  /** The step groups they were (the same array when the template is the same). */
  steps: WorkflowStep[][];
  /** How many groups. */
  groups: number;
  /** The scope writes of those groups, in order, after the template's starting variables. */
  writes: ScopeWrite[];
  /** How many writes there are after each group (`ends[i]`: after group `i`), to cut the prefix. */
  ends: number[];
  /**
   * How many of the first groups were found settled from their nodes alone (by `passSettledGroup`).
   * That holds in a later reconcile too, while those nodes are the same; a group found settled by
   * walking it may not (the walk reads the clock and the observations).
   */
  pure: number;
}

const KEY_PREFIX = "steps-prefix:";
const key = (nodeName: string) => KEY_PREFIX + nodeName;

/**
 * The settled first groups of steps node `nodeName` from an earlier pass, if they still hold: a
 * walk of a group reads only nodes named `<nodeName>[<group>]...` (the group, its steps and what
 * they ran), so none of those may have been written since (only a node the tree copied or created
 * can have been).
 */
export function settledPrefix(op: Op, nodeName: string, steps: WorkflowStep[][]): SettledPrefix | undefined {
  const prefix = op.tree.carry.get(key(nodeName)) as SettledPrefix | undefined;
  if (!prefix || prefix.steps !== steps) return undefined;
  const open = `${nodeName}[`;
  for (const id of op.tree.ownedSince(0)) {
    const name = op.tree.peek(id)?.name ?? "";
    if (!name.startsWith(open)) continue;
    const group = Number.parseInt(name.slice(open.length), 10);
    if (!(group >= prefix.groups)) return undefined;
  }
  return prefix;
}

/** How far a walk of the groups of a steps node found them settled (see {@link SettledPrefix}). */
export interface SettledWalk {
  groups: number;
  /** How many scope writes there are after the settled groups. */
  writes: number;
  ends: number[];
  pure: number;
}

/** Keeps the settled first groups of steps node `nodeName`, with their scope writes. */
export function keepSettledPrefix(
  op: Op,
  nodeName: string,
  steps: WorkflowStep[][],
  settled: SettledWalk,
  scope: StepsScope,
): void {
  if (settled.groups === 0) return;
  const { groups, ends, pure } = settled;
  op.tree.carry.set(key(nodeName), { steps, groups, writes: scope.logged(settled.writes), ends, pure });
}

/**
 * Keeps the settled prefixes that hold for the result of this reconcile, for the next one given it
 * (see tree.ts): of each, the groups found settled from their nodes alone and before any group with
 * a node written in this reconcile (the prefix may be older than such a write).
 */
export function keepLastingPrefixes(op: Op): void {
  if (op.tree.carry.size === 0) return;
  // The first group written of each steps node: a node's name is `<steps node>[<group>]...`.
  const written = new Map<string, number>();
  for (const id of op.tree.ownedSince(0)) {
    const name = op.tree.peek(id)?.name ?? "";
    for (let at = name.indexOf("["); at >= 0; at = name.indexOf("[", at + 1)) {
      const parsed = Number.parseInt(name.slice(at + 1), 10);
      const group = parsed >= 0 ? parsed : 0; // as settledPrefix, a name it cannot read cuts all
      const stepsNode = name.slice(0, at);
      const first = written.get(stepsNode);
      if (first === undefined || group < first) written.set(stepsNode, group);
    }
  }
  for (const [k, value] of op.tree.carry) {
    if (!k.startsWith(KEY_PREFIX)) continue;
    const prefix = value as SettledPrefix;
    const groups = Math.min(prefix.pure, written.get(k.slice(KEY_PREFIX.length)) ?? Infinity);
    if (groups === 0) continue;
    op.tree.lasting.set(
      k,
      {
        steps: prefix.steps,
        groups,
        writes: prefix.writes.slice(0, prefix.ends[groups - 1]),
        ends: prefix.ends.slice(0, groups),
        pure: groups,
      } satisfies SettledPrefix,
    );
  }
}
