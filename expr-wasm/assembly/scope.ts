// A scope: the flat variable map of a node ("inputs.parameters.x" -> "hi"), sent once as UTF-8
// and reused. One allocation holds everything: the key/value bytes as the host encoded them,
// a row of offsets per variable and an open-addressing hash table of row numbers, so simple tags
// are looked up on raw bytes without per-key copies. JSON-escaped values are computed on first
// use; the nested expr-lang env (Argo's util/expand: parents with children removed, dotted keys
// expanded) is built on the first {{=...}} and kept.

import { hashBytes } from "./bytes";
import { K_MAP, mapV, strV, Value } from "./value";

const HEX_DIGITS = "0123456789abcdef";

/**
 * The `n` UTF-8 bytes at `p` JSON-escaped as escapeJSON(s, false) escapes their string: `"`, `\`,
 * control characters (\n \r \t or \u00XX) and U+2028/U+2029; everything else copied.
 */
function escapeBytes(p: usize, n: i32): ArrayBuffer {
  let size = 0;
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + <usize> i);
    if (c == 34 || c == 92 || c == 10 || c == 13 || c == 9) size += 2;
    else if (c < 0x20) size += 6;
    else if (
      c == 0xe2 && i + 2 < n && load<u8>(p + <usize> i + 1) == 0x80 &&
      (load<u8>(p + <usize> i + 2) == 0xa8 || load<u8>(p + <usize> i + 2) == 0xa9)
    ) {
      size += 6;
      i += 2;
    } else size += 1;
  }
  const out = new ArrayBuffer(size);
  let o = changetype<usize>(out);
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + <usize> i);
    if (c == 34 || c == 92) {
      store<u8>(o, 92);
      store<u8>(o + 1, c);
      o += 2;
    } else if (c == 10 || c == 13 || c == 9) {
      store<u8>(o, 92);
      store<u8>(o + 1, c == 10 ? 110 : c == 13 ? 114 : 116);
      o += 2;
    } else if (c < 0x20) {
      store<u8>(o, 92);
      store<u8>(o + 1, 117);
      store<u8>(o + 2, 48);
      store<u8>(o + 3, 48);
      store<u8>(o + 4, <u8> HEX_DIGITS.charCodeAt(c >> 4));
      store<u8>(o + 5, <u8> HEX_DIGITS.charCodeAt(c & 15));
      o += 6;
    } else if (
      c == 0xe2 && i + 2 < n && load<u8>(p + <usize> i + 1) == 0x80 &&
      (load<u8>(p + <usize> i + 2) == 0xa8 || load<u8>(p + <usize> i + 2) == 0xa9)
    ) {
      store<u8>(o, 92);
      store<u8>(o + 1, 117);
      store<u8>(o + 2, 50);
      store<u8>(o + 3, 48);
      store<u8>(o + 4, 50);
      store<u8>(o + 5, load<u8>(p + <usize> i + 2) == 0xa8 ? 56 : 57);
      o += 6;
      i += 2;
    } else {
      store<u8>(o, c);
      o += 1;
    }
  }
  return out;
}

function needsEscape(p: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + <usize> i);
    if (c < 0x20 || c == 34 || c == 92) return true;
    if (
      c == 0xe2 && i + 2 < n && load<u8>(p + <usize> i + 1) == 0x80 &&
      (load<u8>(p + <usize> i + 2) == 0xa8 || load<u8>(p + <usize> i + 2) == 0xa9)
    ) return true;
  }
  return false;
}

/** Byte length of the UTF-8 text at `p` that TextEncoder produced from `units` UTF-16 code units. */
function utf8Span(p: usize, units: i32): i32 {
  let n = 0;
  while (units > 0) {
    const c = load<u8>(p + <usize> n);
    if (c < 0x80) {
      n += 1;
      units -= 1;
    } else if (c < 0xe0) {
      n += 2;
      units -= 1;
    } else if (c < 0xf0) {
      n += 3; // includes U+FFFD written for a lone surrogate (one unit)
      units -= 1;
    } else {
      n += 4;
      units -= 2;
    }
  }
  return n;
}

// Row columns (i32 each): key offset, key length (-1: replaced by a later duplicate), value
// offset, value length, escape state (0 unknown, 1 as is, 2 see `esc`).
const ROW: i32 = 5;
const R_KOFF: i32 = 0;
const R_KLEN: i32 = 1;
const R_VOFF: i32 = 2;
const R_VLEN: i32 = 3;
const R_ESC: i32 = 4;

/**
 * A scope created from the host's encoding: u32 count, u32 flags (bit0: every string is ASCII),
 * count x (u32 key length, u32 value length) in UTF-16 code units, then the UTF-8 bytes of
 * key0 value0 key1 value1 ... back to back (one TextEncoder.encodeInto of their concatenation).
 */
export class Scope {
  /** [bytes][pad][rows: count * ROW i32][slots: cap i32 (row + 1, 0 empty)] */
  data: ArrayBuffer;
  count: i32 = 0;
  rows: usize = 0;
  slots: usize = 0;
  mask: i32 = 0;
  esc: Array<ArrayBuffer | null> | null = null;
  env: Map<string, Value> | null = null;

