// expr-lang parser (Pratt), following expr-lang/expr's precedence table:
// ?: < ?? is special (500) ; or || 10 ; and && 15 ; == != < > <= >= in matches contains
// startsWith endsWith 20 ; .. 25 ; + - 30 ; * / % 60 ; ** ^ 100 (right) ; unary not ! 50, - + 90.

import { fail, failed } from "../err";
import { bool_, floatV, intV, NIL, parseFloatStrict, parseIntGo, strV } from "../value";
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
import { lex, location, T_BRACKET, T_EOF, T_FLOAT, T_IDENT, T_INT, T_OP, T_STR, Token } from "./lexer";

function binaryPrec(op: string): i32 {
  if (op == "or" || op == "||") return 10;
  if (op == "and" || op == "&&") return 15;
  if (op == "==" || op == "!=" || op == "<" || op == ">" || op == "<=" || op == ">=") return 20;
  if (op == "in" || op == "matches" || op == "contains" || op == "startsWith" || op == "endsWith") return 20;
  if (op == "..") return 25;
  if (op == "+" || op == "-") return 30;
  if (op == "*" || op == "/" || op == "%") return 60;
  if (op == "**" || op == "^") return 100;
  if (op == "??") return 500;
  return -1;
}

/** Builtins whose second argument is a predicate closure. */
export const PREDICATES = [
  "all",
  "any",
  "none",
  "one",
  "filter",
  "map",
  "count",
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "sum",
  "groupBy",
  "sortBy",
];

class Parser {
  toks: Array<Token>;
  i: i32 = 0;
  depth: i32 = 0;

  constructor(public src: string) {
    this.toks = lex(src);
  }

  cur(): Token {
    return this.toks[this.i < this.toks.length ? this.i : this.toks.length - 1];
  }

  next(): void {
    if (this.i < this.toks.length - 1) this.i++;
  }

  unexpected(): Node {
    const t = this.cur();
    if (t.kind == T_EOF) fail("unexpected token EOF " + location(this.src, t.pos));
    else fail("unexpected token " + tokenDesc(t) + " " + location(this.src, t.pos));
    return new Node(N_LIT, t.pos);
  }

  expect(kind: i32, text: string): bool {
    const t = this.cur();
    if (t.kind == kind && t.text == text) {
      this.next();
      return true;
    }
    this.unexpected();
    return false;
  }

  parseExpression(prec: i32): Node {
    let left = this.parsePrimary();
    while (!failed()) {
      let t = this.cur();
      if (t.kind != T_OP) break;
      let negate = false;
      if (t.text == "not") {
        const nt = this.toks[this.i + 1 < this.toks.length ? this.i + 1 : this.i];
        if (
          nt.kind == T_OP &&
          (nt.text == "in" || nt.text == "matches" || nt.text == "contains" || nt.text == "startsWith" ||
            nt.text == "endsWith")
        ) {
          if (20 < prec) break;
          negate = true;
          this.next();
          t = this.cur();
        } else break;
      }
      const p = binaryPrec(t.text);
      if (p < 0 || p < prec) break;
      this.next();
      const rightAssoc = t.text == "**" || t.text == "^";
      const right = t.text == "??" ? this.parsePrimary() : this.parseExpression(rightAssoc ? p : p + 1);
      const n = new Node(N_BINARY, t.pos);
      n.s = t.text == "^" ? "**" : t.text;
      n.a = left;
      n.b = right;
      if (negate) {
        const w = new Node(N_NOT, t.pos);
        w.a = n;
        left = w;
      } else left = n;
    }
    if (prec == 0 && !failed()) left = this.parseConditional(left);
    return left;
  }

  parseConditional(cond: Node): Node {
    const t = this.cur();
    if (!t.is(T_OP, "?")) return cond;
    this.next();
    let yes: Node;
    if (this.cur().is(T_OP, ":")) {
      yes = cond; // elvis a ?: b
    } else {
      yes = this.parseExpression(0);
    }
    if (!this.expect(T_OP, ":")) return cond;
    const no = this.parseExpression(0);
    const n = new Node(N_TERNARY, t.pos);
    n.a = cond;
    n.b = yes;
    n.c = no;
    return n;
  }

