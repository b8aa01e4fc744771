/**
 * The variables of a steps template being executed (`steps.<name>.*`), written lazily, and the
 * finished start of the template carried from one pass of a reconcile to the next.
 *
 * Every pass walks every step group from the first, and each finished step adds its id, times,
 * status and outputs to the scope, though in most passes nothing reads them (a group whose text
 * has no `{{` substitutes nothing). So writes are logged and applied when the scope is first read.
 * Groups whose walk wrote nothing are, in the next pass, skipped with their logged writes reused,
 * unless a node of theirs was written since (see {@link settledPrefix}).
 */

import type { WorkflowStep } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { buildLocalScope, type LocalScope, processAggregateNodeOutputs } from "./outputs.ts";
import type { NodeView } from "./tree.ts";

/** One write to the scope: a variable, or the variables of a node the tree will not change. */
type ScopeWrite = { key: string; value: string } | { prefix: string; node: NodeView };

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
      else buildLocalScope(op, this.#vars, w.prefix, w.node);
    }
    return this.#vars;
  }

  /** Sets a variable. */
  set(key: string, value: string): void {
    this.#log.push({ key, value });
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
}

const key = (nodeName: string) => `steps-prefix:${nodeName}`;

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

/** Keeps the first `groups` groups of steps node `nodeName` as settled, with their scope writes. */
export function keepSettledPrefix(
  op: Op,
  nodeName: string,
  steps: WorkflowStep[][],
  groups: number,
  scope: StepsScope,
  writes: number,
): void {
  if (groups === 0) return;
  op.tree.carry.set(key(nodeName), { steps, groups, writes: scope.logged(writes) });
}
