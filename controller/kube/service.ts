/**
 * The API service (web/service.ts) over Kubernetes: workflows, templates and cron workflows are
 * the cluster's custom resources, read and written through the API server (so `kubectl` and the
 * API see the same objects). Objects are linted before they are created (problems as line:col of
 * the request body); template references are resolved by the controller when it first reconciles
 * a workflow. User intents (suspend, resume, stop, retry, ...) are the engine's pure functions
 * applied to the workflow, written back as spec and status (each write guarded by its
 * resourceVersion, repeated on conflict).
 *
 * @module
 */
import { cronChildWorkflow } from "../engine/cron.ts";
import { resubmitWorkflow, resumeWorkflow, retryWorkflow, setSuspendedNode } from "../engine/mod.ts";
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
import { errors } from "../../web/service.ts";
import { submitResourceKind } from "../../web/admission.ts";
import { applySubmitOptions } from "../../web/submit-options.ts";
import { isConflict, isNotFound, type KubeClient, PODS, TASK_RESULTS, WORKFLOWS } from "./client.ts";
import type { KubeController } from "./controller.ts";
import { LABEL_PHASE } from "./labels.ts";
import type { WorkflowObject } from "./reconciler.ts";
import { compactStatus, expandWorkflow } from "./status.ts";
import { api, checkObject, clean, message, serviceError } from "./service_support.ts";
import { watchWorkflows, workflowLogs } from "./service_streams.ts";
import {
  createObject,
  deleteObject,
  getObject,
  listObjects,
  setCronSuspend,
  updateObject,
} from "./service_objects.ts";

/** Options of {@link KubeService}. */
export interface KubeServiceOptions {
  client: KubeClient;
  /** The version `GET /api/v1/version` reports, e.g. "v0.1.0". */
  version: string;
  /** The controller in this process (for metrics; may be a standby). */
  controller?: KubeController;
  /** Only this namespace is served (the controller's --managed-namespace). */
  managedNamespace?: string;
  now?: () => Date;
}

const FINAL = new Set(["Succeeded", "Failed", "Error"]);

/** The API service over a Kubernetes cluster. */
export class KubeService implements WorkflowService {
  readonly client: KubeClient;
  #o: KubeServiceOptions;
  #now: () => Date;
  #closing = new AbortController();

  constructor(opts: KubeServiceOptions) {
    this.#o = opts;
    this.client = opts.client;
    this.#now = opts.now ?? (() => new Date());
  }

  /** Ends every watch and followed log. */
  close(): Promise<void> {
    this.#closing.abort();
    return Promise.resolve();
  }

