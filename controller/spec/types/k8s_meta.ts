// Kubernetes value types and object metadata that Argo documents embed (k8s.io/apimachinery, core/v1).

/** Any JSON value: the shape of free-form fields (withItems entries, plugin bodies, opaque k8s sources). */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
/** A JSON object with arbitrary keys. */
export interface JsonObject {
  [key: string]: JsonValue;
}
/** Kubernetes IntOrString: `3` or `"3"` (or a percentage such as `"50%"`). */
export type IntOrString = number | string;
/** Kubernetes resource quantity: `"500m"`, `"1Gi"`, `2`. */
export type Quantity = string | number;
/** RFC 3339 timestamp, e.g. `"2024-01-02T03:04:05Z"`. */
export type Time = string;

/** Standard Kubernetes object metadata (metav1.ObjectMeta). */
export interface ObjectMeta {
  /** Unique name within the namespace. */
  name?: string;
  /** Prefix for a server-generated name, used when `name` is empty. */
  generateName?: string;
  namespace?: string;
  selfLink?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: Time;
  deletionTimestamp?: Time;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
}

/** Points at the object that owns this one (garbage collection). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Server-side-apply bookkeeping entry; carried through untouched. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: Time;
  fieldsType?: string;
  fieldsV1?: JsonObject;
  subresource?: string;
}

/** Reference to any Kubernetes object (core/v1 ObjectReference). */
export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** Reference to an object in the same namespace, by name. */
export interface LocalObjectReference {
  name?: string;
}

/** Reference to an object of a given kind in the same namespace. */
export interface TypedLocalObjectReference {
  apiGroup?: string;
  kind: string;
  name: string;
}

/** Reference to an object of a given kind, possibly in another namespace. */
export interface TypedObjectReference {
  apiGroup?: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Label query over a set of resources. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** One `key operator values` clause of a label selector. */
export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** Selects a key of a ConfigMap. `key` is required except in a memoize `cache.configMap`. */
export interface ConfigMapKeySelector {
  name?: string;
  key?: string;
  optional?: boolean;
}

/** Selects a key of a Secret. */
export interface SecretKeySelector {
  name?: string;
  key: string;
  optional?: boolean;
}
