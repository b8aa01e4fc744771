/**
 * YAML in the editor, JSON on the wire: the API lints a JSON request body and names problems by
 * line:col of that body. This module writes the body (as `JSON.stringify(body, null, 2)` would)
 * while noting which path of the object starts on each line, so each problem goes back to the
 * line of the YAML the user wrote. Pure (no DOM): tested in Deno.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "../../deps/editor.ts";

/** A path into an object: keys and indexes. */
export type Path = (string | number)[];

/** A problem at a place of the YAML text (1-based line and column; offsets for highlighting). */
export interface Problem {
  line: number;
  col: number;
  from: number;
  to: number;
  message: string;
  severity: "error" | "warning";
}

/** The kinds of object the editor submits, with their API routes. */
export const KINDS: Record<
  string,
  { field: string; base: (ns: string) => string; page: (ns: string, name: string) => string }
> = {
  Workflow: {
    field: "workflow",
    base: (ns) => `/api/v1/workflows/${encodeURIComponent(ns)}`,
    page: (ns, name) => `/workflows/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`,
  },
  WorkflowTemplate: {
    field: "template",
    base: (ns) => `/api/v1/workflow-templates/${encodeURIComponent(ns)}`,
    page: (ns, name) => `/workflow-templates/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`,
  },
  ClusterWorkflowTemplate: {
    field: "template",
    base: () => `/api/v1/cluster-workflow-templates`,
    page: (_ns, name) => `/cluster-workflow-templates/${encodeURIComponent(name)}`,
  },
  CronWorkflow: {
    field: "cronWorkflow",
    base: (ns) => `/api/v1/cron-workflows/${encodeURIComponent(ns)}`,
    page: (ns, name) => `/cron-workflows/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`,
  },
};

/** A JSON request body and the path that starts on each of its lines. */
export interface Body {
  text: string;
  /** `paths[line - 1]`: the deepest path whose key or item starts (or ends) on that line. */
  paths: Path[];
}

/** Writes `{[field]: value}` exactly as `JSON.stringify(_, null, 2)` does, noting paths per line. */
export function requestBody(field: string, value: unknown): Body {
  const parts: string[] = [];
  const paths: Path[] = [[]];
  let line = 0;
  const newline = (indent: string, path: Path) => {
    parts.push("\n", indent);
    line++;
    paths[line] = path;
  };
  const write = (v: unknown, indent: string, path: Path): void => {
    if (v === null || typeof v !== "object") {
      parts.push(JSON.stringify(v) ?? "null");
      return;
    }
    const inner = indent + "  ";
    if (Array.isArray(v)) {
      if (v.length === 0) {
        parts.push("[]");
        return;
      }
      parts.push("[");
      v.forEach((item, i) => {
        if (i > 0) parts.push(",");
        newline(inner, [...path, i]);
        write(item === undefined || typeof item === "function" ? null : item, inner, [...path, i]);
      });
      newline(indent, path);
      parts.push("]");
      return;
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) =>
      x !== undefined && typeof x !== "function"
    );
    if (entries.length === 0) {
      parts.push("{}");
      return;
    }
    parts.push("{");
    entries.forEach(([k, x], i) => {
      if (i > 0) parts.push(",");
      newline(inner, [...path, k]);
      parts.push(JSON.stringify(k), ": ");
      write(x, inner, [...path, k]);
    });
    newline(indent, path);
    parts.push("}");
  };
  write({ [field]: value }, "", []);
  return { text: parts.join(""), paths };
}

/** A parsed YAML text. */
export interface Parsed {
  /** The object (undefined when the YAML does not parse). */
  value: unknown;
  /** The kind it declares. */
  kind: string | undefined;
  /** YAML syntax problems. */
  problems: Problem[];
  /** Where a path of the object is in the text (the deepest part of it that exists). */
  locate(path: Path): { from: number; to: number } | undefined;
  /** The line and column (1-based) of an offset. */
  position(offset: number): { line: number; col: number };
}

/** Parses the editor's text. */
export function parseYaml(text: string): Parsed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const p = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, col: p.col };
  };
  const problems: Problem[] = [];
  const add = (e: { pos: [number, number]; message: string }, severity: Problem["severity"]) => {
    const from = e.pos[0];
    const to = Math.max(e.pos[1], from + 1);
    const { line, col } = position(from);
    problems.push({
      line,
      col,
      from,
      to: Math.min(to, text.length),
      message: e.message.split("\n")[0]!,
      severity,
    });
  };
  for (const e of doc.errors) add(e, "error");
  for (const w of doc.warnings) add(w, "warning");
  let value: unknown;
  if (doc.errors.length === 0) {
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      problems.push({ line: 1, col: 1, from: 0, to: 0, message: String(e), severity: "error" });
    }
  }
  const kind = value && typeof value === "object" && !Array.isArray(value)
    ? (value as { kind?: unknown }).kind
    : undefined;
  const locate = (path: Path) => {
    let node: unknown = doc.contents;
    let range: [number, number] | undefined = rangeOf(node);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) =>
          isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg)
        );
        if (!pair) break;
        const key = rangeOf(pair.key);
        const val = rangeOf(pair.value);
        node = pair.value;
        // A collection is pointed at by its key; a scalar by its value.
        range = val && isScalar(pair.value) ? val : key ?? val ?? range;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg];
        if (item === undefined) break;
        node = item;
        const r = rangeOf(item);
        if (r) range = isScalar(item) ? r : [r[0], Math.min(r[1], lineEnd(text, r[0]))];
      } else {
        break;
      }
    }
    return range ? { from: range[0], to: Math.max(range[1], range[0] + 1) } : undefined;
  };
  return { value, kind: typeof kind === "string" ? kind : undefined, problems, locate, position };
}

function rangeOf(node: unknown): [number, number] | undefined {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ? [r[0], r[1]] : undefined;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl < 0 ? text.length : nl;
}

/**
 * The problems of a server's answer (`L:C: message` lines naming the request body) placed in the
 * YAML; lines without a position go on line 1.
 */
export function placeProblems(message: string, body: Body, parsed: Parsed, field: string): Problem[] {
  const out: Problem[] = [];
  for (const raw of message.split("\n")) {
    const text = raw.trim();
    if (text === "") continue;
    const m = /^(\d+):(\d+):\s*(.*)$/.exec(text);
    let place: { from: number; to: number } | undefined;
    let msg = text;
    if (m) {
      msg = m[3]!;
      const path = body.paths[Number(m[1]) - 1];
      if (path && path[0] === field) place = parsed.locate(path.slice(1));
    }
    place ??= { from: 0, to: 0 };
    const { line, col } = parsed.position(place.from);
    out.push({ line, col, from: place.from, to: place.to, message: msg, severity: "error" });
  }
  return out;
}
