/**
 * The API service (web/service.ts) over the local host: workflows are submitted to and changed
 * through {@link LocalHost}, read from its {@link Store}; WorkflowTemplates,
 * ClusterWorkflowTemplates and CronWorkflows are kept in a table of their own in the same SQLite
 * file. Objects are linted before they are stored (problems as line:col of the request body),
 * normalized, and workflows get their template references resolved (workflowTemplateRef merged
 * into the spec, templateRef copied into status.storedTemplates) as Argo's controller does.
 *
 * CronWorkflows are stored, listed, linted, suspended and resumed; the {@link CronScheduler} given
 * in the options runs them and is told of every change (a CronWorkflow's stored status is kept
 * when an update comes without one).
 *
 * @module
 */
import { admitShape, submitResourceKind } from "../../web/admission.ts";
import { resubmitWorkflow, resumeWorkflow, setSuspendedNode } from "../engine/mod.ts";
import { normalizeDocument } from "../spec/normalize.ts";
import type {
  ClusterWorkflowTemplate,
  CronWorkflow,
  DeleteOptions,
  InfoResponse,
  ListOptions,
  LogEntry,
  LogOptions,
  MetricsSnapshot,
  ObjectList,
  RequestSource,
  ResubmitRequest,
  ResumeRequest,
  RetryRequest,
  SetRequest,
  StopRequest,
  SubmitOptions,
  VersionResponse,
  WatchEvent,
  Workflow,
  WorkflowCreateRequest,
  WorkflowListOptions,
  WorkflowService,
  WorkflowSubmitRequest,
  WorkflowTemplate,
} from "../../web/service.ts";
import { Code, errors, ServiceError } from "../../web/service.ts";
import { listPage } from "../../web/selectors.ts";
import { FieldsCleaner } from "../../web/fields.ts";
import { applySubmitOptions } from "../../web/submit-options.ts";
import { type LocalHost, randomSuffix, workflowDone } from "./host.ts";
import { ConflictError, type StoredWorkflow } from "./store.ts";
import { CRON_LABEL, cronChildWorkflow } from "../engine/cron.ts";
import type { CronScheduler } from "./cron_scheduler.ts";
import { ObjectTable } from "./service_objects.ts";
import { listWorkflows as listWorkflowPage } from "./service_list.ts";
import { followLogs, type StreamContext, watchChanges } from "./service_streams.ts";
import {
  type AnyObject,
  hydrate,
  type Kind,
  lintProblems,
  message,
  notFound,
  objectOf,
  RESOURCE,
  withVersion,
} from "./service_support.ts";

/** Reconcile durations kept between two /metrics scrapes at most. */
export const MAX_RECONCILE_SAMPLES = 10_000;

/** Options of {@link LocalService}. */
export interface LocalServiceOptions {
  host: LocalHost;
  /** The version `GET /api/v1/version` reports, e.g. "v0.1.0". */
  version: string;
  /** How often watches and followed logs look for changes (ms, default 200). */
  pollMs?: number;
  now?: () => Date;
  /** Runs the CronWorkflows; told when one is created, changed or deleted. */
  cron?: Pick<CronScheduler, "changed">;
}

/** The API service of the embedded local host. */
export class LocalService implements WorkflowService {
  readonly host: LocalHost;
  #objects: ObjectTable;
  #version: string;
  #pollMs: number;
  #now: () => Date;
  #cron: Pick<CronScheduler, "changed"> | undefined;
  #wakers = new Set<() => void>();
  /** Watches in progress: each gets the workflows this service writes, as written. */
  #inboxes = new Set<(stored: StoredWorkflow<Workflow>) => void>();
  #closing = new AbortController();
  #seenNodes = new Set<string>();
  #nodesStarted = 0;
  #reconcileSeconds: number[] = [];
  #unsubscribe: () => void;
  #streams: StreamContext;

