// {{=expr}} tags and plain expression evaluation against a scope, following Argo's
// expressionReplaceStrict / expressionReplaceCore (util/template/expression_template.go).

import { clearError, errorMessage, failed } from "./err";
import { escapeJSON, marshal, unescapeJSONBody } from "./json";
import { hasVar, Scope } from "./scope";
import { K_NIL, K_STR, NIL, Value } from "./value";
import { N_CALL, N_IDENT, N_MEMBER, Node } from "./expr/ast";
import { Ctx, evalNode } from "./expr/eval";
import { memberPath, parse } from "./expr/parser";
import { isEnvFunction } from "./expr/builtins";

/** Parsed expressions, keyed by source; cleared when it grows past a bound. */
const cache = new Map<string, Node>();

/** Parses `src` (cached). On error returns null and leaves the message recorded. */
export function parseCached(src: string): Node | null {
  if (cache.has(src)) return cache.get(src);
  const n = parse(src);
  if (failed()) return null;
  if (cache.size > 2000) cache.clear();
  cache.set(src, n);
  return n;
}

function collectIdentifiers(n: Node | null, out: Array<string>): void {
  if (n === null) return;
  if (n.kind == N_IDENT) {
    if (!out.includes(n.s)) out.push(n.s);
    return;
  }
  if (n.kind == N_MEMBER) {
    const p = memberPath(n);
    if (p !== null && !out.includes(p)) out.push(p);
  }
  collectIdentifiers(n.a, out);
  collectIdentifiers(n.b, out);
  collectIdentifiers(n.c, out);
  if (n.list !== null) {
    const l = n.list as Array<Node>;
    for (let i = 0; i < l.length; i++) collectIdentifiers(l[i], out);
  }
  if (n.keys !== null) {
    const l = n.keys as Array<Node>;
    for (let i = 0; i < l.length; i++) collectIdentifiers(l[i], out);
  }
  if (n.kind == N_CALL) return;
}

function present(env: Map<string, Value>, id: string): bool {
  const root = id.indexOf(".") < 0 ? id : id.substring(0, id.indexOf("."));
  if (isEnvFunction(root)) return true;
  return hasVar(env, id);
}

const CHECKED = [
  "item",
  "retries",
  "lastRetry.exitCode",
  "lastRetry.status",
  "lastRetry.duration",
  "lastRetry.message",
  "workflow.status",
  "workflow.failures",
];

/** Strict-prefix match (Argo's GetStrictRegex: a prefix matches a whole dot-segment). */
export function isStrict(name: string, prefixes: Array<string>): bool {
  for (let i = 0; i < prefixes.length; i++) {
    let p = prefixes[i];
    if (p.endsWith(".")) {
      if (name.startsWith(p)) return true;
      p = p.substring(0, p.length - 1);
    }
    if (name == p || name.startsWith(p + ".")) return true;
  }
  return false;
}

/** Outcome of one tag: 0 replaced (`text`), 1 left unresolved, 2 error (`text` is the message). */
export class TagResult {
  status: i32 = 0;
  text: string = "";
}

/** Argo's Fix: JSON-marshalled \u003c \u003e \u0026 back to < > &. */
function fix(s: string): string {
  if (s.indexOf("\\u00") < 0) return s;
  return s.replaceAll("\\u003c", "<").replaceAll("\\u003e", ">").replaceAll("\\u0026", "&");
}

/** Evaluates the body of a {{=...}} tag. `json`: the tag sits in JSON text (unescape in, escape out). */
export function expressionTag(scope: Scope, raw: string, json: bool, prefixes: Array<string>): TagResult {
  const r = new TagResult();
  let src = raw;
  if (json) {
    const u = unescapeJSONBody(fix(raw));
    if (u === null) {
      r.status = 2;
      r.text = "failed to unmarshall JSON expression: invalid character in string literal";
      return r;
    }
    src = u as string;
  }
  clearError();
  const node = parseCached(src);
  if (node === null) {
    r.status = 2;
    r.text = "failed to evaluate expression: " + errorMessage();
    clearError();
    return r;
  }
  const env = scope.exprEnv();
  const ids = new Array<string>();
  collectIdentifiers(node, ids);
  let missing = 0;
  let checkedMissing = false;
  for (let i = 0; i < ids.length; i++) {
    if (present(env, ids[i])) continue;
    if (isStrict(ids[i], prefixes)) {
      r.status = 2;
      r.text = "failed to evaluate expression: " + ids[i] + " is missing";
      return r;
    }
    if (CHECKED.includes(ids[i])) checkedMissing = true;
    missing++;
  }
  const allowUnresolved = missing > 0;
  if (allowUnresolved && checkedMissing) {
    r.status = 1;
    return r;
  }
  const ctx = new Ctx(env, src);
  const v = evalNode(node as Node, ctx);
  if (failed() || v.kind == K_NIL) {
    if (allowUnresolved) {
      clearError();
      r.status = 1;
      return r;
    }
    r.status = 2;
    r.text = failed()
      ? "failed to evaluate expression: " + errorMessage()
      : 'failed to evaluate expression "' + raw + '"';
    clearError();
    return r;
  }
  if (v.kind == K_STR) {
    r.text = json ? escapeJSON(v.s, false) : v.s;
    return r;
  }
  const m = marshal(v, true);
  if (failed()) {
    r.status = allowUnresolved ? 1 : 2;
    r.text = "failed to marshal evaluated expression: " + errorMessage();
    clearError();
    return r;
  }
  r.text = json ? escapeJSON(m, false) : m;
  return r;
}

/** Evaluates a bare expr-lang expression; the value, or nil with the error recorded. */
export function evalExpression(env: Map<string, Value>, src: string): Value {
  clearError();
  const node = parseCached(src);
  if (node === null) return NIL;
  const ctx = new Ctx(env, src);
  return evalNode(node as Node, ctx);
}
