// Functions callable from expr-lang: expr-lang's builtins, the names Argo adds to the env
// (asInt, asFloat, toJson, jsonpath; util/expr/env) and sprig.* (see sprig.ts).

import { b64decode, b64encode } from "../base64";
import { failed } from "../err";
import { hostJsonpath, hostTakeResult } from "../host";
import { marshal, marshalIndent, unmarshal } from "../json";
import {
  arrV,
  bool_,
  FALSE,
  floatV,
  goFormat,
  goType,
  intV,
  K_ARR,
  K_BOOL,
  K_FLOAT,
  K_INT,
  K_MAP,
  K_NIL,
  K_STR,
  NIL,
  parseFloatStrict,
  parseIntGo,
  sortedKeys,
  strV,
  TRUE,
  Value,
} from "../value";
import { N_CLOSURE, Node } from "./ast";
import { Ctx, equal, evalNode, runClosure, runeLen } from "./eval";
import { callSprig } from "./sprig";

/** Evaluates every argument of a call; null when one failed. */
export function evalArgs(n: Node, ctx: Ctx): Array<Value> | null {
  const args = n.args();
  const out = new Array<Value>(args.length);
  for (let i = 0; i < args.length; i++) {
    out[i] = evalNode(args[i], ctx);
    if (failed()) return null;
  }
  return out;
}

function arity(n: Node, ctx: Ctx, min: i32, max: i32): bool {
  const got = n.args().length;
  if (got < min) {
    ctx.err("not enough arguments to call " + n.s, n);
    return false;
  }
  if (got > max) {
    ctx.err("too many arguments to call " + n.s, n);
    return false;
  }
  return true;
}

/** expr-lang int(): truncates floats, parses strings with strconv.Atoi. */
export function toInt(v: Value, n: Node, ctx: Ctx): Value {
  switch (v.kind) {
    case K_INT:
      return v;
    case K_FLOAT:
      return intV(<i64> v.f);
    case K_BOOL:
      return intV(v.b ? 1 : 0);
    case K_STR: {
      const r = parseIntGo(v.s, false);
      if (!r.ok) return ctx.err('strconv.Atoi: parsing "' + v.s + '": invalid syntax', n);
      return intV(r.v);
    }
  }
  return ctx.err("invalid operation: int(" + goType(v) + ")", n);
}

/** expr-lang float(): widens ints, parses strings with strconv.ParseFloat. */
export function toFloat(v: Value, n: Node, ctx: Ctx): Value {
  switch (v.kind) {
    case K_INT:
      return floatV(<f64> v.i);
    case K_FLOAT:
      return v;
    case K_STR: {
      const f = parseFloatStrict(v.s);
      if (isNaN(f) && v.s.toLowerCase().indexOf("nan") < 0) {
        return ctx.err('strconv.ParseFloat: parsing "' + v.s + '": invalid syntax', n);
      }
      return floatV(f);
    }
  }
  return ctx.err("invalid operation: float(" + goType(v) + ")", n);
}

function needArray(v: Value, n: Node, ctx: Ctx): bool {
  if (v.kind == K_ARR) return true;
  ctx.err("invalid argument for " + n.s + " (type " + goType(v) + ")", n);
  return false;
}

function needString(v: Value, n: Node, ctx: Ctx): bool {
  if (v.kind == K_STR) return true;
  ctx.err("invalid argument for " + n.s + " (type " + goType(v) + ")", n);
  return false;
}

