/**
 * Loading workflow files: multi-document YAML (JSON is YAML too) into plain values that remember
 * where every node came from, so that lint and run-time errors can name file:line:col.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parse,
  parseAllDocuments,
  type ScalarTag,
  type Tags,
} from "yaml";
import type { Problem } from "./problem.ts";
import { indentFlowContinuations } from "./flow_indent.ts";
import { isRecord } from "./lint/util.ts";

/** A 1-based place in a file. */
export interface Position {
  file: string;
  line: number;
  col: number;
}

/** A path into a document's value: object keys and array indexes, e.g. ["spec", "templates", 0, "name"]. */
export type Path = readonly (string | number)[];

/** One YAML document of a file, as a plain value plus the positions of its nodes. */
export interface LoadedDocument {
  file: string;
  /** 0-based index of the document within its file. */
  index: number;
  /** `kind:` of the document, if it has one. */
  kind: string | undefined;
  /** The document as plain JS, exactly as written (see normalize.ts for Argo's value rules). */
  value: unknown;
  /** Where the value at `path` starts; for a missing path, the nearest present ancestor. */
  positionOf(path: Path): Position;
  /** Where the key of the last segment of `path` is written (the value's position for array items). */
  keyPositionOf(path: Path): Position;
  /** The text of the scalar at `path` as written (e.g. `yes` for a value read as true); undefined for others. */
  sourceOf?(path: Path): string | undefined;
}

/** What loading a text or a set of paths gave: the documents, and the problems that kept others out. */
export interface LoadResult {
  documents: LoadedDocument[];
  problems: Problem[];
}

/** Extensions of files that `loadPaths` reads from directories. */
export const WORKFLOW_FILE_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

/** The YAML documents of `text`, with go-yaml's scalars, and the line counter of their offsets. */
function parseYaml(text: string) {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    customTags: goScalars,
  });
  return { docs: Array.isArray(parsed) ? parsed : [], lineCounter }; // an empty text gives an EmptyStream object
}

/**
 * Parses every document of `text`. A document with a syntax error is reported as a problem at the
 * line of the error and left out; the others load.
 */
export function loadText(text: string, file: string): LoadResult {
  const documents: LoadedDocument[] = [];
  const problems: Problem[] = [];
  let { docs, lineCounter } = parseYaml(text);
  if (docs.some((d) => d.errors.length > 0)) {
    // Flow continuation lines indented as Go's YAML accepts them (see flow_indent.ts)?
    const relaxed = indentFlowContinuations(text);
    if (relaxed !== text) {
      const again = parseYaml(relaxed);
      if (again.docs.every((d) => d.errors.length === 0)) ({ docs, lineCounter } = again);
    }
  }
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = at(err.pos[0]);
        problems.push({
          ...pos,
          severity: "error",
          rule: "yaml-syntax",
          message: `YAML syntax error: ${firstLine(err.message)}`,
        });
      }
      return;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined || doc.contents === null) return; // e.g. after a trailing `---`
    const positions = new Map<string, { value: number; key: number; source?: string }>();
    indexPositions(doc.contents, [], positions, doc.contents.range[0]);
    const lookup = (path: Path, which: "value" | "key"): Position => {
      for (let n = path.length; n >= 0; n--) {
        const hit = positions.get(pathKey(path.slice(0, n)));
        if (hit) return at(n === path.length ? hit[which] : hit.value);
      }
      return { file, line: 1, col: 1 };
    };
    const kind = isRecord(value) && typeof value.kind === "string" ? value.kind : undefined;
    documents.push({
      file,
      index,
      kind,
      value,
      positionOf: (path) => lookup(path, "value"),
      keyPositionOf: (path) => lookup(path, "key"),
      sourceOf: (path) => positions.get(pathKey(path))?.source,
    });
  });
  return { documents, problems };
}

/**
 * Loads files and directories (directories recursively, their .yaml/.yml/.json files in name order).
 * A path that cannot be read is a problem naming it, not an exception.
 */
export async function loadPaths(paths: readonly string[]): Promise<LoadResult> {
  const documents: LoadedDocument[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    for (const file of await workflowFiles(path, problems)) {
      let text: string;
      try {
        text = await Deno.readTextFile(file);
      } catch (err) {
        problems.push(unreadable(file, err));
        continue;
      }
      const result = loadText(text, file);
      documents.push(...result.documents);
      problems.push(...result.problems);
    }
  }
  return { documents, problems };
}

async function workflowFiles(path: string, problems: Problem[]): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    problems.push(unreadable(path, err));
    return [];
  }
  if (!info.isDirectory) return [path];
  const found: string[] = [];
  const entries = [];
  for await (const entry of Deno.readDir(path)) entries.push(entry);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = `${path.replace(/\/+$/, "")}/${entry.name}`;
    if (entry.isDirectory) found.push(...await workflowFiles(child, problems));
    else if (WORKFLOW_FILE_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) found.push(child);
  }
  return found;
}

