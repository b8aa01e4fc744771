// govaluate planner and evaluator: precedence (low to high) separator , ; ternary ? : ?? ;
// || ; && ; comparators == != > >= < <= =~ !~ in ; bitwise & | ^ ; shifts ; + - ; * / % ; ** ;
// prefix - ! ~. Same-precedence chains are left-associative (govaluate's reorderStages), type
// checks and their messages follow evaluationStage.go.
//
// Allocation-light: stages and values are rows of reused typed columns (indices instead of
// objects), strings are byte ranges (token texts in the lexer arena), operators are integer
// codes. Objects are only created for error messages, regular expressions and string `+`.

import { fail, failed } from "../err";
import { regexMatch } from "../regex";
import { goFloat, K_ARR, K_BOOL, K_FLOAT, K_NIL, K_PATTERN, K_STR } from "../value";
import {
  ACCESSOR,
  BOOLEAN,
  CLAUSE,
  CLAUSE_CLOSE,
  COMPARATOR,
  LOGICALOP,
  MODIFIER,
  NUMERIC,
  OP_ADD,
  OP_AND,
  OP_BAND,
  OP_BOR,
  OP_BXOR,
  OP_COALESCE,
  OP_DIV,
  OP_EQ,
  OP_GT,
  OP_GTE,
  OP_IN,
  OP_INV,
  OP_LT,
  OP_LTE,
  OP_MOD,
  OP_MUL,
  OP_NAMES,
  OP_NEG,
  OP_NEQ,
  OP_NOT,
  OP_NREQ,
  OP_OR,
  OP_POW,
  OP_REQ,
  OP_SHL,
  OP_SHR,
  OP_SUB,
  OP_TERNARY_FALSE,
  OP_TERNARY_TRUE,
  PATTERN,
  PREFIX,
  SEPARATOR,
  STRING,
  TERNARY,
  TIME,
  toks,
  VARIABLE,
} from "./lexer";

const S_LIT: i32 = 0;
const S_OP: i32 = 1;
const S_PREFIX: i32 = 2;
const S_ACCESS: i32 = 3;
const S_SEP: i32 = 4;
const S_NOOP: i32 = 5;

/** Stage columns (a stage is a row; children are row indices, -1 for none, which evaluates to nil). */
class Stages {
  n: i32 = 0;
  cap: i32 = 0;
  kind: StaticArray<i32> = new StaticArray<i32>(0);
  op: StaticArray<i32> = new StaticArray<i32>(0);
  left: StaticArray<i32> = new StaticArray<i32>(0);
  right: StaticArray<i32> = new StaticArray<i32>(0);
  tok: StaticArray<i32> = new StaticArray<i32>(0);

  reset(need: i32): void {
    this.n = 0;
    if (need > this.cap) {
      let c = this.cap < 32 ? 32 : this.cap;
      while (c < need) c <<= 1;
      this.cap = c;
      this.kind = new StaticArray<i32>(c);
      this.op = new StaticArray<i32>(c);
      this.left = new StaticArray<i32>(c);
      this.right = new StaticArray<i32>(c);
      this.tok = new StaticArray<i32>(c);
    }
  }

  add(kind: i32, op: i32, left: i32, right: i32, tok: i32): i32 {
    const i = this.n++;
    unchecked((this.kind[i] = kind));
    unchecked((this.op[i] = op));
    unchecked((this.left[i] = left));
    unchecked((this.right[i] = right));
    unchecked((this.tok[i] = tok));
    return i;
  }
}

const st = new Stages();

// ---------------------------------------------------------------------------------------------
// Planner (recursive descent over the token columns).

let ti: i32 = 0;

function peekKind(): i32 {
  return ti < toks.n ? unchecked(toks.kind[ti]) : -1;
}

/**
 * Binding power of the next token as a binary operator (0: none). Levels, low to high:
 * separator, ternary, ||, &&, comparators, bitwise, shifts, additive, multiplicative, **.
 */
