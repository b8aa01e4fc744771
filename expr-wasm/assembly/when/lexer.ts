// govaluate lexer (Knetic/govaluate parsing.go + lexerState.go, the version Argo pins), as Argo
// uses it for `when`: afterwards every VARIABLE token becomes a STRING, so bare words compare
// as strings ("heads == heads").

import { fail } from "../err";
import { arrV, bool_, floatV, goFloat, NIL, parseFloatStrict, strV, Value } from "../value";

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

const KIND_NAMES = [
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

/** A govaluate token. `text` is the operator symbol or literal source; `value` the literal value. */
export class GToken {
  constructor(public kind: i32, public text: string, public value: Value) {}

  /** The token value as Go's %v prints it (for error messages). */
  display(): string {
    if (this.kind == NUMERIC) return goFloat(this.value.f);
    if (this.kind == BOOLEAN) return this.value.b ? "true" : "false";
    if (this.kind == CLAUSE) return "40";
    if (this.kind == CLAUSE_CLOSE) return "41";
    if (this.kind == ACCESSOR) return "[" + this.text.replaceAll(".", " ") + "]";
    return this.text;
  }
}

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

function isSpace(c: i32): bool {
  return c == 32 || (c >= 9 && c <= 13) || c == 0x85 || c == 0xa0;
}

function isDigit(c: i32): bool {
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

class Stream {
  pos: i32 = 0;
  constructor(public s: string) {}
  canRead(): bool {
    return this.pos < this.s.length;
  }
  read(): i32 {
    return this.s.charCodeAt(this.pos++);
  }
}

let completed = false;

/** govaluate's readUntilFalse: backslash escapes anything; sets `completed`. */
function readUntilFalse(st: Stream, includeWS: bool, breakWS: bool, which: i32): string {
  let buf = "";
  let from = st.pos;
  completed = false;
  while (st.canRead()) {
    let c = st.read();
    if (c == 92) {
      buf += st.s.substring(from, st.pos - 1);
      if (!st.canRead()) {
        from = st.pos;
        break;
      }
      st.read();
      buf += st.s.substring(st.pos - 1, st.pos);
      from = st.pos;
      continue;
    }
    if (isSpace(c)) {
      if (breakWS && (buf.length > 0 || st.pos - 1 > from)) {
        completed = true;
        st.pos--;
        buf += st.s.substring(from, st.pos);
        st.pos++;
        return buf;
      }
      if (!includeWS) {
        buf += st.s.substring(from, st.pos - 1);
        from = st.pos;
        continue;
      }
    }
    if (!cond(which, c)) {
      completed = true;
      st.pos--;
      break;
    }
  }
  const tail = st.s.substring(from, st.pos);
  return buf.length == 0 ? tail : buf + tail;
}

function readTokenUntilFalse(st: Stream, which: i32): string {
  st.pos--;
  return readUntilFalse(st, false, true, which);
}

const PREFIX_SYMS = ["-", "!", "~"];
const MODIFIER_SYMS = ["+", "-", "*", "/", "%", "**", "&", "|", "^", ">>", "<<"];
const LOGICAL_SYMS = ["&&", "||"];
const COMPARATOR_SYMS = ["==", "!=", ">", ">=", "<", "<=", "=~", "!~", "in"];
const TERNARY_SYMS = ["?", ":", "??"];

/** Tokenizes like govaluate.parseTokens + checkBalance + checkExpressionSyntax; records the error text. */
export function lexWhen(src: string): Array<GToken> {
  const out = new Array<GToken>();
  const st = new Stream(src);
  let state = UNKNOWN;
  while (st.canRead()) {
    let kind = UNKNOWN;
    let text = "";
    let value: Value = NIL;
    while (st.canRead()) {
      let c = st.read();
      if (isSpace(c)) continue;
      if (cond(C_NUMERIC, c)) {
        if (st.canRead() && c == 48) {
          c = st.read();
          if (st.canRead() && c == 120) {
            text = readUntilFalse(st, false, true, C_HEX);
            const r = I64.parseInt(text, 16);
            kind = NUMERIC;
            value = floatV(<f64> r);
            break;
          } else st.pos--;
        }
        text = readTokenUntilFalse(st, C_NUMERIC);
        const f = parseFloatStrict(text);
        if (isNaN(f)) {
          fail("Unable to parse numeric value '" + text + "' to float64");
          return out;
        }
        kind = NUMERIC;
        value = floatV(f);
        break;
      }
      if (c == 44) {
        kind = SEPARATOR;
        text = ",";
        break;
      }
      if (c == 91) {
        text = readUntilFalse(st, true, false, C_NOTBRACKET);
        if (!completed) {
          fail("Unclosed parameter bracket");
          return out;
        }
        st.pos++;
        kind = VARIABLE;
        value = strV(text);
        break;
      }
      if (isLetter(c)) {
        text = readTokenUntilFalse(st, C_VARNAME);
        kind = VARIABLE;
        value = strV(text);
        if (text == "true" || text == "false") {
          kind = BOOLEAN;
          value = bool_(text == "true");
        }
        if (text == "in" || text == "IN") {
          text = "in";
          kind = COMPARATOR;
        }
        const dot = text.indexOf(".");
        if (dot > 0) {
          if (text.charCodeAt(text.length - 1) == 46) {
            fail("Hanging accessor on token '" + text + "'");
            return out;
          }
          kind = ACCESSOR;
          const parts = text.split(".");
          for (let i = 1; i < parts.length; i++) {
            const p = parts[i];
            if (p.length > 0 && p.charAt(0).toUpperCase() != p.charAt(0)) {
              fail("Unable to access unexported field '" + p + "' in token '" + text + "'");
              return out;
            }
          }
        }
        break;
      }
      if (!cond(C_NOTQUOTE, c)) {
        text = readUntilFalse(st, true, false, C_NOTQUOTE);
        if (!completed) {
          fail("Unclosed string literal");
          return out;
        }
        st.pos++;
        kind = STRING;
        value = strV(text);
        break;
      }
      if (c == 40) {
        kind = CLAUSE;
        text = "(";
        break;
      }
      if (c == 41) {
        kind = CLAUSE_CLOSE;
        text = ")";
        break;
      }
      text = readTokenUntilFalse(st, C_NOTALNUM);
      if (canTransition(state, PREFIX) && PREFIX_SYMS.includes(text)) {
        kind = PREFIX;
        break;
      }
      if (MODIFIER_SYMS.includes(text)) {
        kind = MODIFIER;
        break;
      }
      if (LOGICAL_SYMS.includes(text)) {
        kind = LOGICALOP;
        break;
      }
      if (COMPARATOR_SYMS.includes(text)) {
        kind = COMPARATOR;
        break;
      }
      if (TERNARY_SYMS.includes(text)) {
        kind = TERNARY;
        break;
      }
      fail("Invalid token: '" + text + "'");
      return out;
    }
    if (kind == UNKNOWN) break;
    state = kind;
    out.push(new GToken(kind, text, value));
  }
  // checkBalance
  let parens = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i].kind == CLAUSE) parens++;
    if (out[i].kind == CLAUSE_CLOSE) parens--;
  }
  if (parens != 0) {
    fail("Unbalanced parenthesis");
    return out;
  }
  // checkExpressionSyntax
  let s = UNKNOWN;
  let last: GToken | null = null;
  for (let i = 0; i < out.length; i++) {
    const t = out[i];
    if (!canTransition(s, t.kind)) {
      if (last !== null && last.kind == VARIABLE && t.kind == CLAUSE) {
        fail("Undefined function " + last.text);
        return out;
      }
      const firstName = KIND_NAMES[s] + " [" + (last === null ? "<nil>" : last.display()) + "]";
      fail(
        "Cannot transition token types from " + firstName + " to " + KIND_NAMES[t.kind] + " [" + t.display() +
          "]",
      );
      return out;
    }
    s = t.kind;
    last = t;
  }
  if (!isEOFState(s)) {
    fail("Unexpected end of expression");
  }
  return out;
}

export { arrV };