  constructor(src: usize, len: i32) {
    const count = <i32> load<u32>(src);
    const ascii = (load<u32>(src + 4) & 1) != 0;
    const lens = src + 8;
    const blob = lens + <usize> (count * 8);
    const blobLen = len - 8 - count * 8;
    let cap = 16;
    while (cap < count * 2) cap <<= 1;
    const rowsAt = (blobLen + 7) & ~7;
    const slotsAt = rowsAt + count * ROW * 4;
    this.data = new ArrayBuffer(slotsAt + cap * 4); // zeroed: empty slots
    const base = changetype<usize>(this.data);
    memory.copy(base, blob, <usize> blobLen);
    this.count = count;
    this.rows = base + <usize> rowsAt;
    this.slots = base + <usize> slotsAt;
    this.mask = cap - 1;
    let pos = 0;
    for (let i = 0; i < count; i++) {
      let kl = <i32> load<u32>(lens + <usize> (i * 8));
      let vl = <i32> load<u32>(lens + <usize> (i * 8 + 4));
      if (!ascii) {
        kl = utf8Span(base + <usize> pos, kl);
        vl = utf8Span(base + <usize> (pos + kl), vl);
      }
      const row = this.rows + <usize> (i * ROW * 4);
      store<i32>(row, pos, R_KOFF * 4);
      store<i32>(row, kl, R_KLEN * 4);
      store<i32>(row, pos + kl, R_VOFF * 4);
      store<i32>(row, vl, R_VLEN * 4);
      this.insert(i, base + <usize> pos, kl);
      pos += kl + vl;
    }
  }

  private insert(idx: i32, p: usize, len: i32): void {
    let h = <i32> hashBytes(p, len) & this.mask;
    while (true) {
      const s = load<i32>(this.slots + <usize> (h << 2));
      if (s == 0) break;
      const other = s - 1;
      if (this.keyLen(other) == len && memory.compare(this.keyPtr(other), p, len) == 0) {
        // a later duplicate replaces the earlier variable
        store<i32>(this.rows + <usize> (other * ROW * 4), -1, R_KLEN * 4);
        break;
      }
      h = (h + 1) & this.mask;
    }
    store<i32>(this.slots + <usize> (h << 2), idx + 1);
  }

  // @ts-ignore: decorator
  @inline private col(idx: i32, c: i32): i32 {
    return load<i32>(this.rows + <usize> ((idx * ROW + c) << 2));
  }

  keyPtr(idx: i32): usize {
    return changetype<usize>(this.data) + <usize> this.col(idx, R_KOFF);
  }

  keyLen(idx: i32): i32 {
    return this.col(idx, R_KLEN);
  }

  /** Row of the variable whose key equals the `len` bytes at `p`, or -1. */
  find(p: usize, len: i32): i32 {
    const base = changetype<usize>(this.data);
    let h = <i32> hashBytes(p, len) & this.mask;
    while (true) {
      const s = load<i32>(this.slots + <usize> (h << 2));
      if (s == 0) return -1;
      const idx = s - 1;
      if (this.col(idx, R_KLEN) == len && memory.compare(base + <usize> this.col(idx, R_KOFF), p, len) == 0) {
        return idx;
      }
      h = (h + 1) & this.mask;
    }
    return -1;
  }

  valuePtr(idx: i32): usize {
    return changetype<usize>(this.data) + <usize> this.col(idx, R_VOFF);
  }

  valueLen(idx: i32): i32 {
    return this.col(idx, R_VLEN);
  }

  /** The JSON-escaped value when it differs from the raw bytes (computed on first use), else null. */
  escaped(idx: i32): ArrayBuffer | null {
    const stateAt = this.rows + <usize> ((idx * ROW + R_ESC) << 2);
    const state = load<i32>(stateAt);
    if (state == 1) return null;
    if (state == 0) {
      const p = this.valuePtr(idx);
      const n = this.valueLen(idx);
      if (!needsEscape(p, n)) {
        store<i32>(stateAt, 1);
        return null;
      }
      let esc = this.esc;
      if (esc === null) {
        esc = new Array<ArrayBuffer | null>(this.count);
        this.esc = esc;
      }
      esc[idx] = escapeBytes(p, n);
      store<i32>(stateAt, 2);
    }
    return (this.esc as Array<ArrayBuffer | null>)[idx];
  }

  key(idx: i32): string {
    return String.UTF8.decodeUnsafe(this.keyPtr(idx), this.keyLen(idx));
  }

  value(idx: i32): string {
    return String.UTF8.decodeUnsafe(this.valuePtr(idx), this.valueLen(idx));
  }

  /** The expr-lang env: Argo's expand.Expand(removeConflicts(scope)). */
  exprEnv(): Map<string, Value> {
    const cached = this.env;
    if (cached !== null) return cached;
    const keys = new Array<string>();
    const vals = new Map<string, string>();
    for (let i = 0; i < this.count; i++) {
      if (this.keyLen(i) < 0) continue;
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
