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

type Vars = Record<string, string>;

/**
 * Substitutes `value` as {@link substituteValue} does, with the variables of `layers` (later layers
 * win). Only the variables the text names are handed to the expression core: copying a steps
 * template's whole scope (every earlier step's outputs) into WASM for each step group would make a
 * pass quadratic in the workflow's length. Simple tags are plain lookups, so the answer is the same;
 * with an expression tag (`{{=...}}`) or a nested tag, which may read anything, every variable goes.
 */
export function substituteIn<T>(expr: Expr, layers: Vars | Vars[], value: T, strictPrefixes?: string[]): T {
  const json = JSON.stringify(value);
  if (json === undefined || !json.includes("{{")) return value;
  const list = Array.isArray(layers) ? layers : [layers];
  const picked = referencedVars(list, json);
  if (picked === undefined) {
    return withScope(
      expr,
      Object.assign({}, ...list),
      (scope) => substituteValue(scope, value, strictPrefixes),
    );
  }
  // The same text with the same variables substitutes the same: a template is substituted again in
  // each pass of a reconcile (a pod created in one pass is rendered again in the next).
  const key = `${JSON.stringify(strictPrefixes ?? null)}\n${JSON.stringify(picked)}\n${json}`;
  let out = recentSubstitutions.get(key);
  if (out === undefined) {
    const opts = strictPrefixes ? { json: true, strictPrefixes } : { json: true };
    out = withScope(expr, picked, (scope) => scope.substitute(json, opts));
    if (key.length <= MAX_REMEMBERED_TEXT) {
      if (recentSubstitutions.size >= MAX_REMEMBERED) recentSubstitutions.clear();
      recentSubstitutions.set(key, out);
    }
  }
  if (out.errors.length > 0) throw new Error(out.errors[0]);
  return JSON.parse(out.text) as T;
}

/** Substitutions just made, by strict prefixes, variables and text (a few, of texts not too long). */
const recentSubstitutions = new Map<string, { text: string; errors: string[] }>();
const MAX_REMEMBERED = 64;
const MAX_REMEMBERED_TEXT = 16 * 1024;

const ASCII_SPACE = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;

/** The variables simple tags of `text` name, or undefined when a tag may read any variable. */
function referencedVars(layers: Vars[], text: string): Vars | undefined {
  const picked: Vars = {};
  for (let open = text.indexOf("{{"); open >= 0; open = text.indexOf("{{", open + 2)) {
    const close = text.indexOf("}}", open + 2);
    if (close < 0) return undefined;
    const body = text.slice(open + 2, close);
    if (body.startsWith("=") || body.includes("{{")) return undefined;
    const name = body.replace(ASCII_SPACE, "");
    for (let i = layers.length - 1; i >= 0; i--) {
      const v = layers[i]![name];
      if (v !== undefined) {
        picked[name] = v;
        break;
      }
    }
    open = close;
  }
  return picked;
}

/** The error of an outcome, or undefined. */
export function outcomeError<T>(o: Outcome<T> | undefined): string | undefined {
  if (o === undefined) return "no result";
  return "error" in o ? o.error : undefined;
}