function nextPrec(): i32 {
  if (ti >= toks.n) return 0;
  const k = unchecked(toks.kind[ti]);
  if (k == SEPARATOR) return 1;
  if (k == TERNARY) return 2;
  if (k == LOGICALOP) return unchecked(toks.op[ti]) == OP_OR ? 3 : 4;
  if (k == COMPARATOR) return 5;
  if (k == MODIFIER) {
    const op = unchecked(toks.op[ti]);
    if (op >= OP_BAND && op <= OP_BXOR) return 6;
    if (op == OP_SHR || op == OP_SHL) return 7;
    if (op == OP_ADD || op == OP_SUB) return 8;
    if (op == OP_POW) return 10;
    return 9; // * / %
  }
  return 0;
}

/**
 * Precedence climbing; equivalent to one recursive-descent function per level where each level
 * loops `left = left OP nextLevel()` (every level is left-associative, as govaluate's planner
 * reorders same-precedence chains).
 */
function binary(minPrec: i32): i32 {
  let left = prefix();
  while (!failed()) {
    const p = nextPrec();
    if (p == 0 || p < minPrec) break;
    const op = unchecked(toks.op[ti]);
    ti++;
    const right = binary(p + 1);
    left = st.add(p == 1 ? S_SEP : S_OP, op, left, right, -1);
  }
  return left;
}

function separator(): i32 {
  return binary(1);
}

function prefix(): i32 {
  if (peekKind() == PREFIX) {
    const op = unchecked(toks.op[ti]);
    ti++;
    const right = prefix();
    return st.add(S_PREFIX, op, -1, right, -1);
  }
  return value();
}

function value(): i32 {
  const k = peekKind();
  if (k < 0) return -1;
  const t = ti++;
  if (k == CLAUSE) {
    const inner = separator();
    ti++; // the CLAUSE_CLOSE (balance was checked)
    return st.add(S_NOOP, 0, -1, inner, -1);
  }
  if (k == CLAUSE_CLOSE) {
    ti--;
    return -1;
  }
  if (k == ACCESSOR) return st.add(S_ACCESS, 0, -1, -1, t);
  if (k == NUMERIC || k == STRING || k == BOOLEAN || k == PATTERN || k == TIME || k == VARIABLE) {
    return st.add(S_LIT, 0, -1, -1, t);
  }
  fail("Unable to plan token kind: '" + toks.text(t) + "'");
  return -1;
}

/**
 * Plans the lexed tokens (VARIABLE tokens already turned into STRING) into stage rows; returns
 * the root row or -1.
 */
export function plan(): i32 {
  const n = toks.n;
  // optimizeTokens: a string right after =~ / !~ becomes a compiled pattern.
  for (let i = 0; i + 1 < n; i++) {
    if (unchecked(toks.kind[i]) != COMPARATOR) continue;
    const op = unchecked(toks.op[i]);
    if ((op == OP_REQ || op == OP_NREQ) && unchecked(toks.kind[i + 1]) == STRING) {
      const text = toks.text(i + 1);
      if (regexMatch(text, "") < 0) {
        fail("error parsing regexp: invalid pattern `" + text + "`");
        return -1;
      }
      unchecked((toks.kind[i + 1] = PATTERN));
    }
  }
  st.reset(2 * n + 4);
  ti = 0;
  if (n == 0) return -1;
  return separator();
}

// ---------------------------------------------------------------------------------------------
// Values: rows of (kind, number, pointer, length). Strings and patterns point at bytes; an array
// points at a run of `elems` (pointer = first element index, length = count).

class Values {
  n: i32 = 0;
  cap: i32 = 0;
  kind: StaticArray<i32> = new StaticArray<i32>(0);
  num: StaticArray<f64> = new StaticArray<f64>(0);
  ptr: StaticArray<usize> = new StaticArray<usize>(0);
  len: StaticArray<i32> = new StaticArray<i32>(0);
  elems: StaticArray<i32> = new StaticArray<i32>(16);
  nElems: i32 = 0;
  /** Buffers created by string `+` during this evaluation (kept alive until the next). */
  keep: Array<ArrayBuffer> = new Array<ArrayBuffer>();

  constructor() {
    // rows 0, 1, 2: nil, false, true (never overwritten)
    this.add(K_NIL, 0, 0, 0);
    this.add(K_BOOL, 0, 0, 0);
    this.add(K_BOOL, 1, 0, 0);
  }

  reset(): void {
    this.n = 3;
    this.nElems = 0;
    if (this.keep.length > 0) this.keep.length = 0;
  }

