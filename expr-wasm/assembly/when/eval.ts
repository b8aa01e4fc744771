// govaluate planner and evaluator: precedence (low to high) separator , ; ternary ? : ?? ;
// || ; && ; comparators == != > >= < <= =~ !~ in ; bitwise & | ^ ; shifts ; + - ; * / % ; ** ;
// prefix - ! ~. Same-precedence chains are left-associative (govaluate's reorderStages), type
// checks and their messages follow evaluationStage.go.

import { fail, failed } from "../err";
import { regexMatch } from "../regex";
import {
  arrV,
  bool_,
  deepEqual,
  FALSE,
  floatV,
  goFormat,
  K_ARR,
  K_BOOL,
  K_FLOAT,
  K_NIL,
  K_PATTERN,
  K_STR,
  NIL,
  strV,
  TRUE,
  Value,
} from "../value";
import {
  ACCESSOR,
  BOOLEAN,
  CLAUSE,
  CLAUSE_CLOSE,
  COMPARATOR,
  GToken,
  LOGICALOP,
  MODIFIER,
  NUMERIC,
  PATTERN,
  PREFIX,
  SEPARATOR,
  STRING,
  TERNARY,
  TIME,
  VARIABLE,
} from "./lexer";

const S_LIT: i32 = 0;
const S_OP: i32 = 1;
const S_PREFIX: i32 = 2;
const S_ACCESS: i32 = 3;
const S_SEP: i32 = 4;
const S_NOOP: i32 = 5;

class Stage {
  kind: i32 = S_LIT;
  op: string = "";
  value: Value = NIL;
  left: Stage | null = null;
  right: Stage | null = null;
}

const BITWISE = ["&", "|", "^"];
const SHIFTS = ["<<", ">>"];
const ADDITIVE = ["+", "-"];
const MULTIPLICATIVE = ["*", "/", "%"];
const EXPONENT = ["**"];
const OR_OPS = ["||"];
const AND_OPS = ["&&"];

class Planner {
  i: i32 = 0;
  constructor(public toks: Array<GToken>) {}

  peek(): GToken | null {
    return this.i < this.toks.length ? this.toks[this.i] : null;
  }

  level(kind: i32, ops: Array<string>): bool {
    const t = this.peek();
    return t !== null && t.kind == kind && ops.includes(t.text);
  }

  binary(left: Stage, op: string, right: Stage): Stage {
    const s = new Stage();
    s.kind = S_OP;
    s.op = op;
    s.left = left;
    s.right = right;
    return s;
  }

  separator(): Stage | null {
    let left = this.ternary();
    while (!failed()) {
      const t = this.peek();
      if (t === null || t.kind != SEPARATOR) break;
      this.i++;
      const right = this.ternary();
      const s = new Stage();
      s.kind = S_SEP;
      s.left = left;
      s.right = right;
      left = s;
    }
    return left;
  }

  ternary(): Stage | null {
    let left = this.or();
    while (!failed()) {
      const t = this.peek();
      if (t === null || t.kind != TERNARY) break;
      this.i++;
      const right = this.or();
      left = this.binary(nn(left), t.text, nn(right));
    }
    return left;
  }

  or(): Stage | null {
    let left = this.and();
    while (!failed() && this.level(LOGICALOP, OR_OPS)) {
      this.i++;
      left = this.binary(nn(left), "||", nn(this.and()));
    }
    return left;
  }

  and(): Stage | null {
    let left = this.comparator();
    while (!failed() && this.level(LOGICALOP, AND_OPS)) {
      this.i++;
      left = this.binary(nn(left), "&&", nn(this.comparator()));
    }
    return left;
  }

  comparator(): Stage | null {
    let left = this.bitwise();
    while (!failed()) {
      const t = this.peek();
      if (t === null || t.kind != COMPARATOR) break;
      this.i++;
      left = this.binary(nn(left), t.text, nn(this.bitwise()));
    }
    return left;
  }

  bitwise(): Stage | null {
    let left = this.shift();
    while (!failed() && this.level(MODIFIER, BITWISE)) {
      const op = this.toks[this.i++].text;
      left = this.binary(nn(left), op, nn(this.shift()));
    }
    return left;
  }

  shift(): Stage | null {
    let left = this.additive();
    while (!failed() && this.level(MODIFIER, SHIFTS)) {
      const op = this.toks[this.i++].text;
      left = this.binary(nn(left), op, nn(this.additive()));
    }
    return left;
  }

