// Dynamic values shared by the expr-lang and govaluate evaluators: nil, bool, int (int64),
// float (float64), string, array, map — the shapes Go's interface{} takes in Argo's evaluators.

import { hostFmtFloat, hostParseFloat } from "./host";

export const K_NIL: i32 = 0;
export const K_BOOL: i32 = 1;
export const K_INT: i32 = 2;
export const K_FLOAT: i32 = 3;
export const K_STR: i32 = 4;
export const K_ARR: i32 = 5;
export const K_MAP: i32 = 6;
/** A regexp compiled from a govaluate pattern literal (s holds the source). */
export const K_PATTERN: i32 = 7;

/** One dynamic value. Only the field matching `kind` is meaningful. */
export class Value {
  kind: i32 = K_NIL;
  b: bool = false;
  i: i64 = 0;
  f: f64 = 0;
  s: string = "";
  arr: Array<Value> | null = null;
  map: Map<string, Value> | null = null;

  isNum(): bool {
    return this.kind == K_INT || this.kind == K_FLOAT;
  }

  num(): f64 {
    return this.kind == K_INT ? <f64> this.i : this.f;
  }

  items(): Array<Value> {
    return this.arr as Array<Value>;
  }

  entries(): Map<string, Value> {
    return this.map as Map<string, Value>;
  }
}

export const NIL = new Value();
export const TRUE = boolV(true);
export const FALSE = boolV(false);

export function boolV(b: bool): Value {
  const v = new Value();
  v.kind = K_BOOL;
  v.b = b;
  return v;
}

export function bool_(b: bool): Value {
  return b ? TRUE : FALSE;
}

export function intV(i: i64): Value {
  const v = new Value();
  v.kind = K_INT;
  v.i = i;
  return v;
}

export function floatV(f: f64): Value {
  const v = new Value();
  v.kind = K_FLOAT;
  v.f = f;
  return v;
}

export function strV(s: string): Value {
  const v = new Value();
  v.kind = K_STR;
  v.s = s;
  return v;
}

export function arrV(a: Array<Value>): Value {
  const v = new Value();
  v.kind = K_ARR;
  v.arr = a;
  return v;
}

export function mapV(m: Map<string, Value>): Value {
  const v = new Value();
  v.kind = K_MAP;
  v.map = m;
  return v;
}

/** Map keys in Go's sorted order (json.Marshal and fmt print maps sorted). */
export function sortedKeys(m: Map<string, Value>): Array<string> {
  const ks = m.keys();
  ks.sort((a: string, b: string): i32 => (a < b ? -1 : a > b ? 1 : 0));
  return ks;
}

/** Go's %T for the value, as used in expr-lang error messages. */
export function goType(v: Value): string {
  switch (v.kind) {
    case K_NIL:
      return "<nil>";
    case K_BOOL:
      return "bool";
    case K_INT:
      return "int";
    case K_FLOAT:
      return "float64";
    case K_STR:
      return "string";
    case K_ARR:
      return "[]interface {}";
    case K_MAP:
      return "map[string]interface {}";
  }
  return "*regexp.Regexp";
}

const fbuf = new ArrayBuffer(64);

/** Shortest round-trip digits of x as JavaScript prints them (e.g. "0.1", "1e+21", "1e-7"). */
export function jsFloat(x: f64): string {
  const n = hostFmtFloat(x, changetype<usize>(fbuf));
  return String.UTF8.decodeUnsafe(changetype<usize>(fbuf), n);
}

/** Float as Go's encoding/json writes it (same thresholds as JavaScript: 1e21 and 1e-6). */
export function jsonFloat(x: f64): string {
  if (x == 0) return "0";
  return jsFloat(x);
}

/** Float as Go's %v (strconv 'g', shortest): exponent form when exp < -4 or exp >= 6 (eprec 6). */
export function goFloat(x: f64): string {
  if (isNaN(x)) return "NaN";
  if (!isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  if (x == 0) return 1 / x < 0 ? "-0" : "0";
  // Decompose the shortest JS digits into sign, digits, decimal exponent.
  const s = jsFloat(x);
  let neg = false;
  let i = 0;
  if (s.charCodeAt(0) == 45) {
    neg = true;
    i = 1;
  }
  let digits = "";
  let pointPos = -1;
  let exp = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 46) {
      pointPos = digits.length;
    } else if (c == 101) {
      exp = I32.parseInt(s.substring(i + 1));
      break;
    } else {
      digits += String.fromCharCode(c);
    }
  }
  if (pointPos < 0) pointPos = digits.length;
  // strip leading zeros
  let lead = 0;
  while (lead < digits.length - 1 && digits.charCodeAt(lead) == 48) {
    lead++;
    pointPos--;
  }
  digits = digits.substring(lead);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) == 48) end--;
  digits = digits.substring(0, end);
  const dp = pointPos + exp; // value = 0.digits * 10^dp
  const e = dp - 1;
  let out = "";
  if (e < -4 || e >= 6) {
    out = digits.substring(0, 1);
    if (digits.length > 1) out += "." + digits.substring(1);
    const ae = e < 0 ? -e : e;
    out += (e < 0 ? "e-" : "e+") + (ae < 10 ? "0" : "") + ae.toString();
  } else if (dp <= 0) {
    out = "0." + "0".repeat(-dp) + digits;
  } else if (dp >= digits.length) {
    out = digits + "0".repeat(dp - digits.length);
  } else {
    out = digits.substring(0, dp) + "." + digits.substring(dp);
  }
  return neg ? "-" + out : out;
}

