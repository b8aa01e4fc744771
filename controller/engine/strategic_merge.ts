/**
 * Argo's merge of `spec.templateDefaults` into a template: a Kubernetes strategic merge patch
 * (`strategicpatch.StrategicMergePatch(defaultsJSON, templateJSON, wfv1.Template{})`) with the
 * defaults as the original document and the template as the patch.
 *
 * - Objects merge key by key, recursively; a template value wins over a default scalar, and a value
 *   of another JSON type replaces the default whole.
 * - A list whose Go field is tagged `patchStrategy:"merge" patchMergeKey:"<key>"` merges item by
 *   item on that key: a template item is merged (by these same rules) over the default item with the
 *   same key, default-only items stay, template-only items are added. Every item of both lists must
 *   have the key, or the patch fails (`ErrNoMergeKey`).
 * - Any other list is taken whole from the template (container `command`, `args`, `envFrom`,
 *   `steps`, a containerSet's `containers`, ...).
 * - Argo marshals both from their Go structs first, so a `null` and (the fields being `omitempty`)
 *   an empty list count as not set: a template's does not replace a default, a default's is no
 *   list to merge into.
 *
 * The tagged lists, as read in the Go sources:
 *
 * argoproj/argo-workflows pkg/apis/workflow/v1alpha1/workflow_types.go
 *   Template.volumes (name), .initContainers (name), .sidecars (name), .tolerations (key),
 *   .hostAliases (ip); Inputs.parameters (name), .artifacts (name); Outputs.parameters (name),
 *   .artifacts (name); DAGTemplate.tasks (name); Arguments.parameters (name), .artifacts (name).
 *   Untagged: Template.steps, Metrics, Synchronization lists, ContainerSetTemplate.containers and
 *   .volumeMounts (container_set_template_types.go), HTTP.headers (http_types.go),
 *   Data.transformation (data_types.go). UserContainer (sidecars, initContainers), ScriptTemplate and
 *   ContainerNode inline a core/v1 Container.
 * kubernetes/api core/v1/types.go
 *   Container.ports (containerPort), .env (name), .volumeMounts (mountPath), .volumeDevices
 *   (devicePath). Untagged: .command, .args, .envFrom, .resizePolicy.
 *
 * Order of a merged list, as k8s.io/apimachinery pkg/util/strategicpatch/patch.go does it
 * (mergeSlice -> mergeSliceWithoutSpecialElements -> partitionMapsByPresentInList ->
 * normalizeElementOrder -> mergeSortedSlice): the template's items (merged over their defaults) keep
 * the template's order; the default-only items keep the defaults' order; the two are then
 * interleaved: a default-only item goes before the next template item only when that template item
 * also is in the defaults and comes after it there. So defaults [A, B] + template [B, C] give
 * [A, B, C]; defaults [A, B] + template [C, B] give [C, A, B]; defaults [A] + template [C] give
 * [C, A].
 */

/** What the merge knows of a field: the fields of an object, or the merge key (and item schema) of a list. */
interface Schema {
  fields?: Record<string, Schema>;
  mergeKey?: string;
  items?: Schema;
}

function keyed(mergeKey: string, items?: Schema): Schema {
  return items ? { mergeKey, items } : { mergeKey };
}

const PARAMS_AND_ARTIFACTS: Schema = {
  fields: { parameters: keyed("name"), artifacts: keyed("name") },
};

const CONTAINER: Schema = {
  fields: {
    ports: keyed("containerPort"),
    env: keyed("name"),
    volumeMounts: keyed("mountPath"),
    volumeDevices: keyed("devicePath"),
  },
};

const TEMPLATE_FIELDS: Record<string, Schema> = {};
const TEMPLATE: Schema = { fields: TEMPLATE_FIELDS };
const DAG_TASK: Schema = { fields: { arguments: PARAMS_AND_ARTIFACTS, inline: TEMPLATE } };
Object.assign(TEMPLATE_FIELDS, {
  inputs: PARAMS_AND_ARTIFACTS,
  outputs: PARAMS_AND_ARTIFACTS,
  container: CONTAINER,
  script: CONTAINER,
  dag: { fields: { tasks: keyed("name", DAG_TASK) } },
  volumes: keyed("name"),
  initContainers: keyed("name", CONTAINER),
  sidecars: keyed("name", CONTAINER),
  tolerations: keyed("key"),
  hostAliases: keyed("ip"),
});

/** `defaults` with `tmpl` merged over it as Argo's strategic merge patch into a Template does. Neither is changed. */
export function strategicMergeTemplate<T>(defaults: T, tmpl: T): T {
  return mergeValue(defaults, tmpl, TEMPLATE) as T;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unset(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

function mergeValue(base: unknown, over: unknown, schema: Schema | undefined): unknown {
  if (unset(over)) return structuredClone(unset(base) ? over : base);
  if (unset(base)) return structuredClone(over);
  if (isObj(base) && isObj(over)) return mergeObject(base, over, schema);
  if (Array.isArray(base) && Array.isArray(over) && schema?.mergeKey !== undefined) {
    return mergeList(base, over, schema.mergeKey, schema.items);
  }
  return structuredClone(over);
}

function mergeObject(base: Obj, over: Obj, schema: Schema | undefined): Obj {
  const out = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = mergeValue(base[k], v, schema?.fields?.[k]);
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

function mergeList(base: unknown[], over: unknown[], key: string, items: Schema | undefined): unknown[] {
  const defaults = base.map((item) => withKey(item, key));
  const patch = over.map((item) => withKey(item, key));
  const indexIn = (list: Obj[], item: Obj) => list.findIndex((x) => x[key] === item[key]);
  // mergeSliceWithoutSpecialElements: merge each template item into its default, or append it.
  const merged: Obj[] = defaults.map((d) => structuredClone(d));
  for (const p of patch) {
    const i = indexIn(merged, p);
    if (i >= 0) merged[i] = mergeObject(merged[i]!, p, items);
    else merged.push(structuredClone(p));
  }
  // partitionMapsByPresentInList, then normalizeSliceOrder of each part.
  const byOrder = (order: Obj[]) => (a: Obj, b: Obj) => indexIn(order, a) - indexIn(order, b);
  const fromPatch = merged.filter((m) => indexIn(patch, m) >= 0).sort(byOrder(patch));
  const defaultOnly = merged.filter((m) => indexIn(patch, m) < 0).sort(byOrder(defaults));
  // mergeSortedSlice(left = default-only, right = template items, order = the defaults).
  const out: Obj[] = [];
  let i = 0;
  let j = 0;
  while (i < defaultOnly.length || j < fromPatch.length) {
    if (j >= fromPatch.length) out.push(defaultOnly[i++]!);
    else if (i >= defaultOnly.length) out.push(fromPatch[j++]!);
    else {
      const li = indexIn(defaults, defaultOnly[i]!);
      const ri = indexIn(defaults, fromPatch[j]!);
      if (li >= 0 && ri >= 0 && li < ri) out.push(defaultOnly[i++]!);
      else out.push(fromPatch[j++]!);
    }
  }
  return out;
}

/** The item as an object holding the merge key, or Argo's error (mergepatch.ErrNoMergeKey). */
function withKey(item: unknown, key: string): Obj {
  if (!isObj(item) || item[key] === undefined) {
    throw new Error(`map: ${goFormat(item)} does not contain declared merge key: ${key}`);
  }
  return item;
}

/** A JSON value as Go's `%v` prints its decoded form (maps with sorted keys). */
function goFormat(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goFormat).join(" ")}]`;
  if (isObj(v)) {
    return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat(v[k])}`).join(" ")}]`;
  }
  return String(v);
}