  additive(): Stage | null {
    let left = this.multiplicative();
    while (!failed() && this.level(MODIFIER, ADDITIVE)) {
      const op = this.toks[this.i++].text;
      left = this.binary(nn(left), op, nn(this.multiplicative()));
    }
    return left;
  }

  multiplicative(): Stage | null {
    let left = this.exponential();
    while (!failed() && this.level(MODIFIER, MULTIPLICATIVE)) {
      const op = this.toks[this.i++].text;
      left = this.binary(nn(left), op, nn(this.exponential()));
    }
    return left;
  }

  exponential(): Stage | null {
    let left = this.prefix();
    while (!failed() && this.level(MODIFIER, EXPONENT)) {
      this.i++;
      left = this.binary(nn(left), "**", nn(this.prefix()));
    }
    return left;
  }

  prefix(): Stage | null {
    const t = this.peek();
    if (t !== null && t.kind == PREFIX) {
      this.i++;
      const s = new Stage();
      s.kind = S_PREFIX;
      s.op = t.text;
      s.right = this.prefix();
      return s;
    }
    return this.value();
  }

  value(): Stage | null {
    const t = this.peek();
    if (t === null) return null;
    this.i++;
    if (t.kind == CLAUSE) {
      const inner = this.separator();
      this.i++; // the CLAUSE_CLOSE (balance was checked)
      const s = new Stage();
      s.kind = S_NOOP;
      s.right = inner;
      return s;
    }
    if (t.kind == CLAUSE_CLOSE) {
      this.i--;
      return null;
    }
    if (t.kind == ACCESSOR) {
      const s = new Stage();
      s.kind = S_ACCESS;
      s.op = t.text;
      return s;
    }
    if (
      t.kind == NUMERIC || t.kind == STRING || t.kind == BOOLEAN || t.kind == PATTERN || t.kind == TIME ||
      t.kind == VARIABLE
    ) {
      const s = new Stage();
      s.kind = S_LIT;
      s.value = t.value;
      return s;
    }
    fail("Unable to plan token kind: '" + t.text + "'");
    return null;
  }
}

const NIL_STAGE = new Stage();

function nn(s: Stage | null): Stage {
  return s === null ? NIL_STAGE : s;
}

/** Plans the tokens into an evaluation tree (VARIABLE tokens already turned into STRING). */
export function plan(toks: Array<GToken>): Stage | null {
  // optimizeTokens: a string right after =~ / !~ becomes a compiled pattern.
  for (let i = 0; i + 1 < toks.length; i++) {
    const t = toks[i];
    if (t.kind == COMPARATOR && (t.text == "=~" || t.text == "!~") && toks[i + 1].kind == STRING) {
      const p = toks[i + 1];
      if (regexMatch(p.text, "") < 0) {
        fail("error parsing regexp: invalid pattern `" + p.text + "`");
        return null;
      }
      const v = strV(p.text);
      v.kind = K_PATTERN;
      toks[i + 1] = new GToken(PATTERN, p.text, v);
    }
  }
  const p = new Planner(toks);
  if (toks.length == 0) return null;
  return p.separator();
}

function isF(v: Value): bool {
  return v.kind == K_FLOAT;
}

function typeErr(format: i32, v: Value, op: string): Value {
  const val = goFormat(v);
  if (format == 0) {
    fail("Value '" + val + "' cannot be used with the logical operator '" + op + "', it is not a bool");
  } else if (format == 1) {
    fail("Value '" + val + "' cannot be used with the modifier '" + op + "', it is not a number");
  } else if (format == 2) {
    fail("Value '" + val + "' cannot be used with the comparator '" + op + "', it is not a number");
  } else if (format == 3) {
    fail("Value '" + val + "' cannot be used with the ternary operator '" + op + "', it is not a bool");
  } else fail("Value '" + val + "' cannot be used with the prefix '" + op + "'");
  return NIL;
}

function i64of(v: Value): i64 {
  return <i64> v.f;
}