  add(kind: i32, num: f64, ptr: usize, len: i32): i32 {
    if (this.n == this.cap) {
      const c = this.cap < 32 ? 32 : this.cap << 1;
      const k = new StaticArray<i32>(c);
      const f = new StaticArray<f64>(c);
      const p = new StaticArray<usize>(c);
      const l = new StaticArray<i32>(c);
      for (let i = 0; i < this.n; i++) {
        unchecked((k[i] = this.kind[i]));
        unchecked((f[i] = this.num[i]));
        unchecked((p[i] = this.ptr[i]));
        unchecked((l[i] = this.len[i]));
      }
      this.kind = k;
      this.num = f;
      this.ptr = p;
      this.len = l;
      this.cap = c;
    }
    const i = this.n++;
    unchecked((this.kind[i] = kind));
    unchecked((this.num[i] = num));
    unchecked((this.ptr[i] = ptr));
    unchecked((this.len[i] = len));
    return i;
  }

  elem(v: i32): void {
    if (this.nElems == this.elems.length) {
      const e = new StaticArray<i32>(this.elems.length << 1);
      for (let i = 0; i < this.nElems; i++) unchecked((e[i] = this.elems[i]));
      this.elems = e;
    }
    unchecked((this.elems[this.nElems++] = v));
  }
}

const vals = new Values();
const V_NIL: i32 = 0;
const V_FALSE: i32 = 1;
const V_TRUE: i32 = 2;

// @ts-ignore: decorator
@inline function kindOf(v: i32): i32 {
  return unchecked(vals.kind[v]);
}

// @ts-ignore: decorator
@inline function numOf(v: i32): f64 {
  return unchecked(vals.num[v]);
}

function boolOf(b: bool): i32 {
  return b ? V_TRUE : V_FALSE;
}

function floatOf(f: f64): i32 {
  return vals.add(K_FLOAT, f, 0, 0);
}

/** Bytewise comparison of two string/pattern values (Go's string order). */
function compareBytes(a: i32, b: i32): i32 {
  const la = unchecked(vals.len[a]);
  const lb = unchecked(vals.len[b]);
  const n = la < lb ? la : lb;
  const c = memory.compare(unchecked(vals.ptr[a]), unchecked(vals.ptr[b]), <usize> n);
  if (c != 0) return c;
  return la < lb ? -1 : la > lb ? 1 : 0;
}

function sameBytes(a: i32, b: i32): bool {
  const n = unchecked(vals.len[a]);
  return n == unchecked(vals.len[b]) &&
    memory.compare(unchecked(vals.ptr[a]), unchecked(vals.ptr[b]), <usize> n) == 0;
}

/** reflect.DeepEqual over values (only nil, bool, float64, string, pattern and arrays occur). */
function deepEqual(a: i32, b: i32): bool {
  const k = kindOf(a);
  if (k != kindOf(b)) return false;
  if (k == K_NIL) return true;
  if (k == K_BOOL || k == K_FLOAT) return numOf(a) == numOf(b);
  if (k == K_STR || k == K_PATTERN) return sameBytes(a, b);
  const n = unchecked(vals.len[a]);
  if (n != unchecked(vals.len[b])) return false;
  const pa = <i32> unchecked(vals.ptr[a]);
  const pb = <i32> unchecked(vals.ptr[b]);
  for (let i = 0; i < n; i++) {
    if (!deepEqual(unchecked(vals.elems[pa + i]), unchecked(vals.elems[pb + i]))) return false;
  }
  return true;
}

function strOf(v: i32): string {
  return String.UTF8.decodeUnsafe(unchecked(vals.ptr[v]), unchecked(vals.len[v]));
}

/** Go's fmt %v of a value (error messages and string `+`). */
function format(v: i32): string {
  const k = kindOf(v);
  if (k == K_NIL) return "<nil>";
  if (k == K_BOOL) return numOf(v) != 0 ? "true" : "false";
  if (k == K_FLOAT) return goFloat(numOf(v));
  if (k == K_STR || k == K_PATTERN) return strOf(v);
  let out = "[";
  const n = unchecked(vals.len[v]);
  const p = <i32> unchecked(vals.ptr[v]);
  for (let i = 0; i < n; i++) {
    if (i > 0) out += " ";
    out += format(unchecked(vals.elems[p + i]));
  }
  return out + "]";
}