  constructor(opts: LocalServiceOptions) {
    this.host = opts.host;
    this.#objects = new ObjectTable(opts.host.store.db, opts.now);
    this.#version = opts.version;
    this.#pollMs = opts.pollMs ?? 200;
    this.#now = opts.now ?? (() => new Date());
    this.#cron = opts.cron;
    this.#streams = {
      host: this.host,
      now: this.#now,
      pause: (signal) => this.#pause(signal),
      inboxes: this.#inboxes,
    };
    this.#unsubscribe = this.host.runtime.subscribe((change) => {
      if (!this.#seenNodes.has(change.nodeId)) {
        this.#seenNodes.add(change.nodeId);
        this.#nodesStarted++;
      }
      setTimeout(() => this.#wake(), 20); // after the host has reconciled what it saw
    });
  }

  /** Ends every watch and followed log; the host (and its background work) is left to its owner. */
  close(): Promise<void> {
    this.#unsubscribe();
    this.#closing.abort();
    this.#wake();
    return Promise.resolve();
  }

  /**
   * Records how long one reconcile took (the host's `onReconcile`). Kept until the next /metrics
   * scrape; without scrapes only the latest {@link MAX_RECONCILE_SAMPLES} are kept.
   */
  recordReconcile(seconds: number): void {
    if (this.#reconcileSeconds.length >= MAX_RECONCILE_SAMPLES) this.#reconcileSeconds.shift();
    this.#reconcileSeconds.push(seconds);
  }

  // ---- workflows

  createWorkflow(namespace: string, req: WorkflowCreateRequest, source?: RequestSource): Promise<Workflow> {
    return Promise.resolve(this.#create(namespace, req.workflow, req.serverDryRun === true, source));
  }

  #create(namespace: string, input: Workflow, dryRun: boolean, source?: RequestSource): Workflow {
    let wf = this.#checked("Workflow", namespace, input, source) as Workflow;
    wf = hydrate(this.#objects, namespace, wf);
    wf.metadata.name = this.#nameFor(wf.metadata, (n) => this.host.get(namespace, n) !== undefined);
    delete wf.metadata.generateName;
    if (this.host.get(namespace, wf.metadata.name)) {
      throw errors.exists(`${RESOURCE.Workflow} "${wf.metadata.name}" already exists`);
    }
    if (dryRun) {
      wf.metadata.creationTimestamp = this.#now().toISOString().replace(/\.\d{3}Z$/, "Z");
      return wf;
    }
    try {
      const stored = this.host.submit(wf);
      this.#written(stored);
      return withVersion(stored);
    } catch (e) {
      if (e instanceof ConflictError) {
        throw errors.exists(`${RESOURCE.Workflow} "${wf.metadata.name}" already exists`);
      }
      throw e;
    }
  }

  /** One page, filtered and cut in SQL (see service_list.ts); without nodes when `fields` drops them. */
  listWorkflows(namespace: string, opts: WorkflowListOptions = {}): Promise<ObjectList<Workflow>> {
    const withoutNodes = new FieldsCleaner(opts.fields).willExclude("items.status.nodes");
    return Promise.resolve(listWorkflowPage(this.host.store, namespace, opts, withoutNodes));
  }

  getWorkflow(namespace: string, name: string): Promise<Workflow> {
    return Promise.resolve(withVersion(this.#stored(namespace, name)));
  }

  /**
   * Deletes a workflow with its logs and events at once, as Kubernetes does; its running steps are
   * stopped and its files removed in the background (`force` changes nothing here).
   */
  deleteWorkflow(namespace: string, name: string, _opts: DeleteOptions = {}): Promise<void> {
    if (!this.host.delete(namespace, name)) throw notFound("Workflow", name);
    this.#wake();
    return Promise.resolve();
  }

  resumeWorkflow(namespace: string, name: string, req: ResumeRequest = {}): Promise<Workflow> {
    return this.#change(namespace, name, "resume", (wf) => {
      const opts = req.nodeFieldSelector ? { nodeFieldSelector: req.nodeFieldSelector } : {};
      return resumeWorkflow(wf, opts);
    });
  }

  suspendWorkflow(namespace: string, name: string): Promise<Workflow> {
    return this.#change(namespace, name, "suspend", (wf) => ({ ...wf, spec: { ...wf.spec, suspend: true } }));
  }

  stopWorkflow(namespace: string, name: string, req: StopRequest = {}): Promise<Workflow> {
    return this.#change(namespace, name, "stop", (wf) => {
      let next = wf;
      if (req.nodeFieldSelector || req.message) {
        try {
          next = setSuspendedNode(wf, req.nodeFieldSelector ?? "", {
            phase: "Failed",
            ...(req.message ? { message: req.message } : {}),
          });
        } catch (e) {
          if (req.nodeFieldSelector) throw e; // a selector that matches nothing is an error
        }
      }
      return { ...next, spec: { ...next.spec, shutdown: "Stop" } };
    });
  }

  terminateWorkflow(namespace: string, name: string): Promise<Workflow> {
    return this.#change(
      namespace,
      name,
      "terminate",
      (wf) => ({ ...wf, spec: { ...wf.spec, shutdown: "Terminate" } }),
    );
  }

  /**
   * `argo retry`: failed steps (and, with restartSuccessful, succeeded ones nodeFieldSelector
   * picks) run again under the same node ids; parameters may change. See {@link LocalHost.retry}.
   */
  retryWorkflow(namespace: string, name: string, req: RetryRequest = {}): Promise<Workflow> {
    const stored = this.#stored(namespace, name);
    const phase = stored.object.status?.phase ?? "";
    if (phase !== "Failed" && phase !== "Error" && phase !== "Succeeded") {
      throw errors.precondition(
        `cannot retry workflow ${name}: it is ${phase || "Pending"}; only finished workflows can be retried`,
      );
    }
    try {
      const next = this.host.retry(namespace, name, {
        ...(req.parameters ? { parameters: req.parameters } : {}),
        ...(req.restartSuccessful !== undefined ? { restartSuccessful: req.restartSuccessful } : {}),
        ...(req.nodeFieldSelector ? { nodeFieldSelector: req.nodeFieldSelector } : {}),
      });
      this.#written(next);
      return Promise.resolve(withVersion(next));
    } catch (e) {
      if (e instanceof ConflictError) throw errors.conflict(`workflow ${name} changed meanwhile; try again`);
      throw errors.invalid(message(e));
    }
  }

  resubmitWorkflow(namespace: string, name: string, req: ResubmitRequest = {}): Promise<Workflow> {
    const stored = this.#stored(namespace, name);
    if (req.memoized) {
      throw errors.unimplemented(
        "resubmit --memoized is not supported by the local host; resubmit without it",
      );
    }
    const old = stored.object;
    const generateName = old.metadata.generateName ?? `${name}-`;
    let wf: Workflow;
    try {
      wf = resubmitWorkflow(old, { name: "", ...(req.parameters ? { parameters: req.parameters } : {}) });
    } catch (e) {
      throw errors.invalid(message(e));
    }
    delete wf.metadata.name;
    wf.metadata.generateName = generateName;
    // The old spec has the WorkflowTemplate merged in already; templateRefs are resolved again.
    delete wf.spec.workflowTemplateRef;
    return Promise.resolve(this.#create(namespace, wf, false));
  }

  setWorkflow(namespace: string, name: string, req: SetRequest): Promise<Workflow> {
    if (req.phase && req.phase !== "Succeeded" && req.phase !== "Failed") {
      throw errors.invalid(`phase must be Succeeded or Failed, not "${req.phase}"`);
    }
    let outputParameters: Record<string, string> | undefined;
    if (req.outputParameters) {
      try {
        outputParameters = JSON.parse(req.outputParameters) as Record<string, string>;
      } catch (e) {
        throw errors.invalid(`outputParameters must be a JSON object as a string: ${message(e)}`);
      }
      if (
        typeof outputParameters !== "object" || outputParameters === null || Array.isArray(outputParameters)
      ) {
        throw errors.invalid(`outputParameters must be a JSON object such as {"name": "value"}`);
      }
      outputParameters = Object.fromEntries(Object.entries(outputParameters).map(([k, v]) => [k, String(v)]));
    }
    return this.#change(namespace, name, "set", (wf) =>
      setSuspendedNode(wf, req.nodeFieldSelector, {
        ...(req.phase ? { phase: req.phase as "Succeeded" | "Failed" } : {}),
        ...(req.message ? { message: req.message } : {}),
        ...(outputParameters ? { outputParameters } : {}),
        now: this.#now().toISOString(),
      }));
  }

  lintWorkflow(namespace: string, workflow: Workflow, source?: RequestSource): Promise<Workflow> {
    return Promise.resolve(this.#checked("Workflow", namespace, workflow, source) as Workflow);
  }

  submitWorkflow(namespace: string, req: WorkflowSubmitRequest): Promise<Workflow> {
    const kind = submitResourceKind(req.resourceKind);
    const opts: SubmitOptions = req.submitOptions ?? {};
    let wf: Workflow;
    if (kind === "CronWorkflow") {
      const cron = this.#objects.get<CronWorkflow>(kind, namespace, req.resourceName)?.object;
      if (!cron) throw notFound(kind, req.resourceName);
      // Argo's ConvertCronWorkflowToWorkflow: as a scheduled run, named by generateName, scheduled now.
      wf = cronChildWorkflow(cron, this.#now());
      delete wf.metadata.name;
      wf.metadata.generateName = `${req.resourceName}-`;
    } else {
      const cluster = kind === "ClusterWorkflowTemplate";
      if (!this.#objects.get(kind, cluster ? "" : namespace, req.resourceName)) {
        throw notFound(kind, req.resourceName);
      }
      wf = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: { generateName: `${req.resourceName}-` },
        spec: { workflowTemplateRef: { name: req.resourceName, ...(cluster ? { clusterScope: true } : {}) } },
      };
    }
    wf = applySubmitOptions(wf, opts);
    return Promise.resolve(this.#create(namespace, wf, opts.dryRun === true || opts.serverDryRun === true));
  }

  workflowLogs(
    namespace: string,
    name: string,
    opts: LogOptions,
    signal: AbortSignal,
  ): AsyncIterable<LogEntry> {
    return followLogs(this.#streams, namespace, name, opts, AbortSignal.any([signal, this.#closing.signal]));
  }

  watchWorkflows(
    namespace: string,
    opts: WorkflowListOptions,
    signal: AbortSignal,
  ): AsyncIterable<WatchEvent> {
    return watchChanges(this.#streams, namespace, opts, AbortSignal.any([signal, this.#closing.signal]));
  }

  // ---- workflow templates, cluster workflow templates, cron workflows

  createWorkflowTemplate(ns: string, t: WorkflowTemplate, o: { dryRun?: boolean } = {}, src?: RequestSource) {
    return Promise.resolve(this.#createObject("WorkflowTemplate", ns, t, o.dryRun === true, src));
  }
  listWorkflowTemplates(ns: string, opts?: ListOptions) {
    return Promise.resolve(this.#listObjects<WorkflowTemplate>("WorkflowTemplate", ns, opts));
  }
  getWorkflowTemplate(ns: string, name: string) {
    return Promise.resolve(this.#getObject<WorkflowTemplate>("WorkflowTemplate", ns, name));
  }
  updateWorkflowTemplate(ns: string, name: string, t: WorkflowTemplate, src?: RequestSource) {
    return Promise.resolve(this.#updateObject("WorkflowTemplate", ns, name, t, src));
  }
  deleteWorkflowTemplate(ns: string, name: string) {
    return Promise.resolve(this.#deleteObject("WorkflowTemplate", ns, name));
  }
  lintWorkflowTemplate(ns: string, t: WorkflowTemplate, src?: RequestSource) {
    return Promise.resolve(this.#checked("WorkflowTemplate", ns, t, src) as WorkflowTemplate);
  }

  createClusterWorkflowTemplate(
    t: ClusterWorkflowTemplate,
    o: { dryRun?: boolean } = {},
    src?: RequestSource,
  ) {
    return Promise.resolve(this.#createObject("ClusterWorkflowTemplate", "", t, o.dryRun === true, src));
  }
  listClusterWorkflowTemplates(opts?: ListOptions) {
    return Promise.resolve(this.#listObjects<ClusterWorkflowTemplate>("ClusterWorkflowTemplate", "", opts));
  }
  getClusterWorkflowTemplate(name: string) {
    return Promise.resolve(this.#getObject<ClusterWorkflowTemplate>("ClusterWorkflowTemplate", "", name));
  }
  updateClusterWorkflowTemplate(name: string, t: ClusterWorkflowTemplate, src?: RequestSource) {
    return Promise.resolve(this.#updateObject("ClusterWorkflowTemplate", "", name, t, src));
  }
  deleteClusterWorkflowTemplate(name: string) {
    return Promise.resolve(this.#deleteObject("ClusterWorkflowTemplate", "", name));
  }
  lintClusterWorkflowTemplate(t: ClusterWorkflowTemplate, src?: RequestSource) {
    return Promise.resolve(this.#checked("ClusterWorkflowTemplate", "", t, src) as ClusterWorkflowTemplate);
  }

  createCronWorkflow(ns: string, c: CronWorkflow, o: { dryRun?: boolean } = {}, src?: RequestSource) {
    const created = this.#createObject("CronWorkflow", ns, c, o.dryRun === true, src);
    if (o.dryRun !== true) this.#cron?.changed(ns, created.metadata.name ?? "");
    return Promise.resolve(created);
  }
  listCronWorkflows(ns: string, opts?: ListOptions) {
    return Promise.resolve(this.#listObjects<CronWorkflow>("CronWorkflow", ns, opts));
  }
  getCronWorkflow(ns: string, name: string) {
    return Promise.resolve(this.#getObject<CronWorkflow>("CronWorkflow", ns, name));
  }
  updateCronWorkflow(ns: string, name: string, c: CronWorkflow, src?: RequestSource) {
    // The status is the scheduler's: an update without one keeps it.
    const status = this.#objects.get<CronWorkflow>("CronWorkflow", ns, name)?.object.status;
    const input = status && c && typeof c === "object" && c.status === undefined ? { ...c, status } : c;
    const updated = this.#updateObject("CronWorkflow", ns, name, input, src);
    this.#cron?.changed(ns, name);
    return Promise.resolve(updated);
  }
  /** Deletes a CronWorkflow and, as Kubernetes' garbage collector does, the workflows it owns. */
  deleteCronWorkflow(ns: string, name: string) {
    const cron = this.#objects.get<CronWorkflow>("CronWorkflow", ns, name)?.object;
    this.#deleteObject("CronWorkflow", ns, name);
    this.#cron?.changed(ns, name);
    if (cron) {
      const owned = this.host.store.listWorkflowsWithLabel<Workflow>(ns, CRON_LABEL, name)
        .filter((w) => w.object.metadata.ownerReferences?.some((o) => o.uid === cron.metadata.uid));
      for (const w of owned) this.host.delete(ns, w.name);
      if (owned.length > 0) this.#wake();
    }
    return Promise.resolve();
  }
  lintCronWorkflow(ns: string, c: CronWorkflow, src?: RequestSource) {
    return Promise.resolve(this.#checked("CronWorkflow", ns, c, src) as CronWorkflow);
  }
  suspendCronWorkflow(ns: string, name: string) {
    return Promise.resolve(this.#setCronSuspend(ns, name, true));
  }
  resumeCronWorkflow(ns: string, name: string) {
    return Promise.resolve(this.#setCronSuspend(ns, name, false));
  }

  // ---- about the server

  info(): Promise<InfoResponse> {
    return Promise.resolve({ links: [], modals: {}, navColor: "", columns: [] });
  }

  version(): VersionResponse {
    return {
      version: this.#version,
      buildDate: "",
      gitCommit: "",
      gitTag: this.#version,
      gitTreeState: "",
      goVersion: `deno ${Deno.version.deno}`,
      compiler: "deno",
      platform: `${Deno.build.os}/${Deno.build.arch}`,
    };
  }

  metrics(): Promise<MetricsSnapshot> {
    const db = this.host.store.db;
    const workflowsByPhase: Record<string, number> = {};
    for (const r of db.prepare("SELECT phase, COUNT(*) AS n FROM workflows GROUP BY phase").all()) {
      const phase = String(r.phase) || "Pending";
      workflowsByPhase[phase] = (workflowsByPhase[phase] ?? 0) + Number(r.n);
    }
    const queue = db.prepare("SELECT COUNT(*) AS n FROM actions WHERE done IS NULL").get() as { n: number };
    const reconcileSeconds = this.#reconcileSeconds;
    this.#reconcileSeconds = [];
    return Promise.resolve({
      workflowsByPhase,
      nodesStarted: this.#nodesStarted,
      queueDepth: Number(queue.n),
      reconcileSeconds,
    });
  }

  // ---- helpers: workflows

  #stored(namespace: string, name: string): StoredWorkflow<Workflow> {
    const stored = this.host.get(namespace, name);
    if (!stored) throw notFound("Workflow", name);
    return stored;
  }

  /** A user's change to a running workflow, through the host (which reconciles it next). */
  #change(namespace: string, name: string, verb: string, fn: (wf: Workflow) => Workflow): Promise<Workflow> {
    const stored = this.#stored(namespace, name);
    if (workflowDone(stored.object) && verb !== "set") {
      throw errors.precondition(
        `cannot ${verb} workflow ${name}: it has already ${stored.object.status?.phase ?? "ended"}`,
      );
    }
    try {
      const next = this.host.update(namespace, name, fn);
      this.#written(next);
      return Promise.resolve(withVersion(next));
    } catch (e) {
      if (e instanceof ServiceError) throw e;
      if (e instanceof ConflictError) throw errors.conflict(`workflow ${name} changed meanwhile; try again`);
      throw errors.invalid(message(e));
    }
  }

  /**
   * Checks an object of `kind` as the API receives it and returns it normalized: kind and
   * apiVersion default, the namespace is the request's, and every lint error is a 400 naming
   * line:col of the request body.
   */
  #checked(kind: Kind, namespace: string, input: unknown, source?: RequestSource): AnyObject {
    const obj = admitShape(kind, namespace, input) as unknown as AnyObject;
    const problems = lintProblems(this.#objects, kind, obj, namespace, source);
    if (problems.length > 0) throw errors.invalid(problems.join("\n"));
    return normalizeDocument(obj) as AnyObject;
  }

  #nameFor(meta: { name?: string; generateName?: string }, taken: (name: string) => boolean): string {
    if (meta.name) return meta.name;
    for (let i = 0; i < 10; i++) {
      const name = `${meta.generateName ?? ""}${randomSuffix()}`;
      if (!taken(name)) return name;
    }
    throw new ServiceError(Code.AlreadyExists, `could not find a free name for ${meta.generateName}`);
  }

  // ---- helpers: stored objects

  #createObject<T extends AnyObject>(
    kind: Kind,
    ns: string,
    input: T,
    dryRun: boolean,
    source?: RequestSource,
  ): T {
    const obj = this.#checked(kind, ns, input, source) as T;
    obj.metadata.name = this.#nameFor(obj.metadata, (n) => this.#objects.get(kind, ns, n) !== undefined);
    delete obj.metadata.generateName;
    if (this.#objects.get(kind, ns, obj.metadata.name)) {
      throw errors.exists(`${RESOURCE[kind]} "${obj.metadata.name}" already exists`);
    }
    if (dryRun) return obj;
    return objectOf(this.#objects.create(kind, ns, obj));
  }

  #listObjects<T extends AnyObject>(kind: Kind, ns: string, opts: ListOptions = {}): ObjectList<T> {
    return listPage(this.#objects.list<T>(kind, ns).map(objectOf), opts);
  }

  #getObject<T extends AnyObject>(kind: Kind, ns: string, name: string): T {
    const stored = this.#objects.get<T>(kind, ns, name);
    if (!stored) throw notFound(kind, name);
    return objectOf(stored);
  }

  #updateObject<T extends AnyObject>(
    kind: Kind,
    ns: string,
    name: string,
    input: T,
    source?: RequestSource,
  ): T {
    const current = this.#objects.get<T>(kind, ns, name);
    if (!current) throw notFound(kind, name);
    const given = input?.metadata?.name;
    if (given !== undefined && given !== name) {
      throw errors.invalid(`metadata.name "${given}" does not match the name in the path "${name}"`);
    }
    const rv = input?.metadata?.resourceVersion;
    if (rv !== undefined && rv !== String(current.version)) {
      throw errors.conflict(
        `the ${kind} "${name}" has been modified (resourceVersion ${current.version}, not ${rv}); ` +
          `get it again and apply your changes to the latest version`,
      );
    }
    const obj = this.#checked(kind, ns, { ...input, metadata: { ...input.metadata, name } }, source) as T;
    return objectOf(this.#objects.update(kind, ns, name, obj));
  }

  #deleteObject(kind: Kind, ns: string, name: string): void {
    if (!this.#objects.delete(kind, ns, name)) throw notFound(kind, name);
  }

  #setCronSuspend(ns: string, name: string, suspend: boolean): CronWorkflow {
    const current = this.#objects.get<CronWorkflow>("CronWorkflow", ns, name);
    if (!current) throw notFound("CronWorkflow", name);
    const next = structuredClone(current.object);
    next.spec.suspend = suspend;
    const updated = objectOf(this.#objects.update("CronWorkflow", ns, name, next));
    this.#cron?.changed(ns, name);
    return updated;
  }

  // ---- waiting for changes

  /** A write of this service: watches see that very version (e.g. a new workflow still Pending). */
  #written(stored: StoredWorkflow<Workflow>): void {
    for (const inbox of this.#inboxes) inbox(stored);
    this.#wake();
  }

  #wake(): void {
    const wakers = [...this.#wakers];
    this.#wakers.clear();
    for (const w of wakers) w();
  }

  /** Resolves after the poll interval, on a change this service saw, or when `signal` aborts. */
  #pause(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, this.#pollMs);
      this.#wakers.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
