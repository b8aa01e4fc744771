/** `when` conditions, evaluated in one call per group of steps or tasks (Argo's `shouldExecute`). */

import type { Op } from "./context.ts";
import { type Outcome, withScope } from "./expr.ts";

/** Outcome of one `when`: its value, or why it could not be evaluated. */
export type When = Outcome<boolean>;

const always: When = { value: true };

/** The condition evaluated to false. */
export function whenFalse(w: When | undefined): boolean {
  return w !== undefined && "value" in w && !w.value;
}

/** The condition's error, if it could not be evaluated. */
export function whenError(w: When | undefined): string | undefined {
  return w !== undefined && "error" in w ? w.error : undefined;
}

/**
 * Evaluates already-substituted `when` conditions; an empty condition is true. Conditions are sent
 * to the expression core together, duplicates once.
 */
export function evalWhens(op: Op, conditions: string[]): When[] {
  const distinct = [...new Set(conditions.filter((c) => c.trim() !== ""))];
  if (distinct.length === 0) return conditions.map(() => always);
  const results = withScope(op.expr, {}, (scope) => scope.evalWhens(distinct));
  const byText = new Map<string, When>(
    distinct.map((c, i) => [c, results[i] ?? { error: `no result for '${c}'` }]),
  );
  return conditions.map((c) => (c.trim() === "" ? always : byText.get(c) ?? always));
}
