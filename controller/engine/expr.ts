/**
 * The engine's use of the expression core (expr-wasm): a whole serialized template substituted in
 * one call, `when` conditions and expressions evaluated in batches, DAG `depends` logic. The engine
 * never evaluates an expression itself.
 */

import { type ExprCore, exprCore, type Outcome, type Scope, type TaskFacts } from "../../expr-wasm/mod.ts";

export type { ExprCore, Outcome, Scope, TaskFacts };

/** The expression core as the engine uses it (expr-wasm's {@link ExprCore}). */
export type Expr = ExprCore;

/** The process-wide expression core. */
export function defaultExpr(): Expr {
  return exprCore();
}

/** Runs `fn` with a scope of `vars`, disposing it afterwards. */
export function withScope<T>(expr: Expr, vars: Record<string, string>, fn: (scope: Scope) => T): T {
  const scope = expr.scope(vars);
  try {
    return fn(scope);
  } finally {
    scope.dispose();
  }
}

/**
 * Substitutes `value` (any JSON-able value) through `scope` in one call on its JSON text and parses
 * the result back. Tags that cannot be resolved yet stay as written, except under
 * `strictPrefixes`; the first error is thrown.
 */
export function substituteValue<T>(scope: Scope, value: T, strictPrefixes?: string[]): T {
  const json = JSON.stringify(value);
  if (json === undefined || !json.includes("{{")) return value;
  const opts = strictPrefixes ? { json: true, strictPrefixes } : { json: true };
  const { text, errors } = scope.substitute(json, opts);
  if (errors.length > 0) throw new Error(errors[0]);
  return JSON.parse(text) as T;
}

/** The error of an outcome, or undefined. */
export function outcomeError<T>(o: Outcome<T> | undefined): string | undefined {
  if (o === undefined) return "no result";
  return "error" in o ? o.error : undefined;
}
