// govaluate lexer (Knetic/govaluate parsing.go + lexerState.go, the version Argo pins), as Argo
// uses it for `when`: afterwards every VARIABLE token becomes a STRING, so bare words compare
// as strings ("heads == heads").
//
// Allocation-light: the lexer walks the UTF-8 bytes in place (runes decoded where a byte is
// >= 0x80, as Go's lexer reads runes), token texts go to one reused byte arena (escapes
// removed), and tokens are rows of reused typed columns (kind, operator code, text offset and
// length, numeric value). Strings are only built for error messages.

import { fail } from "../err";
import { goFloat, parseFloatStrict } from "../value";

export const UNKNOWN: i32 = 0;
export const PREFIX: i32 = 1;
export const NUMERIC: i32 = 2;
export const BOOLEAN: i32 = 3;
export const STRING: i32 = 4;
export const PATTERN: i32 = 5;
export const TIME: i32 = 6;
export const VARIABLE: i32 = 7;
export const FUNCTION: i32 = 8;
export const SEPARATOR: i32 = 9;
export const ACCESSOR: i32 = 10;
export const COMPARATOR: i32 = 11;
export const LOGICALOP: i32 = 12;
export const MODIFIER: i32 = 13;
export const CLAUSE: i32 = 14;
export const CLAUSE_CLOSE: i32 = 15;
export const TERNARY: i32 = 16;

const KIND_NAMES: StaticArray<string> = [
  "UNKNOWN",
  "PREFIX",
  "NUMERIC",
  "BOOLEAN",
  "STRING",
  "PATTERN",
  "TIME",
  "VARIABLE",
  "FUNCTION",
  "SEPARATOR",
  "ACCESSOR",
  "COMPARATOR",
  "LOGICALOP",
  "MODIFIER",
  "CLAUSE",
  "CLAUSE_CLOSE",
  "TERNARY",
];

// Operator codes (token column `op`).
export const OP_NONE: i32 = 0;
export const OP_NEG: i32 = 1;
export const OP_NOT: i32 = 2;
export const OP_INV: i32 = 3;
export const OP_ADD: i32 = 4;
export const OP_SUB: i32 = 5;
export const OP_MUL: i32 = 6;
export const OP_DIV: i32 = 7;
export const OP_MOD: i32 = 8;
export const OP_POW: i32 = 9;
export const OP_BAND: i32 = 10;
export const OP_BOR: i32 = 11;
export const OP_BXOR: i32 = 12;
export const OP_SHR: i32 = 13;
export const OP_SHL: i32 = 14;
export const OP_AND: i32 = 15;
export const OP_OR: i32 = 16;
export const OP_EQ: i32 = 17;
export const OP_NEQ: i32 = 18;
export const OP_GT: i32 = 19;
export const OP_GTE: i32 = 20;
export const OP_LT: i32 = 21;
export const OP_LTE: i32 = 22;
export const OP_REQ: i32 = 23;
export const OP_NREQ: i32 = 24;
export const OP_IN: i32 = 25;
export const OP_TERNARY_TRUE: i32 = 26;
export const OP_TERNARY_FALSE: i32 = 27;
export const OP_COALESCE: i32 = 28;

/** The source symbol of each operator code. */
export const OP_NAMES: StaticArray<string> = [
  "",
  "-",
  "!",
  "~",
  "+",
  "-",
  "*",
  "/",
  "%",
  "**",
  "&",
  "|",
  "^",
  ">>",
  "<<",
  "&&",
  "||",
  "==",
  "!=",
  ">",
  ">=",
  "<",
  "<=",
  "=~",
  "!~",
  "in",
  "?",
  ":",
  "??",
];

/** Token columns, reused across calls (grown, never shrunk). */
export class Tokens {
  n: i32 = 0;
  cap: i32 = 0;
  kind: StaticArray<i32> = new StaticArray<i32>(0);
  op: StaticArray<i32> = new StaticArray<i32>(0);
  off: StaticArray<i32> = new StaticArray<i32>(0);
  len: StaticArray<i32> = new StaticArray<i32>(0);
  num: StaticArray<f64> = new StaticArray<f64>(0);
  /** Token texts (escapes removed); `base` is its address, stable for one evaluation. */
  arena: ArrayBuffer = new ArrayBuffer(256);
  base: usize = 0;

