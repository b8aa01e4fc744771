/**
 * The Kubernetes host: informers for Workflows, their Pods and WorkflowTaskResults, a work queue
 * of workflow keys, and the reconciler, run only while this process leads (a Lease), so that two
 * controllers never act at once.
 *
 * ```ts
 * const controller = new KubeController({ client, namespace: "skiff" });
 * await controller.start();   // campaigns, and once leader: lists, watches, reconciles
 * ...
 * await controller.stop();    // releases the Lease; pods keep running (the next leader adopts them)
 * ```
 */
import {
  CLUSTER_WORKFLOW_TEMPLATES,
  CONFIG_MAPS,
  CRON_WORKFLOWS,
  isNotFound,
  type KubeClient,
  type KubeObject,
  PODS,
  TASK_RESULTS,
  WORKFLOW_TEMPLATES,
  WORKFLOWS,
} from "./client.ts";
import { type ControllerConfig, defaultConfig, parseConfig } from "./config.ts";
import { BY_CRON, CronController, cronKeyOf, type CronObject } from "./cron.ts";
import { Informer, keyOf } from "./informer.ts";
import { instanceSelector, LABEL_COMPLETED, LABEL_WORKFLOW } from "./labels.ts";
import { LeaderElector } from "./leader.ts";
import type { Pod } from "./pods.ts";
import { WorkQueue } from "./queue.ts";
import { BY_WORKFLOW, Reconciler, workflowKeyOf, type WorkflowObject } from "./reconciler.ts";
import type { TaskResult } from "./taskresult.ts";
import type { TemplateSource } from "./templates.ts";
import type { WorkflowSpec } from "../spec/types.ts";

/** Options of a {@link KubeController}. */
export interface KubeControllerOptions {
  client: KubeClient;
  /** The controller's own namespace: its Lease and ConfigMap. */
  namespace: string;
  /** Only workflows of this namespace (undefined: every namespace). */
  managedNamespace?: string;
  /** The ConfigMap to read (default `skiff-controller-config`); absent: defaults. */
  configMapName?: string;
  /** A fixed configuration (the ConfigMap is then not read). */
  config?: ControllerConfig;
  /** Reconciles running at once (default 8). */
  workers?: number;
  /** Leader election (default on, Lease `skiff-controller`); false: act at once, alone. */
  leaderElection?: false | {
    leaseName?: string;
    identity?: string;
    leaseDurationMs?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  };
  /** Retry delays of a failed reconcile, ms (default 100 doubling to 60 000). */
  retryBackoffMs?: { initial: number; max: number };
  /** Watch tuning: server-side watch timeout (s) and the watchdog's idle limit (ms). */
  watch?: { timeoutSeconds?: number; idleMs?: number; backoffMs?: { initial: number; max: number } };
  now?: () => Date;
  /** CronWorkflow scheduling: its clock (default `now`) and how often it looks at all of them (ms, 10 000). */
  cron?: { now?: () => Date; syncMs?: number };
  log?: (line: string) => void;
}

/** The Kubernetes host of the engine. */
export class KubeController {
  readonly client: KubeClient;
  workflows!: Informer<WorkflowObject>;
  pods!: Informer<Pod>;
  results!: Informer<TaskResult>;
  /** ConfigMaps that workflow parameters may read (`valueFrom.configMapKeyRef`), labelled as Argo requires. */
  paramConfigMaps!: Informer<ConfigMapObject>;
  /** The CronWorkflows (of the managed namespace, and of this instanceID). */
  crons!: Informer<CronObject>;
  /** Runs the CronWorkflows on their schedules while this controller leads. */
  cron!: CronController;
  queue!: WorkQueue;
  reconciler!: Reconciler;
  readonly elector: LeaderElector | undefined;
  #o: KubeControllerOptions;
  #config: ControllerConfig;
  #configInformer: Informer<KubeObject & { data?: Record<string, string> }> | undefined;
  #stop = new AbortController();
  #running: Promise<void> | undefined;
  #leading = false;
  #terms = 0;
  #ready = false;
  #log: (line: string) => void;

