/**
 * One route of the API, described once: the app registers it from this description and
 * `/openapi.json` is generated from the same description, so the two cannot drift. Also the
 * helpers handlers use to read requests: every malformed input is a 400 naming what is wrong.
 */
import { errors, type ListOptions, type RequestSource } from "../service.ts";

/** A JSON Schema (OpenAPI 3 subset). */
export type Schema = Record<string, unknown>;

/** A `$ref` to a schema of the document's components. */
export function ref(name: string): Schema {
  return { $ref: `#/components/schemas/${name}` };
}

/** A query parameter. */
export interface QueryParam {
  name: string;
  type: "string" | "integer" | "boolean";
  description: string;
}

/** What a handler gets. */
export interface RouteRequest {
  /** Path parameters by name. */
  params: Record<string, string>;
  query: QueryReader;
  /** The JSON body as an object (400 when it is not one), with its text for line:col messages. */
  body(): Promise<Body>;
  raw: Request;
}

/** Any response body: a value sent as JSON, or a Response (streams, text). */
export type HandlerResult = unknown;

/** One route. */
export interface Route {
  method: "get" | "post" | "put" | "delete";
  /** OpenAPI path: `/api/v1/workflows/{namespace}/{name}`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  query?: QueryParam[];
  /** Schema of the JSON body. */
  body?: Schema;
  /** Schema of the 200 response (of each `result` of a stream). */
  response: Schema;
  /** The response is a stream of `{result: response}` (NDJSON or server-sent events). */
  stream?: boolean;
  handler(req: RouteRequest): Promise<HandlerResult>;
}

/** The text of a body and the object it holds. */
export class Body {
  constructor(readonly text: string, readonly value: Record<string, unknown>) {}

  /** Reads and parses a request body: absent is `{}`; anything but a JSON object is a 400. */
  static async read(req: Request): Promise<Body> {
    let text: string;
    try {
      text = await req.text();
    } catch (e) {
      throw errors.invalid(`could not read the request body: ${e instanceof Error ? e.message : e}`);
    }
    if (text.trim() === "") return new Body(text, {});
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw errors.invalid(`malformed request body: ${jsonErrorMessage(text, e)}`);
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw errors.invalid(`the request body must be a JSON object, not ${describe(value)}`);
    }
    return new Body(text, value as Record<string, unknown>);
  }

  /** Where `key` is in the text, for lint messages. */
  source(key: string): RequestSource {
    return { text: this.text, path: [key] };
  }

  /** A required object field. */
  object<T>(key: string): T {
    const v = this.value[key];
    if (v === undefined || v === null) {
      throw errors.invalid(`the request body has no "${key}"; it is required`);
    }
    if (typeof v !== "object" || Array.isArray(v)) {
      throw errors.invalid(`"${key}" in the request body must be an object, not ${describe(v)}`);
    }
    return v as T;
  }

  /** An optional object field. */
  optionalObject<T>(key: string): T | undefined {
    const v = this.value[key];
    return v === undefined || v === null ? undefined : this.object<T>(key);
  }

  /** An optional string field. */
  string(key: string): string | undefined {
    return optional(this.value, key, "string", `"${key}" in the request body`) as string | undefined;
  }

  /** An optional boolean field. */
  boolean(key: string): boolean | undefined {
    return optional(this.value, key, "boolean", `"${key}" in the request body`) as boolean | undefined;
  }

  /** An optional list of strings. */
  strings(key: string): string[] | undefined {
    return stringList(this.value[key], `"${key}" in the request body`);
  }
}

/** Checks an optional field of an object (e.g. of `submitOptions`). */
export function optional(
  obj: Record<string, unknown>,
  key: string,
  type: "string" | "boolean" | "number",
  label: string,
): unknown {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  const actual: string = typeof v;
  if (actual !== type) throw errors.invalid(`${label} must be a ${type}, not ${describe(v)}`);
  return v;
}

