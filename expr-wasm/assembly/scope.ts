// A scope: the flat variable map of a node ("inputs.parameters.x" -> "hi"), sent once as UTF-8
// and reused. Simple tags are looked up on raw bytes through an open-addressing hash table; the
// nested expr-lang env (Argo's util/expand: parents with children removed, dotted keys expanded)
// is built lazily on the first {{=...}} and kept.

import { escapeJSON } from "./json";
import { hashBytes } from "./bytes";
import { K_MAP, mapV, strV, Value } from "./value";

/** One variable: offsets into the scope's data buffer, plus its JSON-escaped form when it differs. */
class Entry {
  keyOff: i32 = 0;
  keyLen: i32 = 0;
  valOff: i32 = 0;
  valLen: i32 = 0;
  escaped: ArrayBuffer | null = null;
}

function needsEscape(p: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c < 0x20 || c == 34 || c == 92) return true;
    if (
      c == 0xe2 && i + 2 < n && load<u8>(p + i + 1) == 0x80 &&
      (load<u8>(p + i + 2) == 0xa8 || load<u8>(p + i + 2) == 0xa9)
    ) return true;
  }
  return false;
}

/** A scope created from an encoded buffer: u32 count, then (u32 len, key bytes, u32 len, value bytes)*. */
export class Scope {
  data: ArrayBuffer;
  entries: Array<Entry> = new Array<Entry>();
  slots: Int32Array = new Int32Array(0);
  mask: i32 = 0;
  env: Map<string, Value> | null = null;

  constructor(src: usize, len: i32) {
    this.data = new ArrayBuffer(len);
    memory.copy(changetype<usize>(this.data), src, len);
    const base = changetype<usize>(this.data);
    const count = <i32> load<u32>(base);
    let cap = 16;
    while (cap < count * 2) cap <<= 1;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    let pos = 4;
    for (let i = 0; i < count; i++) {
      const e = new Entry();
      e.keyLen = <i32> load<u32>(base + pos);
      e.keyOff = pos + 4;
      pos = e.keyOff + e.keyLen;
      e.valLen = <i32> load<u32>(base + pos);
      e.valOff = pos + 4;
      pos = e.valOff + e.valLen;
      if (needsEscape(base + e.valOff, e.valLen)) {
        const s = String.UTF8.decodeUnsafe(base + e.valOff, e.valLen);
        e.escaped = String.UTF8.encode(escapeJSON(s, false));
      }
      const existing = this.find(base + e.keyOff, e.keyLen);
      if (existing >= 0) {
        this.entries[existing] = e;
        continue;
      }
      this.entries.push(e);
      this.insert(this.entries.length - 1);
    }
  }

  private insert(idx: i32): void {
    const e = this.entries[idx];
    let h = <i32> hashBytes(changetype<usize>(this.data) + e.keyOff, e.keyLen) & this.mask;
    while (this.slots[h] != 0) h = (h + 1) & this.mask;
    this.slots[h] = idx + 1;
  }

  /** Index of the entry whose key equals the `len` bytes at `p`, or -1. */
  find(p: usize, len: i32): i32 {
    const base = changetype<usize>(this.data);
    let h = <i32> hashBytes(p, len) & this.mask;
    while (true) {
      const s = this.slots[h];
      if (s == 0) return -1;
      const e = this.entries[s - 1];
      if (e.keyLen == len && memory.compare(base + e.keyOff, p, len) == 0) return s - 1;
      h = (h + 1) & this.mask;
    }
    return -1;
  }

  valuePtr(idx: i32): usize {
    return changetype<usize>(this.data) + this.entries[idx].valOff;
  }

  valueLen(idx: i32): i32 {
    return this.entries[idx].valLen;
  }

  escaped(idx: i32): ArrayBuffer | null {
    return this.entries[idx].escaped;
  }

  key(idx: i32): string {
    const e = this.entries[idx];
    return String.UTF8.decodeUnsafe(changetype<usize>(this.data) + e.keyOff, e.keyLen);
  }

  value(idx: i32): string {
    const e = this.entries[idx];
    return String.UTF8.decodeUnsafe(changetype<usize>(this.data) + e.valOff, e.valLen);
  }

  /** The expr-lang env: Argo's expand.Expand(removeConflicts(scope)). */
  exprEnv(): Map<string, Value> {
    const cached = this.env;
    if (cached !== null) return cached;
    const keys = new Array<string>();
    const vals = new Map<string, string>();
    for (let i = 0; i < this.entries.length; i++) {
      const k = this.key(i);
      keys.push(k);
      vals.set(k, this.value(i));
    }
    keys.sort((a: string, b: string): i32 => (a < b ? -1 : a > b ? 1 : 0));
    const root = new Map<string, Value>();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      // removeConflicts: a parent whose (sorted) successor is one of its children is dropped
      if (i + 1 < keys.length && keys[i + 1].startsWith(k + ".")) continue;
      const parts = k.split(".");
      let m = root;
      for (let j = 0; j < parts.length - 1; j++) {
        const p = parts[j];
        if (m.has(p) && m.get(p).kind == K_MAP) {
          m = m.get(p).entries();
        } else {
          const child = new Map<string, Value>();
          m.set(p, mapV(child));
          m = child;
        }
      }
      m.set(parts[parts.length - 1], strV(vals.get(k)));
    }
    this.env = root;
    return root;
  }
}

/** Argo's hasVarInEnv over the expanded env: every dotted segment resolves through maps. */
export function hasVar(env: Map<string, Value>, path: string): bool {
  const parts = path.split(".");
  let m = env;
  for (let i = 0; i < parts.length; i++) {
    if (!m.has(parts[i])) return false;
    const v = m.get(parts[i]);
    if (i == parts.length - 1) return true;
    if (v.kind != K_MAP) return false;
    m = v.entries();
  }
  return true;
}
