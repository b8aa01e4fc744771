/**
 * The text the store writes for a workflow: its whole object as JSON and its summary (the object
 * without `status.nodes`, what lists read), each exactly what `JSON.stringify` gives.
 *
 * The host writes a workflow at every transition, twice per step, and stringifying the whole
 * object each time (and all but its nodes again for the summary) was the largest part of the host's
 * own CPU per step once a workflow had a few hundred nodes. Yet most nodes are the very objects
 * written last time: the engine never changes a node it was given and copies the ones it writes
 * (controller/engine/tree.ts). So the JSON of each node object is kept (in a WeakMap: it goes when
 * the node object does) and only new node objects are stringified. So is the JSON of the spec (as
 * long as the workflow's steps), which the host writes as the same object at every transition; the
 * rest of the object is stringified once per write for both texts. What remains per write is
 * joining the texts.
 *
 * A node or spec object written here must therefore not be changed in place afterwards (give a
 * changed one as a new object, as the engine and the host do: a user's change is made to a copy);
 * the store's other writers pass fresh objects.
 */

/** Builds the texts of workflow objects, keeping the JSON of the node objects it has seen. */
export class WorkflowJson {
  #known = new WeakMap<object, string>();

  /**
   * The object's JSON and its summary's (the same text when its status has no `nodes`); with
   * `whole` false, only the summary's (`object` is then the empty string).
   */
  texts(object: object, whole = true): { object: string; summary: string } {
    const status = isRecord(object) ? object.status : undefined;
    if (!isRecord(object) || !isRecord(status)) {
      const text = JSON.stringify(object);
      return { object: text, summary: text };
    }
    const statusAll: string[] = [];
    const statusSummary: string[] = [];
    for (const key of Object.keys(status)) {
      const value = status[key];
      if (key === "nodes") {
        if (!whole) continue;
        const text = isRecord(value) ? this.nodesText(value) : JSON.stringify(value);
        if (text !== undefined) statusAll.push(member(key, text));
        continue;
      }
      const text = JSON.stringify(value);
      if (text === undefined) continue;
      statusAll.push(member(key, text));
      statusSummary.push(member(key, text));
    }
    const all: string[] = [];
    const summary: string[] = [];
    for (const key of Object.keys(object)) {
      if (key === "status") {
        if (whole) all.push(member(key, `{${statusAll.join(",")}}`));
        summary.push(member(key, `{${statusSummary.join(",")}}`));
        continue;
      }
      const text = key === "spec" ? this.#text(object[key]) : JSON.stringify(object[key]);
      if (text === undefined) continue;
      if (whole) all.push(member(key, text));
      summary.push(member(key, text));
    }
    return { object: whole ? `{${all.join(",")}}` : "", summary: `{${summary.join(",")}}` };
  }

  /** The JSON of a map of nodes. */
  nodesText(nodes: Record<string, unknown>): string {
    const parts: string[] = [];
    for (const id of Object.keys(nodes)) {
      const node = nodes[id];
      const text = this.#text(node);
      if (text !== undefined) parts.push(member(id, text));
    }
    return `{${parts.join(",")}}`;
  }

  /** The JSON of `value`; that of a plain object is kept for the next write of the same object. */
  #text(value: unknown): string | undefined {
    if (!isRecord(value)) return JSON.stringify(value);
    let text = this.#known.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      this.#known.set(value, text);
    }
    return text;
  }
}

/** A plain object (no array, no toJSON: such values are left to JSON.stringify whole). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    typeof (value as { toJSON?: unknown }).toJSON !== "function";
}

function member(key: string, text: string): string {
  return `${JSON.stringify(key)}:${text}`;
}