/** Go's %v of a value, for messages outside this module. */
export function formatValue(v: i32): string {
  return format(v);
}

/** The kind of a value row. */
export function valueKind(v: i32): i32 {
  return kindOf(v);
}

/** True when a bool value row is true. */
export function valueTrue(v: i32): bool {
  return numOf(v) != 0;
}

function typeErr(fmt: i32, v: i32, op: i32): i32 {
  const val = format(v);
  const name = OP_NAMES[op];
  if (fmt == 0) {
    fail("Value '" + val + "' cannot be used with the logical operator '" + name + "', it is not a bool");
  } else if (fmt == 1) {
    fail("Value '" + val + "' cannot be used with the modifier '" + name + "', it is not a number");
  } else if (fmt == 2) {
    fail("Value '" + val + "' cannot be used with the comparator '" + name + "', it is not a number");
  } else if (fmt == 3) {
    fail("Value '" + val + "' cannot be used with the ternary operator '" + name + "', it is not a bool");
  } else fail("Value '" + val + "' cannot be used with the prefix '" + name + "'");
  return V_NIL;
}

// @ts-ignore: decorator
@inline function i64of(v: i32): i64 {
  return <i64> numOf(v);
}

function literal(t: i32): i32 {
  const k = unchecked(toks.kind[t]);
  if (k == NUMERIC) return floatOf(unchecked(toks.num[t]));
  if (k == BOOLEAN) return boolOf(unchecked(toks.num[t]) != 0);
  return vals.add(k == PATTERN ? K_PATTERN : K_STR, 0, toks.ptr(t), unchecked(toks.len[t]));
}

