/**
 * skiff's expression core: Argo Workflows' `{{...}}` substitution, `when` (govaluate),
 * expr-lang (`{{=...}}`, retry/hook expressions) and DAG `depends`, compiled from
 * AssemblyScript to one WASM module that is instantiated once and called in bulk.
 *
 * ```ts
 * const core = exprCore();
 * const scope = core.scope({ "inputs.parameters.message": "hi" });
 * scope.substitute('{"args":["{{inputs.parameters.message}}"]}', { json: true }).text; // {"args":["hi"]}
 * scope.evalWhens(["{{inputs.parameters.message}} == hi"]); // [{ value: true }]
 * scope.dispose();
 * ```
 *
 * Strings cross the boundary as UTF-8 in linear memory, written with one `encodeInto` per
 * request; a scope is encoded once and reused for every call made with it.
 *
 * @module
 */
import { WASM_BASE64 } from "./generated/module.ts";
import { hostImports } from "./host.ts";

/** An expression error with a user-facing message that names the expression. */
export class ExprError extends Error {
  override name = "ExprError";
}

/** Options for {@link Scope.substitute}. */
export interface SubstituteOptions {
  /** The text is JSON (a serialized template): values are escaped to stay valid inside JSON strings. */
  json?: boolean;
  /**
   * Namespaces under which an unresolved tag is an error (Argo's strict prefixes), e.g.
   * `["inputs", "steps", "tasks", "workflow", "item"]`. A prefix matches whole dot-segments
   * (`"tasks"` matches `tasks.A...`, not `tasksA`); output artifacts stay allowed unresolved.
   */
  strictPrefixes?: string[];
}

/** Result of a substitution. Argo would fail the call when `errors` is not empty. */
export interface SubstituteResult {
  /** The substituted text (unresolved tags kept verbatim). */
  text: string;
  /** Names of tags left verbatim (simple tags by name, expression tags as `=expr`). */
  unresolved: string[];
  /** Error messages, e.g. `failed to resolve {{inputs.parameters.x}}`. */
  errors: string[];
}

/** One result of a batched evaluation. */
export type Outcome<T> = { value: T } | { error: string };

/** What the engine knows about a finished DAG task, for `depends`. */
export interface TaskFacts {
  /** Node phase: Succeeded, Failed, Error, Skipped, Omitted, Running, Pending. */
  phase: string;
  /** Phases of the children when the task is a loop (TaskGroup); enables AnySucceeded/AllFailed. */
  children?: string[];
  /** The task is a daemon. */
  daemoned?: boolean;
  /** The task's continueOn, which widens what a bare `A` in depends accepts. */
  continueOn?: { error?: boolean; failed?: boolean };
}

/** A scope: variables sent to the module once and reused for many calls. */
export interface Scope {
  /** Substitutes `{{...}}` tags in `text` (a whole serialized template in one call). */
  substitute(text: string, opts?: SubstituteOptions): SubstituteResult;
  /** Evaluates expr-lang expressions (no surrounding `{{= }}`) against the scope. */
  evalExprs(exprs: string[]): Outcome<unknown>[];
  /** Substitutes then evaluates `when` expressions with govaluate semantics. */
  evalWhens(exprs: string[]): Outcome<boolean>[];
  /** Releases the scope in the module. Further use throws. */
  dispose(): void;
}

/** The loaded module. */
export interface ExprCore {
  /** Encodes `vars` (flat name -> string) into a module-side scope. */
  scope(vars: Record<string, string> | Map<string, string>): Scope;
  /** Evaluates one `when` (substituting `vars` first); throws {@link ExprError}. */
  evalWhen(expr: string, vars?: Record<string, string>): boolean;
  /** Evaluates one expr-lang expression; throws {@link ExprError}. */
  evalExpr(expr: string, vars?: Record<string, string>): unknown;
  /** Evaluates many `depends` strings against the same task facts. */
  evalDependsBatch(depends: string[], tasks: Record<string, TaskFacts>): Outcome<boolean>[];
  /** Task names a `depends` string mentions (Argo's task-name regex), in first-mention order. */
  dependsTaskNames(depends: string): string[];
  /** Current size of the module's linear memory in bytes. */
  memoryBytes(): number;
  /** Number of scopes not yet disposed. */
  liveScopes(): number;
}