  constructor(opts: KubeControllerOptions) {
    this.#o = opts;
    this.client = opts.client;
    this.#log = opts.log ?? ((l) => console.error(`skiff controller: ${l}`));
    this.#config = opts.config ?? defaultConfig();
    this.#build();
    if (opts.leaderElection !== false) {
      const le = opts.leaderElection ?? {};
      this.elector = new LeaderElector({
        client: opts.client,
        namespace: opts.namespace,
        log: this.#log,
        ...(le.leaseName ? { name: le.leaseName } : {}),
        ...(le.identity ? { identity: le.identity } : {}),
        ...(le.leaseDurationMs ? { leaseDurationMs: le.leaseDurationMs } : {}),
        ...(le.renewDeadlineMs ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
        ...(le.retryPeriodMs ? { retryPeriodMs: le.retryPeriodMs } : {}),
      });
    }
  }

  /**
   * The informers (their selectors depend on the configuration's instanceID), the queue and the
   * reconciler: made afresh for each term as leader (a stopped informer or queue does not restart).
   */
  #build(): void {
    const opts = this.#o;
    this.queue = new WorkQueue({
      workers: opts.workers ?? 8,
      process: (key) => this.reconciler.reconcile(key),
      ...(opts.retryBackoffMs ? { backoffMs: opts.retryBackoffMs } : {}),
      onError: (key, e, ms) =>
        this.#log(`reconciling ${key} failed (retry in ${ms} ms): ${e instanceof Error ? e.message : e}`),
    });
    const w = opts.watch ?? {};
    const common = {
      client: opts.client,
      ...(opts.managedNamespace ? { namespace: opts.managedNamespace } : {}),
      ...(w.timeoutSeconds ? { timeoutSeconds: w.timeoutSeconds } : {}),
      ...(w.idleMs ? { idleMs: w.idleMs } : {}),
      ...(w.backoffMs ? { backoffMs: w.backoffMs } : {}),
      log: this.#log,
    };
    const instance = instanceSelector(this.#config.instanceID);
    this.workflows = new Informer<WorkflowObject>({
      ...common,
      resource: WORKFLOWS,
      labelSelector: instance,
    });
    this.pods = new Informer<Pod>({
      ...common,
      resource: PODS,
      labelSelector: `${LABEL_WORKFLOW},${LABEL_COMPLETED}!=true,${instance}`,
      transform: slimPod,
    });
    this.results = new Informer<TaskResult>({
      ...common,
      resource: TASK_RESULTS,
      labelSelector: LABEL_WORKFLOW,
    });
    this.paramConfigMaps = new Informer<ConfigMapObject>({
      ...common,
      resource: CONFIG_MAPS,
      labelSelector: `${CONFIGMAP_TYPE_LABEL}=Parameter`,
    });
    this.paramConfigMaps.addIndex(BY_NAMESPACE, (o) => [o.metadata.namespace ?? ""]);
    this.crons = new Informer<CronObject>({
      ...common,
      resource: CRON_WORKFLOWS,
      labelSelector: instance,
    });
    this.workflows.addIndex(BY_CRON, cronKeyOf);
    const cronNow = opts.cron?.now ?? opts.now;
    this.cron = new CronController({
      client: opts.client,
      crons: this.crons,
      workflows: this.workflows,
      instanceID: () => this.#config.instanceID,
      ...(cronNow ? { now: cronNow } : {}),
      ...(opts.cron?.syncMs ? { syncMs: opts.cron.syncMs } : {}),
      log: this.#log,
    });
    this.pods.addIndex(BY_WORKFLOW, workflowKeyOf);
    this.results.addIndex(BY_WORKFLOW, workflowKeyOf);
    this.reconciler = new Reconciler({
      client: opts.client,
      workflows: this.workflows,
      pods: this.pods,
      results: this.results,
      templates: apiTemplates(opts.client),
      configMaps: (ns) =>
        Object.fromEntries(
          this.paramConfigMaps.byIndex(BY_NAMESPACE, ns).map((cm) => [
            cm.metadata.name!,
            {
              ...(cm.metadata.labels ? { labels: cm.metadata.labels } : {}),
              ...(cm.data ? { data: cm.data } : {}),
            },
          ]),
        ),
      config: () => this.#config,
      requeue: (key, at) => (at === undefined ? this.queue.add(key) : this.queue.addAt(key, at)),
      now: opts.now ?? (() => new Date()),
      log: this.#log,
      onWorkflowDone: () => this.#releasePostponed(),
    });

    this.workflows.subscribe((e) => {
      const key = keyOf(e.object);
      if (e.type === "delete") {
        this.queue.forget(key);
        this.reconciler.forget(key);
        this.#releasePostponed();
        return;
      }
      this.queue.add(key);
      const was = e.type === "update" ? e.old.status?.phase : undefined;
      const is = e.object.status?.phase;
      if (was !== is && (is === "Succeeded" || is === "Failed" || is === "Error")) this.#releasePostponed();
    });
    for (const inf of [this.pods, this.results] as Informer<KubeObject>[]) {
      inf.subscribe((e) => {
        for (const key of workflowKeyOf(e.object)) if (this.workflows.get(...split(key))) this.queue.add(key);
      });
    }
  }

  /** The configuration in use. */
  get config(): ControllerConfig {
    return this.#config;
  }

  /** Is this controller the one acting now? */
  get isLeader(): boolean {
    return this.#leading;
  }

  /** Leading with its caches synced (or a standby, which is ready to take over). */
  ready(): boolean {
    return this.#leading ? this.#ready : this.#running !== undefined;
  }

  /** Alive: a standby always; a leader whose watches are in touch with the API server. */
  healthy(): boolean {
    if (!this.#leading || !this.#ready) return true;
    return [this.workflows, this.pods, this.results, this.crons].every((i) => i.healthy());
  }

  /** Starts campaigning (or, without leader election, reconciling). Resolves once started. */
  async start(): Promise<void> {
    if (this.#running) return;
    if (!this.#o.config) await this.#loadConfig();
    const stop = this.#stop.signal;
    if (this.elector) {
      this.#running = this.elector.run((signal) => this.#lead(signal), stop);
    } else {
      this.#running = this.#lead(stop);
    }
  }

  /** Resolves once this controller leads and its caches are synced. */
  async waitUntilLeading(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.#leading && this.#ready)) {
      if (Date.now() > deadline) throw new Error(`not leading after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops reconciling and watching, and releases the Lease. Pods keep running. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
    await this.#configInformer?.stop();
  }

  /** While leading: watch, reconcile; returns when `signal` aborts (leadership lost or stop). */
  async #lead(signal: AbortSignal): Promise<void> {
    if (this.#terms++ > 0) this.#build();
    this.#leading = true;
    try {
      const informers = [
        this.workflows,
        this.pods,
        this.results,
        this.paramConfigMaps,
        this.crons,
      ] as Informer<KubeObject>[];
      for (const inf of informers) inf.start();
      await Promise.race([
        Promise.all(informers.map((i) => i.synced)),
        new Promise((r) => signal.addEventListener("abort", r, { once: true })),
      ]);
      if (signal.aborted) return;
      this.#ready = true;
      this.queue.start();
      for (const wf of this.workflows.list()) this.queue.add(keyOf(wf));
      this.cron.start();
      await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
    } finally {
      this.#ready = false;
      this.#leading = false;
      await this.cron.stop();
      await this.queue.stop();
      await Promise.all([
        this.workflows.stop(),
        this.pods.stop(),
        this.results.stop(),
        this.paramConfigMaps.stop(),
        this.crons.stop(),
      ]);
    }
  }

  /** Workflows held back by `parallelism` get another chance. */
  #releasePostponed(): void {
    if (this.#config.parallelism <= 0) return;
    for (const wf of this.workflows.list()) {
      if (wf.status?.phase === "Pending" && !wf.status.nodes) this.queue.add(keyOf(wf));
    }
  }

  async #loadConfig(): Promise<void> {
    const name = this.#o.configMapName ?? "skiff-controller-config";
    const apply = (data: Record<string, string> | undefined) => {
      try {
        const next = parseConfig(data);
        if (next.instanceID !== this.#config.instanceID && this.#running) {
          this.#log("instanceID changed in the ConfigMap: restart the controller for it to apply");
          next.instanceID = this.#config.instanceID;
        }
        this.#config = next;
      } catch (e) {
        this.#log(
          `ConfigMap ${this.#o.namespace}/${name}: ${
            e instanceof Error ? e.message : e
          }; keeping the previous configuration`,
        );
      }
    };
    try {
      const cm = await this.client.get<KubeObject & { data?: Record<string, string> }>(
        CONFIG_MAPS,
        this.#o.namespace,
        name,
      );
      apply(cm.data);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.#log(`no ConfigMap ${this.#o.namespace}/${name}: using the defaults`);
    }
    // Changes apply without a restart.
    this.#configInformer = new Informer({
      client: this.client,
      resource: CONFIG_MAPS,
      namespace: this.#o.namespace,
      fieldSelector: `metadata.name=${name}`,
      log: this.#log,
    });
    this.#configInformer.subscribe((e) => {
      if (e.type !== "delete") apply(e.object.data);
    });
    this.#configInformer.start();
    // The instance id decides what the informers select.
    if (this.#config.instanceID && this.#terms === 0) this.#build();
  }
}

type ConfigMapObject = KubeObject & { data?: Record<string, string> };
const BY_NAMESPACE = "namespace";
const CONFIGMAP_TYPE_LABEL = "workflows.argoproj.io/configmap-type";

/** Workflow templates read from the API (for workflowTemplateRef and templateRef). */
export function apiTemplates(client: KubeClient): TemplateSource {
  return {
    async get(cluster, namespace, name) {
      try {
        return await client.get<KubeObject & { spec: WorkflowSpec }>(
          cluster ? CLUSTER_WORKFLOW_TEMPLATES : WORKFLOW_TEMPLATES,
          cluster ? undefined : namespace,
          name,
        );
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
  };
}

/** Pods as the cache keeps them: without managedFields, and without the main container's step (it can be large). */
function slimPod(pod: Pod): Pod {
  const { managedFields: _, ...metadata } = pod.metadata as Pod["metadata"] & { managedFields?: unknown };
  return { ...pod, metadata };
}

function split(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}