  #ns(namespace: string): string | undefined {
    const managed = this.#o.managedNamespace;
    if (managed && namespace && namespace !== managed) {
      throw errors.invalid(`this controller manages namespace "${managed}" only, not "${namespace}"`);
    }
    return namespace || managed || undefined;
  }

  // ---- workflows

  async createWorkflow(
    namespace: string,
    req: WorkflowCreateRequest,
    source?: RequestSource,
  ): Promise<Workflow> {
    const dryRun = req.serverDryRun === true || (req.createOptions?.dryRun ?? []).includes("All");
    return await this.#create(namespace, req.workflow, dryRun, source);
  }

  async #create(
    namespace: string,
    input: Workflow,
    dryRun: boolean,
    source?: RequestSource,
  ): Promise<Workflow> {
    const ns = this.#ns(namespace) ?? "default";
    const wf = await checkObject(this.client, "Workflow", ns, input, source) as unknown as WorkflowObject;
    delete wf.status;
    const created = await api(() => this.client.create<WorkflowObject>(WORKFLOWS, ns, wf, { dryRun }));
    return clean(created);
  }

  async listWorkflows(namespace: string, opts: WorkflowListOptions = {}): Promise<ObjectList<Workflow>> {
    const ns = this.#ns(namespace);
    let labelSelector = opts.labelSelector ?? "";
    const phases = (opts.phases ?? []).filter(Boolean);
    const wantPending = phases.includes("Pending");
    if (phases.length > 0 && !wantPending) {
      labelSelector = [labelSelector, `${LABEL_PHASE} in (${phases.join(",")})`].filter(Boolean).join(",");
    }
    const list = await api(() =>
      this.client.list<WorkflowObject>(WORKFLOWS, ns, {
        ...(labelSelector ? { labelSelector } : {}),
        ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
        ...(opts.limit ? { limit: opts.limit } : {}),
        ...(opts.continue ? { continue: opts.continue } : {}),
      })
    );
    let items = await Promise.all(list.items.map(async (w) => clean(await expandWorkflow(w))));
    if (wantPending) items = items.filter((w) => phases.includes(w.status?.phase || "Pending"));
    return { metadata: { ...list.metadata }, items };
  }

  async getWorkflow(namespace: string, name: string): Promise<Workflow> {
    const ns = this.#ns(namespace) ?? "default";
    return clean(await expandWorkflow(await api(() => this.client.get<WorkflowObject>(WORKFLOWS, ns, name))));
  }

  async deleteWorkflow(namespace: string, name: string, _opts: DeleteOptions = {}): Promise<void> {
    const ns = this.#ns(namespace) ?? "default";
    // Pods, task results and claims are owned by the workflow: Kubernetes' garbage collector removes them.
    await api(() =>
      this.client.delete(WORKFLOWS, ns, name, { propagationPolicy: "Background", mustExist: true })
    );
  }

  resumeWorkflow(namespace: string, name: string, req: ResumeRequest = {}): Promise<Workflow> {
    return this.#change(
      namespace,
      name,
      "resume",
      (wf) => resumeWorkflow(wf, req.nodeFieldSelector ? { nodeFieldSelector: req.nodeFieldSelector } : {}),
    );
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
          if (req.nodeFieldSelector) throw e;
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

  async retryWorkflow(namespace: string, name: string, req: RetryRequest = {}): Promise<Workflow> {
    const ns = this.#ns(namespace) ?? "default";
    const current = await this.getWorkflow(ns, name);
    const phase = current.status?.phase ?? "";
    if (!FINAL.has(phase)) {
      throw errors.precondition(
        `cannot retry workflow ${name}: it is ${phase || "Pending"}; only finished workflows can be retried`,
      );
    }
    let podsToDelete: string[] = [];
    const removedNodes = new Set<string>();
    const result = await this.#change(ns, name, "retry", (wf) => {
      const r = retryWorkflow(wf, {
        ...(req.parameters ? { parameters: req.parameters } : {}),
        ...(req.restartSuccessful ? { restartSuccessful: true } : {}),
        ...(req.nodeFieldSelector ? { nodeFieldSelector: req.nodeFieldSelector } : {}),
        now: this.#now().toISOString().replace(/\.\d{3}Z$/, "Z"),
      });
      podsToDelete = r.podsToDelete;
      for (const id of Object.keys(wf.status?.nodes ?? {})) {
        if (!r.workflow.status?.nodes?.[id]) removedNodes.add(id);
      }
      return r.workflow;
    }, async () => {
      // The retried nodes' old pods and reports go first, so that they run again.
      for (const pod of podsToDelete) {
        await this.client.delete(PODS, ns, pod, { gracePeriodSeconds: 0 }).catch(() => {});
      }
      for (const id of removedNodes) await this.client.delete(TASK_RESULTS, ns, id).catch(() => {});
    }, true);
    return result;
  }

  async resubmitWorkflow(namespace: string, name: string, req: ResubmitRequest = {}): Promise<Workflow> {
    if (req.memoized) throw errors.unimplemented("resubmit --memoized is not supported; resubmit without it");
    const old = await this.getWorkflow(namespace, name);
    let wf: Workflow;
    try {
      wf = resubmitWorkflow(old, { name: "", ...(req.parameters ? { parameters: req.parameters } : {}) });
    } catch (e) {
      throw errors.invalid(message(e));
    }
    delete wf.metadata.name;
    wf.metadata.generateName = old.metadata.generateName ?? `${name}-`;
    return await this.#create(namespace, wf, false);
  }

  setWorkflow(namespace: string, name: string, req: SetRequest): Promise<Workflow> {
    if (req.phase && req.phase !== "Succeeded" && req.phase !== "Failed") {
      throw errors.invalid(`phase must be Succeeded or Failed, not "${req.phase}"`);
    }
    let outputParameters: Record<string, string> | undefined;
    if (req.outputParameters) {
      try {
        const parsed = JSON.parse(req.outputParameters) as unknown;
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          throw new Error("not an object");
        }
        outputParameters = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
      } catch (e) {
        throw errors.invalid(
          `outputParameters must be a JSON object such as {"name": "value"}: ${message(e)}`,
        );
      }
    }
    return this.#change(namespace, name, "set", (wf) =>
      setSuspendedNode(wf, req.nodeFieldSelector, {
        ...(req.phase ? { phase: req.phase as "Succeeded" | "Failed" } : {}),
        ...(req.message ? { message: req.message } : {}),
        ...(outputParameters ? { outputParameters } : {}),
        now: this.#now().toISOString(),
      }));
  }

  async lintWorkflow(namespace: string, workflow: Workflow, source?: RequestSource): Promise<Workflow> {
    return await checkObject(
      this.client,
      "Workflow",
      this.#ns(namespace) ?? "default",
      workflow,
      source,
    ) as unknown as Workflow;
  }

  async submitWorkflow(namespace: string, req: WorkflowSubmitRequest): Promise<Workflow> {
    const ns = this.#ns(namespace) ?? "default";
    const kind = submitResourceKind(req.resourceKind);
    const opts: SubmitOptions = req.submitOptions ?? {};
    let wf: Workflow;
    if (kind === "CronWorkflow") {
      const cron = await this.getCronWorkflow(ns, req.resourceName);
      // Argo's ConvertCronWorkflowToWorkflow: as a scheduled run, named by generateName, scheduled now.
      wf = cronChildWorkflow(cron, new Date());
      delete wf.metadata.name;
      wf.metadata.generateName = `${req.resourceName}-`;
    } else {
      const cluster = kind === "ClusterWorkflowTemplate";
      await getObject(this.client, kind, cluster ? "" : ns, req.resourceName);
      wf = {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        metadata: {
          generateName: `${req.resourceName}-`,
          labels: {
            [
              cluster
                ? "workflows.argoproj.io/cluster-workflow-template"
                : "workflows.argoproj.io/workflow-template"
            ]: req.resourceName,
          },
        },
        spec: { workflowTemplateRef: { name: req.resourceName, ...(cluster ? { clusterScope: true } : {}) } },
      };
    }
    wf = applySubmitOptions(wf, opts);
    return await this.#create(ns, wf, opts.dryRun === true || opts.serverDryRun === true);
  }

  workflowLogs(
    namespace: string,
    name: string,
    opts: LogOptions,
    signal: AbortSignal,
  ): AsyncIterable<LogEntry> {
    const ns = this.#ns(namespace) ?? "default";
    return workflowLogs(this.client, ns, name, opts, AbortSignal.any([signal, this.#closing.signal]));
  }

  watchWorkflows(namespace: string, opts: ListOptions, signal: AbortSignal): AsyncIterable<WatchEvent> {
    return watchWorkflows(
      this.client,
      this.#ns(namespace) ?? "",
      opts,
      AbortSignal.any([signal, this.#closing.signal]),
    );
  }

  /**
   * A user's change of a running workflow: `fn` on the current workflow, its spec and metadata
   * written, then its status (each guarded by resourceVersion; a conflict reads again and repeats).
   */
  async #change(
    namespace: string,
    name: string,
    verb: string,
    fn: (wf: Workflow) => Workflow,
    before?: () => Promise<void>,
    finishedOk = false,
  ): Promise<Workflow> {
    const ns = this.#ns(namespace) ?? "default";
    for (let attempt = 0;; attempt++) {
      const raw = await api(() => this.client.get<WorkflowObject>(WORKFLOWS, ns, name));
      const wf = await expandWorkflow(raw);
      if (FINAL.has(wf.status?.phase ?? "") && verb !== "set" && !finishedOk) {
        throw errors.precondition(`cannot ${verb} workflow ${name}: it has already ${wf.status?.phase}`);
      }
      let next: Workflow;
      try {
        next = fn(structuredClone(wf));
      } catch (e) {
        throw errors.invalid(message(e));
      }
      try {
        await before?.();
        let current = raw;
        const specChanged =
          JSON.stringify({ s: wf.spec, l: wf.metadata.labels, a: wf.metadata.annotations }) !==
            JSON.stringify({ s: next.spec, l: next.metadata.labels, a: next.metadata.annotations });
        if (specChanged) {
          current = await this.client.replace<WorkflowObject>(WORKFLOWS, ns, name, {
            ...raw,
            metadata: {
              ...raw.metadata,
              labels: next.metadata.labels ?? {},
              annotations: next.metadata.annotations ?? {},
            },
            spec: next.spec,
          } as WorkflowObject);
        }
        if (JSON.stringify(wf.status ?? {}) !== JSON.stringify(next.status ?? {})) {
          const threshold = this.#o.controller?.config.nodeStatusCompressBytes ?? 256 * 1024;
          const status = await compactStatus(next.status ?? {}, threshold);
          current = await this.client.replace<WorkflowObject>(WORKFLOWS, ns, name, { ...current, status }, {
            subresource: "status",
          });
        }
        return clean(await expandWorkflow(current));
      } catch (e) {
        if (isConflict(e) && attempt < 10) continue;
        if (isNotFound(e)) throw errors.notFound(`workflows.argoproj.io "${name}" not found`);
        throw serviceError(e);
      }
    }
  }

  // ---- workflow templates, cluster workflow templates, cron workflows

  createWorkflowTemplate(ns: string, t: WorkflowTemplate, o: { dryRun?: boolean } = {}, src?: RequestSource) {
    return createObject(
      this.client,
      "WorkflowTemplate",
      this.#ns(ns) ?? "default",
      t,
      o.dryRun === true,
      src,
    );
  }
  listWorkflowTemplates(ns: string, opts?: ListOptions) {
    return listObjects<WorkflowTemplate>(this.client, "WorkflowTemplate", this.#ns(ns), opts);
  }
  getWorkflowTemplate(ns: string, name: string) {
    return getObject<WorkflowTemplate>(this.client, "WorkflowTemplate", this.#ns(ns) ?? "default", name);
  }
  updateWorkflowTemplate(ns: string, name: string, t: WorkflowTemplate, src?: RequestSource) {
    return updateObject(this.client, "WorkflowTemplate", this.#ns(ns) ?? "default", name, t, src);
  }
  deleteWorkflowTemplate(ns: string, name: string) {
    return deleteObject(this.client, "WorkflowTemplate", this.#ns(ns) ?? "default", name);
  }
  async lintWorkflowTemplate(ns: string, t: WorkflowTemplate, src?: RequestSource) {
    return await checkObject(this.client, "WorkflowTemplate", ns, t, src) as unknown as WorkflowTemplate;
  }

  createClusterWorkflowTemplate(
    t: ClusterWorkflowTemplate,
    o: { dryRun?: boolean } = {},
    src?: RequestSource,
  ) {
    return createObject(this.client, "ClusterWorkflowTemplate", "", t, o.dryRun === true, src);
  }
  listClusterWorkflowTemplates(opts?: ListOptions) {
    return listObjects<ClusterWorkflowTemplate>(this.client, "ClusterWorkflowTemplate", "", opts);
  }
  getClusterWorkflowTemplate(name: string) {
    return getObject<ClusterWorkflowTemplate>(this.client, "ClusterWorkflowTemplate", "", name);
  }
  updateClusterWorkflowTemplate(name: string, t: ClusterWorkflowTemplate, src?: RequestSource) {
    return updateObject(this.client, "ClusterWorkflowTemplate", "", name, t, src);
  }
  deleteClusterWorkflowTemplate(name: string) {
    return deleteObject(this.client, "ClusterWorkflowTemplate", "", name);
  }
  async lintClusterWorkflowTemplate(t: ClusterWorkflowTemplate, src?: RequestSource) {
    return await checkObject(
      this.client,
      "ClusterWorkflowTemplate",
      "",
      t,
      src,
    ) as unknown as ClusterWorkflowTemplate;
  }

  createCronWorkflow(ns: string, c: CronWorkflow, o: { dryRun?: boolean } = {}, src?: RequestSource) {
    return createObject(this.client, "CronWorkflow", this.#ns(ns) ?? "default", c, o.dryRun === true, src);
  }
  listCronWorkflows(ns: string, opts?: ListOptions) {
    return listObjects<CronWorkflow>(this.client, "CronWorkflow", this.#ns(ns), opts);
  }
  getCronWorkflow(ns: string, name: string) {
    return getObject<CronWorkflow>(this.client, "CronWorkflow", this.#ns(ns) ?? "default", name);
  }
  updateCronWorkflow(ns: string, name: string, c: CronWorkflow, src?: RequestSource) {
    return updateObject(this.client, "CronWorkflow", this.#ns(ns) ?? "default", name, c, src);
  }
  deleteCronWorkflow(ns: string, name: string) {
    return deleteObject(this.client, "CronWorkflow", this.#ns(ns) ?? "default", name);
  }
  async lintCronWorkflow(ns: string, c: CronWorkflow, src?: RequestSource) {
    return await checkObject(this.client, "CronWorkflow", ns, c, src) as unknown as CronWorkflow;
  }
  suspendCronWorkflow(ns: string, name: string) {
    return setCronSuspend(this.client, this.#ns(ns) ?? "default", name, true);
  }
  resumeCronWorkflow(ns: string, name: string) {
    return setCronSuspend(this.client, this.#ns(ns) ?? "default", name, false);
  }

  // ---- about the server

  info(): Promise<InfoResponse> {
    return Promise.resolve({
      ...(this.#o.managedNamespace ? { managedNamespace: this.#o.managedNamespace } : {}),
      links: [],
      modals: {},
      navColor: "",
      columns: [],
    });
  }

  version(): VersionResponse {
    return {
      version: this.#o.version,
      buildDate: "",
      gitCommit: "",
      gitTag: this.#o.version,
      gitTreeState: "",
      goVersion: `deno ${Deno.version.deno}`,
      compiler: "deno",
      platform: `${Deno.build.os}/${Deno.build.arch}`,
    };
  }

  async metrics(): Promise<MetricsSnapshot> {
    const c = this.#o.controller;
    const workflowsByPhase: Record<string, number> = {};
    const workflows = c?.isLeader
      ? c.workflows.list()
      : (await this.client.listAll<WorkflowObject>(WORKFLOWS, this.#o.managedNamespace).catch(() => ({
        items: [],
      }))).items;
    for (const wf of workflows) {
      const phase = wf.status?.phase || "Pending";
      workflowsByPhase[phase] = (workflowsByPhase[phase] ?? 0) + 1;
    }
    const stats = c?.reconciler.stats;
    const reconcileSeconds = stats ? stats.reconcileSeconds.splice(0) : [];
    return {
      workflowsByPhase,
      nodesStarted: stats?.podsCreated ?? 0,
      queueDepth: c ? c.queue.length : 0,
      reconcileSeconds,
    };
  }
}
