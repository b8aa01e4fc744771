// expr-lang syntax tree.

import { Value } from "../value";

export const N_LIT: i32 = 0; // v
export const N_IDENT: i32 = 1; // s
export const N_MEMBER: i32 = 2; // a[b], optional ?.
export const N_SLICE: i32 = 3; // a[b:c] (b/c may be null)
export const N_CALL: i32 = 4; // s = function name, list = args
export const N_UNARY: i32 = 5; // s = op, a
export const N_BINARY: i32 = 6; // s = op, a, b
export const N_TERNARY: i32 = 7; // a ? b : c
export const N_ARRAY: i32 = 8; // list
export const N_MAP: i32 = 9; // keys, list
export const N_POINTER: i32 = 10; // # (s = "" ) inside closures
export const N_CLOSURE: i32 = 11; // a = body
export const N_NOT: i32 = 12; // wraps a "not in"/"not matches" result: a

/** One syntax node; fields are used according to `kind`. */
export class Node {
  kind: i32;
  pos: i32;
  s: string = "";
  v: Value | null = null;
  a: Node | null = null;
  b: Node | null = null;
  c: Node | null = null;
  list: Array<Node> | null = null;
  keys: Array<Node> | null = null;
  optional: bool = false;

  constructor(kind: i32, pos: i32) {
    this.kind = kind;
    this.pos = pos;
  }

  A(): Node {
    return this.a as Node;
  }

  B(): Node {
    return this.b as Node;
  }

  C(): Node {
    return this.c as Node;
  }

  args(): Array<Node> {
    return this.list as Array<Node>;
  }
}