  parsePrimary(): Node {
    if (failed()) return new Node(N_LIT, 0);
    this.depth++;
    if (this.depth > 200) {
      fail("expression too deeply nested");
      return new Node(N_LIT, 0);
    }
    const t = this.cur();
    let node: Node;
    if (t.kind == T_OP && (t.text == "not" || t.text == "!" || t.text == "-" || t.text == "+")) {
      this.next();
      const inner = this.parseExpression(t.text == "not" || t.text == "!" ? 50 : 90);
      node = new Node(0 + 5, t.pos); // N_UNARY
      node.s = t.text == "not" ? "!" : t.text;
      node.a = inner;
      this.depth--;
      return this.parsePostfix(node);
    }
    if (t.is(T_BRACKET, "(")) {
      this.next();
      node = this.parseExpression(0);
      this.expect(T_BRACKET, ")");
    } else if (t.kind == T_INT) {
      this.next();
      const r = parseIntGo(t.text, true);
      node = new Node(N_LIT, t.pos);
      if (!r.ok) {
        fail("invalid integer literal: " + t.text + " " + location(this.src, t.pos));
      }
      node.v = intV(r.v);
    } else if (t.kind == T_FLOAT) {
      this.next();
      node = new Node(N_LIT, t.pos);
      const f = parseFloatStrict(t.text);
      if (isNaN(f)) fail("invalid float literal: " + t.text + " " + location(this.src, t.pos));
      node.v = floatV(f);
    } else if (t.kind == T_STR) {
      this.next();
      node = new Node(N_LIT, t.pos);
      node.v = strV(t.text);
    } else if (t.kind == T_IDENT) {
      this.next();
      if (t.text == "true" || t.text == "false") {
        node = new Node(N_LIT, t.pos);
        node.v = bool_(t.text == "true");
      } else if (t.text == "nil") {
        node = new Node(N_LIT, t.pos);
        node.v = NIL;
      } else if (this.cur().is(T_BRACKET, "(")) {
        node = this.parseCall(t.text, t.pos);
      } else {
        node = new Node(N_IDENT, t.pos);
        node.s = t.text;
      }
    } else if (t.is(T_BRACKET, "[")) {
      this.next();
      node = new Node(N_ARRAY, t.pos);
      const items = new Array<Node>();
      while (!failed() && !this.cur().is(T_BRACKET, "]")) {
        if (items.length > 0) {
          if (!this.expect(T_OP, ",")) break;
          if (this.cur().is(T_BRACKET, "]")) break;
        }
        items.push(this.parseExpression(0));
      }
      this.expect(T_BRACKET, "]");
      node.list = items;
    } else if (t.is(T_BRACKET, "{")) {
      this.next();
      node = new Node(N_MAP, t.pos);
      const keys = new Array<Node>();
      const vals = new Array<Node>();
      while (!failed() && !this.cur().is(T_BRACKET, "}")) {
        if (keys.length > 0) {
          if (!this.expect(T_OP, ",")) break;
          if (this.cur().is(T_BRACKET, "}")) break;
        }
        const k = this.cur();
        const kn = new Node(N_LIT, k.pos);
        if (k.kind == T_IDENT || k.kind == T_STR || k.kind == T_INT) {
          kn.v = strV(k.text);
          this.next();
        } else if (k.is(T_BRACKET, "(")) {
          this.next();
          const e = this.parseExpression(0);
          this.expect(T_BRACKET, ")");
          keys.push(e);
          this.expect(T_OP, ":");
          vals.push(this.parseExpression(0));
          continue;
        } else {
          this.unexpected();
          break;
        }
        keys.push(kn);
        this.expect(T_OP, ":");
        vals.push(this.parseExpression(0));
      }
      this.expect(T_BRACKET, "}");
      node.keys = keys;
      node.list = vals;
    } else if (t.is(T_OP, "#")) {
      this.next();
      node = new Node(N_POINTER, t.pos);
      if (this.cur().kind == T_IDENT && this.cur().pos == t.pos + 1) {
        node.s = this.cur().text; // #index, #acc
        this.next();
      }
    } else if (t.is(T_OP, ".")) {
      // .field inside a closure is #.field
      this.next();
      const f = this.cur();
      if (f.kind != T_IDENT) {
        this.depth--;
        return this.unexpected();
      }
      this.next();
      const ptr = new Node(N_POINTER, t.pos);
      node = new Node(N_MEMBER, t.pos);
      node.a = ptr;
      const prop = new Node(N_LIT, f.pos);
      prop.v = strV(f.text);
      node.b = prop;
    } else {
      this.depth--;
      return this.unexpected();
    }
    this.depth--;
    return this.parsePostfix(node);
  }

  parseCall(name: string, pos: i32): Node {
    this.next(); // (
    const n = new Node(N_CALL, pos);
    n.s = name;
    const args = new Array<Node>();
    const isPred = PREDICATES.includes(name);
    while (!failed() && !this.cur().is(T_BRACKET, ")")) {
      if (args.length > 0) {
        if (!this.expect(T_OP, ",")) break;
        if (this.cur().is(T_BRACKET, ")")) break;
      }
      if (isPred && args.length >= 1) args.push(this.parseClosure());
      else args.push(this.parseExpression(0));
    }
    this.expect(T_BRACKET, ")");
    n.list = args;
    return n;
  }