  reset(srcLen: i32): void {
    this.n = 0;
    const need = srcLen + 2;
    if (need > this.cap) {
      let c = this.cap < 32 ? 32 : this.cap;
      while (c < need) c <<= 1;
      this.cap = c;
      this.kind = new StaticArray<i32>(c);
      this.op = new StaticArray<i32>(c);
      this.off = new StaticArray<i32>(c);
      this.len = new StaticArray<i32>(c);
      this.num = new StaticArray<f64>(c);
    }
    if (this.arena.byteLength < srcLen + 8) {
      let c = this.arena.byteLength;
      while (c < srcLen + 8) c <<= 1;
      this.arena = new ArrayBuffer(c);
    }
    this.base = changetype<usize>(this.arena);
  }

  ptr(i: i32): usize {
    return this.base + <usize> unchecked(this.off[i]);
  }

  /** The token text (for error messages). */
  text(i: i32): string {
    return String.UTF8.decodeUnsafe(this.ptr(i), unchecked(this.len[i]));
  }

  /** The token value as Go's %v prints it (for error messages). */
  display(i: i32): string {
    const k = unchecked(this.kind[i]);
    if (k == NUMERIC) return goFloat(unchecked(this.num[i]));
    if (k == BOOLEAN) return unchecked(this.num[i]) != 0 ? "true" : "false";
    if (k == CLAUSE) return "40";
    if (k == CLAUSE_CLOSE) return "41";
    if (k == ACCESSOR) return "[" + this.text(i).replaceAll(".", " ") + "]";
    return this.text(i);
  }
}

/** The tokens of the last lexWhen call. */
export const toks = new Tokens();

function bits(kinds: Array<i32>): i32 {
  let m = 0;
  for (let i = 0; i < kinds.length; i++) m |= 1 << kinds[i];
  return m;
}

const VALUE_NEXT = bits([MODIFIER, COMPARATOR, LOGICALOP, CLAUSE_CLOSE, TERNARY, SEPARATOR]);
const TIME_NEXT = bits([MODIFIER, COMPARATOR, LOGICALOP, CLAUSE_CLOSE, SEPARATOR]);

/** validNextKinds of each lexer state as a bit set, indexed by token kind. */
const NEXT: StaticArray<i32> = [
  bits([PREFIX, NUMERIC, BOOLEAN, VARIABLE, PATTERN, FUNCTION, ACCESSOR, STRING, TIME, CLAUSE]), // UNKNOWN
  bits([NUMERIC, BOOLEAN, VARIABLE, FUNCTION, ACCESSOR, CLAUSE, CLAUSE_CLOSE]), // PREFIX
  VALUE_NEXT, // NUMERIC
  VALUE_NEXT, // BOOLEAN
  VALUE_NEXT, // STRING
  TIME_NEXT, // PATTERN
  TIME_NEXT, // TIME
  VALUE_NEXT, // VARIABLE
  bits([CLAUSE]), // FUNCTION
  bits([PREFIX, NUMERIC, BOOLEAN, STRING, TIME, VARIABLE, FUNCTION, ACCESSOR, CLAUSE]), // SEPARATOR
  bits([CLAUSE, MODIFIER, COMPARATOR, LOGICALOP, CLAUSE_CLOSE, TERNARY, SEPARATOR]), // ACCESSOR
  bits([PREFIX, NUMERIC, BOOLEAN, VARIABLE, FUNCTION, ACCESSOR, STRING, TIME, CLAUSE, CLAUSE_CLOSE, PATTERN]), // COMPARATOR
  bits([PREFIX, NUMERIC, BOOLEAN, VARIABLE, FUNCTION, ACCESSOR, STRING, TIME, CLAUSE, CLAUSE_CLOSE]), // LOGICALOP
  bits([PREFIX, NUMERIC, VARIABLE, FUNCTION, ACCESSOR, STRING, BOOLEAN, CLAUSE, CLAUSE_CLOSE]), // MODIFIER
  bits([PREFIX, NUMERIC, BOOLEAN, VARIABLE, PATTERN, FUNCTION, ACCESSOR, STRING, TIME, CLAUSE, CLAUSE_CLOSE]), // CLAUSE
  bits([
    COMPARATOR,
    MODIFIER,
    NUMERIC,
    BOOLEAN,
    VARIABLE,
    STRING,
    PATTERN,
    TIME,
    CLAUSE,
    CLAUSE_CLOSE,
    LOGICALOP,
    TERNARY,
    SEPARATOR,
  ]), // CLAUSE_CLOSE
  bits([PREFIX, NUMERIC, BOOLEAN, STRING, TIME, VARIABLE, FUNCTION, ACCESSOR, CLAUSE, SEPARATOR]), // TERNARY
];

