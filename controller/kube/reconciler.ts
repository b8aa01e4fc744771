/**
 * One reconcile of one workflow on Kubernetes:
 *
 *   workflow (informer cache, or a fresh GET after a conflict) + its pods and WorkflowTaskResults
 *   -> observations -> engine.reconcile -> status written through the status subresource (guarded
 *   by resourceVersion; a 409 re-reads the workflow and reconciles again) -> the actions carried
 *   out: pods created (idempotent: deterministic names, AlreadyExists adopts), pods stopped, wake
 *   times queued; then completed pods labelled or garbage-collected, and a finished workflow's
 *   ttl honoured.
 *
 * Actions are carried out only after the status that decided them is stored, so a controller
 * killed at any point finds, on restart, either the pods it created (adopted by name) or nodes
 * whose pods it creates now, never a pod created twice.
 */
import { podName as enginePodName, reconcile } from "../engine/mod.ts";
import type { NodeStatus, Workflow, WorkflowStatus } from "../spec/types.ts";
import { type ConfigMapData, RepositoryRefError, resolveRepositoryRef } from "./artifact_repository.ts";
import {
  CONFIG_MAPS,
  EVENTS,
  isConflict,
  isNotFound,
  type KubeClient,
  type KubeObject,
  PODS,
  TASK_RESULTS,
  WORKFLOWS,
} from "./client.ts";
import type { ControllerConfig } from "./config.ts";
import type { Informer } from "./informer.ts";
import { ANNOTATION_NODE_ID, BY_WORKFLOW, LABEL_COMPLETED, LABEL_PHASE } from "./labels.ts";
import { awaitsReport, fromTaskResult, type KubeObservation, observePod } from "./observe.ts";
import type { Pod } from "./pods.ts";
import { PodActions } from "./pod_actions.ts";
import { compactStatus, expandWorkflow } from "./status.ts";
import type { TaskResult } from "./taskresult.ts";
import {
  effectiveSpec,
  needsTemplates,
  resolveTemplates,
  TemplateRefError,
  type TemplateSource,
} from "./templates.ts";

/** A Workflow as the API stores it. */
export type WorkflowObject = Workflow & KubeObject;

/** The message of a workflow held back by the controller's `parallelism`. */
export const POSTPONED_MESSAGE =
  "Workflow processing has been postponed because too many workflows are already running";

/** Counters of the reconciler (metrics, tests). */
export interface ReconcileStats {
  reconciles: number;
  statusWrites: number;
  conflicts: number;
  podsCreated: number;
  podsAdopted: number;
  podsKilled: number;
  podsDeleted: number;
  workflowsDeleted: number;
  /** Durations of reconciles not yet taken by a metrics scrape, seconds. */
  reconcileSeconds: number[];
}

/** What a reconcile needs. */
export interface ReconcilerDeps {
  client: KubeClient;
  workflows: Informer<WorkflowObject>;
  pods: Informer<Pod>;
  results: Informer<TaskResult>;
  templates: TemplateSource;
  config: () => ControllerConfig;
  /** Queue `key` again at `at` (ms since epoch); now when `at` is omitted. */
  requeue: (key: string, at?: number) => void;
  now: () => Date;
  log: (line: string) => void;
  /** The ConfigMaps labelled workflows.argoproj.io/configmap-type=Parameter of a namespace, by name. */
  configMaps?: (
    namespace: string,
  ) => Record<string, { labels?: Record<string, string>; data?: Record<string, string> }>;
  /** Told when this reconciler has written a workflow's final phase (workflows held back may start). */
  onWorkflowDone?: () => void;
  /** How many pod creations may be in flight at once for one workflow (default 16). */
  createConcurrency?: number;
}

export { BY_WORKFLOW, workflowKeyOf } from "./labels.ts";

const FINAL = new Set(["Succeeded", "Failed", "Error"]);
const NODE_DONE = new Set(["Succeeded", "Failed", "Error", "Skipped", "Omitted"]);

/** Reconciles workflows, one call per workflow key. */

