/**
 * A small Kubernetes REST client on `fetch`: get, list, create, replace, patch (with an explicit
 * content type on every call), delete, watch and pod logs, for the few resources skiff uses.
 *
 * Every call but watch and followed logs has a deadline (a dead connection fails instead of
 * hanging). Failures are {@link ApiError}s with the HTTP status and Kubernetes' reason.
 *
 * ```ts
 * const kube = new KubeClient(await loadKubeConfig());
 * const wf = await kube.get(WORKFLOWS, "default", "hello-abc12");
 * ```
 */

/** How to reach and authenticate to an API server. */
export interface Credentials {
  /** e.g. `https://127.0.0.1:6443`. */
  server: string;
  /** PEM of the CA that signed the server's certificate (system roots when absent). */
  caPem?: string;
  /** PEM client certificate and key (mTLS). */
  certPem?: string;
  keyPem?: string;
  /** The `Authorization` header value to send (bearer token, exec plugin, ...), read before each call. */
  authorization?: () => Promise<string | undefined> | string | undefined;
  /** The namespace of the kubeconfig's context (or the pod's own namespace in a cluster). */
  namespace?: string;
}

/** A kind of object the client reads and writes. */
export interface Resource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

function resource(group: string, version: string, plural: string, kind: string, namespaced = true): Resource {
  return { group, version, plural, kind, namespaced };
}

export const WORKFLOWS = resource("argoproj.io", "v1alpha1", "workflows", "Workflow");
export const WORKFLOW_TEMPLATES = resource(
  "argoproj.io",
  "v1alpha1",
  "workflowtemplates",
  "WorkflowTemplate",
);
export const CLUSTER_WORKFLOW_TEMPLATES = resource(
  "argoproj.io",
  "v1alpha1",
  "clusterworkflowtemplates",
  "ClusterWorkflowTemplate",
  false,
);
export const CRON_WORKFLOWS = resource("argoproj.io", "v1alpha1", "cronworkflows", "CronWorkflow");
export const TASK_RESULTS = resource("argoproj.io", "v1alpha1", "workflowtaskresults", "WorkflowTaskResult");
export const PODS = resource("", "v1", "pods", "Pod");
export const PVCS = resource("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim");
export const CONFIG_MAPS = resource("", "v1", "configmaps", "ConfigMap");
export const EVENTS = resource("", "v1", "events", "Event");
export const NAMESPACES = resource("", "v1", "namespaces", "Namespace", false);
export const LEASES = resource("coordination.k8s.io", "v1", "leases", "Lease");
export const CRDS = resource(
  "apiextensions.k8s.io",
  "v1",
  "customresourcedefinitions",
  "CustomResourceDefinition",
  false,
);

/** Object metadata as far as skiff reads it. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
}

/** A reference to the owner of an object (garbage collection). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** A list answer. */
export interface KubeList<T> {
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** One event of a watch. */
export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

/** A failed API call: HTTP status, Kubernetes' `reason` and `message`. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** 404. */
export function isNotFound(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404;
}
/** 409 with reason AlreadyExists. */
export function isAlreadyExists(e: unknown): boolean {
  return e instanceof ApiError && e.status === 409 && e.reason === "AlreadyExists";
}
/** 409 with reason Conflict (the resourceVersion given is not the current one). */
export function isConflict(e: unknown): boolean {
  return e instanceof ApiError && e.status === 409 && e.reason !== "AlreadyExists";
}
/** 410: the resourceVersion a watch or list started from is too old. */
export function isGone(e: unknown): boolean {
  return e instanceof ApiError && e.status === 410;
}

/** Options of list and watch calls. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: "NotOlderThan" | "Exact";
}

/** Options of a watch. */
export interface WatchOptions extends ListOptions {
  /** The server ends the watch after this many seconds (it is then restarted from the last version). */
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
}

/** The content types of PATCH, one of which every patch names. */
export const PATCH = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
} as const;

/** Options of write calls. */
export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** Server-side apply: take fields over from other managers. */
  force?: boolean;
  /** Write a subresource (`status`). */
  subresource?: string;
}

/** Options of a delete. */
export interface DeleteOptions {
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Options of pod logs. */
export interface LogOptions {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
}

/** The client's own settings. */
export interface ClientOptions {
  /** Deadline of one call other than watch and followed logs, ms (default 30 000). */
  timeoutMs?: number;
  /** The field manager named on writes (default "skiff"). */
  fieldManager?: string;
  /** User-Agent (default "skiff"). */
  userAgent?: string;
}

/** A Kubernetes API client. */
export class KubeClient {
  readonly server: string;
  readonly defaultNamespace: string;
  #creds: Credentials;
  #http: Deno.HttpClient;
  #timeoutMs: number;
  #fieldManager: string;
  #userAgent: string;