function isEOFState(kind: i32): bool {
  return kind == CLAUSE_CLOSE || kind == NUMERIC || kind == BOOLEAN || kind == STRING || kind == TIME ||
    kind == PATTERN || kind == VARIABLE || kind == ACCESSOR;
}

function canTransition(from: i32, to: i32): bool {
  return ((unchecked(NEXT[from]) >> to) & 1) != 0;
}

// @ts-ignore: decorator
@inline function isSpace(c: i32): bool {
  return c == 32 || (c >= 9 && c <= 13) || c == 0x85 || c == 0xa0;
}

// @ts-ignore: decorator
@inline function isDigit(c: i32): bool {
  return c >= 48 && c <= 57;
}

function isLetter(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c != 0xd7 && c != 0xf7) ||
    c == 0xaa || c == 0xb5 || c == 0xba;
}

const C_NUMERIC: i32 = 0;
const C_VARNAME: i32 = 1;
const C_NOTQUOTE: i32 = 2;
const C_NOTALNUM: i32 = 3;
const C_NOTBRACKET: i32 = 4;
const C_HEX: i32 = 5;

function cond(which: i32, c: i32): bool {
  switch (which) {
    case C_NUMERIC:
      return isDigit(c) || c == 46;
    case C_VARNAME:
      return isLetter(c) || isDigit(c) || c == 95 || c == 46;
    case C_NOTQUOTE:
      return c != 39 && c != 34;
    case C_NOTALNUM:
      return !(isDigit(c) || isLetter(c) || c == 40 || c == 41 || c == 91 || c == 93 || c == 39 || c == 34);
    case C_NOTBRACKET:
      return c != 93;
  }
  return isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102);
}

/**
 * For each ASCII byte, bit `which` is set when readUntilFalse(which) simply consumes it: not a
 * backslash, not a space, and the condition holds. Lets plain runs be skipped in a tight loop.
 */
const PLAIN = new StaticArray<u8>(128);
for (let b = 0; b < 128; b++) {
  let m = 0;
  if (b != 92 && !isSpace(b)) {
    for (let w = C_NUMERIC; w <= C_HEX; w++) if (cond(w, b)) m |= 1 << w;
  }
  PLAIN[b] = <u8> m;
}

// The byte stream being lexed and the arena write position.
let src: usize = 0;
let pos: i32 = 0;
let end: i32 = 0;
let alen: i32 = 0;
let completed = false;

/** Reads the rune at `pos` (the input is valid UTF-8: it was produced by TextEncoder). */
function read(): i32 {
  const p = src + <usize> pos;
  const c = <i32> load<u8>(p);
  if (c < 0x80) {
    pos++;
    return c;
  }
  if (c < 0xe0) {
    pos += 2;
    return ((c & 0x1f) << 6) | (<i32> load<u8>(p + 1) & 0x3f);
  }
  if (c < 0xf0) {
    pos += 3;
    return ((c & 0x0f) << 12) | ((<i32> load<u8>(p + 1) & 0x3f) << 6) | (<i32> load<u8>(p + 2) & 0x3f);
  }
  pos += 4;
  return ((c & 0x07) << 18) | ((<i32> load<u8>(p + 1) & 0x3f) << 12) | ((<i32> load<u8>(p + 2) & 0x3f) << 6) |
    (<i32> load<u8>(p + 3) & 0x3f);
}