function unreadable(path: string, err: unknown): Problem {
  const reason = err instanceof Deno.errors.NotFound
    ? "no such file or directory"
    : err instanceof Error
    ? err.message
    : String(err);
  return {
    file: path,
    line: 1,
    col: 1,
    severity: "error",
    rule: "unreadable",
    message: `cannot read ${path}: ${reason}; check the path`,
  };
}

/**
 * Plain scalars read as Argo reads them. Argo decodes files with sigs.k8s.io/yaml, which parses
 * with go-yaml v2 (YAML 1.1 resolution) and converts to JSON before the typed decode
 * (argo-workflows workflow/common/parse.go: yaml.YAMLToJSON; kubectl does the same). So where the
 * YAML 1.2 core schema of npm:yaml differs from go-yaml v2 (goyaml.v2/resolve.go), Go wins:
 *
 * - Integers go through Go's strconv.ParseInt(s, 0, 64) after removing every "_": a leading 0 is
 *   octal (`mode: 0755` is 493, as in Argo and Kubernetes; YAML 1.2 would read 755), and `0o`,
 *   `0x`, `0b` prefixes and a sign are accepted. `08` and `09` are not octal: Go reads them as
 *   the float 8 and 9.
 * - Booleans are go-yaml v2's list: y, yes, on, true and n, no, off, false (as `y`, `Y`, `yes`,
 *   `Yes`, `YES`, ...). Argo reads `value: yes` as the bool true, which its AnyString fields make
 *   "true", and rejects it in a plain string field (e.g. `args: [yes]`); skiff does the same
 *   (normalize.ts, then lint). Quote the word to keep it a string, in Argo as here.
 *
 * The rest of YAML 1.1 (sexagesimal numbers like 1:30, timestamps, !!binary, merge keys) is not
 * switched on: go-yaml v2 drops base 60, and a timestamp becomes an RFC 3339 string in Argo's JSON,
 * which is what a string already is here.
 */
const GO_INT: ScalarTag = {
  identify: (v) => typeof v === "number" && Number.isInteger(v),
  default: true,
  tag: "tag:yaml.org,2002:int",
  test: /^[-+]?(?:0[bB][01_]+|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|0[0-7_]+|[0-9][0-9_]*)$/,
  resolve: (text) => goInt(text),
};

const GO_BOOL: ScalarTag = {
  identify: (v) => typeof v === "boolean",
  default: true,
  tag: "tag:yaml.org,2002:bool",
  test: /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON|n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/,
  resolve: (text) => /^(?:y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(text),
};

/** The core schema's tags, with go-yaml v2's int and bool resolution instead of YAML 1.2's. */
function goScalars(tags: Tags): Tags {
  const out: Tags = [];
  for (const t of tags) {
    const tag = typeof t === "string" ? undefined : t.tag;
    if (tag === GO_INT.tag) {
      if (!out.includes(GO_INT)) out.push(GO_INT);
    } else if (tag === GO_BOOL.tag) out.push(GO_BOOL);
    else out.push(t);
  }
  return out;
}

/** An integer as Go's strconv.ParseInt(text without "_", 0, 64) reads it ("0755" is octal). */
export function goInt(text: string): number {
  const plain = text.replace(/_/g, "");
  const sign = plain.startsWith("-") ? -1 : 1;
  const digits = plain.replace(/^[-+]/, "");
  const prefixed = /^0([bBoOxX])(.*)$/.exec(digits);
  if (prefixed) {
    const radix = { b: 2, o: 8, x: 16 }[prefixed[1]!.toLowerCase() as "b" | "o" | "x"];
    return sign * Number.parseInt(prefixed[2]!, radix);
  }
  if (/^0[0-7]+$/.test(digits)) return sign * Number.parseInt(digits, 8);
  return sign * Number.parseInt(digits, 10);
}

/**
 * One YAML (or JSON) document read as Argo reads it (go-yaml v2 through sigs.k8s.io/yaml): for
 * texts that are not workflow files, e.g. `--parameter-file`, a podSpecPatch or a ConfigMap value.
 * Throws the parser's error.
 */
export function parseGoYaml(text: string): unknown {
  return parse(text, { uniqueKeys: true, customTags: goScalars });
}

/** Records the start offset of every node (and of its key) under `path`. */
function indexPositions(
  node: Node | null,
  path: (string | number)[],
  out: Map<string, { value: number; key: number; source?: string }>,
  keyOffset: number,
): void {
  if (!node) return;
  const start = node.range?.[0] ?? keyOffset;
  const source = isScalar(node) && typeof node.source === "string" ? node.source : undefined;
  out.set(pathKey(path), { value: start, key: keyOffset, ...(source !== undefined ? { source } : {}) });
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
      const keyStart = (item.key as Node | null)?.range?.[0] ?? start;
      const child = item.value as Node | null;
      if (child) indexPositions(child, [...path, key], out, keyStart);
      else out.set(pathKey([...path, key]), { value: keyStart, key: keyStart });
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const child = item as Node | null;
      const itemStart = child?.range?.[0] ?? start;
      indexPositions(child, [...path, i], out, itemStart);
    });
  }
}

function pathKey(path: Path): string {
  return JSON.stringify(path);
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