function predicate(n: Node, ctx: Ctx): Value {
  const name = n.s;
  const args = n.args();
  if (args.length < 2 && name != "sum") {
    return ctx.err("not enough arguments to call " + name, n);
  }
  const base = evalNode(args[0], ctx);
  if (failed()) return NIL;
  if (base.kind != K_ARR) {
    if (base.kind == K_NIL) return ctx.err("cannot iterate over <nil>", n);
    return ctx.err("cannot iterate over " + goType(base), n);
  }
  const items = base.items();
  if (name == "sum" && args.length == 1) return sumValues(items, n, ctx);
  const body = args[1].kind == N_CLOSURE ? args[1].A() : args[1];
  const out = new Array<Value>();
  let count = 0;
  let acc: Value = intV(0);
  for (let i = 0; i < items.length; i++) {
    const r = runClosure(body, items[i], i, ctx);
    if (failed()) return NIL;
    if (name == "map") {
      out.push(r);
      continue;
    }
    if (name == "sum") {
      acc = addNum(acc, r, n, ctx);
      if (failed()) return NIL;
      continue;
    }
    if (name == "groupBy" || name == "sortBy") return ctx.err(name + " is not supported", n);
    if (r.kind != K_BOOL) return ctx.err("predicate should return boolean (got " + goType(r) + ")", n);
    if (name == "all" && !r.b) return FALSE;
    if (name == "any" && r.b) return TRUE;
    if (name == "none" && r.b) return FALSE;
    if (r.b) {
      count++;
      if (name == "filter") out.push(items[i]);
      if (name == "find") return items[i];
      if (name == "findIndex") return intV(i);
    }
  }
  if (name == "findLast" || name == "findLastIndex") {
    for (let i = items.length - 1; i >= 0; i--) {
      const r = runClosure(body, items[i], i, ctx);
      if (failed()) return NIL;
      if (r.kind == K_BOOL && r.b) return name == "findLast" ? items[i] : intV(i);
    }
    return name == "findLast" ? NIL : intV(-1);
  }
  if (name == "all" || name == "none") return TRUE;
  if (name == "any") return FALSE;
  if (name == "one") return bool_(count == 1);
  if (name == "count") return intV(count);
  if (name == "find") return NIL;
  if (name == "findIndex") return intV(-1);
  if (name == "sum") return acc;
  return arrV(out);
}

function addNum(a: Value, b: Value, n: Node, ctx: Ctx): Value {
  if (!b.isNum()) {
    return ctx.err("invalid operation: + (mismatched types " + goType(a) + " and " + goType(b) + ")", n);
  }
  if (a.kind == K_INT && b.kind == K_INT) return intV(a.i + b.i);
  return floatV(a.num() + b.num());
}

function sumValues(items: Array<Value>, n: Node, ctx: Ctx): Value {
  let acc: Value = intV(0);
  for (let i = 0; i < items.length; i++) {
    acc = addNum(acc, items[i], n, ctx);
    if (failed()) return NIL;
  }
  return acc;
}

function minMax(args: Array<Value>, isMax: bool, n: Node, ctx: Ctx): Value {
  let list = args;
  if (args.length == 1 && args[0].kind == K_ARR) list = args[0].items();
  if (list.length == 0) return ctx.err("not enough arguments to call " + n.s, n);
  let best = list[0];
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!v.isNum()) return ctx.err("invalid argument for " + n.s + " (type " + goType(v) + ")", n);
    if (isMax ? v.num() > best.num() : v.num() < best.num()) best = v;
  }
  return best;
}

function isSpaceChar(c: i32): bool {
  return c == 32 || (c >= 9 && c <= 13) || c == 0x85 || c == 0xa0 || c == 0x2028 || c == 0x2029 ||
    c == 0x3000 || c == 0xfeff;
}

/** Go strings.TrimSpace. */
export function trimSpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isSpaceChar(s.charCodeAt(a))) a++;
  while (b > a && isSpaceChar(s.charCodeAt(b - 1))) b--;
  return s.substring(a, b);
}

/** Go strings.Trim(s, cutset). */
export function trimSet(s: string, set: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && set.indexOf(s.charAt(a)) >= 0) a++;
  while (b > a && set.indexOf(s.charAt(b - 1)) >= 0) b--;
  return s.substring(a, b);
}

/** Go strings.Split(s, sep) (n < 0: all). */
export function splitGo(s: string, sep: string, n: i32): Array<Value> {
  const out = new Array<Value>();
  if (n == 0) return out;
  if (sep.length == 0) {
    for (let i = 0; i < s.length; i++) {
      if (n > 0 && out.length == n - 1) {
        out.push(strV(s.substring(i)));
        return out;
      }
      out.push(strV(s.charAt(i)));
    }
    return out;
  }
  let start = 0;
  while (true) {
    if (n > 0 && out.length == n - 1) break;
    const i = s.indexOf(sep, start);
    if (i < 0) break;
    out.push(strV(s.substring(start, i)));
    start = i + sep.length;
  }
  out.push(strV(s.substring(start)));
  return out;
}

