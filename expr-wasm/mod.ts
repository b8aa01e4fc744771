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
  substitute(scope: number, len: number, flags: number): void;
  evalExprs(scope: number, len: number): void;
  evalWhens(scope: number, len: number): void;
  evalDependsBatch(len: number): void;
  dependsTaskNames(len: number): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Views over the module's memory, rebuilt only when the memory grows. */
class Memory {
  private buffer: ArrayBufferLike | null = null;
  u8: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  constructor(private memory: WebAssembly.Memory) {}

  refresh(): this {
    const b = this.memory.buffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.u8 = new Uint8Array(b);
      this.dv = new DataView(b);
    }
    return this;
  }
}

/** Builds one request directly in the module's input buffer (UTF-8, u32 length prefixes). */
class Request {
  pos: number;
  private start: number;
  private u8: Uint8Array<ArrayBufferLike>;
  private dv: DataView<ArrayBufferLike>;

  constructor(ex: Exports, mem: Memory, maxBytes: number) {
    this.start = this.pos = ex.inputPtr(maxBytes);
    mem.refresh();
    this.u8 = mem.u8;
    this.dv = mem.dv;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos - this.start;
  }

  u32(v: number): void {
    this.dv.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  raw(s: string): void {
    const n = s.length;
    if (n < 48) {
      // short strings: plain ASCII copy, no view allocation
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
    this.pos += encoder.encodeInto(s, this.u8.subarray(this.pos)).written;
  }

  str(s: string): void {
    const at = this.pos;
    this.pos += 4;
    this.raw(s);
    this.dv.setUint32(at, this.pos - at - 4, true);
  }
}

/** Upper bound of the UTF-8 size of a framed string. */
function size(s: string): number {
  return s.length * 3 + 4;
}

/** Reads a reply from the module's output buffer. */
class Reply {
  private u8: Uint8Array<ArrayBufferLike>;
  private dv: DataView<ArrayBufferLike>;
  pos: number;

  constructor(ex: Exports, mem: Memory) {
    this.pos = ex.outputPtr();
    mem.refresh();
    this.u8 = mem.u8;
    this.dv = mem.dv;
  }

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

function load(): ExprCore {
  let ex: Exports | null = null;
  const memory = () => (ex as Exports).memory;
  const module = new WebAssembly.Module(decodeBase64(WASM_BASE64) as BufferSource);
  const instance = new WebAssembly.Instance(module, hostImports(memory));
  ex = instance.exports as unknown as Exports;
  const e = ex;
  const mem = new Memory(e.memory);
  const finalizer = new FinalizationRegistry<number>((id) => e.scopeFree(id));

  const newScope = (vars: Record<string, string> | Map<string, string>): Scope => {
    const entries = vars instanceof Map ? [...vars.entries()] : Object.entries(vars);
    let max = 4;
    for (const [k, v] of entries) max += size(k) + size(v);
    const req = new Request(e, mem, max);
    req.u32(entries.length);
    for (const [k, v] of entries) {
      req.str(k);
      req.str(String(v));
    }
    let id = e.scopeNew(req.length);
    const handle = {};
    const live = () => {
      if (id === 0) throw new ExprError("scope used after dispose()");
      return id;
    };
    const scope: Scope = {
      substitute(text, opts) {
        const prefixes = opts?.strictPrefixes ?? [];
        let max = 4 + text.length * 3;
        for (const p of prefixes) max += size(p);
        const req = new Request(e, mem, max);
        req.u32(prefixes.length);
        for (const p of prefixes) req.str(p);
        req.raw(text);
        e.substitute(live(), req.length, opts?.json ? 1 : 0);
        const r = new Reply(e, mem);
        const out = r.str();
        return { text: out, unresolved: r.strings(), errors: r.strings() };
      },
      evalExprs(exprs) {
        const req = new Request(e, mem, exprs.reduce((n, s) => n + size(s), 4));
        req.u32(exprs.length);
        for (const s of exprs) req.str(s);
        e.evalExprs(live(), req.length);
        const r = new Reply(e, mem);
        return exprs.map(() => (r.u8at() === 1 ? { value: JSON.parse(r.str()) } : { error: r.str() }));
      },
      evalWhens(exprs) {
        const req = new Request(e, mem, exprs.reduce((n, s) => n + size(s), 4));
        req.u32(exprs.length);
        for (const s of exprs) req.str(s);
        e.evalWhens(live(), req.length);
        const r = new Reply(e, mem);
        return exprs.map(() => {
          const status = r.u8at();
          const msg = r.str();
          return status === 2 ? { error: msg } : { value: status === 1 };
        });
      },
      dispose() {
        if (id === 0) return;
        finalizer.unregister(handle);
        e.scopeFree(id);
        id = 0;
      },
    };
    finalizer.register(scope, id, handle);
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
      const req = new Request(e, mem, max);
      req.u32(names.length);
      for (const n of names) {
        const t = tasks[n] as TaskFacts;
        req.str(n);
        req.str(t.phase);
        req.u32(
          (t.children !== undefined ? 1 : 0) | (t.daemoned ? 2 : 0) | (t.continueOn?.error ? 4 : 0) |
            (t.continueOn?.failed ? 8 : 0),
        );
        req.u32(t.children?.length ?? 0);
        for (const c of t.children ?? []) req.str(c);
      }
      req.u32(list.length);
      for (const d of list) req.str(d);
      e.evalDependsBatch(req.length);
      const r = new Reply(e, mem);
      return list.map(() => {
        const status = r.u8at();
        const msg = r.str();
        return status === 2 ? { error: msg } : { value: status === 1 };
      });
    },
    dependsTaskNames(depends) {
      const req = new Request(e, mem, size(depends));
      req.str(depends);
      e.dependsTaskNames(req.length);
      return new Reply(e, mem).strings();
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
