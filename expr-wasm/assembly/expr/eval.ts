// expr-lang evaluator over dynamic values. Semantics follow expr-lang/expr's runtime
// (runtime.Equal/Less/Add..., Fetch, Slice, In) as Argo uses it for {{=...}} and depends.

import { fail, failed } from "../err";
import { regexMatch } from "../regex";
import {
  arrV,
  bool_,
  deepEqual,
  FALSE,
  floatV,
  goType,
  intV,
  K_ARR,
  K_BOOL,
  K_FLOAT,
  K_INT,
  K_MAP,
  K_NIL,
  K_STR,
  mapV,
  NIL,
  strV,
  TRUE,
  Value,
} from "../value";
import {
  N_ARRAY,
  N_BINARY,
  N_CALL,
  N_CLOSURE,
  N_IDENT,
  N_LIT,
  N_MAP,
  N_MEMBER,
  N_NOT,
  N_POINTER,
  N_SLICE,
  N_TERNARY,
  N_UNARY,
  Node,
} from "./ast";
import { callFunction } from "./builtins";
import { location } from "./lexer";

/** Evaluation context: the env (root map), the source (for positions) and closure pointers. */
export class Ctx {
  pointers: Array<Value> = new Array<Value>();
  indexes: Array<i32> = new Array<i32>();
  constructor(public env: Map<string, Value>, public src: string) {}

  err(msg: string, n: Node): Value {
    fail(msg + " " + location(this.src, n.pos));
    return NIL;
  }
}

/** runtime.Equal: numbers compare across int/float; everything else deep-equal. */
export function equal(a: Value, b: Value): bool {
  if (a.isNum() && b.isNum()) {
    if (a.kind == K_INT && b.kind == K_INT) return a.i == b.i;
    return a.num() == b.num();
  }
  return deepEqual(a, b);
}

function runeLen(s: string): i32 {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) continue;
    n++;
  }
  return n;
}

export { runeLen };

function fetch(from: Value, key: Value, n: Node, ctx: Ctx, optional: bool): Value {
  switch (from.kind) {
    case K_MAP: {
      if (key.kind != K_STR) return NIL;
      const m = from.entries();
      return m.has(key.s) ? m.get(key.s) : NIL;
    }
    case K_ARR: {
      if (key.kind != K_INT && !(key.kind == K_FLOAT && Math.floor(key.f) == key.f)) {
        return ctx.err("cannot use " + goType(key) + " as index to " + goType(from), n);
      }
      const a = from.items();
      let i = key.kind == K_INT ? <i32> key.i : <i32> key.f;
      if (i < 0) i += a.length;
      if (i < 0 || i >= a.length) {
        const orig = key.kind == K_INT ? key.i.toString() : (<i64> key.f).toString();
        return ctx.err("index out of range: " + orig + " (array length is " + a.length.toString() + ")", n);
      }
      return a[i];
    }
    case K_STR: {
      if (key.kind != K_INT) return ctx.err("cannot use " + goType(key) + " as index to string", n);
      let i = <i32> key.i;
      const s = from.s;
      if (i < 0) i += s.length;
      if (i < 0 || i >= s.length) {
        return ctx.err(
          "index out of range: " + key.i.toString() + " (array length is " + s.length.toString() + ")",
          n,
        );
      }
      return strV(s.charAt(i));
    }
    case K_NIL:
      if (optional) return NIL;
      return ctx.err("cannot fetch " + (key.kind == K_STR ? key.s : key.i.toString()) + " from <nil>", n);
  }
  return ctx.err(
    "cannot fetch " + (key.kind == K_STR ? key.s : key.i.toString()) + " from " + goType(from),
    n,
  );
}

function toIndex(v: Value): i32 {
  return v.kind == K_INT ? <i32> v.i : <i32> v.f;
}

function slice(n: Node, ctx: Ctx): Value {
  const base = evalNode(n.A(), ctx);
  if (failed()) return NIL;
  let len = 0;
  if (base.kind == K_ARR) len = base.items().length;
  else if (base.kind == K_STR) len = base.s.length;
  else return ctx.err("cannot slice " + goType(base), n);
  let from = 0;
  let to = len;
  if (n.b !== null) {
    const f = evalNode(n.B(), ctx);
    if (failed()) return NIL;
    if (!f.isNum()) return ctx.err("invalid slice index: " + goType(f), n);
    from = toIndex(f);
  }
  if (n.c !== null) {
    const t = evalNode(n.C(), ctx);
    if (failed()) return NIL;
    if (!t.isNum()) return ctx.err("invalid slice index: " + goType(t), n);
    to = toIndex(t);
  }
  if (from < 0) from += len;
  if (to < 0) to += len;
  if (from < 0) from = 0;
  if (to > len) to = len;
  if (from > to) from = to;
  if (base.kind == K_STR) return strV(base.s.substring(from, to));
  return arrV(base.items().slice(from, to));
}

