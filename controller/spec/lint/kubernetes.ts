/**
 * Kubernetes-only fields: with target "local", a field the schema marks k8sOnly (nodeSelector,
 * tolerations, serviceAccountName, podSpecPatch, resource templates, ...) is a warning saying a
 * local run ignores it; with target "kubernetes" nothing is reported. fields.ts finds the fields
 * while it walks the schema and hands them here.
 */
import type { Path } from "../load.ts";
import type { RuleContext } from "./context.ts";
import { q } from "./util.ts";

/** Fields that are whole kinds of template: a local run cannot run them at all. */
const TEMPLATE_TYPES = new Set(["resource", "plugin"]);

/** Reports a k8sOnly field found at `path` (whose last segment is its key), if linting for a local run. */
export function reportKubernetesOnly(
  ctx: RuleContext,
  path: Path,
  key: string,
  owner: string,
  ownerType: string,
): void {
  if (ctx.opts.target !== "local") return;
  if (ownerType === "Template" && TEMPLATE_TYPES.has(key)) {
    ctx.report.warnAtKey(
      "kubernetes-only",
      path,
      `${owner} is a ${key} template, which needs Kubernetes: a local run cannot run it ` +
        `(lint with target kubernetes if it is meant for a cluster)`,
    );
    return;
  }
  ctx.report.warnAtKey(
    "kubernetes-only",
    path,
    `${q(key)} in ${owner} only matters on Kubernetes; a local run ignores it`,
  );
}
