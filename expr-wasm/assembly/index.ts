// The module's exports. Requests arrive as UTF-8 in the shared input buffer (the host asks for
// it with inputPtr(size) and writes with one copy); replies are written to the output buffer
// (outputPtr/outputLen). Strings are framed as u32 byte length + bytes.

import { ByteReader, ByteWriter } from "./bytes";
import { clearError, errorMessage, failed } from "./err";
import { dependsNames, evalDepends, TaskFacts } from "./depends";
import { evalExpression } from "./exprtag";
import { marshal } from "./json";
import { Scope } from "./scope";
import { substitute as subst, SubstResult } from "./template";
import { evalWhen as when, WhenResult } from "./when/mod";

let input = new ArrayBuffer(64 * 1024);
const output = new ByteWriter(64 * 1024);
const scopes = new Map<i32, Scope>();
let nextScope: i32 = 1;
const whenBuf = new ByteWriter(1024);
const NO_PREFIXES = new Array<string>();

/** Ensures the input buffer holds `size` bytes and returns its address (valid until the next call). */
export function inputPtr(size: i32): usize {
  if (input.byteLength < size) {
    let cap = input.byteLength;
    while (cap < size) cap *= 2;
    input = new ArrayBuffer(cap);
  }
  return changetype<usize>(input);
}

/** Address of the last reply. */
export function outputPtr(): usize {
  return output.ptr();
}

/** Byte length of the last reply. */
export function outputLen(): i32 {
  return output.len;
}

/** Creates a scope from the `len` input bytes (u32 count, then key/value string pairs); returns its id. */
export function scopeNew(len: i32): i32 {
  const id = nextScope++;
  scopes.set(id, new Scope(changetype<usize>(input), len));
  return id;
}

/** Forgets scope `id`. */
export function scopeFree(id: i32): void {
  scopes.delete(id);
}

/** Number of live scopes (for leak tests). */
export function scopeCount(): i32 {
  return scopes.size;
}

const EMPTY_SCOPE = new Scope(changetype<usize>(new ArrayBuffer(4)), 4);

function getScope(id: i32): Scope {
  return id != 0 && scopes.has(id) ? scopes.get(id) : EMPTY_SCOPE;
}

function readPrefixes(r: ByteReader): Array<string> {
  const n = <i32> r.u32();
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = r.str();
  return out;
}

/**
 * Substitutes a template. Input: u32 nPrefixes, prefixes, then the template bytes to the end.
 * flags bit0: JSON mode. Output: text, u32 n + unresolved names, u32 n + error messages.
 */
export function substitute(scopeId: i32, len: i32, flags: i32): void {
  const base = changetype<usize>(input);
  const r = new ByteReader(base, base + len);
  const prefixes = readPrefixes(r);
  const scope = getScope(scopeId);
  output.reset();
  output.u32(0);
  const res = new SubstResult();
  subst(scope, base + r.pos, len - <i32> r.pos, (flags & 1) != 0, prefixes, output, res);
  output.patch32(0, <u32> (output.len - 4));
  output.u32(<u32> res.unresolved.length);
  for (let i = 0; i < res.unresolved.length; i++) output.lstr(res.unresolved[i]);
  output.u32(<u32> res.errors.length);
  for (let i = 0; i < res.errors.length; i++) output.lstr(res.errors[i]);
}

/** Evaluates expr-lang expressions. Input: u32 n, n strings. Output per item: u8 ok, string (JSON value or error). */
export function evalExprs(scopeId: i32, len: i32): void {
  const base = changetype<usize>(input);
  const r = new ByteReader(base, base + len);
  const n = <i32> r.u32();
  const exprs = new Array<string>(n);
  for (let i = 0; i < n; i++) exprs[i] = r.str();
  const env = getScope(scopeId).exprEnv();
  output.reset();
  for (let i = 0; i < n; i++) {
    const v = evalExpression(env, exprs[i]);
    if (!failed()) {
      const j = marshal(v, false);
      if (!failed()) {
        output.byte(1);
        output.lstr(j);
        continue;
      }
    }
    output.byte(0);
    output.lstr('failed to evaluate expression "' + exprs[i] + '": ' + errorMessage());
    clearError();
  }
}

/** Memoized `when` results: evaluation is a pure function of the substituted text. */
const whenMemo = new Map<string, WhenResult>();

function whenCached(text: string): WhenResult {
  if (whenMemo.has(text)) return whenMemo.get(text);
  const w = when(text);
  if (whenMemo.size >= 4096) whenMemo.clear();
  whenMemo.set(text, w);
  return w;
}

/** Substitutes then evaluates `when` expressions. Input: u32 n, n strings. Output: u8 status (0/1/2), string message. */
export function evalWhens(scopeId: i32, len: i32): void {
  const base = changetype<usize>(input);
  const r = new ByteReader(base, base + len);
  const n = <i32> r.u32();
  const scope = getScope(scopeId);
  output.reset();
  for (let i = 0; i < n; i++) {
    const slen = <i32> r.u32();
    const sptr = base + r.pos;
    r.pos += slen;
    whenBuf.reset();
    const res = new SubstResult();
    subst(scope, sptr, slen, false, NO_PREFIXES, whenBuf, res);
    if (res.errors.length > 0) {
      output.byte(2);
      output.lstr(res.errors[0]);
      continue;
    }
    if (res.unresolved.length > 0) {
      output.byte(2);
      output.lstr(
        "failed to resolve {{" + res.unresolved[0] + "}} in 'when' expression '" +
          String.UTF8.decodeUnsafe(sptr, slen) + "'",
      );
      continue;
    }
    const w = whenCached(String.UTF8.decodeUnsafe(whenBuf.ptr(), whenBuf.len));
    output.byte(<u8> w.status);
    output.lstr(w.message);
  }
}

/**
 * Evaluates depends strings against task facts. Input: u32 nTasks, per task: name, phase,
 * u32 flags (1 group, 2 daemoned, 4 continueOn.error, 8 continueOn.failed), u32 nChildren + child
 * phases; then u32 n + depends strings. Output per depends: u8 status (0/1/2), string message.
 */
export function evalDependsBatch(len: i32): void {
  const base = changetype<usize>(input);
  const r = new ByteReader(base, base + len);
  const nt = <i32> r.u32();
  const tasks = new Map<string, TaskFacts>();
  for (let i = 0; i < nt; i++) {
    const name = r.str();
    const f = new TaskFacts();
    f.phase = r.str();
    const flags = r.u32();
    f.isGroup = (flags & 1) != 0;
    f.daemoned = (flags & 2) != 0;
    f.continueOnError = (flags & 4) != 0;
    f.continueOnFailed = (flags & 8) != 0;
    const nc = <i32> r.u32();
    for (let c = 0; c < nc; c++) f.children.push(r.str());
    tasks.set(name, f);
  }
  const n = <i32> r.u32();
  const list = new Array<string>(n);
  for (let i = 0; i < n; i++) list[i] = r.str();
  output.reset();
  for (let i = 0; i < n; i++) {
    const d = evalDepends(list[i], tasks);
    output.byte(<u8> d.status);
    output.lstr(d.message);
  }
}

/** Task names mentioned by a depends string. Input: one string. Output: u32 n + names. */
export function dependsTaskNames(len: i32): void {
  const base = changetype<usize>(input);
  const r = new ByteReader(base, base + len);
  const names = dependsNames(r.str());
  output.reset();
  output.u32(<u32> names.length);
  for (let i = 0; i < names.length; i++) output.lstr(names[i]);
}
