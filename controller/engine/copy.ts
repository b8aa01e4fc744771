/**
 * Deep copies of the engine's data. In Deno `structuredClone` is a round trip through a serializer,
 * several microseconds even for a template's few inputs, and the engine copies some for every node
 * it creates; its data is plain (what JSON or YAML parse to), which is copied here directly.
 */

/** A deep copy of `value`, as `structuredClone` makes it (which copies anything but plain data). */
export function copyData<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return structuredClone(value);
    return value.map(copyData) as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyData((value as Record<string, unknown>)[key]);
  return out as T;
}