  parseClosure(): Node {
    const t = this.cur();
    let braces = false;
    if (t.is(T_BRACKET, "{")) {
      braces = true;
      this.next();
    }
    const body = this.parseExpression(0);
    if (braces) this.expect(T_BRACKET, "}");
    const n = new Node(N_CLOSURE, t.pos);
    n.a = body;
    return n;
  }

  parsePostfix(node: Node): Node {
    while (!failed()) {
      const t = this.cur();
      if (t.kind == T_OP && (t.text == "." || t.text == "?.")) {
        this.next();
        const f = this.cur();
        if (t.text == "?." && f.is(T_BRACKET, "[")) {
          // a?.[x]
          this.next();
          const idx = this.parseExpression(0);
          this.expect(T_BRACKET, "]");
          const m = new Node(N_MEMBER, t.pos);
          m.a = node;
          m.b = idx;
          m.optional = true;
          node = m;
          continue;
        }
        if (f.kind != T_IDENT && !(f.kind == T_OP && binaryPrec(f.text) > 0 && isWord(f.text))) {
          return this.unexpected();
        }
        this.next();
        if (this.cur().is(T_BRACKET, "(")) {
          // method-style call: only namespaces of functions (sprig.x) are callable.
          const path = memberPath(node);
          if (path === null) {
            fail("cannot call method " + f.text + " " + location(this.src, f.pos));
            return node;
          }
          node = this.parseCall(path + "." + f.text, node.pos);
          continue;
        }
        const m = new Node(N_MEMBER, t.pos);
        m.a = node;
        const prop = new Node(N_LIT, f.pos);
        prop.v = strV(f.text);
        m.b = prop;
        m.optional = t.text == "?.";
        node = m;
        continue;
      }
      if (t.is(T_BRACKET, "[")) {
        this.next();
        let from: Node | null = null;
        if (this.cur().is(T_OP, ":")) {
          this.next();
          let to: Node | null = null;
          if (!this.cur().is(T_BRACKET, "]")) to = this.parseExpression(0);
          this.expect(T_BRACKET, "]");
          const s = new Node(N_SLICE, t.pos);
          s.a = node;
          s.c = to;
          node = s;
          continue;
        }
        from = this.parseExpression(0);
        if (this.cur().is(T_OP, ":")) {
          this.next();
          let to: Node | null = null;
          if (!this.cur().is(T_BRACKET, "]")) to = this.parseExpression(0);
          this.expect(T_BRACKET, "]");
          const s = new Node(N_SLICE, t.pos);
          s.a = node;
          s.b = from;
          s.c = to;
          node = s;
          continue;
        }
        this.expect(T_BRACKET, "]");
        const m = new Node(N_MEMBER, t.pos);
        m.a = node;
        m.b = from;
        node = m;
        continue;
      }
      break;
    }
    return node;
  }
}

function isWord(s: string): bool {
  const c = s.charCodeAt(0);
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** "a.b.c" for a chain of identifier/constant-string members, else null. */
export function memberPath(n: Node): string | null {
  if (n.kind == N_IDENT) return n.s;
  if (n.kind == N_MEMBER && !n.optional) {
    const b = n.B();
    if (b.kind == N_LIT && (b.v as Value).kind == 4) {
      const base = memberPath(n.A());
      if (base === null) return null;
      return base + "." + (b.v as Value).s;
    }
  }
  return null;
}

import { Value } from "../value";

function tokenDesc(t: Token): string {
  if (t.kind == T_OP) return 'Operator("' + t.text + '")';
  if (t.kind == T_BRACKET) return 'Bracket("' + t.text + '")';
  if (t.kind == T_IDENT) return 'Identifier("' + t.text + '")';
  if (t.kind == T_STR) return 'String("' + t.text + '")';
  return 'Number("' + t.text + '")';
}

/** Parses a whole expression; records an error (with position) on bad syntax. */
export function parse(src: string): Node {
  const p = new Parser(src);
  if (failed()) return new Node(N_LIT, 0);
  if (p.cur().kind == T_EOF) {
    fail("unexpected token EOF " + location(src, 0));
    return new Node(N_LIT, 0);
  }
  const n = p.parseExpression(0);
  if (!failed() && p.cur().kind != T_EOF) p.unexpected();
  return n;
}

export { N_UNARY };