interface Exports {
  memory: WebAssembly.Memory;
  inputPtr(size: number): number;
  outputPtr(): number;
  outputLen(): number;
  scopeNew(len: number): number;
  scopeFree(id: number): void;
  scopeCount(): number;
  substitute(scope: number, len: number, flags: number): number;
  evalExprs(scope: number, len: number): void;
  evalWhens(scope: number, len: number): number;
  evalDependsBatch(len: number): void;
  dependsTaskNames(len: number): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The host side of the boundary: views over the module's memory (rebuilt only when it grows),
 * the module's input buffer (its address cached until a bigger one is needed) and one reusable
 * request writer.
 */
class Wire {
  u8: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private inPtr = 0;
  private inCap = 0;
  /** Write position of the current request. */
  pos = 0;
  private start = 0;
  /** Set by {@link raw}: every character written so far in this request was ASCII. */
  ascii = true;

  constructor(private ex: Exports) {}

  /**
   * Rebuilds the views when the memory has grown. Growing detaches the old buffer, which leaves
   * the views with length 0, so no call to the (slow) `memory.buffer` getter is needed otherwise.
   */
  refresh(): void {
    if (this.u8.length !== 0) return;
    const b = this.ex.memory.buffer;
    this.u8 = new Uint8Array(b);
    this.dv = new DataView(b);
  }

  /** Starts a request of at most `maxBytes` in the module's input buffer. */
  begin(maxBytes: number): this {
    if (maxBytes > this.inCap) {
      this.inPtr = this.ex.inputPtr(maxBytes);
      this.inCap = maxBytes;
    }
    this.refresh();
    this.start = this.pos = this.inPtr;
    this.ascii = true;
    return this;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos - this.start;
  }

  u32(v: number): void {
    this.dv.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  /** Writes `s` as UTF-8 (plain copy while it is ASCII, encodeInto otherwise). */
  raw(s: string): void {
    const n = s.length;
    if (n <= 128) {
      const u8 = this.u8;
      let p = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        u8[p++] = c;
      }
      if (i === n) {
        this.pos = p;
        return;
      }
    }
    const { written } = encoder.encodeInto(s, this.u8.subarray(this.pos));
    if (written !== n) this.ascii = false;
    this.pos += written;
  }

  str(s: string): void {
    const at = this.pos;
    this.pos += 4;
    this.raw(s);
    this.dv.setUint32(at, this.pos - at - 4, true);
  }

  /** Starts reading a reply at `ptr` (refreshing the views: the call may have grown memory). */
  reply(ptr: number): Reply {
    this.refresh();
    return new Reply(this.u8, this.dv, ptr);
  }
}

/** Upper bound of the UTF-8 size of a framed string. */
function size(s: string): number {
  return s.length * 3 + 4;
}

/** Reads a reply from the module's output buffer. */
class Reply {
  constructor(
    private u8: Uint8Array<ArrayBufferLike>,
    private dv: DataView<ArrayBufferLike>,
    public pos: number,
  ) {}

  u8at(): number {
    return this.u8[this.pos++] ?? 0;
  }

