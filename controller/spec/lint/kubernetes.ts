/**
 * Kubernetes-only fields: with target "local", a field the schema marks k8sOnly (nodeSelector,
 * tolerations, serviceAccountName, podSpecPatch, resource templates, ...) is a warning saying a
 * local run ignores it; with target "kubernetes" nothing is reported. fields.ts finds the fields
 * while it walks the schema and hands them here.
 *
 * Secrets and ConfigMaps are not Kubernetes-only: a local run reads them from the `kind: Secret` /
 * `kind: ConfigMap` manifests the user gives (env `valueFrom.secretKeyRef`/`configMapKeyRef`/
 * `fieldRef`, `envFrom`, `secret`/`configMap` volumes, parameter `valueFrom.configMapKeyRef`).
 */
import type { Path } from "../load.ts";
import type { RuleContext } from "./context.ts";
import { q } from "./util.ts";

/** Fields that are whole kinds of template, which no host runs: the templates rule reports them (unsupported.ts). */
const TEMPLATE_TYPES = new Set(["resource", "plugin"]);

/** `<owner type>.<field>` that a local run supports although the schema marks them Kubernetes-only. */
const LOCALLY_SUPPORTED = new Set(["Volume.secret", "Volume.configMap", "ValueFrom.configMapKeyRef"]);

/** Downward API fields a local run gives an env var (runtime/volumes.ts). */
const LOCAL_FIELD_PATHS =
  /^(metadata\.(name|namespace|uid|labels\['.+'\]|annotations\['.+'\])|spec\.(nodeName|serviceAccountName)|status\.(hostIP|podIP))$/;

/** The value at `path` of the document being linted. */
function valueAt(ctx: RuleContext, path: Path): unknown {
  let v: unknown = ctx.wf.doc.value;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/**
 * Whether a local run supports the field (no warning), or why not (a warning). undefined: the
 * general rule applies (the field only matters on Kubernetes).
 */
function localSupport(
  ctx: RuleContext,
  path: Path,
  key: string,
  ownerType: string,
): true | string | undefined {
  if (LOCALLY_SUPPORTED.has(`${ownerType}.${key}`)) return true;
  if (key === "envFrom") return true;
  if (ownerType === "EnvVar" && key === "valueFrom") {
    const vf = valueAt(ctx, path);
    if (vf === null || typeof vf !== "object") return true; // a wrong type is reported by fields.ts
    const source = vf as Record<string, unknown>;
    if (source.resourceFieldRef !== undefined) {
      return `"valueFrom.resourceFieldRef" needs Kubernetes: a local run cannot give this env var a value`;
    }
    const fieldPath = (source.fieldRef as { fieldPath?: unknown } | undefined)?.fieldPath;
    if (typeof fieldPath === "string" && !LOCAL_FIELD_PATHS.test(fieldPath)) {
      return `"valueFrom.fieldRef" ${
        q(fieldPath)
      } needs Kubernetes: a local run cannot give this env var a value`;
    }
    return true;
  }
  return undefined;
}

/** Reports a k8sOnly field found at `path` (whose last segment is its key), if linting for a local run. */
export function reportKubernetesOnly(
  ctx: RuleContext,
  path: Path,
  key: string,
  owner: string,
  ownerType: string,
): void {
  if (ctx.opts.target !== "local") return;
  const local = localSupport(ctx, path, key, ownerType);
  if (local === true) return;
  if (local !== undefined) {
    ctx.report.warnAtKey("kubernetes-only", path, `${local} (${owner})`);
    return;
  }
  // A resource or plugin template is not run on any host: the templates rule says so.
  if (ownerType === "Template" && TEMPLATE_TYPES.has(key)) return;
  ctx.report.warnAtKey(
    "kubernetes-only",
    path,
    `${q(key)} in ${owner} only matters on Kubernetes; a local run ignores it`,
  );
}