/** Checks an optional list of strings. */
export function stringList(v: unknown, label: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw errors.invalid(`${label} must be a list of strings, not ${describe(v)}`);
  }
  return v as string[];
}

/** Reads query parameters with their types checked. */
export class QueryReader {
  constructor(readonly params: URLSearchParams) {}

  string(name: string): string | undefined {
    const v = this.params.get(name);
    return v === null || v === "" ? undefined : v;
  }

  integer(name: string): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) {
      throw errors.invalid(`query parameter ${name} must be a whole number, not "${v}"`);
    }
    return Number(v);
  }

  boolean(name: string): boolean | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (v === "true" || v === "1") return true;
    if (v === "false" || v === "0") return false;
    throw errors.invalid(`query parameter ${name} must be true or false, not "${v}"`);
  }

  /** `listOptions.labelSelector`, `.fieldSelector`, `.limit`, `.continue`. */
  listOptions(): ListOptions {
    const out: ListOptions = {};
    const labelSelector = this.string("listOptions.labelSelector");
    const fieldSelector = this.string("listOptions.fieldSelector");
    const limit = this.integer("listOptions.limit");
    const cont = this.string("listOptions.continue");
    const resourceVersion = this.string("listOptions.resourceVersion");
    if (labelSelector !== undefined) out.labelSelector = labelSelector;
    if (fieldSelector !== undefined) out.fieldSelector = fieldSelector;
    if (limit !== undefined) {
      if (limit < 0) throw errors.invalid(`query parameter listOptions.limit must be >= 0, not ${limit}`);
      out.limit = limit;
    }
    if (cont !== undefined) out.continue = cont;
    if (resourceVersion !== undefined && resourceVersion !== "0") {
      if (!/^\d+$/.test(resourceVersion)) {
        throw errors.invalid(
          `query parameter listOptions.resourceVersion must be the metadata.resourceVersion of a list ` +
            `(a number), not "${resourceVersion}"; leave it out to start from the current state`,
        );
      }
      out.resourceVersion = resourceVersion;
    }
    return out;
  }
}

/** The query parameters of list calls. */
export const LIST_QUERY: QueryParam[] = [
  {
    name: "listOptions.labelSelector",
    type: "string",
    description: "Only objects whose labels match, e.g. `app=x,env!=prod,tier in (a,b)`.",
  },
  {
    name: "listOptions.fieldSelector",
    type: "string",
    description: "Only objects whose fields match: `metadata.name=x`, `metadata.namespace=y`.",
  },
  { name: "listOptions.limit", type: "integer", description: "At most this many items per page." },
  {
    name: "listOptions.continue",
    type: "string",
    description: "The `metadata.continue` of the previous page, to get the next one.",
  },
];

/** Argo's `fields` parameter (see web/fields.ts). */
export const FIELDS_QUERY: QueryParam = {
  name: "fields",
  type: "string",
  description: "Fields to keep (`items.metadata.name,items.status.phase`) or, after a leading `-`, to " +
    "drop (`-items.status.nodes`). Without it the response is whole.",
};

/** The query of watches: list options, where to start (`listOptions.resourceVersion`), fields. */
export const WATCH_QUERY: QueryParam[] = [
  ...LIST_QUERY,
  {
    name: "listOptions.resourceVersion",
    type: "string",
    description: "The `metadata.resourceVersion` of a list: only changes after it, no ADDED for what it had.",
  },
  FIELDS_QUERY,
];

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "string") {
    return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v)}`;
  }
  return `${typeof v === "object" ? "an object" : `the ${typeof v} ${String(v)}`}`;
}

/** A JSON.parse error with the line and column it happened at. */
function jsonErrorMessage(text: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const m = /at position (\d+)/.exec(message);
  if (!m) return message;
  const offset = Number(m[1]);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const col = offset - before.lastIndexOf("\n");
  return `${message.replace(/ at position \d+.*$/, "")} at line ${line} column ${col}`;
}