/** Go's fmt %v of the value (used by string(), sprig toString and govaluate messages). */
export function goFormat(v: Value): string {
  switch (v.kind) {
    case K_NIL:
      return "<nil>";
    case K_BOOL:
      return v.b ? "true" : "false";
    case K_INT:
      return v.i.toString();
    case K_FLOAT:
      return goFloat(v.f);
    case K_STR:
      return v.s;
    case K_PATTERN:
      return v.s;
    case K_ARR: {
      const a = v.items();
      let out = "[";
      for (let i = 0; i < a.length; i++) {
        if (i > 0) out += " ";
        out += goFormat(a[i]);
      }
      return out + "]";
    }
  }
  const m = v.entries();
  const ks = sortedKeys(m);
  let out = "map[";
  for (let i = 0; i < ks.length; i++) {
    if (i > 0) out += " ";
    out += ks[i] + ":" + goFormat(m.get(ks[i]));
  }
  return out + "]";
}

/** reflect.DeepEqual over values (int and float differ as types). */
export function deepEqual(a: Value, b: Value): bool {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case K_NIL:
      return true;
    case K_BOOL:
      return a.b == b.b;
    case K_INT:
      return a.i == b.i;
    case K_FLOAT:
      return a.f == b.f;
    case K_STR:
    case K_PATTERN:
      return a.s == b.s;
    case K_ARR: {
      const x = a.items();
      const y = b.items();
      if (x.length != y.length) return false;
      for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
      return true;
    }
  }
  const x = a.entries();
  const y = b.entries();
  if (x.size != y.size) return false;
  const ks = x.keys();
  for (let i = 0; i < ks.length; i++) {
    if (!y.has(ks[i])) return false;
    if (!deepEqual(x.get(ks[i]), y.get(ks[i]))) return false;
  }
  return true;
}

/** Go's strconv.ParseFloat syntax check (decimal, optional exponent, inf/nan, hex not supported). */
export function parseFloatStrict(s: string): f64 {
  const n = s.length;
  if (n == 0) return NaN;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c == 43 || c == 45) i++;
  const rest = s.substring(i).toLowerCase();
  if (rest == "inf" || rest == "infinity") return s.charCodeAt(0) == 45 ? -Infinity : Infinity;
  if (rest == "nan") return NaN;
  let digits = 0;
  let clean = s.substring(0, i);
  for (; i < n; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      clean += String.fromCharCode(c);
    } else if (c == 95) {
      continue;
    } else break;
  }
  if (i < n && s.charCodeAt(i) == 46) {
    clean += ".";
    i++;
    for (; i < n; i++) {
      c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        digits++;
        clean += String.fromCharCode(c);
      } else break;
    }
  }
  if (digits == 0) return NaN;
  if (i < n && (s.charCodeAt(i) == 101 || s.charCodeAt(i) == 69)) {
    clean += "e";
    i++;
    if (i < n && (s.charCodeAt(i) == 43 || s.charCodeAt(i) == 45)) {
      clean += String.fromCharCode(s.charCodeAt(i));
      i++;
    }
    let ed = 0;
    for (; i < n; i++) {
      c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        ed++;
        clean += String.fromCharCode(c);
      } else break;
    }
    if (ed == 0) return NaN;
  }
  if (i != n) return NaN;
  const buf = String.UTF8.encode(clean);
  return hostParseFloat(changetype<usize>(buf), buf.byteLength);
}

/** Result of an integer parse: ok plus value. */
export class IntParse {
  ok: bool = false;
  v: i64 = 0;
}

/** Go's strconv.ParseInt(s, base, 64); base 0 honours 0x/0o/0b/0 prefixes and underscores. */
export function parseIntGo(s: string, base0: bool): IntParse {
  const r = new IntParse();
  let i = 0;
  const n = s.length;
  if (n == 0) return r;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 == 43 || c0 == 45) {
    neg = c0 == 45;
    i = 1;
  }
  let base: i32 = 10;
  let allowUnderscore = false;
  if (base0 && i < n && s.charCodeAt(i) == 48 && i + 1 < n) {
    const p = s.charCodeAt(i + 1) | 32;
    if (p == 120) {
      base = 16;
      i += 2;
    } else if (p == 111) {
      base = 8;
      i += 2;
    } else if (p == 98) {
      base = 2;
      i += 2;
    } else {
      base = 8;
      i += 1;
    }
    allowUnderscore = true;
  } else if (base0) {
    allowUnderscore = true;
  }
  if (i >= n) return r;
  let acc: u64 = 0;
  let any = false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c == 95 && allowUnderscore) continue;
    let d: i32 = 99;
    if (c >= 48 && c <= 57) d = c - 48;
    else if ((c | 32) >= 97 && (c | 32) <= 122) d = (c | 32) - 87;
    if (d >= base) return r;
    const next = acc * <u64> base + <u64> d;
    if (next / <u64> base != acc && acc != 0) return r;
    acc = next;
    any = true;
    if (acc > 9223372036854775808) return r;
  }
  if (!any) return r;
  if (!neg && acc > 9223372036854775807) return r;
  r.ok = true;
  r.v = neg ? -(<i64> acc) : <i64> acc;
  return r;
}