/** jsonpath(json, path) through the host's jsonpath-plus. */
export function jsonpath(doc: string, path: string, n: Node, ctx: Ctx): Value {
  const d = String.UTF8.encode(doc);
  const p = String.UTF8.encode(path);
  const len = hostJsonpath(changetype<usize>(d), d.byteLength, changetype<usize>(p), p.byteLength);
  const abs = len < 0 ? -len : len;
  const buf = new ArrayBuffer(abs);
  hostTakeResult(changetype<usize>(buf));
  const text = String.UTF8.decodeUnsafe(changetype<usize>(buf), abs);
  if (len < 0) return ctx.err(text, n);
  const v = unmarshal(text);
  return v;
}

/** Dispatches a call node by name. */
export function callFunction(n: Node, ctx: Ctx): Value {
  const name = n.s;
  if (name.startsWith("sprig.")) return callSprig(name.substring(6), n, ctx);
  switch (name.length) {
    default:
      break;
  }
  if (
    name == "all" || name == "any" || name == "none" || name == "one" || name == "filter" || name == "map" ||
    name == "count" || name == "find" || name == "findIndex" || name == "findLast" ||
    name == "findLastIndex" ||
    name == "sum" || name == "groupBy" || name == "sortBy"
  ) {
    return predicate(n, ctx);
  }
  if (name == "now" || name == "date" || name == "duration") {
    return ctx.err(name + "() is not available: skiff's expression core is deterministic (no clock)", n);
  }
  const a = evalArgs(n, ctx);
  if (a === null) return NIL;
  const args = a as Array<Value>;
  const argc = args.length;
  if (name == "len") {
    if (!arity(n, ctx, 1, 1)) return NIL;
    const v = args[0];
    if (v.kind == K_STR) return intV(runeLen(v.s));
    if (v.kind == K_ARR) return intV(v.items().length);
    if (v.kind == K_MAP) return intV(v.entries().size);
    return ctx.err("invalid argument for len (type " + goType(v) + ")", n);
  }
  if (name == "int" || name == "asInt") {
    if (!arity(n, ctx, 1, 1)) return NIL;
    return toInt(args[0], n, ctx);
  }
  if (name == "float" || name == "asFloat") {
    if (!arity(n, ctx, 1, 1)) return NIL;
    return toFloat(args[0], n, ctx);
  }
  if (name == "string") {
    if (!arity(n, ctx, 1, 1)) return NIL;
    return strV(goFormat(args[0]));
  }
  if (name == "toJson") {
    if (!arity(n, ctx, 1, 1)) return NIL;
    const s = marshal(args[0], true);
    return failed() ? NIL : strV(s);
  }
  if (name == "toJSON") {
    if (!arity(n, ctx, 1, 1)) return NIL;
    const s = marshalIndent(args[0], true, "  ", "");
    return failed() ? NIL : strV(s);
  }
  if (name == "fromJSON") {
    if (!arity(n, ctx, 1, 1) || !needString(args[0], n, ctx)) return NIL;
    const v = unmarshal(args[0].s);
    if (failed()) return NIL;
    return v;
  }
  if (name == "jsonpath") {
    if (!arity(n, ctx, 2, 2) || !needString(args[0], n, ctx) || !needString(args[1], n, ctx)) return NIL;
    return jsonpath(args[0].s, args[1].s, n, ctx);
  }
  if (name == "toBase64") {
    if (!arity(n, ctx, 1, 1) || !needString(args[0], n, ctx)) return NIL;
    return strV(b64encode(args[0].s));
  }
  if (name == "fromBase64") {
    if (!arity(n, ctx, 1, 1) || !needString(args[0], n, ctx)) return NIL;
    const d = b64decode(args[0].s);
    if (d === null) return ctx.err("illegal base64 data", n);
    return strV(d as string);
  }
  if (
    name == "upper" || name == "lower" || name == "trimPrefix" || name == "trimSuffix" || name == "trim" ||
    name == "split" || name == "splitN" || name == "replace" || name == "repeat" || name == "indexOf" ||
    name == "lastIndexOf" || name == "hasPrefix" || name == "hasSuffix"
  ) {
    if (argc < 1) return ctx.err("not enough arguments to call " + name, n);
    if (!needString(args[0], n, ctx)) return NIL;
    const s = args[0].s;
    if (name == "upper") return arity(n, ctx, 1, 1) ? strV(s.toUpperCase()) : NIL;
    if (name == "lower") return arity(n, ctx, 1, 1) ? strV(s.toLowerCase()) : NIL;
    if (name == "trim") {
      if (!arity(n, ctx, 1, 2)) return NIL;
      if (argc == 1) return strV(trimSpace(s));
      if (!needString(args[1], n, ctx)) return NIL;
      return strV(trimSet(s, args[1].s));
    }
    if (!arity(n, ctx, 2, 3)) return NIL;
    const t = args[1];
    if (name == "repeat") {
      if (t.kind != K_INT || t.i < 0) return ctx.err("invalid argument for repeat", n);
      return strV(s.repeat(<i32> t.i));
    }
    if (!needString(t, n, ctx)) return NIL;
    if (name == "trimPrefix") return strV(s.startsWith(t.s) ? s.substring(t.s.length) : s);
    if (name == "trimSuffix") return strV(s.endsWith(t.s) ? s.substring(0, s.length - t.s.length) : s);
    if (name == "hasPrefix") return bool_(s.startsWith(t.s));
    if (name == "hasSuffix") return bool_(s.endsWith(t.s));
    if (name == "indexOf") return intV(s.indexOf(t.s));
    if (name == "lastIndexOf") return intV(s.lastIndexOf(t.s));
    if (name == "split" || name == "splitN") {
      let lim = -1;
      if (argc == 3) {
        if (args[2].kind != K_INT) return ctx.err("invalid argument for " + name, n);
        lim = <i32> args[2].i;
      }
      return arrV(splitGo(s, t.s, lim));
    }
    // replace
    if (argc != 3 || !needString(args[2], n, ctx)) {
      return argc != 3 ? ctx.err("not enough arguments to call replace", n) : NIL;
    }
    return strV(s.replaceAll(t.s, args[2].s));
  }
  if (name == "join") {
    if (!arity(n, ctx, 1, 2) || !needArray(args[0], n, ctx)) return NIL;
    let sep = "";
    if (argc == 2) {
      if (!needString(args[1], n, ctx)) return NIL;
      sep = args[1].s;
    }
    const items = args[0].items();
    let out = "";
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out += sep;
      if (items[i].kind != K_STR) {
        return ctx.err("invalid argument for join (element type " + goType(items[i]) + ")", n);
      }
      out += items[i].s;
    }
    return strV(out);
  }
  if (name == "abs") {
    if (!arity(n, ctx, 1, 1)) return NIL;
    const v = args[0];
    if (v.kind == K_INT) return intV(v.i < 0 ? -v.i : v.i);
    if (v.kind == K_FLOAT) return floatV(Math.abs(v.f));
    return ctx.err("invalid argument for abs (type " + goType(v) + ")", n);
  }
  if (name == "ceil" || name == "floor" || name == "round") {
    if (!arity(n, ctx, 1, 1)) return NIL;
    const v = args[0];
    if (!v.isNum()) return ctx.err("invalid argument for " + name + " (type " + goType(v) + ")", n);
    const f = v.num();
    if (name == "ceil") return floatV(Math.ceil(f));
    if (name == "floor") return floatV(Math.floor(f));
    return floatV(f < 0 ? -Math.floor(-f + 0.5) : Math.floor(f + 0.5));
  }
  if (name == "max" || name == "min") return minMax(args, name == "max", n, ctx);
  if (name == "mean") {
    if (!arity(n, ctx, 1, 1) || !needArray(args[0], n, ctx)) return NIL;
    const items = args[0].items();
    if (items.length == 0) return floatV(0);
    const s = sumValues(items, n, ctx);
    if (failed()) return NIL;
    return floatV(s.num() / <f64> items.length);
  }
  if (name == "first" || name == "last") {
    if (!arity(n, ctx, 1, 1) || !needArray(args[0], n, ctx)) return NIL;
    const items = args[0].items();
    if (items.length == 0) return NIL;
    return name == "first" ? items[0] : items[items.length - 1];
  }
  if (name == "get") {
    if (!arity(n, ctx, 2, 2)) return NIL;
    const from = args[0];
    const k = args[1];
    if (from.kind == K_MAP && k.kind == K_STR) return from.entries().has(k.s) ? from.entries().get(k.s) : NIL;
    if (from.kind == K_ARR && k.kind == K_INT) {
      const items = from.items();
      let i = <i32> k.i;
      if (i < 0) i += items.length;
      return i >= 0 && i < items.length ? items[i] : NIL;
    }
    return NIL;
  }
  if (name == "keys" || name == "values") {
    if (!arity(n, ctx, 1, 1)) return NIL;
    if (args[0].kind != K_MAP) {
      return ctx.err("invalid argument for " + name + " (type " + goType(args[0]) + ")", n);
    }
    const m = args[0].entries();
    const ks = sortedKeys(m);
    const out = new Array<Value>();
    for (let i = 0; i < ks.length; i++) out.push(name == "keys" ? strV(ks[i]) : m.get(ks[i]));
    return arrV(out);
  }
  if (name == "type") {
    if (!arity(n, ctx, 1, 1)) return NIL;
    const k = args[0].kind;
    return strV(
      k == K_NIL
        ? "nil"
        : k == K_BOOL
        ? "bool"
        : k == K_INT
        ? "int"
        : k == K_FLOAT
        ? "float"
        : k == K_STR
        ? "string"
        : k == K_ARR
        ? "array"
        : "map",
    );
  }
  if (name == "reverse" || name == "uniq" || name == "flatten" || name == "sort") {
    if (argc < 1 || !needArray(args[0], n, ctx)) {
      return argc < 1 ? ctx.err("not enough arguments to call " + name, n) : NIL;
    }
    const items = args[0].items();
    const out = new Array<Value>();
    if (name == "reverse") {
      for (let i = items.length - 1; i >= 0; i--) out.push(items[i]);
    } else if (name == "uniq") {
      for (let i = 0; i < items.length; i++) {
        let seen = false;
        for (let j = 0; j < out.length; j++) if (equal(out[j], items[i])) seen = true;
        if (!seen) out.push(items[i]);
      }
    } else if (name == "flatten") {
      flattenInto(items, out);
    } else {
      for (let i = 0; i < items.length; i++) out.push(items[i]);
      const desc = argc > 1 && args[1].kind == K_STR && args[1].s == "desc";
      // insertion sort: stable, no closures needed
      for (let i = 1; i < out.length; i++) {
        const x = out[i];
        let j = i - 1;
        while (j >= 0 && lessForSort(x, out[j], desc)) {
          out[j + 1] = out[j];
          j--;
        }
        out[j + 1] = x;
      }
    }
    return arrV(out);
  }
  if (name == "concat") {
    const out = new Array<Value>();
    for (let i = 0; i < argc; i++) {
      if (!needArray(args[i], n, ctx)) return NIL;
      const items = args[i].items();
      for (let j = 0; j < items.length; j++) out.push(items[j]);
    }
    return arrV(out);
  }
  return ctx.err("unknown name " + name, n);
}

function lessForSort(a: Value, b: Value, desc: bool): bool {
  let lt = false;
  let gt = false;
  if (a.isNum() && b.isNum()) {
    lt = a.num() < b.num();
    gt = a.num() > b.num();
  } else if (a.kind == K_STR && b.kind == K_STR) {
    lt = a.s < b.s;
    gt = a.s > b.s;
  }
  return desc ? gt : lt;
}

function flattenInto(items: Array<Value>, out: Array<Value>): void {
  for (let i = 0; i < items.length; i++) {
    if (items[i].kind == K_ARR) flattenInto(items[i].items(), out);
    else out.push(items[i]);
  }
}

/** Names that resolve without the scope (functions the env provides); used for Argo's missing-variable check. */
export function isEnvFunction(name: string): bool {
  return name == "asInt" || name == "asFloat" || name == "toJson" || name == "jsonpath" || name == "sprig";
}