  constructor(creds: Credentials, opts: ClientOptions = {}) {
    this.#creds = creds;
    this.server = creds.server.replace(/\/+$/, "");
    this.defaultNamespace = creds.namespace ?? "default";
    const tls: Deno.CreateHttpClientOptions = {};
    if (creds.caPem) tls.caCerts = [creds.caPem];
    if (creds.certPem && creds.keyPem) {
      (tls as Record<string, unknown>).cert = creds.certPem;
      (tls as Record<string, unknown>).key = creds.keyPem;
    }
    // HTTP/1.1: each watch has a connection of its own, so a dead or stalled one is dropped when its
    // watch is abandoned, instead of stalling every call multiplexed over one HTTP/2 connection.
    this.#http = Deno.createHttpClient({ ...tls, http2: false, http1: true });
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#fieldManager = opts.fieldManager ?? "skiff";
    this.#userAgent = opts.userAgent ?? "skiff";
  }

  /** The same credentials with other options (e.g. a shorter deadline). */
  withOptions(opts: ClientOptions): KubeClient {
    return new KubeClient(this.#creds, {
      timeoutMs: this.#timeoutMs,
      fieldManager: this.#fieldManager,
      userAgent: this.#userAgent,
      ...opts,
    });
  }

  /** Closes the HTTP connections. */
  close(): void {
    this.#http.close();
  }

  /** The URL path of a resource (a collection when `name` is undefined). */
  path(res: Resource, namespace: string | undefined, name?: string, subresource?: string): string {
    let p = res.group === "" ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
    if (res.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${res.plural}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  async get<T extends KubeObject>(res: Resource, namespace: string | undefined, name: string): Promise<T> {
    return await this.#json<T>("GET", this.path(res, namespace, name));
  }

  /** One page of a list (`namespace` undefined: all namespaces). */
  async list<T extends KubeObject>(
    res: Resource,
    namespace: string | undefined,
    opts: ListOptions = {},
  ): Promise<KubeList<T>> {
    return await this.#json<KubeList<T>>("GET", this.path(res, namespace) + query({ ...opts }));
  }

  /** Every page of a list, with the resourceVersion of the first page. */
  async listAll<T extends KubeObject>(
    res: Resource,
    namespace: string | undefined,
    opts: ListOptions = {},
  ): Promise<KubeList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const page: KubeList<T> = await this.list<T>(res, namespace, {
        ...opts,
        limit: opts.limit ?? 500,
        ...(cont ? { continue: cont } : {}),
      });
      rv ??= page.metadata.resourceVersion;
      items.push(...page.items);
      cont = page.metadata.continue || undefined;
    } while (cont);
    return { metadata: rv ? { resourceVersion: rv } : {}, items };
  }

  async create<T extends KubeObject>(
    res: Resource,
    namespace: string | undefined,
    obj: T,
    opts: WriteOptions = {},
  ): Promise<T> {
    const body = { apiVersion: apiVersionOf(res), kind: res.kind, ...obj };
    return await this.#json<T>("POST", this.path(res, namespace) + this.#writeQuery(opts), body);
  }

