// The module's exports. Requests arrive as UTF-8 in the shared input buffer (the host asks for
// it with inputPtr(size) and writes with one copy); replies are written to the output buffer
// (outputPtr/outputLen). Strings are framed as u32 byte length + bytes.

import { ByteReader, ByteWriter, hashBytes } from "./bytes";
import { clearError, errorMessage, failed } from "./err";
import { dependsNames, evalDepends, TaskFacts } from "./depends";
import { evalExpression } from "./exprtag";
import { marshal } from "./json";
import { Scope } from "./scope";
import { substitute as subst, SubstResult } from "./template";
import { evalWhenBytes, WhenResult } from "./when/mod";

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
  if (id == lastId) {
    lastId = 0;
    lastScope = EMPTY_SCOPE;
  }
}

/** Number of live scopes (for leak tests). */
export function scopeCount(): i32 {
  return scopes.size;
}

const EMPTY_SCOPE = new Scope(changetype<usize>(new ArrayBuffer(8)), 8);

let lastId: i32 = 0;
let lastScope: Scope = EMPTY_SCOPE;

function getScope(id: i32): Scope {
  if (id == lastId) return lastScope;
  const s = id != 0 && scopes.has(id) ? scopes.get(id) : EMPTY_SCOPE;
  lastId = id;
  lastScope = s;
  return s;
}

function readPrefixes(r: ByteReader): Array<string> {
  const n = <i32> r.u32();
  if (n == 0) return NO_PREFIXES;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = r.str();
  return out;
}

const substRes = new SubstResult();

/**
 * Substitutes a template. Input: u32 nPrefixes, prefixes, then the template bytes to the end.
 * flags: bit0 JSON mode, bit1 form 2 allowed, bit2 form 1 allowed. Output: u8 form, then (form 0)
 * the text, (form 1) nothing: the text is unchanged, (form 2) u32 row: the text is exactly that
 * scope variable's raw value (the host holds it), (form 3) u32 row + the text: the text is that
 * variable's JSON-escaped value (the host may have it decoded already); then u32 n +
 * unresolved names, u32 n + error messages. Returns the output address.
 */