/** Argo's controller setting, read from the environment once: see ReconcileInput.transientErrorPattern. */
const TRANSIENT_ERROR_PATTERN = Deno.env.get("TRANSIENT_ERROR_PATTERN") || undefined;
export class Reconciler {
  readonly stats: ReconcileStats = {
    reconciles: 0,
    statusWrites: 0,
    conflicts: 0,
    podsCreated: 0,
    podsAdopted: 0,
    podsKilled: 0,
    podsDeleted: 0,
    workflowsDeleted: 0,
    reconcileSeconds: [],
  };
  #d: ReconcilerDeps;
  #pods: PodActions;

  constructor(deps: ReconcilerDeps) {
    this.#d = deps;
    this.#pods = new PodActions(deps, this.stats);
  }

  /** Forgets what is kept about a workflow that is gone. */
  forget(key: string): void {
    this.#pods.forget(key);
  }

  /** Reconciles the workflow `namespace/name`. Throws to be retried with backoff. */
  async reconcile(key: string): Promise<void> {
    const started = performance.now();
    const [namespace, name] = splitKey(key);
    let wf = this.#d.workflows.get(namespace, name);
    try {
      for (let attempt = 0; wf; attempt++) {
        try {
          await this.#reconcileOnce(key, wf);
          return;
        } catch (e) {
          if (!isConflict(e) || attempt >= 10) throw e;
          // Someone wrote the workflow since it was read: read it again and reconcile again.
          this.stats.conflicts++;
          try {
            wf = await this.#d.client.get<WorkflowObject>(WORKFLOWS, namespace, name);
            this.#d.workflows.remember(wf);
          } catch (e2) {
            if (isNotFound(e2)) return;
            throw e2;
          }
        }
      }
      this.forget(key);
    } finally {
      this.stats.reconciles++;
      this.stats.reconcileSeconds.push((performance.now() - started) / 1000);
      if (this.stats.reconcileSeconds.length > 10_000) this.stats.reconcileSeconds.splice(0, 5_000);
    }
  }

  async #reconcileOnce(key: string, raw: WorkflowObject): Promise<void> {
    if (raw.metadata.deletionTimestamp) return;
    const cfg = this.#d.config();
    const now = this.#d.now();
    let wf = await expandWorkflow(raw);
    // Compared with keys sorted: the API server gives objects back with their keys sorted.
    const storedJson = canonicalJson(wf.status ?? {});
    if (FINAL.has(wf.status?.phase ?? "")) {
      await this.#pods.afterCompletion(key, wf, now.getTime());
      return;
    }