  /** PUT: replaces the object (or its `status` with `subresource: "status"`); its resourceVersion guards it. */
  async replace<T extends KubeObject>(
    res: Resource,
    namespace: string | undefined,
    name: string,
    obj: T,
    opts: WriteOptions = {},
  ): Promise<T> {
    const body = { apiVersion: apiVersionOf(res), kind: res.kind, ...obj };
    return await this.#json<T>(
      "PUT",
      this.path(res, namespace, name, opts.subresource) + this.#writeQuery(opts),
      body,
    );
  }

  /** PATCH with an explicit type: merge (RFC 7386), json (RFC 6902), strategic, or apply (server-side). */
  async patch<T extends KubeObject>(
    res: Resource,
    namespace: string | undefined,
    name: string,
    type: keyof typeof PATCH,
    body: unknown,
    opts: WriteOptions = {},
  ): Promise<T> {
    const q = this.#writeQuery({
      ...opts,
      ...(type === "apply" ? { fieldManager: opts.fieldManager ?? this.#fieldManager } : {}),
    });
    return await this.#json<T>(
      "PATCH",
      this.path(res, namespace, name, opts.subresource) + q,
      body,
      PATCH[type],
    );
  }

  /** Deletes; a missing object is not an error unless `mustExist`. Returns whether it existed. */
  async delete(
    res: Resource,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions & { mustExist?: boolean } = {},
  ): Promise<boolean> {
    const { mustExist, ...rest } = opts;
    const body = Object.keys(rest).length > 0
      ? { kind: "DeleteOptions", apiVersion: "v1", ...rest }
      : undefined;
    try {
      await this.#json("DELETE", this.path(res, namespace, name), body);
      return true;
    } catch (e) {
      if (!mustExist && isNotFound(e)) return false;
      throw e;
    }
  }

  /** Deletes every object of a collection matching `opts`' selectors. */
  async deleteCollection(
    res: Resource,
    namespace: string | undefined,
    opts: ListOptions = {},
  ): Promise<void> {
    await this.#json("DELETE", this.path(res, namespace) + query({ ...opts }));
  }

  /**
   * Watches a collection from `opts.resourceVersion`: yields events until the server ends the
   * watch, `signal` aborts, or the connection fails (thrown). An ERROR event is thrown as ApiError
   * (410 when the version is too old). No deadline: callers watch the stream's liveness themselves.
   */
  async *watch<T extends KubeObject>(
    res: Resource,
    namespace: string | undefined,
    opts: WatchOptions,
    signal: AbortSignal,
  ): AsyncGenerator<WatchEvent<T>> {
    const url = this.path(res, namespace) + query({ ...opts, watch: true });
    const response = await this.#send("GET", url, undefined, undefined, signal);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line === "") continue;
          const event = JSON.parse(line) as WatchEvent<T>;
          if (event.type === "ERROR") {
            const status = event.object as unknown as { code?: number; reason?: string; message?: string };
            throw new ApiError(status.code ?? 500, status.reason ?? "", status.message ?? "watch error");
          }
          yield event;
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  /** A pod's log as a stream of bytes (`follow` keeps it open while the container runs). */
  async podLogs(
    namespace: string,
    pod: string,
    opts: LogOptions,
    signal?: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    const url = this.path(PODS, namespace, pod, "log") + query(opts as Record<string, unknown>);
    const timeout = opts.follow ? undefined : AbortSignal.timeout(this.#timeoutMs);
    const res = await this.#send("GET", url, undefined, undefined, anySignal(signal, timeout));
    return res.body!;
  }

  /** Any JSON call (e.g. POST of a subresource such as `pods/<name>/binding`). */
  async request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    return await this.#json<T>(method, path, body, contentType);
  }

  /** GET of any path (discovery, /readyz, ...), as text. */
  async raw(path: string): Promise<string> {
    const res = await this.#send("GET", path, undefined, undefined, AbortSignal.timeout(this.#timeoutMs));
    return await res.text();
  }

  #writeQuery(opts: WriteOptions): string {
    const q: Record<string, unknown> = {};
    if (opts.dryRun) q.dryRun = "All";
    if (opts.fieldManager ?? this.#fieldManager) q.fieldManager = opts.fieldManager ?? this.#fieldManager;
    if (opts.force) q.force = true;
    return query(q);
  }

  async #json<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.#send(method, path, body, contentType, AbortSignal.timeout(this.#timeoutMs));
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  async #send(
    method: string,
    path: string,
    body: unknown,
    contentType: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.#userAgent };
    const auth = await this.#creds.authorization?.();
    if (auth) headers.authorization = auth;
    let payload: string | undefined;
    if (body !== undefined) {
      headers["content-type"] = contentType ?? "application/json";
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(this.server + path, {
        method,
        headers,
        ...(payload !== undefined ? { body: payload } : {}),
        ...(signal ? { signal } : {}),
        client: this.#http,
      });
    } catch (e) {
      if (signal?.aborted && (signal.reason as Error)?.name === "TimeoutError") {
        throw new ApiError(504, "Timeout", `${method} ${path}: no answer within ${this.#timeoutMs} ms`);
      }
      throw e;
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => "");
    let status: { reason?: string; message?: string; details?: unknown } = {};
    try {
      status = JSON.parse(text);
    } catch {
      status = { message: text };
    }
    throw new ApiError(
      res.status,
      status.reason ?? res.statusText,
      `${method} ${path}: ${res.status} ${status.message ?? res.statusText}`,
      status.details,
    );
  }
}

/** `apiVersion` of a resource's objects. */
export function apiVersionOf(res: Resource): string {
  return res.group === "" ? res.version : `${res.group}/${res.version}`;
}

function query(opts: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(opts)) {
    if (v === undefined || v === "" || v === false) continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return undefined;
  return present.length === 1 ? present[0] : AbortSignal.any(present);
}
