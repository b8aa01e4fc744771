// Growable byte buffers and UTF-8 helpers over linear memory.

/** A growable output buffer written with memory.copy (never char by char across the boundary). */
export class ByteWriter {
  buf: ArrayBuffer;
  len: i32 = 0;

  constructor(cap: i32 = 1024) {
    this.buf = new ArrayBuffer(cap);
  }

  reset(): void {
    this.len = 0;
  }

  ptr(): usize {
    return changetype<usize>(this.buf);
  }

  ensure(extra: i32): void {
    const need = this.len + extra;
    if (need <= this.buf.byteLength) return;
    let cap = this.buf.byteLength * 2;
    while (cap < need) cap *= 2;
    const nb = new ArrayBuffer(cap);
    memory.copy(changetype<usize>(nb), changetype<usize>(this.buf), this.len);
    this.buf = nb;
  }

  byte(b: i32): void {
    this.ensure(1);
    store<u8>(changetype<usize>(this.buf) + this.len, <u8> b);
    this.len++;
  }

  raw(src: usize, n: i32): void {
    if (n <= 0) return;
    this.ensure(n);
    memory.copy(changetype<usize>(this.buf) + this.len, src, n);
    this.len += n;
  }

  u32(v: u32): void {
    this.ensure(4);
    store<u32>(changetype<usize>(this.buf) + this.len, v);
    this.len += 4;
  }

  /** Appends `s` encoded as UTF-8. */
  str(s: string): void {
    const n = String.UTF8.byteLength(s);
    this.ensure(n);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, changetype<usize>(this.buf) + this.len);
    this.len += n;
  }

  /** Appends a u32 length then the UTF-8 bytes of `s`. */
  lstr(s: string): void {
    const n = String.UTF8.byteLength(s);
    this.u32(<u32> n);
    this.ensure(n);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, changetype<usize>(this.buf) + this.len);
    this.len += n;
  }

  /** Overwrites a u32 at byte offset `at`. */
  patch32(at: i32, v: u32): void {
    store<u32>(changetype<usize>(this.buf) + at, v);
  }
}

/** Sequential reader over a request buffer. */
export class ByteReader {
  constructor(public base: usize, public end: usize) {}
  pos: usize = 0;

  u32(): u32 {
    const v = load<u32>(this.base + this.pos);
    this.pos += 4;
    return v;
  }

  u8(): u8 {
    const v = load<u8>(this.base + this.pos);
    this.pos += 1;
    return v;
  }

  /** Reads a u32 length-prefixed UTF-8 string. */
  str(): string {
    const n = <i32> this.u32();
    const s = String.UTF8.decodeUnsafe(this.base + this.pos, n);
    this.pos += n;
    return s;
  }
}

/** Decodes `len` UTF-8 bytes at `ptr`. */
export function decode(ptr: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(ptr, len);
}

/** Finds `a` followed by `b` (two ASCII bytes) in [from, end); returns the offset or -1. */
export function indexOfPair(base: usize, from: i32, end: i32, a: u8, b: u8): i32 {
  for (let i = from; i < end - 1; i++) {
    if (load<u8>(base + i) == a && load<u8>(base + i + 1) == b) return i;
  }
  return -1;
}

/** Hash of bytes (murmur3-style: four bytes per step, then a finalizer). */
export function hashBytes(ptr: usize, len: i32): u32 {
  let h: u32 = 0x9e3779b9 ^ <u32> len;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    let k = load<u32>(ptr + <usize> i);
    k *= 0xcc9e2d51;
    k = rotl<u32>(k, 15);
    k *= 0x1b873593;
    h ^= k;
    h = rotl<u32>(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  for (; i < len; i++) {
    h ^= <u32> load<u8>(ptr + <usize> i);
    h *= 0x01000193;
  }
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** True for the ASCII bytes Go's strings.TrimSpace removes (plus NEL/NBSP handled by callers on strings). */
export function isSpaceByte(c: u8): bool {
  return c == 32 || (c >= 9 && c <= 13);
}
