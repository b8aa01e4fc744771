/**
 * Finding variable references in strings: simple tags `{{inputs.parameters.x}}` and expression tags
 * `{{=asInt(inputs.parameters['x']) + 1}}`, whose variable chains are picked out of the expression
 * (string literals, function names and local names are skipped).
 */

/** A `{{...}}` tag in a string. */
export interface Tag {
  /** The whole tag as written, `{{...}}`. */
  text: string;
  /** What is between the braces (for expressions, after the `=`). */
  body: string;
  /** `{{=...}}`: an expression. */
  expression: boolean;
}

/** Every tag of `s`, each ending at the first `}}` after its `{{` (as Argo reads them). */
export function findTags(s: string): Tag[] {
  const tags: Tag[] = [];
  let i = 0;
  while (true) {
    const start = s.indexOf("{{", i);
    if (start < 0) break;
    const end = s.indexOf("}}", start + 2);
    if (end < 0) break;
    const inner = s.slice(start + 2, end);
    const expression = inner.startsWith("=");
    tags.push({ text: s.slice(start, end + 2), body: expression ? inner.slice(1) : inner, expression });
    i = end + 2;
  }
  return tags;
}

/** Names that start a variable chain in an expression; any other name is a function or a local. */
export const EXPRESSION_ROOTS = new Set([
  "inputs",
  "outputs",
  "steps",
  "tasks",
  "item",
  "workflow",
  "pod",
  "node",
  "retries",
  "lastRetry",
  "cronworkflow",
]);

/** A variable chain in an expression, e.g. `tasks['a'].outputs.result` as ["tasks", "a", "outputs", "result"]. */
export interface ChainRef {
  segments: string[];
  /** The chain as written. */
  text: string;
  /** True when the chain goes on in a way that cannot be followed (a computed index, a method call). */
  partial: boolean;
  /** A `-name` written right after the chain: `inputs.parameters.my-param` reads as a subtraction. */
  hyphenated: string | undefined;
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT = /[A-Za-z0-9_$]/;

/** The variable chains of an expression; never throws. */
export function expressionRefs(src: string): ChainRef[] {
  const refs: ChainRef[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === "'" || ch === '"' || ch === "`") {
      i = skipString(src, i);
      continue;
    }
    if (/[0-9]/.test(ch)) {
      while (i < src.length && /[0-9A-Za-z_.]/.test(src[i]!)) i++;
      continue;
    }
    if (!IDENT_START.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    const root = readIdent(src, i);
    i += root.length;
    if (!EXPRESSION_ROOTS.has(root) || precededByDot(src, start) || src[i] === "(") continue;
    const segments = [root];
    let partial = false;
    while (i < src.length) {
      if (
        (src[i] === "." || src.startsWith("?.", i)) &&
        IDENT_START.test(src[i + (src[i] === "." ? 1 : 2)] ?? "")
      ) {
        i += src[i] === "." ? 1 : 2;
        const name = readIdent(src, i);
        i += name.length;
        if (src[i] === "(") {
          partial = true; // a method call: the chain ends before it
          break;
        }
        segments.push(name);
        continue;
      }
      if (src[i] === "[") {
        const m = /^\[\s*(['"])((?:\\.|(?!\1).)*)\1\s*\]/.exec(src.slice(i));
        if (m) {
          segments.push(m[2]!);
          i += m[0].length;
          continue;
        }
        partial = true;
      }
      break;
    }
    let hyphenated: string | undefined;
    const dash = /^-[A-Za-z_][-A-Za-z0-9_]*/.exec(src.slice(i));
    if (dash && segments.length > 1 && src[i - 1] !== "]") hyphenated = segments.at(-1)! + dash[0];
    refs.push({ segments, text: src.slice(start, i), partial, hyphenated });
  }
  return refs;
}

function readIdent(src: string, i: number): string {
  let j = i;
  while (j < src.length && IDENT.test(src[j]!)) j++;
  return src.slice(i, j);
}

function precededByDot(src: string, i: number): boolean {
  let j = i - 1;
  while (j >= 0 && /\s/.test(src[j]!)) j--;
  return j >= 0 && src[j] === ".";
}

function skipString(src: string, i: number): number {
  const quote = src[i];
  let j = i + 1;
  while (j < src.length && src[j] !== quote) j += src[j] === "\\" ? 2 : 1;
  return j + 1;
}

/**
 * The segments of a simple tag's variable name, or undefined when the tag is not a variable name
 * at all (e.g. `{{ .Values.x }}` of a Helm chart inside a script). Label and annotation keys keep
 * their dots: `workflow.labels.app.kubernetes.io/name` is three segments.
 */
export function simpleRef(body: string): string[] | undefined {
  const name = body.trim();
  if (!/^[A-Za-z_][-A-Za-z0-9_]*(\.\S+)?$/.test(name)) return undefined;
  const parts = name.split(".");
  if (parts[0] === "workflow" && (parts[1] === "labels" || parts[1] === "annotations") && parts.length > 3) {
    return [parts[0], parts[1], parts.slice(2).join(".")];
  }
  if (parts[0] === "workflow" && parts[1] === "creationTimestamp" && parts.length > 3) {
    return [parts[0], parts[1], parts.slice(2).join(".")];
  }
  return parts;
}