    // The controller's parallelism: a workflow not started yet waits while too many run.
    const notStarted = !wf.status?.phase || (wf.status.phase === "Pending" && !wf.status.nodes);
    if (notStarted && cfg.parallelism > 0) {
      const running = this.#d.workflows.list().filter((w) =>
        w.status?.phase === "Running" && `${w.metadata.namespace}/${w.metadata.name}` !== key
      ).length;
      if (running >= cfg.parallelism) {
        if (wf.status?.phase !== "Pending" || wf.status.message !== POSTPONED_MESSAGE) {
          await this.#writeStatus(raw, { ...wf.status, phase: "Pending", message: POSTPONED_MESSAGE }, cfg);
        }
        return;
      }
    }
    let status: WorkflowStatus = structuredClone(wf.status ?? {});
    if (status.phase === "Pending" && !status.nodes) {
      // Held back until now: the engine starts it as a new workflow.
      delete status.phase;
      delete status.message;
    }

    try {
      if (needsTemplates(wf)) status = await resolveTemplates({ ...wf, status }, this.#d.templates);
      // The artifact repository is chosen once, when the workflow starts, and kept in its status.
      status.artifactRepositoryRef ??= await resolveRepositoryRef(
        wf,
        cfg.artifactRepository,
        (ns, name) => this.#configMap(ns, name),
      );
    } catch (e) {
      if (!(e instanceof TemplateRefError) && !(e instanceof RepositoryRefError)) throw e;
      const at = now.toISOString().replace(/\.\d{3}Z$/, "Z");
      await this.#writeStatus(raw, {
        ...status,
        phase: "Error",
        message: e.message,
        startedAt: status.startedAt ?? at,
        finishedAt: at,
      }, cfg);
      return;
    }
    wf = { ...wf, status };

    const observed = await this.#observe(key, wf);
    const engineWorkflow: Workflow = { ...wf, spec: effectiveSpec(wf, cfg.workflowDefaults?.spec) };
    const result = reconcile({
      workflow: engineWorkflow,
      observed,
      now: now.toISOString(),
      configMaps: this.#d.configMaps?.(wf.metadata.namespace!) ?? {},
      resourceHint:
        `create it in namespace ${wf.metadata.namespace} with the label workflows.argoproj.io/configmap-type=Parameter`,
      transientErrorPattern: TRANSIENT_ERROR_PATTERN,
    });

    result.status.artifactRepositoryRef ??= status.artifactRepositoryRef;
    if (storedJson !== canonicalJson(result.status)) {
      await this.#writeStatus(raw, result.status, cfg);
      this.#events(raw, JSON.parse(storedJson), result.status);
    } else {
      await this.#syncLabels(raw, result.status);
    }

    // The decisions, now that the status that made them is stored.
    const starts = result.actions.filter((a) => a.type === "start").map((a) => a.run);
    await this.#pods.startAll(key, { ...raw, spec: wf.spec, status: result.status }, starts, cfg);
    for (const a of result.actions) {
      if (a.type === "kill") await this.#pods.kill(raw.metadata.namespace!, a.podName);
      if (a.type === "wake") this.#d.requeue(key, Date.parse(a.at));
    }
    const done = { ...wf, status: result.status };
    await this.#pods.finalizePods(key, done, now.getTime());
    if (FINAL.has(result.status.phase ?? "")) await this.#pods.afterCompletion(key, done, now.getTime());
  }

  // ---- observations

  /**
   * What is seen of the workflow's Pod nodes. The caches of pods and task results follow separate
   * watches, so one may be behind the other: before a pod that ended is taken to have reported
   * nothing (or a pod that ran to be gone), the API server is asked directly.
   */
  async #observe(key: string, wf: Workflow): Promise<Record<string, KubeObservation>> {
    const nowIso = this.#d.now().toISOString();
    const ns = wf.metadata.namespace!;
    const observed: Record<string, KubeObservation> = {};
    const results = new Map<string, TaskResult>();
    for (const r of this.#d.results.byIndex(BY_WORKFLOW, key)) results.set(r.metadata.name ?? "", r);
    const ours = (o: KubeObject) => {
      const owner = o.metadata.ownerReferences?.[0]?.uid;
      return !owner || !wf.metadata.uid || owner === wf.metadata.uid;
    };
    /** The task result from the API when the cache has none (undefined when there is none). */
    const fetchResult = async (nodeId: string): Promise<TaskResult | undefined> => {
      try {
        const tr = await this.#d.client.get<TaskResult>(TASK_RESULTS, ns, nodeId);
        if (!ours(tr)) return undefined;
        this.#d.results.remember(tr);
        return tr;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    };
    const nodes = wf.status?.nodes ?? {};
    for (const pod of this.#d.pods.byIndex(BY_WORKFLOW, key)) {
      const id = pod.metadata.annotations?.[ANNOTATION_NODE_ID];
      if (!id || !ours(pod)) continue; // not a step, or a pod of an earlier workflow of the same name
      let tr = results.get(id);
      if (!tr && awaitsReport(pod) && !NODE_DONE.has(nodes[id]?.phase ?? "")) tr = await fetchResult(id);
      observed[id] = observePod(pod, tr, nowIso);
    }
    for (const [id, obs] of this.#pods.startFailures(key)) observed[id] ??= obs;
    for (const node of Object.values(nodes) as NodeStatus[]) {
      if (node.type !== "Pod" || NODE_DONE.has(node.phase ?? "") || observed[node.id]) continue;
      const name = this.#podNameOf(wf, node);
      if (this.#pods.isExpected(`${ns}/${name}`)) {
        observed[node.id] = { phase: "Pending" };
        continue;
      }
      if (node.phase !== "Running") continue; // never created (or not yet): the engine asks for it again
      // It ran and is not in the cache: reported and gone (deleted, or filtered out as completed)?
      const tr = results.get(node.id) ?? await fetchResult(node.id);
      if (tr && ours(tr)) {
        observed[node.id] = fromTaskResult(tr);
        continue;
      }
      const pod = await this.#d.client.get<Pod>(PODS, ns, name).catch((e) => {
        if (isNotFound(e)) return undefined;
        throw e;
      });
      if (pod && ours(pod) && !pod.metadata.deletionTimestamp) {
        this.#d.pods.remember(pod);
        observed[node.id] = observePod(pod, undefined, nowIso);
        continue;
      }
      // It ran, and its pod is gone without reporting: as Argo, an Error (retried if the template says so).
      observed[node.id] = { phase: "Error", message: "pod deleted", finishedAt: nowIso };
    }
    return observed;
  }

  #podNameOf(wf: Workflow, node: NodeStatus): string {
    // The engine's deterministic pod name of a node (as its kill actions name it).
    return podNameOf(wf.metadata.name ?? "", node);
  }

  /** A ConfigMap of a namespace (undefined when there is none). */
  async #configMap(namespace: string, name: string): Promise<ConfigMapData | undefined> {
    try {
      const cm = await this.#d.client.get<KubeObject & { data?: Record<string, string> }>(
        CONFIG_MAPS,
        namespace,
        name,
      );
      return {
        ...(cm.data ? { data: cm.data } : {}),
        ...(cm.metadata.annotations ? { annotations: cm.metadata.annotations } : {}),
      };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  // ---- writes

  async #writeStatus(
    raw: WorkflowObject,
    status: WorkflowStatus,
    cfg: ControllerConfig,
  ): Promise<WorkflowObject> {
    // Labels first: whoever sees the new phase in the status also finds the workflow by its phase
    // label (the status subresource cannot write both at once, as Argo's whole-object update does).
    const labelled = await this.#syncLabels(raw, status);
    const stored = await compactStatus(status, cfg.nodeStatusCompressBytes);
    const body: WorkflowObject = { ...labelled, status: stored };
    const written = await this.#d.client.replace<WorkflowObject>(
      WORKFLOWS,
      raw.metadata.namespace,
      raw.metadata.name!,
      body,
      { subresource: "status" },
    );
    this.stats.statusWrites++;
    this.#d.workflows.remember(written);
    if (FINAL.has(status.phase ?? "")) this.#d.onWorkflowDone?.();
    return written;
  }

  /**
   * Argo's phase and completed labels on the Workflow (for `-l workflows.argoproj.io/phase=...`);
   * the object as it now stands. The patch carries the resourceVersion read, so a workflow changed
   * since is a conflict here as it would be at the status write.
   */
  async #syncLabels(wf: WorkflowObject, status: WorkflowStatus): Promise<WorkflowObject> {
    const phase = status.phase || "Pending";
    const completed = String(FINAL.has(phase));
    const labels = wf.metadata.labels ?? {};
    if (labels[LABEL_PHASE] === phase && labels[LABEL_COMPLETED] === completed) return wf;
    const written = await this.#d.client.patch<WorkflowObject>(
      WORKFLOWS,
      wf.metadata.namespace,
      wf.metadata.name!,
      "merge",
      {
        metadata: {
          resourceVersion: wf.metadata.resourceVersion,
          labels: { [LABEL_PHASE]: phase, [LABEL_COMPLETED]: completed },
        },
      },
    );
    this.#d.workflows.remember(written);
    return written;
  }

  #events(wf: WorkflowObject, before: WorkflowStatus, after: WorkflowStatus): void {
    if (before.phase === after.phase || !after.phase) return;
    const type = after.phase === "Failed" || after.phase === "Error" ? "Warning" : "Normal";
    const message = after.message ? `Workflow ${after.phase}: ${after.message}` : `Workflow ${after.phase}`;
    const now = this.#d.now().toISOString().replace(/\.\d{3}Z$/, "Z");
    const ns = wf.metadata.namespace!;
    this.#d.client.create(EVENTS, ns, {
      metadata: { generateName: `${wf.metadata.name}.`, namespace: ns },
      involvedObject: {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        name: wf.metadata.name,
        namespace: ns,
        uid: wf.metadata.uid,
      },
      reason: `Workflow${after.phase}`,
      message,
      type,
      source: { component: "skiff-controller" },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    }).catch(() => {}); // events are best effort
  }
}

/** JSON with object keys sorted (the same object always gives the same text). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
    return out;
  });
}

/** `namespace/name` -> [namespace, name]. */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}

/** The pod name of a Pod node (the engine's deterministic name). */
export function podNameOf(workflowName: string, node: NodeStatus): string {
  return enginePodName(workflowName, node.name, node.templateRef?.template ?? node.templateName ?? "");
}