function mismatch(op: string, a: Value, b: Value, n: Node, ctx: Ctx): Value {
  return ctx.err("invalid operation: " + goType(a) + " " + op + " " + goType(b), n);
}

/** Compares two values for < <= > >=; returns -2 (and records an error) on mismatched types. */
function compare(op: string, a: Value, b: Value, n: Node, ctx: Ctx): i32 {
  if (a.isNum() && b.isNum()) {
    if (a.kind == K_INT && b.kind == K_INT) return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    const x = a.num();
    const y = b.num();
    return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;
  }
  if (a.kind == K_STR && b.kind == K_STR) return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
  mismatch(op, a, b, n, ctx);
  return -2;
}

function arith(op: string, a: Value, b: Value, n: Node, ctx: Ctx): Value {
  if (op == "+") {
    if (a.kind == K_STR && b.kind == K_STR) return strV(a.s + b.s);
    if (a.kind == K_ARR && b.kind == K_ARR) return arrV(a.items().concat(b.items()));
  }
  if (!a.isNum() || !b.isNum()) return mismatch(op, a, b, n, ctx);
  const ints = a.kind == K_INT && b.kind == K_INT;
  if (op == "+") return ints ? intV(a.i + b.i) : floatV(a.num() + b.num());
  if (op == "-") return ints ? intV(a.i - b.i) : floatV(a.num() - b.num());
  if (op == "*") return ints ? intV(a.i * b.i) : floatV(a.num() * b.num());
  if (op == "/") return floatV(a.num() / b.num());
  if (op == "%") {
    if (!ints) return mismatch(op, a, b, n, ctx);
    if (b.i == 0) return ctx.err("integer divide by zero", n);
    return intV(a.i % b.i);
  }
  if (op == "**") return floatV(Math.pow(a.num(), b.num()));
  return ctx.err("unknown operator " + op, n);
}

function binary(n: Node, ctx: Ctx): Value {
  const op = n.s;
  const a = evalNode(n.A(), ctx);
  if (failed()) return NIL;
  if (op == "||" || op == "or" || op == "&&" || op == "and") {
    const isOr = op == "||" || op == "or";
    if (a.kind != K_BOOL) {
      return ctx.err("invalid operation: " + op + " (mismatched types " + goType(a) + " and bool)", n);
    }
    if (isOr && a.b) return TRUE;
    if (!isOr && !a.b) return FALSE;
    const b = evalNode(n.B(), ctx);
    if (failed()) return NIL;
    if (b.kind != K_BOOL) {
      return ctx.err("invalid operation: " + op + " (mismatched types bool and " + goType(b) + ")", n);
    }
    return b;
  }
  if (op == "??") {
    if (a.kind != K_NIL) return a;
    return evalNode(n.B(), ctx);
  }
  const b = evalNode(n.B(), ctx);
  if (failed()) return NIL;
  if (op == "==") return bool_(equal(a, b));
  if (op == "!=") return bool_(!equal(a, b));
  if (op == "<" || op == "<=" || op == ">" || op == ">=") {
    const c = compare(op, a, b, n, ctx);
    if (c == -2) return NIL;
    if (c == 2) return FALSE; // NaN
    if (op == "<") return bool_(c < 0);
    if (op == "<=") return bool_(c <= 0);
    if (op == ">") return bool_(c > 0);
    return bool_(c >= 0);
  }
  if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%" || op == "**") {
    return arith(op, a, b, n, ctx);
  }
  if (op == "..") {
    if (a.kind != K_INT || b.kind != K_INT) return mismatch(op, a, b, n, ctx);
    const out = new Array<Value>();
    if (b.i - a.i > 1000000) return ctx.err("range too large", n);
    for (let i = a.i; i <= b.i; i++) out.push(intV(i));
    return arrV(out);
  }
  if (op == "in") {
    if (b.kind == K_ARR) {
      const items = b.items();
      for (let i = 0; i < items.length; i++) if (equal(a, items[i])) return TRUE;
      return FALSE;
    }
    if (b.kind == K_MAP) {
      if (a.kind != K_STR) return ctx.err("cannot use " + goType(a) + " as type string in map index", n);
      return bool_(b.entries().has(a.s));
    }
    return ctx.err('operator "in" not defined on ' + goType(b), n);
  }
  if (op == "contains" || op == "startsWith" || op == "endsWith" || op == "matches") {
    if (a.kind != K_STR || b.kind != K_STR) {
      return ctx.err(
        "invalid operation: " + op + " (mismatched types " + goType(a) + " and " + goType(b) + ")",
        n,
      );
    }
    if (op == "contains") return bool_(a.s.includes(b.s));
    if (op == "startsWith") return bool_(a.s.startsWith(b.s));
    if (op == "endsWith") return bool_(a.s.endsWith(b.s));
    const r = regexMatch(b.s, a.s);
    if (r < 0) return ctx.err("error parsing regexp: invalid pattern `" + b.s + "`", n);
    return bool_(r == 1);
  }
  return ctx.err("unknown operator " + op, n);
}

