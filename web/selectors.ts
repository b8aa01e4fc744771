/**
 * Kubernetes list semantics for hosts that keep objects themselves: label selectors, the
 * `metadata.name` / `metadata.namespace` field selectors, and `limit` + `continue` pages. Every
 * parse error is a {@link ServiceError} (InvalidArgument) naming what is wrong.
 *
 * @module
 */
import { errors, type ListOptions, type ObjectList } from "./service.ts";

/** One requirement of a label selector. */
export type LabelRequirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

/**
 * Parses a label selector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, joined by
 * commas.
 */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const out: LabelRequirement[] = [];
  for (const term of splitTerms(text)) {
    let m = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]!.split(",").map((v) => v.trim()).filter((v) => v !== "");
      out.push({ key: m[1]!, op: m[2] as "in" | "notin", values });
      continue;
    }
    m = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
    if (m) {
      out.push({ key: m[1]!, op: m[2] === "!=" ? "!=" : "=", value: m[3]! });
      continue;
    }
    m = /^(!?)\s*([^\s!=(),]+)$/.exec(term);
    if (m) {
      out.push({ key: m[2]!, op: m[1] ? "!exists" : "exists" });
      continue;
    }
    throw errors.invalid(
      `invalid label selector ${JSON.stringify(text)}: cannot parse ${JSON.stringify(term)} ` +
        `(expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)`,
    );
  }
  return out;
}

/** Does a set of labels satisfy every requirement? */
export function labelsMatch(requirements: LabelRequirement[], labels: Record<string, string>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case "=":
        return has && v === r.value;
      case "!=":
        return !has || v !== r.value;
      case "in":
        return has && r.values.includes(v!);
      case "notin":
        return !has || !r.values.includes(v!);
      case "exists":
        return has;
      case "!exists":
        return !has;
    }
  });
}

/** One requirement of a field selector. */
export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

const FIELDS = ["metadata.name", "metadata.namespace"];

/** Parses a field selector over `metadata.name` and `metadata.namespace`. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const term of splitTerms(text)) {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) {
      throw errors.invalid(
        `invalid field selector ${JSON.stringify(text)}: cannot parse ${
          JSON.stringify(term)
        } (expected field=value)`,
      );
    }
    const field = m[1]!;
    if (!FIELDS.includes(field)) {
      throw errors.invalid(
        `field selector: unsupported field ${JSON.stringify(field)}; supported are ${FIELDS.join(", ")}`,
      );
    }
    out.push({ field, op: m[2] === "!=" ? "!=" : "=", value: m[3]!.trim() });
  }
  return out;
}

/** Does an object's metadata satisfy every field requirement? */
export function fieldsMatch(
  requirements: FieldRequirement[],
  meta: { name?: string | undefined; namespace?: string | undefined },
): boolean {
  return requirements.every((r) => {
    const actual = r.field === "metadata.name" ? meta.name ?? "" : meta.namespace ?? "";
    return r.op === "=" ? actual === r.value : actual !== r.value;
  });
}

/** The `metadata.name=` a field selector pins, if any (hosts can look one object up directly). */
export function selectedName(requirements: FieldRequirement[]): string | undefined {
  return requirements.find((r) => r.field === "metadata.name" && r.op === "=")?.value;
}

/**
 * Filters objects by the selectors of `opts` and cuts one page (`limit`, `continue`). `objects`
 * must be in the list's order; `labelsOf` may add labels computed from the object.
 */
export function listPage<
  T extends { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } },
>(
  objects: T[],
  opts: ListOptions = {},
  labelsOf: (o: T) => Record<string, string> = (o) => o.metadata?.labels ?? {},
): ObjectList<T> {
  const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : [];
  const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : [];
  const limit = opts.limit ?? 0;
  if (!Number.isInteger(limit) || limit < 0) {
    throw errors.invalid(`listOptions.limit must be a whole number >= 0, not ${JSON.stringify(opts.limit)}`);
  }
  let matching = objects.filter((o) =>
    labelsMatch(labels, labelsOf(o)) && fieldsMatch(fields, o.metadata ?? {})
  );
  if (opts.continue) {
    const { after, index } = decodeContinue(opts.continue);
    const at = matching.findIndex((o) => keyOf(o) === after);
    // The object the page ended at may be gone since: the next one has moved into its place.
    matching = at >= 0 ? matching.slice(at + 1) : matching.slice(index);
  }
  if (limit > 0 && matching.length > limit) {
    const items = matching.slice(0, limit);
    const offset = opts.continue ? decodeContinue(opts.continue).index + 1 : 0;
    const token = encodeContinue(keyOf(items[items.length - 1]!), offset + limit - 1);
    return { metadata: { continue: token }, items };
  }
  return { metadata: {}, items: matching };
}

function keyOf(o: { metadata?: { name?: string; namespace?: string } }): string {
  return `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
}

function encodeContinue(after: string, index: number): string {
  return btoa(JSON.stringify({ after, index })).replace(/=+$/, "");
}

function decodeContinue(token: string): { after: string; index: number } {
  try {
    const value = JSON.parse(atob(token)) as { after?: unknown; index?: unknown };
    if (typeof value.after === "string" && typeof value.index === "number") {
      return { after: value.after, index: value.index };
    }
  } catch {
    // reported below
  }
  throw errors.invalid(
    `listOptions.continue ${JSON.stringify(token)} is not a token this server gave; list again without it`,
  );
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out.map((t) => t.trim()).filter((t) => t !== "");
}
