/**
 * Argo Server's `fields` query parameter: which fields of a response to keep. `a.b,c` keeps only
 * those paths (and what is under them); a leading `-` (`-items.status.nodes,items.spec`) removes
 * every listed path instead. Without `fields` the response is whole. Lists name their items'
 * fields with `items.` (`items.status.phase`), watches with `result.object.`.
 *
 * @module
 */

/** A parsed `fields` value. */
export class FieldsCleaner {
  readonly exclude: boolean;
  readonly fields: ReadonlySet<string>;

  constructor(query: string | undefined) {
    let text = (query ?? "").trim();
    this.exclude = text.startsWith("-");
    if (this.exclude) text = text.slice(1);
    this.fields = new Set(text.split(",").map((f) => f.trim()).filter((f) => f !== ""));
  }

  /** Does it change anything? */
  get active(): boolean {
    return this.fields.size > 0;
  }

  /** The same fields with `prefix` taken off those that have it (`result.object.` for watches). */
  withoutPrefix(prefix: string): FieldsCleaner {
    const fields = [...this.fields].map((f) => (f.startsWith(prefix) ? f.slice(prefix.length) : f));
    return new FieldsCleaner(fields.length > 0 ? `${this.exclude ? "-" : ""}${fields.join(",")}` : undefined);
  }

  /** Will the response lack `path` (e.g. `items.status.nodes`)? Lets a host skip reading it. */
  willExclude(path: string): boolean {
    if (!this.active) return false;
    const listed = [...this.fields].some((f) => path === f || path.startsWith(`${f}.`));
    return this.exclude ? listed : !listed;
  }

  /** `value` with only the fields asked for (a copy; `value` is left as it was). */
  clean<T>(value: T): T {
    if (!this.active) return value;
    return this.#item([], value) as T;
  }

  #item(path: string[], item: unknown): unknown {
    if (Array.isArray(item)) return item.map((x) => this.#item(path, x));
    if (item === null || typeof item !== "object") return item;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
      const p = [...path, k].join(".");
      const listed = this.fields.has(p);
      const underListed = listed || [...this.fields].some((f) => f.startsWith(`${p}.`));
      if (this.exclude ? !listed : underListed) {
        out[k] = listed ? v : this.#item([...path, k], v);
      }
    }
    return out;
  }
}
