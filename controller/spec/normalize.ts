/**
 * Brings a parsed Argo document into the one form the rest of skiff reads, applying Argo's own
 * value rules and mapping legacy spellings to their current form:
 *
 * - Parameter `value`, `default`, `enum` entries and `description`, and ValueFrom `default` are
 *   Argo AnyStrings: numbers and booleans become strings the way Argo prints them (`1` -> "1",
 *   `1.5` -> "1.5", `true` -> "true", `1e21` -> "1000000000000000000000"). This applies wherever
 *   a parameter appears (workflow arguments, template inputs/outputs, step/task/hook arguments,
 *   inline templates, templateDefaults, status), because the walk follows SCHEMA.
 * - CronWorkflow `schedule: x` -> `schedules: [x]`; `schedule` is kept, so both agree. As in
 *   Argo (CronWorkflowSpec.GetSchedules), a non-empty `schedule` wins over `schedules`.
 * - `synchronization.semaphore` / `.mutex` (deprecated in v3.6) are prepended to `semaphores` /
 *   `mutexes` and removed (Argo acquires the singular and the plural locks alike).
 * - Step and DAG task `onExit: t` -> `hooks: { exit: { template: t } }` and `onExit` is removed.
 *   Argo runs onExit as the exit hook and prefers it over `hooks.exit` when both are set; a hook
 *   without arguments gets the workflow's arguments either way, so nothing else changes.
 *
 * DAG `dependencies` and the workflow-level `spec.onExit` are left as they are. Unknown fields and
 * values of the wrong kind are copied unchanged for the linter to report.
 *
 * @module
 */

import { type Field, type FieldSpec, objectSpec, ROOT_TYPES } from "./schema.ts";
import type { ArgoDocument, WorkflowSpec } from "./types.ts";

type JsonRecord = Record<string, unknown>;

/**
 * Returns a normalized deep copy of a parsed document (see the module doc). Pure: the input is
 * never mutated. A value that is not an object with a known Argo `kind` is returned as a copy.
 */
export function normalizeDocument(value: unknown): unknown {
  if (!isRecord(value)) return copy(value);
  const kind = value["kind"];
  if (typeof kind !== "string" || !Object.hasOwn(ROOT_TYPES, kind)) return copy(value);
  return normalizeObject(value, ROOT_TYPES[kind as keyof typeof ROOT_TYPES]);
}

/**
 * The WorkflowSpec of a document: `spec` for Workflow, WorkflowTemplate and
 * ClusterWorkflowTemplate, `spec.workflowSpec` for CronWorkflow; undefined for anything else.
 */
export function workflowSpecOf(doc: ArgoDocument): WorkflowSpec;
export function workflowSpecOf(doc: unknown): WorkflowSpec | undefined;
export function workflowSpecOf(doc: unknown): WorkflowSpec | undefined {
  if (!isRecord(doc)) return undefined;
  const spec = doc["spec"];
  if (!isRecord(spec)) return undefined;
  switch (doc["kind"]) {
    case "Workflow":
    case "WorkflowTemplate":
    case "ClusterWorkflowTemplate":
      return spec as WorkflowSpec;
    case "CronWorkflow": {
      const wfSpec = spec["workflowSpec"];
      return isRecord(wfSpec) ? wfSpec as WorkflowSpec : undefined;
    }
    default:
      return undefined;
  }
}

/** Formats a number as Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, no exponent. */
export function formatArgoNumber(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign = "", lead = "", frac = "", expText = "0"] = m;
  const exp = Number(expText);
  const digits = lead + frac;
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const point = 1 + exp;
  return digits.length <= point
    ? sign + digits + "0".repeat(point - digits.length)
    : `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function normalizeObject(value: JsonRecord, type: string): JsonRecord {
  const spec = objectSpec(type);
  const out: JsonRecord = {};
  for (const [key, v] of Object.entries(value)) {
    const field = spec && Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined;
    put(out, key, field ? normalizeField(v, field) : copy(v));
  }
  switch (type) {
    case "WorkflowStep":
    case "DAGTask":
      return onExitToHook(out);
    case "Synchronization":
      return pluralLocks(out);
    case "CronWorkflowSpec":
      return schedulesFromSchedule(out);
    default:
      return out;
  }
}

function normalizeField(value: unknown, field: Field | FieldSpec): unknown {
  if ("anyString" in field && field.anyString) return anyString(value);
  switch (field.kind) {
    case "object":
      return isRecord(value) ? normalizeObject(value, field.type) : copy(value);
    case "array":
      return Array.isArray(value) ? value.map((item) => normalizeField(item, field.of)) : copy(value);
    case "map": {
      if (!isRecord(value)) return copy(value);
      const out: JsonRecord = {};
      for (const [key, v] of Object.entries(value)) put(out, key, normalizeField(v, field.of));
      return out;
    }
    default:
      return copy(value);
  }
}

/** Argo's AnyString: numbers and booleans read as strings; anything else is left for the linter. */
function anyString(value: unknown): unknown {
  if (typeof value === "number") return formatArgoNumber(value);
  if (typeof value === "boolean") return String(value);
  return copy(value);
}

function onExitToHook(step: JsonRecord): JsonRecord {
  const onExit = step["onExit"];
  if (typeof onExit !== "string") return step;
  const { onExit: _dropped, ...rest } = step;
  if (onExit === "") return rest;
  const hooks = isRecord(rest["hooks"]) ? rest["hooks"] : {};
  return { ...rest, hooks: { ...hooks, exit: { template: onExit } } };
}

function pluralLocks(sync: JsonRecord): JsonRecord {
  let out = sync;
  for (const [singular, plural] of [["semaphore", "semaphores"], ["mutex", "mutexes"]] as const) {
    const one = out[singular];
    const many = out[plural];
    if (!isRecord(one) || (many !== undefined && many !== null && !Array.isArray(many))) continue;
    const { [singular]: _dropped, ...rest } = out;
    out = { ...rest, [plural]: [one, ...(Array.isArray(many) ? many : [])] };
  }
  return out;
}

function schedulesFromSchedule(spec: JsonRecord): JsonRecord {
  const schedule = spec["schedule"];
  if (typeof schedule !== "string" || schedule === "") return spec;
  return { ...spec, schedules: [schedule] };
}

function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isRecord(value)) {
    const out: JsonRecord = {};
    for (const [key, v] of Object.entries(value)) put(out, key, copy(v));
    return out;
  }
  return value;
}

/** Sets an own property, even for keys like `__proto__`. */
function put(target: JsonRecord, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

function isRecord(value: unknown): value is JsonRecord {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
