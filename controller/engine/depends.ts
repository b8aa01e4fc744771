/**
 * DAG dependencies as Argo resolves them: `depends`, or `dependencies: [A, B]` meaning `A && B`.
 * The expression core expands bare names (`A` is `A.Succeeded || A.Skipped || A.Daemoned`, wider
 * with continueOn) and evaluates the logic; this module only says which string to evaluate.
 */

import type { DAGTask } from "../spec/types.ts";
import type { Expr } from "./expr.ts";

/** A task's depends logic (empty when it has no dependencies) and the tasks it names. */
export function dependsLogic(expr: Expr, task: DAGTask): { names: string[]; logic: string } {
  const logic = task.depends && task.depends.trim() !== ""
    ? task.depends
    : (task.dependencies ?? []).join(" && ");
  return { names: logic === "" ? [] : expr.dependsTaskNames(logic), logic };
}