export function substitute(scopeId: i32, len: i32, flags: i32): usize {
  const base = changetype<usize>(input);
  let prefixes = NO_PREFIXES;
  let head = 4;
  if (load<u32>(base) != 0) {
    const r = new ByteReader(base, base + len);
    prefixes = readPrefixes(r);
    head = <i32> r.pos;
  }
  const scope = getScope(scopeId);
  const json = (flags & 1) != 0;
  const src = base + <usize> head;
  const srcLen = len - head;
  const res = substRes;
  res.clear();
  output.reset();
  output.byte(0);
  output.u32(0);
  subst(scope, src, srcLen, json, prefixes, output, res);
  const textLen = output.len - 5;
  const esc = res.single >= 0 && json ? scope.escaped(res.single) : null;
  if (res.single >= 0 && (flags & 2) != 0 && esc === null) {
    output.len = 0;
    output.byte(2);
    output.u32(<u32> res.single);
  } else if (esc !== null) {
    // [3][u32 row][u32 len][text]: move the text 4 bytes up
    output.ensure(4);
    const o = output.ptr();
    memory.copy(o + 9, o + 5, <usize> textLen);
    store<u8>(o, 3);
    output.patch32(1, <u32> res.single);
    output.patch32(5, <u32> textLen);
    output.len = 9 + textLen;
  } else if ((flags & 4) != 0 && textLen == srcLen && memory.compare(output.ptr() + 5, src, srcLen) == 0) {
    output.len = 0;
    output.byte(1);
  } else {
    output.patch32(1, <u32> textLen);
  }
  output.u32(<u32> res.unresolved.length);
  for (let i = 0; i < res.unresolved.length; i++) output.lstr(res.unresolved[i]);
  output.u32(<u32> res.errors.length);
  for (let i = 0; i < res.errors.length; i++) output.lstr(res.errors[i]);
  return output.ptr();
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

/**
 * Memoized `when` results keyed by the substituted bytes (evaluation is a pure function of the
 * text): an open-addressing table whose keys are copied into one arena, so a miss allocates
 * nothing (only error messages are strings). Everything is dropped when the table is half full
 * or the arena is.
 */
const MEMO_SLOTS: i32 = 8192;
const MEMO_MAX: i32 = 4096;
const MEMO_ARENA: i32 = 256 * 1024;
const MEMO_KEY_MAX: i32 = 4096;
const memoArena = new ArrayBuffer(MEMO_ARENA);
let memoArenaLen: i32 = 0;
const memoHash = new StaticArray<u32>(MEMO_SLOTS);
const memoOff = new StaticArray<i32>(MEMO_SLOTS);
/** Key length + 1; 0 marks an empty slot. */
const memoLen = new StaticArray<i32>(MEMO_SLOTS);
const memoStatus = new StaticArray<i32>(MEMO_SLOTS);
const memoMsg = new StaticArray<string | null>(MEMO_SLOTS);
let memoSize: i32 = 0;

function memoSlot(p: usize, len: i32, h: u32): i32 {
  const arena = changetype<usize>(memoArena);
  let i = <i32> h & (MEMO_SLOTS - 1);
  while (true) {
    const l = unchecked(memoLen[i]);
    if (l == 0) return i;
    if (
      unchecked(memoHash[i]) == h && l == len + 1 &&
      memory.compare(arena + <usize> unchecked(memoOff[i]), p, <usize> len) == 0
    ) return i;
    i = (i + 1) & (MEMO_SLOTS - 1);
  }
  return -1;
}

function memoClear(): void {
  memory.fill(changetype<usize>(memoLen), 0, <usize> (MEMO_SLOTS * 4));
  for (let i = 0; i < MEMO_SLOTS; i++) unchecked((memoMsg[i] = null));
  memoSize = 0;
  memoArenaLen = 0;
}

const whenRes = new WhenResult();
const whenSubst = new SubstResult();

/** Substitutes then evaluates `when` expressions. Input: u32 n, n strings. Output: u8 status (0/1/2), string message. */
export function evalWhens(scopeId: i32, len: i32): usize {
  const base = changetype<usize>(input);
  const n = <i32> load<u32>(base);
  let rp = base + 4;
  const scope = getScope(scopeId);
  output.reset();
  const res = whenSubst;
  for (let i = 0; i < n; i++) {
    const slen = <i32> load<u32>(rp);
    const sptr = rp + 4;
    rp = sptr + <usize> slen;
    whenBuf.reset();
    res.clear();
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
    const wp = whenBuf.ptr();
    const wl = whenBuf.len;
    const h = hashBytes(wp, wl);
    let slot = memoSlot(wp, wl, h);
    if (unchecked(memoLen[slot]) == 0) {
      evalWhenBytes(wp, wl, whenRes);
      if (wl > MEMO_KEY_MAX) {
        output.byte(<u8> whenRes.status);
        output.lstr(whenRes.message);
        continue;
      }
      if (memoSize >= MEMO_MAX || memoArenaLen + wl > MEMO_ARENA) {
        memoClear();
        slot = memoSlot(wp, wl, h);
      }
      memory.copy(changetype<usize>(memoArena) + <usize> memoArenaLen, wp, <usize> wl);
      unchecked((memoOff[slot] = memoArenaLen));
      unchecked((memoLen[slot] = wl + 1));
      unchecked((memoHash[slot] = h));
      unchecked((memoStatus[slot] = whenRes.status));
      unchecked((memoMsg[slot] = whenRes.message.length > 0 ? whenRes.message : null));
      memoArenaLen += wl;
      memoSize++;
    }
    output.byte(<u8> unchecked(memoStatus[slot]));
    const msg = unchecked(memoMsg[slot]);
    if (msg === null) output.u32(0);
    else output.lstr(msg);
  }
  return output.ptr();
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