/** Appends source bytes [from, to) to the arena. */
function emit(from: i32, to: i32): void {
  const n = to - from;
  if (n <= 0) return;
  memory.copy(toks.base + <usize> alen, src + <usize> from, <usize> n);
  alen += n;
}

/** govaluate's readUntilFalse: backslash escapes anything; text appended to the arena; sets `completed`. */
function readUntilFalse(includeWS: bool, breakWS: bool, which: i32): void {
  const astart = alen;
  let from = pos;
  completed = false;
  const bit = 1 << which;
  while (pos < end) {
    // plain ASCII run: consumed as is (same outcome as the general step below, one byte at a time)
    let b = <i32> load<u8>(src + <usize> pos);
    while (b < 0x80 && (<i32> unchecked(PLAIN[b]) & bit) != 0) {
      if (++pos >= end) break;
      b = <i32> load<u8>(src + <usize> pos);
    }
    if (pos >= end) break;
    const cpos = pos;
    const c = read();
    if (c == 92) {
      emit(from, cpos);
      if (pos >= end) {
        from = pos;
        break;
      }
      const epos = pos;
      read();
      emit(epos, pos);
      from = pos;
      continue;
    }
    if (isSpace(c)) {
      if (breakWS && (alen > astart || cpos > from)) {
        completed = true;
        emit(from, cpos);
        return;
      }
      if (!includeWS) {
        emit(from, cpos);
        from = pos;
        continue;
      }
    }
    if (!cond(which, c)) {
      completed = true;
      pos = cpos;
      break;
    }
  }
  emit(from, pos);
}

function arenaText(off: i32, n: i32): string {
  return String.UTF8.decodeUnsafe(toks.base + <usize> off, n);
}

/** Fast exact parse of plain decimals (digits with at most one '.'); NaN when the fast path does not apply. */
const POW10: StaticArray<f64> = [
  1e0,
  1e1,
  1e2,
  1e3,
  1e4,
  1e5,
  1e6,
  1e7,
  1e8,
  1e9,
  1e10,
  1e11,
  1e12,
  1e13,
  1e14,
  1e15,
  1e16,
  1e17,
  1e18,
  1e19,
  1e20,
  1e21,
  1e22,
];

