/**
 * The `depends` language of DAG tasks (`a && (b.Failed || !c.Succeeded)`): a small parser that
 * finds the task names and results it mentions, and the dependency graph of a DAG.
 */
import type { CallerModel } from "./model.ts";
import { asList, asText } from "./util.ts";

/** Results a `depends` term may test, e.g. `a.Failed`. */
export const TASK_RESULTS = [
  "Succeeded",
  "Failed",
  "Errored",
  "Skipped",
  "Omitted",
  "Daemoned",
  "AnySucceeded",
  "AllFailed",
] as const;

/** Results that look at every iteration of a looping task. */
export const ITEM_RESULTS = ["AnySucceeded", "AllFailed"];

/** A task named in a `depends` expression. */
export interface DependsRef {
  task: string;
  /** The `.Result` suffix, if written. */
  result: string | undefined;
  /** 0-based offset in the expression. */
  offset: number;
}

/** What parsing a `depends` expression found. */
export interface ParsedDepends {
  refs: DependsRef[];
  /** The first syntax error, if any. */
  error: string | undefined;
}

type Token = { kind: "name" | "op" | "end"; text: string; offset: number };

function tokenize(src: string): { tokens: Token[]; error: string | undefined } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === "&&" || two === "||") {
      tokens.push({ kind: "op", text: two, offset: i });
      i += 2;
      continue;
    }
    if (ch === "(" || ch === ")" || ch === "!") {
      tokens.push({ kind: "op", text: ch, offset: i });
      i++;
      continue;
    }
    const m = /^[A-Za-z0-9_][-A-Za-z0-9_]*(\.[A-Za-z0-9_]*)?/.exec(src.slice(i));
    if (m) {
      tokens.push({ kind: "name", text: m[0], offset: i });
      i += m[0].length;
      continue;
    }
    return { tokens, error: `unexpected ${JSON.stringify(ch)} at column ${i + 1}` };
  }
  tokens.push({ kind: "end", text: "", offset: src.length });
  return { tokens, error: undefined };
}

/** Parses `depends`; never throws. */
export function parseDepends(src: string): ParsedDepends {
  const { tokens, error } = tokenize(src);
  const refs: DependsRef[] = [];
  for (const t of tokens) {
    if (t.kind !== "name") continue;
    const dot = t.text.indexOf(".");
    refs.push({
      task: dot < 0 ? t.text : t.text.slice(0, dot),
      result: dot < 0 ? undefined : t.text.slice(dot + 1),
      offset: t.offset,
    });
  }
  if (error !== undefined) return { refs, error };
  let pos = 0;
  const peek = () => tokens[pos]!;
  const describe = (t: Token) => t.kind === "end" ? "the end" : JSON.stringify(t.text);
  // Recursive descent: or := and ("||" and)*; and := unary ("&&" unary)*; unary := "!" unary | primary.
  const or = (): string | undefined => {
    let e = and();
    while (e === undefined && peek().text === "||") {
      pos++;
      e = and();
    }
    return e;
  };
  const and = (): string | undefined => {
    let e = unary();
    while (e === undefined && peek().text === "&&") {
      pos++;
      e = unary();
    }
    return e;
  };
  const unary = (): string | undefined => {
    if (peek().text === "!") {
      pos++;
      return unary();
    }
    const t = peek();
    if (t.kind === "name") {
      pos++;
      return undefined;
    }
    if (t.text === "(") {
      pos++;
      const e = or();
      if (e !== undefined) return e;
      if (peek().text !== ")") {
        return `expected ")" at column ${peek().offset + 1}, found ${describe(peek())}`;
      }
      pos++;
      return undefined;
    }
    return `expected a task name at column ${t.offset + 1}, found ${describe(t)}`;
  };
  let err = or();
  if (err === undefined && peek().kind !== "end") {
    err = `unexpected ${describe(peek())} at column ${peek().offset + 1}`;
  }
  return { refs, error: err };
}

/** Names of the tasks a task depends on (through `depends`, else `dependencies`), as written. */
export function dependencyNames(task: CallerModel): string[] {
  const depends = asText(task.value.depends);
  if (depends !== undefined && depends.trim() !== "") {
    return [...new Set(parseDepends(depends).refs.map((r) => r.task))];
  }
  const out: string[] = [];
  for (const d of asList(task.value.dependencies)) {
    const name = asText(d);
    if (name !== undefined) out.push(name);
  }
  return [...new Set(out)];
}

/** The dependency graph of a DAG: task name to the names of the (existing) tasks it depends on. */
export function dependencyGraph(tasks: CallerModel[]): Map<string, string[]> {
  const names = new Set(tasks.map((t) => t.name).filter((n) => n !== undefined));
  const graph = new Map<string, string[]>();
  for (const t of tasks) {
    if (t.name === undefined || graph.has(t.name)) continue;
    graph.set(t.name, dependencyNames(t).filter((d) => names.has(d)));
  }
  return graph;
}

/** Every task `name` depends on, directly or through others (not itself unless in a cycle). */
export function ancestors(graph: Map<string, string[]>, name: string): Set<string> {
  const out = new Set<string>();
  const stack = [...(graph.get(name) ?? [])];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (out.has(n)) continue;
    out.add(n);
    stack.push(...(graph.get(n) ?? []));
  }
  return out;
}