/** Evaluates a planned stage. */
export function evalStage(s: Stage | null): Value {
  if (s === null || failed()) return NIL;
  if (s.kind == S_LIT) return s.value;
  if (s.kind == S_NOOP) return evalStage(s.right);
  if (s.kind == S_ACCESS) {
    fail("No parameter '" + s.op.split(".")[0] + "' found.");
    return NIL;
  }
  if (s.kind == S_SEP) {
    const l = evalStage(s.left);
    const r = evalStage(s.right);
    if (failed()) return NIL;
    if (l.kind == K_ARR) {
      const a = l.items().slice(0);
      a.push(r);
      return arrV(a);
    }
    return arrV([l, r]);
  }
  if (s.kind == S_PREFIX) {
    const r = evalStage(s.right);
    if (failed()) return NIL;
    if (s.op == "!") {
      if (r.kind != K_BOOL) return typeErr(4, r, "!");
      return bool_(!r.b);
    }
    if (!isF(r)) return typeErr(4, r, s.op);
    if (s.op == "-") return floatV(-r.f);
    return floatV(<f64> ~i64of(r));
  }
  const op = s.op;
  const l = evalStage(s.left);
  if (failed()) return NIL;
  // short circuits
  if (op == "&&" && l.kind == K_BOOL && !l.b) return FALSE;
  if (op == "||" && l.kind == K_BOOL && l.b) return TRUE;
  if (op == "??" && l.kind != K_NIL) return l;
  if (op == ":" && l.kind != K_NIL) return l;
  if (op == "?" && l.kind == K_BOOL && !l.b) return NIL;
  const r = evalStage(s.right);
  if (failed()) return NIL;
  if (op == "&&" || op == "||") {
    if (l.kind != K_BOOL) return typeErr(0, l, op);
    if (r.kind != K_BOOL) return typeErr(0, r, op);
    return r;
  }
  if (op == "?") {
    if (l.kind != K_BOOL) return typeErr(3, l, op);
    return r;
  }
  if (op == ":" || op == "??") return r;
  if (op == "==") return bool_(deepEqual(l, r));
  if (op == "!=") return bool_(!deepEqual(l, r));
  if (op == ">" || op == ">=" || op == "<" || op == "<=") {
    let c: i32 = 0;
    if (isF(l) && isF(r)) {
      if (l.f != l.f || r.f != r.f) return FALSE;
      c = l.f < r.f ? -1 : l.f > r.f ? 1 : 0;
    } else if (l.kind == K_STR && r.kind == K_STR) {
      c = l.s < r.s ? -1 : l.s > r.s ? 1 : 0;
    } else return typeErr(2, l, op);
    if (op == ">") return bool_(c > 0);
    if (op == ">=") return bool_(c >= 0);
    if (op == "<") return bool_(c < 0);
    return bool_(c <= 0);
  }
  if (op == "=~" || op == "!~") {
    if (l.kind != K_STR) return typeErr(2, l, op);
    if (r.kind != K_STR && r.kind != K_PATTERN) return typeErr(2, r, op);
    const m = regexMatch(r.s, l.s);
    if (m < 0) {
      fail("Unable to compile regexp pattern '" + r.s + "': invalid pattern");
      return NIL;
    }
    return bool_(op == "=~" ? m == 1 : m != 1);
  }
  if (op == "in") {
    if (r.kind != K_ARR) return typeErr(2, r, op);
    const items = r.items();
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (
        it.kind == l.kind &&
        (l.kind == K_STR
          ? it.s == l.s
          : l.kind == K_FLOAT
          ? it.f == l.f
          : l.kind == K_BOOL
          ? it.b == l.b
          : l.kind == K_NIL)
      ) return TRUE;
    }
    return FALSE;
  }
  if (op == "+") {
    if (isF(l) && isF(r)) return floatV(l.f + r.f);
    if (l.kind != K_STR && r.kind != K_STR) return typeErr(1, l, op);
    return strV(goFormat(l) + goFormat(r));
  }
  if (!isF(l)) return typeErr(1, l, op);
  if (!isF(r)) return typeErr(1, r, op);
  if (op == "-") return floatV(l.f - r.f);
  if (op == "*") return floatV(l.f * r.f);
  if (op == "/") return floatV(l.f / r.f);
  if (op == "%") return floatV(l.f % r.f);
  if (op == "**") return floatV(Math.pow(l.f, r.f));
  if (op == "&") return floatV(<f64> (i64of(l) & i64of(r)));
  if (op == "|") return floatV(<f64> (i64of(l) | i64of(r)));
  if (op == "^") return floatV(<f64> (i64of(l) ^ i64of(r)));
  if (op == "<<") return floatV(<f64> (<u64> i64of(l) << <u64> i64of(r)));
  if (op == ">>") return floatV(<f64> (<u64> i64of(l) >> <u64> i64of(r)));
  fail("unknown operator " + op);
  return NIL;
}

export { STRING, VARIABLE };
