/**
 * What an API request does, in Kubernetes' authorization terms (verb, resource, namespace, name),
 * for Argo's `client` auth mode: the server checks that the caller could do it with their own
 * token, as Argo Server does by making the call as the caller. Requests that touch no resource
 * (info, version, the UI) only need a valid token.
 */

/** A request as Kubernetes authorization sees it. */
export interface RequestAttributes {
  verb: "get" | "list" | "watch" | "create" | "update" | "delete";
  /** Plural resource name in the argoproj.io group. */
  resource: "workflows" | "workflowtemplates" | "clusterworkflowtemplates" | "cronworkflows";
  /** Absent for cluster-scoped resources. */
  namespace?: string;
  name?: string;
}

type Verb = RequestAttributes["verb"];
type Resource = RequestAttributes["resource"];

const COLLECTIONS: [RegExp, Resource][] = [
  [/^\/api\/v1\/workflows\/([^/]+)(?:\/(.*))?$/, "workflows"],
  [/^\/api\/v1\/workflow-templates\/([^/]+)(?:\/(.*))?$/, "workflowtemplates"],
  [/^\/api\/v1\/cron-workflows\/([^/]+)(?:\/(.*))?$/, "cronworkflows"],
];
const CLUSTER_TEMPLATES = /^\/api\/v1\/cluster-workflow-templates(?:\/(.*))?$/;
const WATCH = /^\/api\/v1\/workflow-events\/([^/]+)$/;

/**
 * The attributes of `method path` (a path of Argo Server's API), or undefined for a request that
 * acts on no resource (or on no route: those end as 404/405 after authentication).
 */
export function requestAttributes(method: string, path: string): RequestAttributes | undefined {
  const m = method.toUpperCase();
  const watch = WATCH.exec(path);
  if (watch) {
    return m === "GET" ? { verb: "watch", resource: "workflows", namespace: dec(watch[1]!) } : undefined;
  }
  for (const [re, resource] of COLLECTIONS) {
    const hit = re.exec(path);
    if (hit) return scoped(m, resource, dec(hit[1]!), hit[2]);
  }
  const cluster = CLUSTER_TEMPLATES.exec(path);
  if (cluster) return scoped(m, "clusterworkflowtemplates", undefined, cluster[1]);
  return undefined;
}

/** `rest` is what follows the collection: "", "lint", "submit", "{name}" or "{name}/{action}". */
function scoped(
  method: string,
  resource: Resource,
  namespace: string | undefined,
  rest: string | undefined,
): RequestAttributes | undefined {
  const at = (verb: Verb, name?: string): RequestAttributes => ({
    verb,
    resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
  });
  const parts = (rest ?? "").split("/").filter((p) => p !== "").map(dec);
  if (parts.length === 0) return method === "GET" ? at("list") : method === "POST" ? at("create") : undefined;
  const [first, action] = parts;
  if (parts.length === 1 && method === "POST" && (first === "lint" || first === "submit")) {
    return at("create");
  }
  if (parts.length === 1) {
    if (method === "GET") return at("get", first);
    if (method === "PUT") return at("update", first);
    if (method === "DELETE") return at("delete", first);
    return undefined;
  }
  if (parts.length === 2) {
    if (method === "GET") return at("get", first); // .../log
    // resubmit makes a new workflow; the other actions change this one.
    if (method === "PUT") return action === "resubmit" ? at("create") : at("update", first);
  }
  return undefined;
}

function dec(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Kubernetes' own words for a refused request, as Argo Server passes them on, e.g.
 * `workflows.argoproj.io is forbidden: User "x" cannot list resource "workflows" in API group
 * "argoproj.io" in the namespace "ns"`.
 */
export function forbiddenMessage(user: string, a: RequestAttributes, reason?: string): string {
  const what = `${a.resource}.argoproj.io${a.name !== undefined ? ` "${a.name}"` : ""}`;
  const where = a.namespace !== undefined ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  return `${what} is forbidden: User "${user}" cannot ${a.verb} resource "${a.resource}" in API group ` +
    `"argoproj.io" ${where}${reason ? `: ${reason}` : ""}`;
}