  u32(): number {
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  str(): string {
    const n = this.u32();
    if (n === 0) return "";
    const s = decoder.decode(this.u8.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  strings(): string[] {
    const n = this.u32();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.str());
    return out;
  }
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A module-side scope; `values[i]` is the host's copy of variable row i's value. */
class ScopeImpl implements Scope {
  /** Decoded JSON-escaped values by row, filled on first use. */
  private escaped: (string | undefined)[] = [];

  constructor(
    private core: Loaded,
    private id: number,
    private values: string[],
    private wellFormed: boolean,
  ) {}

  private live(): number {
    if (this.id === 0) throw new ExprError("scope used after dispose()");
    return this.id;
  }

  substitute(text: string, opts?: SubstituteOptions): SubstituteResult {
    const id = this.live();
    // no tag: nothing to do (the module would copy the text through; its UTF-8 round trip turns
    // lone surrogates into U+FFFD, which toWellFormed reproduces)
    if (text.indexOf("{{") < 0) return { text: text.toWellFormed(), unresolved: [], errors: [] };
    const { ex, wire } = this.core;
    const prefixes = opts?.strictPrefixes;
    let max = 4 + text.length * 3;
    if (prefixes !== undefined) { for (const p of prefixes) max += size(p); }
    wire.begin(max);
    if (prefixes === undefined) wire.u32(0);
    else {
      wire.u32(prefixes.length);
      for (const p of prefixes) wire.str(p);
    }
    wire.ascii = true;
    wire.raw(text);
    const ascii = wire.ascii;
    const flags = (opts?.json ? 1 : 0) | (this.wellFormed ? 2 : 0) | 4;
    const r = wire.reply(ex.substitute(id, wire.length, flags));
    const form = r.u8at();
    let out: string;
    if (form === 0) out = r.str();
    else if (form === 1) out = ascii ? text : text.toWellFormed(); // unchanged: no decoding needed
    else if (form === 2) out = this.values[r.u32()] as string; // exactly one variable's value: the host's copy
    else {
      // exactly one variable's JSON-escaped value: decoded once per scope
      const row = r.u32();
      const cached = this.escaped[row];
      if (cached === undefined) out = this.escaped[row] = r.str();
      else {
        out = cached;
        const n = r.u32();
        r.pos += n;
      }
    }

    return { text: out, unresolved: r.strings(), errors: r.strings() };
  }

  evalExprs(exprs: string[]): Outcome<unknown>[] {
    const id = this.live();
    const { ex, wire } = this.core;
    let max = 4;
    for (const s of exprs) max += size(s);
    wire.begin(max);
    wire.u32(exprs.length);
    for (const s of exprs) wire.str(s);
    ex.evalExprs(id, wire.length);
    const r = wire.reply(ex.outputPtr());
    return exprs.map(() => (r.u8at() === 1 ? { value: JSON.parse(r.str()) } : { error: r.str() }));
  }

  evalWhens(exprs: string[]): Outcome<boolean>[] {
    const id = this.live();
    const { ex, wire } = this.core;
    let max = 4;
    for (const s of exprs) max += size(s);
    wire.begin(max);
    wire.u32(exprs.length);
    for (const s of exprs) wire.str(s);
    const r = wire.reply(ex.evalWhens(id, wire.length));
    const out: Outcome<boolean>[] = new Array(exprs.length);
    for (let i = 0; i < exprs.length; i++) {
      const status = r.u8at();
      const msg = r.str();
      out[i] = status === 2 ? { error: msg } : { value: status === 1 };
    }
    return out;
  }

  dispose(): void {
    if (this.id === 0) return;
    this.core.finalizer.unregister(this);
    this.core.ex.scopeFree(this.id);
    this.id = 0;
  }
}

/** The instantiated module and its host-side helpers. */
interface Loaded {
  ex: Exports;
  wire: Wire;
  finalizer: FinalizationRegistry<number>;
}

function load(): ExprCore {
  let ex: Exports | null = null;
  const memory = () => (ex as Exports).memory;
  const module = new WebAssembly.Module(decodeBase64(WASM_BASE64) as BufferSource);
  const instance = new WebAssembly.Instance(module, hostImports(memory));
  ex = instance.exports as unknown as Exports;
  const e = ex;
  const wire = new Wire(e);
  const loaded: Loaded = {
    ex: e,
    wire,
    finalizer: new FinalizationRegistry<number>((id) => e.scopeFree(id)),
  };
  // UTF-16 lengths of the scope's keys and values, reused
  let lens = new Uint32Array(256);

  /**
   * One request: u32 count, u32 flags (bit0 all ASCII), count x (u32 key length, u32 value
   * length) in UTF-16 units, then key0 value0 key1 value1 ... concatenated and written with one
   * encodeInto (the module derives byte lengths itself when the text is not ASCII).
   */
  const newScope = (vars: Record<string, string> | Map<string, string>): Scope => {
    let all = "";
    let n = 0;
    const values: string[] = [];
    const keys = vars instanceof Map ? [...vars.keys()] : Object.keys(vars);
    const get = vars instanceof Map ? null : vars;
    if (2 * keys.length > lens.length) lens = new Uint32Array(2 * keys.length + 64);
    for (const k of keys) {
      const v0 = get === null ? (vars as Map<string, string>).get(k) : get[k];
      const v = typeof v0 === "string" ? v0 : String(v0);
      all += k;
      all += v;
      lens[2 * n] = k.length;
      lens[2 * n + 1] = v.length;
      values.push(v);
      n++;
    }
    const head = 8 + 8 * n;
    wire.begin(head + all.length * 3);
    wire.u32(n);
    const flagsAt = wire.pos;
    wire.u32(0);
    for (let i = 0; i < 2 * n; i++) wire.u32(lens[i] as number);
    const { written } = encoder.encodeInto(all, wire.u8.subarray(wire.pos));
    const ascii = written === all.length;
    if (ascii) wire.dv.setUint32(flagsAt, 1, true);
    const id = e.scopeNew(head + written);
    const scope = new ScopeImpl(loaded, id, values, ascii || all.isWellFormed());
    loaded.finalizer.register(scope, id, scope);
    return scope;
  };

  const once = <T>(vars: Record<string, string> | undefined, f: (s: Scope) => T): T => {
    const s = newScope(vars ?? {});
    try {
      return f(s);
    } finally {
      s.dispose();
    }
  };

  const core: ExprCore = {
    scope: newScope,
    evalWhen(expr, vars) {
      const [r] = once(vars, (s) => s.evalWhens([expr]));
      if (r === undefined || "error" in r) throw new ExprError(r?.error ?? "no result");
      return r.value;
    },
    evalExpr(expr, vars) {
      const [r] = once(vars, (s) => s.evalExprs([expr]));
      if (r === undefined || "error" in r) throw new ExprError(r?.error ?? "no result");
      return r.value;
    },
    evalDependsBatch(list, tasks) {
      const names = Object.keys(tasks);
      let max = 8;
      for (const n of names) {
        const t = tasks[n] as TaskFacts;
        max += size(n) + size(t.phase) + 8 + (t.children ?? []).reduce((a, c) => a + size(c), 0);
      }
      for (const d of list) max += size(d);
      wire.begin(max);
      wire.u32(names.length);
      for (const n of names) {
        const t = tasks[n] as TaskFacts;
        wire.str(n);
        wire.str(t.phase);
        wire.u32(
          (t.children !== undefined ? 1 : 0) | (t.daemoned ? 2 : 0) | (t.continueOn?.error ? 4 : 0) |
            (t.continueOn?.failed ? 8 : 0),
        );
        wire.u32(t.children?.length ?? 0);
        for (const c of t.children ?? []) wire.str(c);
      }
      wire.u32(list.length);
      for (const d of list) wire.str(d);
      e.evalDependsBatch(wire.length);
      const r = wire.reply(e.outputPtr());
      return list.map(() => {
        const status = r.u8at();
        const msg = r.str();
        return status === 2 ? { error: msg } : { value: status === 1 };
      });
    },
    dependsTaskNames(depends) {
      wire.begin(size(depends));
      wire.str(depends);
      e.dependsTaskNames(wire.length);
      return wire.reply(e.outputPtr()).strings();
    },
    memoryBytes: () => e.memory.buffer.byteLength,
    liveScopes: () => e.scopeCount(),
  };
  return core;
}

let cached: ExprCore | null = null;

/** The expression core, instantiated synchronously on first use and cached for the process. */
export function exprCore(): ExprCore {
  cached ??= load();
  return cached;
}

/** Evaluates a DAG task's `depends` against its dependencies' facts; throws {@link ExprError}. */
export function evalDepends(depends: string, tasks: Record<string, TaskFacts>): boolean {
  const [r] = exprCore().evalDependsBatch([depends], tasks);
  if (r === undefined || "error" in r) throw new ExprError(r?.error ?? "no result");
  return r.value;
}

/** Task names a `depends` string mentions, in first-mention order (the dependency set). */
export function dependsTaskNames(depends: string): string[] {
  return exprCore().dependsTaskNames(depends);
}
