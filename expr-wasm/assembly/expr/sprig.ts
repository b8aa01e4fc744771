// The commonly used sprig functions (Masterminds/sprig v3 GenericFuncMap), reachable as
// sprig.NAME(...) exactly as Argo exposes them. Sprig rarely errors: like the Go originals,
// bad numbers become 0 and bad base64 becomes the error text.

import { b64decode, b64encode } from "../base64";
import { failed } from "../err";
import { escapeJSON, marshal, marshalIndent, unmarshal } from "../json";
import { regexMatch } from "../regex";
import {
  arrV,
  bool_,
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
  mapV,
  NIL,
  parseFloatStrict,
  parseIntGo,
  sortedKeys,
  strV,
  Value,
} from "../value";
import { clearError } from "../err";
import { Node } from "./ast";
import { evalArgs, splitGo, trimSet, trimSpace } from "./builtins";
import { Ctx, equal } from "./eval";
import { formatGoDate } from "./godate";

/** sprig's strval: strings as-is, everything else via %v. */
export function strval(v: Value): string {
  return v.kind == K_STR ? v.s : goFormat(v);
}

/** cast.ToInt64 as sprig uses it: never fails, 0 on bad input. */
export function toInt64(v: Value): i64 {
  switch (v.kind) {
    case K_INT:
      return v.i;
    case K_FLOAT:
      return <i64> v.f;
    case K_BOOL:
      return v.b ? 1 : 0;
    case K_STR: {
      let s = v.s;
      const dot = s.indexOf(".");
      if (dot >= 0) {
        let zeros = true;
        for (let i = dot + 1; i < s.length; i++) if (s.charCodeAt(i) != 48) zeros = false;
        if (zeros && dot > 0) s = s.substring(0, dot);
      }
      const r = parseIntGo(s, true);
      return r.ok ? r.v : 0;
    }
  }
  return 0;
}

/** cast.ToFloat64: never fails, 0 on bad input. */
export function toFloat64(v: Value): f64 {
  switch (v.kind) {
    case K_INT:
      return <f64> v.i;
    case K_FLOAT:
      return v.f;
    case K_BOOL:
      return v.b ? 1 : 0;
    case K_STR: {
      const f = parseFloatStrict(v.s);
      return isNaN(f) ? 0 : f;
    }
  }
  return 0;
}

/** sprig's empty(). */
export function isEmpty(v: Value): bool {
  switch (v.kind) {
    case K_NIL:
      return true;
    case K_BOOL:
      return !v.b;
    case K_INT:
      return v.i == 0;
    case K_FLOAT:
      return v.f == 0;
    case K_STR:
      return v.s.length == 0;
    case K_ARR:
      return v.items().length == 0;
    case K_MAP:
      return v.entries().size == 0;
  }
  return false;
}

function goQuote(s: string): string {
  return '"' + escapeJSON(s, false) + '"';
}

function str(args: Array<Value>, i: i32, n: Node, ctx: Ctx): string | null {
  if (i >= args.length) {
    ctx.err("not enough arguments to call sprig." + n.s.substring(6), n);
    return null;
  }
  const v = args[i];
  if (v.kind != K_STR) {
    ctx.err(
      "invalid argument " + i.toString() + " for sprig." + n.s.substring(6) + ": expected string, got " +
        goType(v),
      n,
    );
    return null;
  }
  return v.s;
}

function need(args: Array<Value>, count: i32, n: Node, ctx: Ctx): bool {
  if (args.length < count) {
    ctx.err("not enough arguments to call sprig." + n.s.substring(6), n);
    return false;
  }
  return true;
}

function listOf(v: Value): Array<Value> {
  if (v.kind == K_ARR) return v.items();
  const out = new Array<Value>();
  if (v.kind != K_NIL) out.push(v);
  return out;
}

