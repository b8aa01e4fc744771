// expr-lang lexer: numbers, strings (' " `), identifiers, operators and brackets.

import { fail } from "../err";

export const T_EOF: i32 = 0;
export const T_INT: i32 = 1;
export const T_FLOAT: i32 = 2;
export const T_STR: i32 = 3;
export const T_IDENT: i32 = 4;
export const T_OP: i32 = 5;
export const T_BRACKET: i32 = 6;

/** One token; `pos` is the 0-based character offset. */
export class Token {
  constructor(public kind: i32, public text: string, public pos: i32) {}

  is(kind: i32, text: string): bool {
    return this.kind == kind && this.text == text;
  }
}

/** "(line:col)" as expr-lang prints positions (1-based line, 1-based column). */
export function location(src: string, pos: i32): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < pos && i < src.length; i++) {
    if (src.charCodeAt(i) == 10) {
      line++;
      col = 1;
    } else col++;
  }
  return "(" + line.toString() + ":" + col.toString() + ")";
}

function isDigit(c: i32): bool {
  return c >= 48 && c <= 57;
}

function isIdentStart(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c == 95 || c == 36 || c >= 0x80;
}

function isIdentPart(c: i32): bool {
  return isIdentStart(c) || isDigit(c);
}

const WORD_OPS = ["and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith"];
const OPS3 = ["..."];
const OPS2 = ["==", "!=", "<=", ">=", "&&", "||", "??", "?.", "..", "**"];

/** Tokenizes `src`; records an error and returns what it has on bad input. */
export function lex(src: string): Array<Token> {
  const out = new Array<Token>();
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c == 32 || c == 9 || c == 10 || c == 13) {
      i++;
      continue;
    }
    const start = i;
    if (
      isDigit(c) ||
      (c == 46 && i + 1 < n && isDigit(src.charCodeAt(i + 1)) &&
        !(out.length > 0 && out[out.length - 1].is(T_OP, ".")))
    ) {
      // number
      let isFloat = false;
      if (c == 48 && i + 1 < n && (src.charCodeAt(i + 1) | 32) == 120) {
        i += 2;
        while (
          i < n &&
          (isDigit(src.charCodeAt(i)) ||
            ((src.charCodeAt(i) | 32) >= 97 && (src.charCodeAt(i) | 32) <= 102) || src.charCodeAt(i) == 95)
        ) i++;
        out.push(new Token(T_INT, src.substring(start, i), start));
        continue;
      }
      while (i < n && (isDigit(src.charCodeAt(i)) || src.charCodeAt(i) == 95)) i++;
      if (i < n && src.charCodeAt(i) == 46 && !(i + 1 < n && src.charCodeAt(i + 1) == 46)) {
        isFloat = true;
        i++;
        while (i < n && (isDigit(src.charCodeAt(i)) || src.charCodeAt(i) == 95)) i++;
      }
      if (i < n && (src.charCodeAt(i) | 32) == 101) {
        let j = i + 1;
        if (j < n && (src.charCodeAt(j) == 43 || src.charCodeAt(j) == 45)) j++;
        if (j < n && isDigit(src.charCodeAt(j))) {
          isFloat = true;
          i = j;
          while (i < n && isDigit(src.charCodeAt(i))) i++;
        }
      }
      if (i < n && isIdentStart(src.charCodeAt(i))) {
        fail('bad number syntax: "' + src.substring(start, i + 1) + '" ' + location(src, start));
        return out;
      }
      out.push(new Token(isFloat ? T_FLOAT : T_INT, src.substring(start, i), start));
      continue;
    }
    if (c == 39 || c == 34 || c == 96) {
      const q = c;
      i++;
      let val = "";
      let closed = false;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (d == q) {
          closed = true;
          i++;
          break;
        }
        if (d == 92 && q != 96) {
          i++;
          if (i >= n) break;
          const e = src.charCodeAt(i);
          i++;
          if (e == 110) val += "\n";
          else if (e == 116) val += "\t";
          else if (e == 114) val += "\r";
          else if (e == 98) val += "\b";
          else if (e == 102) val += "\f";
          else if (e == 118) val += "\v";
          else if (e == 97) val += "\x07";
          else if (e == 48) val += "\0";
          else if (e == 117 || e == 120) {
            const len = e == 117 ? 4 : 2;
            if (i + len > n) break;
            val += String.fromCharCode(I32.parseInt(src.substring(i, i + len), 16));
            i += len;
          } else if (e == 92 || e == 39 || e == 34) val += String.fromCharCode(e);
          else {
            fail("invalid char escape " + location(src, i - 1));
            return out;
          }
          continue;
        }
        if (d == 10 && q != 96) break;
        val += String.fromCharCode(d);
        i++;
      }
      if (!closed) {
        fail("literal not terminated " + location(src, start));
        return out;
      }
      out.push(new Token(T_STR, val, start));
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      const word = src.substring(start, i);
      if (WORD_OPS.includes(word)) out.push(new Token(T_OP, word, start));
      else out.push(new Token(T_IDENT, word, start));
      continue;
    }
    if (c == 40 || c == 41 || c == 91 || c == 93 || c == 123 || c == 125) {
      out.push(new Token(T_BRACKET, String.fromCharCode(c), start));
      i++;
      continue;
    }
    if (i + 3 <= n && OPS3.includes(src.substring(i, i + 3))) {
      out.push(new Token(T_OP, src.substring(i, i + 3), start));
      i += 3;
      continue;
    }
    if (i + 2 <= n && OPS2.includes(src.substring(i, i + 2))) {
      // "?." followed by a digit is a ternary then a number (a ?.5 : 1)
      const two = src.substring(i, i + 2);
      if (!(two == "?." && i + 2 < n && isDigit(src.charCodeAt(i + 2)))) {
        out.push(new Token(T_OP, two, start));
        i += 2;
        continue;
      }
    }
    if ("+-*/%<>!?:.,#|^".indexOf(String.fromCharCode(c)) >= 0) {
      out.push(new Token(T_OP, String.fromCharCode(c), start));
      i++;
      continue;
    }
    fail(
      "unrecognized character: U+" + c.toString(16).toUpperCase().padStart(4, "0") + " '" +
        String.fromCharCode(c) + "' " + location(src, start),
    );
    return out;
  }
  out.push(new Token(T_EOF, "", n));
  return out;
}