/** Evaluates `n`; on error records it (with position) and returns nil. */
export function evalNode(n: Node, ctx: Ctx): Value {
  if (failed()) return NIL;
  switch (n.kind) {
    case N_LIT:
      return n.v as Value;
    case N_IDENT: {
      if (ctx.env.has(n.s)) return ctx.env.get(n.s);
      return ctx.err("unknown name " + n.s, n);
    }
    case N_MEMBER: {
      const from = evalNode(n.A(), ctx);
      if (failed()) return NIL;
      if (n.optional && from.kind == K_NIL) return NIL;
      const key = evalNode(n.B(), ctx);
      if (failed()) return NIL;
      return fetch(from, key, n, ctx, n.optional);
    }
    case N_SLICE:
      return slice(n, ctx);
    case N_UNARY: {
      const v = evalNode(n.A(), ctx);
      if (failed()) return NIL;
      if (n.s == "!") {
        if (v.kind != K_BOOL) return ctx.err("invalid operation: ! (mismatched type " + goType(v) + ")", n);
        return bool_(!v.b);
      }
      if (!v.isNum()) return ctx.err("invalid operation: " + n.s + " (mismatched type " + goType(v) + ")", n);
      if (n.s == "-") return v.kind == K_INT ? intV(-v.i) : floatV(-v.f);
      return v;
    }
    case N_NOT: {
      const v = evalNode(n.A(), ctx);
      if (failed()) return NIL;
      return bool_(!v.b);
    }
    case N_BINARY:
      return binary(n, ctx);
    case N_TERNARY: {
      const c = evalNode(n.A(), ctx);
      if (failed()) return NIL;
      if (c.kind != K_BOOL) {
        // a ?: b (elvis) keeps non-bool values
        if (n.b === n.a) return c.kind == K_NIL ? evalNode(n.C(), ctx) : c;
        return ctx.err("non-bool expression (type " + goType(c) + ") used as condition", n);
      }
      return c.b ? evalNode(n.B(), ctx) : evalNode(n.C(), ctx);
    }
    case N_ARRAY: {
      const items = n.args();
      const out = new Array<Value>(items.length);
      for (let i = 0; i < items.length; i++) {
        out[i] = evalNode(items[i], ctx);
        if (failed()) return NIL;
      }
      return arrV(out);
    }
    case N_MAP: {
      const keys = n.keys as Array<Node>;
      const vals = n.args();
      const m = new Map<string, Value>();
      for (let i = 0; i < keys.length; i++) {
        const k = evalNode(keys[i], ctx);
        if (failed()) return NIL;
        const v = evalNode(vals[i], ctx);
        if (failed()) return NIL;
        m.set(k.kind == K_STR ? k.s : k.kind == K_INT ? k.i.toString() : "", v);
      }
      return mapV(m);
    }
    case N_POINTER: {
      if (ctx.pointers.length == 0) return ctx.err("cannot use pointer accessor outside predicate", n);
      if (n.s == "index") return intV(ctx.indexes[ctx.indexes.length - 1]);
      if (n.s != "") return ctx.err("unknown pointer #" + n.s, n);
      return ctx.pointers[ctx.pointers.length - 1];
    }
    case N_CLOSURE:
      return evalNode(n.A(), ctx);
    case N_CALL:
      return callFunction(n, ctx);
  }
  return ctx.err("cannot evaluate node", n);
}

/** Runs a closure body with `#` bound to `item`. */
export function runClosure(body: Node, item: Value, index: i32, ctx: Ctx): Value {
  ctx.pointers.push(item);
  ctx.indexes.push(index);
  const v = evalNode(body, ctx);
  ctx.pointers.pop();
  ctx.indexes.pop();
  return v;
}

export { K_FLOAT, K_MAP, K_NIL };