/** Calls sprig function `name`. */
export function callSprig(name: string, n: Node, ctx: Ctx): Value {
  const a = evalArgs(n, ctx);
  if (a === null) return NIL;
  const args = a as Array<Value>;
  const argc = args.length;
  // string -> string
  if (
    name == "upper" || name == "lower" || name == "trim" || name == "nospace" || name == "b64enc" ||
    name == "b64dec" || name == "title"
  ) {
    const s = str(args, 0, n, ctx);
    if (s === null) return NIL;
    if (name == "upper") return strV(s.toUpperCase());
    if (name == "lower") return strV(s.toLowerCase());
    if (name == "trim") return strV(trimSpace(s));
    if (name == "nospace") {
      let out = "";
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (!(c == 32 || (c >= 9 && c <= 13))) out += String.fromCharCode(c);
      }
      return strV(out);
    }
    if (name == "title") {
      let out = "";
      let prevLetter = false;
      for (let i = 0; i < s.length; i++) {
        const ch = s.charAt(i);
        const c = s.charCodeAt(i);
        const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 ||
          c == 39;
        out += letter && !prevLetter ? ch.toUpperCase() : ch;
        prevLetter = letter;
      }
      return strV(out);
    }
    if (name == "b64enc") return strV(b64encode(s));
    const d = b64decode(s);
    return strV(d === null ? "illegal base64 data at input byte 0" : (d as string));
  }
  if (
    name == "trimAll" || name == "trimPrefix" || name == "trimSuffix" || name == "contains" ||
    name == "hasPrefix" || name == "hasSuffix" || name == "splitList" || name == "split" ||
    name == "regexMatch"
  ) {
    const x = str(args, 0, n, ctx);
    if (x === null) return NIL;
    const s = str(args, 1, n, ctx);
    if (s === null) return NIL;
    if (name == "trimAll") return strV(trimSet(s, x));
    if (name == "trimPrefix") return strV(s.startsWith(x) ? s.substring(x.length) : s);
    if (name == "trimSuffix") return strV(s.endsWith(x) ? s.substring(0, s.length - x.length) : s);
    if (name == "contains") return bool_(s.includes(x));
    if (name == "hasPrefix") return bool_(s.startsWith(x));
    if (name == "hasSuffix") return bool_(s.endsWith(x));
    if (name == "regexMatch") {
      const r = regexMatch(x, s);
      return bool_(r == 1);
    }
    const parts = splitGo(s, x, -1);
    if (name == "splitList") return arrV(parts);
    const m = new Map<string, Value>();
    for (let i = 0; i < parts.length; i++) m.set("_" + i.toString(), parts[i]);
    return mapV(m);
  }
  if (name == "replace") {
    const o = str(args, 0, n, ctx);
    if (o === null) return NIL;
    const nw = str(args, 1, n, ctx);
    if (nw === null) return NIL;
    const s = str(args, 2, n, ctx);
    if (s === null) return NIL;
    return strV(s.replaceAll(o, nw));
  }
  if (name == "repeat" || name == "trunc") {
    if (!need(args, 2, n, ctx)) return NIL;
    const c = <i32> toInt64(args[0]);
    const s = str(args, 1, n, ctx);
    if (s === null) return NIL;
    if (name == "repeat") return strV(c > 0 ? s.repeat(c) : "");
    if (c < 0 && s.length + c > 0) return strV(s.substring(s.length + c));
    if (c >= 0 && s.length > c) return strV(s.substring(0, c));
    return strV(s);
  }
  if (name == "substr") {
    if (!need(args, 3, n, ctx)) return NIL;
    const st = <i32> toInt64(args[0]);
    const en = <i32> toInt64(args[1]);
    const s = str(args, 2, n, ctx);
    if (s === null) return NIL;
    if (st < 0) return strV(s.substring(0, en));
    if (en < 0 || en > s.length) return strV(s.substring(st));
    return strV(s.substring(st, en));
  }
  if (name == "quote" || name == "squote" || name == "cat") {
    let out = "";
    let first = true;
    for (let i = 0; i < argc; i++) {
      if (args[i].kind == K_NIL) continue;
      if (!first) out += " ";
      first = false;
      const s = strval(args[i]);
      out += name == "quote" ? goQuote(s) : name == "squote" ? "'" + s + "'" : s;
    }
    return strV(out);
  }
  if (name == "toString") return need(args, 1, n, ctx) ? strV(strval(args[0])) : NIL;
  if (name == "int" || name == "int64") return need(args, 1, n, ctx) ? intV(toInt64(args[0])) : NIL;
  if (name == "float64") return need(args, 1, n, ctx) ? floatV(toFloat64(args[0])) : NIL;
  if (name == "atoi") {
    if (!need(args, 1, n, ctx)) return NIL;
    const r = parseIntGo(strval(args[0]), false);
    return intV(r.ok ? r.v : 0);
  }
  if (name == "add" || name == "mul" || name == "max" || name == "min") {
    if (argc == 0) return intV(name == "mul" ? 1 : 0);
    let acc = toInt64(args[0]);
    for (let i = 1; i < argc; i++) {
      const v = toInt64(args[i]);
      if (name == "add") acc += v;
      else if (name == "mul") acc *= v;
      else if (name == "max") acc = v > acc ? v : acc;
      else acc = v < acc ? v : acc;
    }
    return intV(acc);
  }
  if (name == "add1") return need(args, 1, n, ctx) ? intV(toInt64(args[0]) + 1) : NIL;
  if (name == "sub" || name == "div" || name == "mod") {
    if (!need(args, 2, n, ctx)) return NIL;
    const x = toInt64(args[0]);
    const y = toInt64(args[1]);
    if (name == "sub") return intV(x - y);
    if (y == 0) return ctx.err("runtime error: integer divide by zero", n);
    return intV(name == "div" ? x / y : x % y);
  }
  if (name == "addf" || name == "subf" || name == "mulf" || name == "divf") {
    if (!need(args, 1, n, ctx)) return NIL;
    let acc = toFloat64(args[0]);
    for (let i = 1; i < argc; i++) {
      const v = toFloat64(args[i]);
      if (name == "addf") acc += v;
      else if (name == "subf") acc -= v;
      else if (name == "mulf") acc *= v;
      else acc /= v;
    }
    return floatV(acc);
  }
  if (name == "floor" || name == "ceil" || name == "round") {
    if (!need(args, 1, n, ctx)) return NIL;
    const f = toFloat64(args[0]);
    if (name == "floor") return floatV(Math.floor(f));
    if (name == "ceil") return floatV(Math.ceil(f));
    return floatV(f < 0 ? -Math.floor(-f + 0.5) : Math.floor(f + 0.5));
  }
  if (name == "default") {
    if (!need(args, 1, n, ctx)) return NIL;
    if (argc < 2 || isEmpty(args[1])) return args[0];
    return args[1];
  }
  if (name == "empty") return need(args, 1, n, ctx) ? bool_(isEmpty(args[0])) : NIL;
  if (name == "coalesce") {
    for (let i = 0; i < argc; i++) if (!isEmpty(args[i])) return args[i];
    return NIL;
  }
  if (name == "ternary") {
    if (!need(args, 3, n, ctx)) return NIL;
    if (args[2].kind != K_BOOL) {
      return ctx.err("invalid argument 2 for sprig.ternary: expected bool, got " + goType(args[2]), n);
    }
    return args[2].b ? args[0] : args[1];
  }
  if (name == "list") return arrV(args.slice(0));
  if (name == "dict") {
    const m = new Map<string, Value>();
    for (let i = 0; i < argc; i += 2) m.set(strval(args[i]), i + 1 < argc ? args[i + 1] : strV(""));
    return mapV(m);
  }
  if (name == "join") {
    if (!need(args, 2, n, ctx)) return NIL;
    const sep = str(args, 0, n, ctx);
    if (sep === null) return NIL;
    const items = listOf(args[1]);
    let out = "";
    let first = true;
    for (let i = 0; i < items.length; i++) {
      if (items[i].kind == K_NIL) continue;
      if (!first) out += sep;
      first = false;
      out += strval(items[i]);
    }
    return strV(out);
  }
  if (name == "first" || name == "last") {
    if (!need(args, 1, n, ctx)) return NIL;
    const items = listOf(args[0]);
    if (items.length == 0) return NIL;
    return name == "first" ? items[0] : items[items.length - 1];
  }
  if (name == "has") {
    if (!need(args, 2, n, ctx)) return NIL;
    const items = listOf(args[1]);
    for (let i = 0; i < items.length; i++) if (equal(items[i], args[0])) return bool_(true);
    return bool_(false);
  }
  if (name == "hasKey" || name == "get") {
    if (!need(args, 2, n, ctx)) return NIL;
    if (args[0].kind != K_MAP) {
      return ctx.err("invalid argument 0 for sprig." + name + ": expected map, got " + goType(args[0]), n);
    }
    const m = args[0].entries();
    const k = strval(args[1]);
    if (name == "hasKey") return bool_(m.has(k));
    return m.has(k) ? m.get(k) : strV("");
  }
  if (name == "keys") {
    const out = new Array<Value>();
    for (let i = 0; i < argc; i++) {
      if (args[i].kind != K_MAP) continue;
      const ks = sortedKeys(args[i].entries());
      for (let j = 0; j < ks.length; j++) out.push(strV(ks[j]));
    }
    return arrV(out);
  }
  if (name == "toJson" || name == "toPrettyJson" || name == "toRawJson") {
    if (!need(args, 1, n, ctx)) return NIL;
    const s = name == "toPrettyJson"
      ? marshalIndent(args[0], true, "  ", "")
      : marshal(args[0], name != "toRawJson");
    if (failed()) {
      clearError();
      return strV("");
    }
    return strV(s);
  }
  if (name == "fromJson") {
    const s = str(args, 0, n, ctx);
    if (s === null) return NIL;
    const v = unmarshal(s);
    if (failed()) {
      clearError();
      return NIL;
    }
    return v;
  }
  if (name == "date" || name == "dateInZone") {
    if (!need(args, 2, n, ctx)) return NIL;
    const layout = str(args, 0, n, ctx);
    if (layout === null) return NIL;
    const t = args[1];
    if (t.kind != K_INT && t.kind != K_FLOAT) {
      return ctx.err(
        "sprig." + name +
          " needs a time as unix seconds (int); skiff's expression core never reads the clock",
        n,
      );
    }
    return strV(formatGoDate(layout, t.kind == K_INT ? t.i : <i64> t.f));
  }
  return ctx.err("unknown sprig function sprig." + name, n);
}
