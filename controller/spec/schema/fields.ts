// The vocabulary of SCHEMA (field kinds and per-field flags) and small constructors that keep the
// object-type definitions short while preserving their literal types for compile-time checks.

/** The shape a field's value must have. */
export type FieldSpec =
  | { kind: "string" | "int" | "bool" | "number" | "intOrString" | "quantity" | "any" } // any = free-form JSON (resource manifest, item, raw)
  | { kind: "object"; type: string } // a named type in SCHEMA
  | { kind: "array"; of: FieldSpec }
  | { kind: "map"; of: FieldSpec }; // map[string]X (labels, annotations, nodeSelector)

/** A field of an object type: its shape plus what the linter should know about it. */
export type Field = FieldSpec & {
  /** Meaningful only on Kubernetes (nodeSelector, tolerations, affinity, serviceAccountName, podGC, priorityClassName, schedulerName, imagePullSecrets, hostNetwork, dnsPolicy, ...): a warning in a local run. */
  k8sOnly?: boolean;
  /** Allowed values, e.g. retryPolicy. */
  enum?: readonly string[];
  /** Legacy/deprecated spelling; the message says what to use instead. */
  deprecated?: string;
  /**
   * Argo's AnyString (Parameter value/default/enum/description, ValueFrom default): kind is
   * "string", but YAML numbers and booleans are accepted too and read as strings
   * (`normalizeDocument` converts them). A checker should accept any scalar here.
   */
  anyString?: boolean;
};

/** One named object type. */
export interface ObjectSpec {
  fields: Record<string, Field>;
  /** accept any extra keys (e.g. generic volume sources) */
  open?: boolean;
}

/** A string. */
export const str = { kind: "string" } as const;
/** An integer (int32/int64). */
export const int = { kind: "int" } as const;
/** A boolean. */
export const bool = { kind: "bool" } as const;
/** A floating point number. */
export const num = { kind: "number" } as const;
/** `3` or `"3"`. */
export const intOrStr = { kind: "intOrString" } as const;
/** A Kubernetes quantity: `"500m"`, `"1Gi"`, `2`. */
export const qty = { kind: "quantity" } as const;
/** Free-form JSON. */
export const json = { kind: "any" } as const;
/** Argo AnyString: a string, or a number/boolean read as a string. */
export const anyStr = { kind: "string", anyString: true } as const;
/** An RFC 3339 timestamp (a string). */
export const time = str;

/** A value of the named object type. */
export const obj = <const T extends string>(type: T) => ({ kind: "object", type }) as const;
/** A list. */
export const arr = <const F extends FieldSpec>(of: F) => ({ kind: "array", of }) as const;
/** A string-keyed map. */
export const map = <const F extends FieldSpec>(of: F) => ({ kind: "map", of }) as const;
/** A string-to-string map (labels, annotations, nodeSelector). */
export const strMap = map(str);
/** A list of strings. */
export const strList = arr(str);

/** Marks a field as meaningful only on Kubernetes. */
export const k8s = <const F extends Field>(f: F) => ({ ...f, k8sOnly: true }) as const;
/** Restricts a field to the given values. */
export const oneOf = <const F extends Field, const V extends readonly string[]>(f: F, values: V) =>
  ({ ...f, enum: values }) as const;
/** Marks a field as a legacy spelling; `use` says what to write instead. */
export const deprecated = <const F extends Field>(f: F, use: string) => ({ ...f, deprecated: use }) as const;
