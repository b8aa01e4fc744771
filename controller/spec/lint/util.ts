/** Small helpers the lint rules share: safe access to values as written, quoting, "did you mean". */

/** A plain mapping (not null, not a list). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `v` if it is a mapping, else undefined. */
export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return isRecord(v) ? v : undefined;
}

/** `v` if it is a list, else an empty list: rules skip what they cannot read (fields.ts reports types). */
export function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A string as written; numbers and booleans as Argo would turn them into strings; else undefined. */
export function asText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/** True when `v` is present: Go treats a missing key and a `null` value alike. */
export function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** True when the string holds a `{{...}}` tag, whose value is only known at run time. */
export function hasTag(s: string): boolean {
  return /\{\{.*?\}\}/s.test(s);
}

/** `"name"`, the way every message quotes a name. */
export function q(s: unknown): string {
  return JSON.stringify(typeof s === "string" ? s : String(s));
}

/** `"a", "b", "c"` (at most `max`, then `...`), or `(none)`. */
export function quoteList(names: Iterable<string>, max = 12): string {
  const all = [...new Set(names)];
  if (all.length === 0) return "(none)";
  const shown = all.slice(0, max).map(q).join(", ");
  return all.length > max ? `${shown}, ... (${all.length - max} more)` : shown;
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate to `word`, if one is close enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const all = [...new Set(candidates)];
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  for (const c of all) {
    if (c === word) continue;
    const distance = c.toLowerCase() === lower ? 0.5 : editDistance(lower, c.toLowerCase());
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  const limit = word.length <= 2 ? 0.5 : Math.max(1, Math.floor(word.length / 3));
  if (best !== undefined && bestDistance <= limit) return best;
  // A shared stem also reads as a typo: "OnFailed" for "OnFailure".
  const stem = all.find((c) => {
    const shorter = Math.min(c.length, word.length);
    let n = 0;
    while (n < shorter && c[n]!.toLowerCase() === word[n]!.toLowerCase()) n++;
    return c !== word && n >= 4 && n >= 0.6 * shorter &&
      Math.abs(c.length - word.length) <= Math.max(4, shorter / 2);
  });
  return stem;
}

/**
 * The tail of a message about an unknown name: `; did you mean "x"?` when one is close, else
 * `; <what> are: "a", "b"`.
 */
export function suggest(word: string, candidates: readonly string[], what: string): string {
  const near = closest(word, candidates);
  if (near !== undefined) return `; did you mean ${q(near)}?`;
  return candidates.length === 0 ? `; there are no ${what}` : `; ${what} are: ${quoteList(candidates)}`;
}