function evalStage(s: i32): i32 {
  if (s < 0 || failed()) return V_NIL;
  const kind = unchecked(st.kind[s]);
  if (kind == S_LIT) return literal(unchecked(st.tok[s]));
  if (kind == S_NOOP) return evalStage(unchecked(st.right[s]));
  if (kind == S_ACCESS) {
    const t = unchecked(st.tok[s]);
    const p = toks.ptr(t);
    const n = unchecked(toks.len[t]);
    let dot = 0;
    while (dot < n && load<u8>(p + <usize> dot) != 46) dot++;
    fail("No parameter '" + String.UTF8.decodeUnsafe(p, dot) + "' found.");
    return V_NIL;
  }
  if (kind == S_SEP) {
    const l = evalStage(unchecked(st.left[s]));
    const r = evalStage(unchecked(st.right[s]));
    if (failed()) return V_NIL;
    const start = vals.nElems;
    if (kindOf(l) == K_ARR) {
      const p = <i32> unchecked(vals.ptr[l]);
      const n = unchecked(vals.len[l]);
      for (let i = 0; i < n; i++) vals.elem(unchecked(vals.elems[p + i]));
    } else vals.elem(l);
    vals.elem(r);
    return vals.add(K_ARR, 0, <usize> start, vals.nElems - start);
  }
  const op = unchecked(st.op[s]);
  if (kind == S_PREFIX) {
    const r = evalStage(unchecked(st.right[s]));
    if (failed()) return V_NIL;
    if (op == OP_NOT) {
      if (kindOf(r) != K_BOOL) return typeErr(4, r, op);
      return boolOf(numOf(r) == 0);
    }
    if (kindOf(r) != K_FLOAT) return typeErr(4, r, op);
    if (op == OP_NEG) return floatOf(-numOf(r));
    return floatOf(<f64> ~i64of(r));
  }
  const l = evalStage(unchecked(st.left[s]));
  if (failed()) return V_NIL;
  const lk = kindOf(l);
  // short circuits
  if (op == OP_AND && lk == K_BOOL && numOf(l) == 0) return V_FALSE;
  if (op == OP_OR && lk == K_BOOL && numOf(l) != 0) return V_TRUE;
  if (op == OP_COALESCE && lk != K_NIL) return l;
  if (op == OP_TERNARY_FALSE && lk != K_NIL) return l;
  if (op == OP_TERNARY_TRUE && lk == K_BOOL && numOf(l) == 0) return V_NIL;
  const r = evalStage(unchecked(st.right[s]));
  if (failed()) return V_NIL;
  const rk = kindOf(r);
  switch (op) {
    case OP_AND:
    case OP_OR: {
      if (lk != K_BOOL) return typeErr(0, l, op);
      if (rk != K_BOOL) return typeErr(0, r, op);
      return r;
    }
    case OP_TERNARY_TRUE: {
      if (lk != K_BOOL) return typeErr(3, l, op);
      return r;
    }
    case OP_TERNARY_FALSE:
    case OP_COALESCE:
      return r;
    case OP_EQ:
      return boolOf(deepEqual(l, r));
    case OP_NEQ:
      return boolOf(!deepEqual(l, r));
    case OP_GT:
    case OP_GTE:
    case OP_LT:
    case OP_LTE: {
      let c: i32 = 0;
      if (lk == K_FLOAT && rk == K_FLOAT) {
        const a = numOf(l);
        const b = numOf(r);
        if (a != a || b != b) return V_FALSE;
        c = a < b ? -1 : a > b ? 1 : 0;
      } else if (lk == K_STR && rk == K_STR) {
        c = compareBytes(l, r);
      } else return typeErr(2, l, op);
      if (op == OP_GT) return boolOf(c > 0);
      if (op == OP_GTE) return boolOf(c >= 0);
      if (op == OP_LT) return boolOf(c < 0);
      return boolOf(c <= 0);
    }
    case OP_REQ:
    case OP_NREQ: {
      if (lk != K_STR) return typeErr(2, l, op);
      if (rk != K_STR && rk != K_PATTERN) return typeErr(2, r, op);
      const pat = strOf(r);
      const m = regexMatch(pat, strOf(l));
      if (m < 0) {
        fail("Unable to compile regexp pattern '" + pat + "': invalid pattern");
        return V_NIL;
      }
      return boolOf(op == OP_REQ ? m == 1 : m != 1);
    }
    case OP_IN: {
      if (rk != K_ARR) return typeErr(2, r, op);
      const n = unchecked(vals.len[r]);
      const p = <i32> unchecked(vals.ptr[r]);
      for (let i = 0; i < n; i++) {
        const it = unchecked(vals.elems[p + i]);
        if (kindOf(it) != lk) continue;
        if (lk == K_STR ? sameBytes(it, l) : lk == K_FLOAT || lk == K_BOOL ? numOf(it) == numOf(l) : lk == K_NIL) {
          return V_TRUE;
        }
      }
      return V_FALSE;
    }
    case OP_ADD: {
      if (lk == K_FLOAT && rk == K_FLOAT) return floatOf(numOf(l) + numOf(r));
      if (lk != K_STR && rk != K_STR) return typeErr(1, l, op);
      const buf = String.UTF8.encode(format(l) + format(r));
      vals.keep.push(buf);
      return vals.add(K_STR, 0, changetype<usize>(buf), buf.byteLength);
    }
  }
  if (lk != K_FLOAT) return typeErr(1, l, op);
  if (rk != K_FLOAT) return typeErr(1, r, op);
  const a = numOf(l);
  const b = numOf(r);
  switch (op) {
    case OP_SUB:
      return floatOf(a - b);
    case OP_MUL:
      return floatOf(a * b);
    case OP_DIV:
      return floatOf(a / b);
    case OP_MOD:
      return floatOf(a % b);
    case OP_POW:
      return floatOf(Math.pow(a, b));
    case OP_BAND:
      return floatOf(<f64> (i64of(l) & i64of(r)));
    case OP_BOR:
      return floatOf(<f64> (i64of(l) | i64of(r)));
    case OP_BXOR:
      return floatOf(<f64> (i64of(l) ^ i64of(r)));
    case OP_SHL:
      return floatOf(<f64> (<u64> i64of(l) << <u64> i64of(r)));
    case OP_SHR:
      return floatOf(<f64> (<u64> i64of(l) >> <u64> i64of(r)));
  }
  fail("unknown operator " + OP_NAMES[op]);
  return V_NIL;
}

/** Evaluates the planned root row; returns a value row. */
export function evaluate(root: i32): i32 {
  vals.reset();
  return evalStage(root);
}

export { STRING, VARIABLE };