function parseNumber(off: i32, n: i32): f64 {
  const p = toks.base + <usize> off;
  let m: f64 = 0;
  let digits = 0;
  let frac = -1;
  for (let i = 0; i < n; i++) {
    const c = <i32> load<u8>(p + <usize> i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + <f64> (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c == 46 && frac < 0) {
      frac = 0;
    } else {
      digits = 99; // anything else: the slow, exact path
      break;
    }
  }
  if (digits > 0 && digits <= 15) {
    // Clinger's fast path: m < 2^53 and 10^frac exact, so one correctly rounded division.
    return frac <= 0 ? m : m / unchecked(POW10[frac]);
  }
  return parseFloatStrict(arenaText(off, n));
}

// Keywords as little-endian byte groups.
const KW_TRUE: u32 = 0x65757274; // "true"
const KW_FALS: u32 = 0x736c6166; // "fals" + "e"
const KW_IN: u16 = 0x6e69; // "in"
const KW_IN_UPPER: u16 = 0x4e49; // "IN"

/** The operator code of a symbol token (OP_NONE if none); kind through `symKind`. */
let symKind: i32 = UNKNOWN;

function symbol(off: i32, n: i32, state: i32): i32 {
  const p = toks.base + <usize> off;
  const a = n > 0 ? <i32> load<u8>(p) : 0;
  const b = n > 1 ? <i32> load<u8>(p + 1) : 0;
  if (n == 1) {
    if (canTransition(state, PREFIX)) {
      symKind = PREFIX;
      if (a == 45) return OP_NEG;
      if (a == 33) return OP_NOT;
      if (a == 126) return OP_INV;
    }
    symKind = MODIFIER;
    if (a == 43) return OP_ADD;
    if (a == 45) return OP_SUB;
    if (a == 42) return OP_MUL;
    if (a == 47) return OP_DIV;
    if (a == 37) return OP_MOD;
    if (a == 38) return OP_BAND;
    if (a == 124) return OP_BOR;
    if (a == 94) return OP_BXOR;
    symKind = COMPARATOR;
    if (a == 62) return OP_GT;
    if (a == 60) return OP_LT;
    symKind = TERNARY;
    if (a == 63) return OP_TERNARY_TRUE;
    if (a == 58) return OP_TERNARY_FALSE;
  } else if (n == 2) {
    symKind = MODIFIER;
    if (a == 42 && b == 42) return OP_POW;
    if (a == 62 && b == 62) return OP_SHR;
    if (a == 60 && b == 60) return OP_SHL;
    symKind = LOGICALOP;
    if (a == 38 && b == 38) return OP_AND;
    if (a == 124 && b == 124) return OP_OR;
    symKind = COMPARATOR;
    if (b == 61) {
      if (a == 61) return OP_EQ;
      if (a == 33) return OP_NEQ;
      if (a == 62) return OP_GTE;
      if (a == 60) return OP_LTE;
    }
    if (b == 126) {
      if (a == 61) return OP_REQ;
      if (a == 33) return OP_NREQ;
    }
    symKind = TERNARY;
    if (a == 63 && b == 63) return OP_COALESCE;
  }
  symKind = UNKNOWN;
  return OP_NONE;
}

/** True when the first character of the `n` bytes at `p` differs from its upper case. */
function startsLower(p: usize, n: i32): bool {
  const c = <i32> load<u8>(p);
  if (c < 0x80) return c >= 97 && c <= 122;
  const s = String.UTF8.decodeUnsafe(p, n);
  return s.charAt(0).toUpperCase() != s.charAt(0);
}

function push(kind: i32, op: i32, off: i32, n: i32, num: f64): void {
  const t = toks;
  const i = t.n++;
  unchecked((t.kind[i] = kind));
  unchecked((t.op[i] = op));
  unchecked((t.off[i] = off));
  unchecked((t.len[i] = n));
  unchecked((t.num[i] = num));
}

/**
 * Tokenizes the `len` bytes at `ptr` like govaluate.parseTokens + checkBalance +
 * checkExpressionSyntax into `toks`; records the error text.
 */
export function lexWhen(ptr: usize, len: i32): void {
  toks.reset(len);
  src = ptr;
  pos = 0;
  end = len;
  alen = 0;
  let state = UNKNOWN;
  while (pos < end) {
    let kind = UNKNOWN;
    let op = OP_NONE;
    let num: f64 = 0;
    const astart = alen;
    while (pos < end) {
      const cpos = pos;
      let c = read();
      if (isSpace(c)) continue;
      if (isDigit(c) || c == 46) {
        if (pos < end && c == 48) {
          c = read();
          if (pos < end && c == 120) {
            readUntilFalse(false, true, C_HEX);
            num = <f64> I64.parseInt(arenaText(astart, alen - astart), 16);
            kind = NUMERIC;
            break;
          }
        }
        pos = cpos;
        readUntilFalse(false, true, C_NUMERIC);
        const f = parseNumber(astart, alen - astart);
        if (isNaN(f)) {
          fail("Unable to parse numeric value '" + arenaText(astart, alen - astart) + "' to float64");
          return;
        }
        kind = NUMERIC;
        num = f;
        break;
      }
      if (c == 44) {
        kind = SEPARATOR;
        emit(cpos, pos);
        break;
      }
      if (c == 91) {
        readUntilFalse(true, false, C_NOTBRACKET);
        if (!completed) {
          fail("Unclosed parameter bracket");
          return;
        }
        pos++;
        kind = VARIABLE;
        break;
      }
      if (isLetter(c)) {
        pos = cpos;
        readUntilFalse(false, true, C_VARNAME);
        const n = alen - astart;
        kind = VARIABLE;
        const kp = toks.base + <usize> astart;
        if (n == 4 && load<u32>(kp) == KW_TRUE) {
          kind = BOOLEAN;
          num = 1;
        } else if (n == 5 && load<u32>(kp) == KW_FALS && load<u8>(kp + 4) == 101) {
          kind = BOOLEAN;
        } else if (n == 2 && (load<u16>(kp) == KW_IN || load<u16>(kp) == KW_IN_UPPER)) {
          store<u8>(toks.base + <usize> astart, 105);
          store<u8>(toks.base + <usize> astart + 1, 110);
          kind = COMPARATOR;
          op = OP_IN;
        }
        // accessors: a dot anywhere after the first character
        const p = toks.base + <usize> astart;
        let dot = -1;
        for (let i = 1; i < n; i++) {
          if (load<u8>(p + <usize> i) == 46) {
            dot = i;
            break;
          }
        }
        if (dot > 0) {
          const text = arenaText(astart, n);
          if (load<u8>(p + <usize> (n - 1)) == 46) {
            fail("Hanging accessor on token '" + text + "'");
            return;
          }
          kind = ACCESSOR;
          let segStart = dot + 1;
          for (let i = dot + 1; i <= n; i++) {
            if (i == n || load<u8>(p + <usize> i) == 46) {
              if (i > segStart && startsLower(p + <usize> segStart, i - segStart)) {
                fail(
                  "Unable to access unexported field '" + arenaText(astart + segStart, i - segStart) +
                    "' in token '" + text + "'",
                );
                return;
              }
              segStart = i + 1;
            }
          }
        }
        break;
      }
      if (c == 39 || c == 34) {
        readUntilFalse(true, false, C_NOTQUOTE);
        if (!completed) {
          fail("Unclosed string literal");
          return;
        }
        pos++;
        kind = STRING;
        break;
      }
      if (c == 40) {
        kind = CLAUSE;
        emit(cpos, pos);
        break;
      }
      if (c == 41) {
        kind = CLAUSE_CLOSE;
        emit(cpos, pos);
        break;
      }
      pos = cpos;
      readUntilFalse(false, true, C_NOTALNUM);
      op = symbol(astart, alen - astart, state);
      if (op == OP_NONE) {
        fail("Invalid token: '" + arenaText(astart, alen - astart) + "'");
        return;
      }
      kind = symKind;
      break;
    }
    if (kind == UNKNOWN) break;
    state = kind;
    push(kind, op, astart, alen - astart, num);
  }
  const t = toks;
  // checkBalance
  let parens = 0;
  for (let i = 0; i < t.n; i++) {
    const k = unchecked(t.kind[i]);
    if (k == CLAUSE) parens++;
    if (k == CLAUSE_CLOSE) parens--;
  }
  if (parens != 0) {
    fail("Unbalanced parenthesis");
    return;
  }
  // checkExpressionSyntax
  let s = UNKNOWN;
  let last = -1;
  for (let i = 0; i < t.n; i++) {
    const k = unchecked(t.kind[i]);
    if (!canTransition(s, k)) {
      if (last >= 0 && unchecked(t.kind[last]) == VARIABLE && k == CLAUSE) {
        fail("Undefined function " + t.text(last));
        return;
      }
      const firstName = KIND_NAMES[s] + " [" + (last < 0 ? "<nil>" : t.display(last)) + "]";
      fail("Cannot transition token types from " + firstName + " to " + KIND_NAMES[k] + " [" + t.display(i) + "]");
      return;
    }
    s = k;
    last = i;
  }
  if (!isEOFState(s)) {
    fail("Unexpected end of expression");
  }
}
