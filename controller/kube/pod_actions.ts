/**
 * What the reconciler does to pods (and claims, reports, the workflow itself once it ended): create
 * them from RunSpecs (idempotent: deterministic names; AlreadyExists adopts), stop them, label or
 * garbage-collect those whose node is done, and clean up after a finished workflow (podGC,
 * volumeClaimGC, ttlStrategy).
 */
import type { RunSpec } from "../engine/actions.ts";
import type { Workflow } from "../spec/types.ts";
import { ApiError, isAlreadyExists, isNotFound, PODS, PVCS, TASK_RESULTS, WORKFLOWS } from "./client.ts";
import type { ControllerConfig } from "./config.ts";
import {
  claimsToDelete,
  deletePodOnNodeDone,
  deletePodsOnWorkflowDone,
  labelsMatch,
  podGCDelay,
  selectorString,
  ttlExpiry,
} from "./gc.ts";
import { ANNOTATION_NODE_ID, BY_WORKFLOW, LABEL_COMPLETED, LABEL_WORKFLOW } from "./labels.ts";
import type { KubeObservation } from "./observe.ts";
import { podFinished } from "./observe.ts";
import { buildPod, claimsOf, type Pod, PodBuildError } from "./pods.ts";
import { type ArtifactContext, outputPlans } from "./pod_artifacts.ts";
import type { StatusArtifact } from "../engine/artifacts.ts";
import type { ReconcilerDeps, ReconcileStats, WorkflowObject } from "./reconciler.ts";
import { effectiveSpec } from "./templates.ts";

/** How long pods whose node is done may keep running (sidecars, the report) before they are stopped. */
const SIDECAR_GRACE_MS = 15_000;
const NODE_DONE = new Set(["Succeeded", "Failed", "Error", "Skipped", "Omitted"]);

/** The artifact side of a pod of `wf` (whose status is the one that decided to start it). */
function artifactContext(wf: WorkflowObject, run: RunSpec): ArtifactContext {
  const nodes = wf.status?.nodes ?? {};
  const ctx: ArtifactContext = {
    savedArtifact: (nodeId, artifact) => {
      const a = nodes[nodeId]?.outputs?.artifacts?.find((a) => a.name === artifact) as
        | StatusArtifact
        | undefined;
      return a && { location: a.local?.location, s3: a.s3 };
    },
    outputs: outputPlans(wf, run.templateName),
    workflowUid: wf.metadata.uid ?? "",
  };
  if (wf.status?.artifactRepositoryRef) ctx.repository = wf.status.artifactRepositoryRef;
  if (wf.metadata.creationTimestamp) ctx.creationTimestamp = wf.metadata.creationTimestamp;
  return ctx;
}

/** Carries the reconciler's decisions out on pods. */
export class PodActions {
  #d: ReconcilerDeps;
  readonly stats: ReconcileStats;
  /** Pods created and not yet seen by the informer: `namespace/name` -> when. */
  #expected = new Map<string, number>();
  /** Nodes that could not be started (the pod cannot be built or is refused): workflow key -> node id -> observation. */
  #startFailures = new Map<string, Map<string, KubeObservation>>();
  /** Pods this process asked to stop: name -> when. */
  #killed = new Map<string, number>();
  /** Finished workflows (by uid) whose claims and reports were cleaned up by this process. */
  #cleaned = new Set<string>();
  /** Pods whose completed label was set (or which were deleted) by this process. */
  #finalized = new Set<string>();

  constructor(deps: ReconcilerDeps, stats: ReconcileStats) {
    this.#d = deps;
    this.stats = stats;
    deps.pods.subscribe((e) => {
      if (e.type !== "delete") {
        this.#expected.delete(`${e.object.metadata.namespace}/${e.object.metadata.name}`);
      }
    });
  }

  /** Forgets what is kept about a workflow that is gone. */
  forget(key: string): void {
    this.#startFailures.delete(key);
  }

  /** Nodes of the workflow `key` that could not be started, as observations. */
  startFailures(key: string): Map<string, KubeObservation> {
    return this.#startFailures.get(key) ?? new Map();
  }

  /** Was the pod created by this process so recently that the informer may not have it yet? */
  isExpected(pk: string): boolean {
    const at = this.#expected.get(pk);
    if (at === undefined) return false;
    if (Date.now() - at < 60_000) return true;
    this.#expected.delete(pk);
    return false;
  }

  async startAll(key: string, wf: WorkflowObject, runs: RunSpec[], cfg: ControllerConfig): Promise<void> {
    const limit = this.#d.createConcurrency ?? 16;
    let next = 0;
    const errors: unknown[] = [];
    const worker = async () => {
      while (next < runs.length) {
        const run = runs[next++]!;
        try {
          await this.#start(key, wf, run, cfg);
        } catch (e) {
          errors.push(e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, runs.length) }, worker));
    if (errors.length > 0) throw errors[0];
  }

  async #start(key: string, wf: WorkflowObject, run: RunSpec, cfg: ControllerConfig): Promise<void> {
    const ns = wf.metadata.namespace!;
    const pk = `${ns}/${run.podName}`;
    if (this.#d.pods.get(ns, run.podName) || this.isExpected(pk)) return;
    let pod: Pod;
    try {
      pod = buildPod(run, {
        config: cfg,
        workflowUid: wf.metadata.uid ?? "",
        now: this.#d.now().getTime(),
        artifacts: artifactContext(wf, run),
      });
    } catch (e) {
      if (!(e instanceof PodBuildError)) throw e;
      this.#fail(key, run.nodeId, e.message);
      return;
    }
    for (const claim of claimsOf(run)) await this.#ensureClaim(wf, claim.claimName, claim.template);
    this.#expected.set(pk, Date.now());
    try {
      const created = await this.#d.client.create<Pod>(PODS, ns, pod);
      this.stats.podsCreated++;
      this.#d.pods.remember(created);
    } catch (e) {
      this.#expected.delete(pk);
      if (isAlreadyExists(e)) {
        await this.#adopt(key, ns, run.podName, wf);
        return;
      }
      if (e instanceof ApiError && (e.status === 422 || e.status === 400)) {
        // Kubernetes refuses the pod as written (an invalid field of the template): the node is an Error.
        this.#fail(key, run.nodeId, `pod ${run.podName} was refused: ${e.message}`);
        return;
      }
      throw e;
    }
  }

  /** The pod exists already: ours (adopt it) or a leftover of an earlier run (wait for it to go). */
  async #adopt(key: string, ns: string, name: string, wf: WorkflowObject): Promise<void> {
    let pod: Pod;
    try {
      pod = await this.#d.client.get<Pod>(PODS, ns, name);
    } catch (e) {
      if (isNotFound(e)) {
        this.#d.requeue(key);
        return;
      }
      throw e;
    }
    const owner = pod.metadata.ownerReferences?.[0]?.uid;
    const live = !pod.metadata.deletionTimestamp && pod.metadata.labels?.[LABEL_COMPLETED] !== "true";
    if (live && (!owner || owner === wf.metadata.uid)) {
      this.stats.podsAdopted++;
      this.#d.pods.remember(pod);
      return;
    }
    // A completed pod of an earlier attempt (retry) or of a deleted workflow of the same name.
    if (!pod.metadata.deletionTimestamp) {
      await this.#d.client.delete(PODS, ns, name).catch(() => {});
    }
    this.#d.requeue(key, Date.now() + 1000);
  }

  #fail(key: string, nodeId: string, message: string): void {
    let m = this.#startFailures.get(key);
    if (!m) this.#startFailures.set(key, m = new Map());
    m.set(nodeId, { phase: "Error", message, finishedAt: this.#d.now().toISOString() });
    this.#d.requeue(key);
  }

  async #ensureClaim(
    wf: WorkflowObject,
    claimName: string,
    template: Record<string, unknown>,
  ): Promise<void> {
    const ns = wf.metadata.namespace!;
    const meta = (template.metadata ?? {}) as Record<string, unknown>;
    try {
      await this.#d.client.create(PVCS, ns, {
        ...template,
        metadata: {
          ...meta,
          name: claimName,
          namespace: ns,
          labels: {
            ...(meta.labels as Record<string, string> | undefined),
            [LABEL_WORKFLOW]: wf.metadata.name!,
          },
          ownerReferences: [{
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Workflow",
            name: wf.metadata.name!,
            uid: wf.metadata.uid!,
            controller: true,
            blockOwnerDeletion: true,
          }],
        },
      });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  /**
   * Stops a pod: one that never ran is deleted; a running one gets activeDeadlineSeconds 1, so the
   * kubelet stops it (SIGTERM, then SIGKILL after its grace period) and the pod, its logs and its
   * report stay readable.
   */
  async kill(ns: string, name: string): Promise<void> {
    const pod = this.#d.pods.get(ns, name);
    if (!pod || podFinished(pod)) return;
    if (this.#killed.has(`${ns}/${name}`) && Date.now() - this.#killed.get(`${ns}/${name}`)! < 30_000) return;
    this.#killed.set(`${ns}/${name}`, Date.now());
    try {
      if (!pod.spec.nodeName) {
        await this.#d.client.delete(PODS, ns, name);
      } else if (!(pod.spec.activeDeadlineSeconds !== undefined && pod.spec.activeDeadlineSeconds <= 1)) {
        const written = await this.#d.client.patch<Pod>(PODS, ns, name, "merge", {
          spec: { activeDeadlineSeconds: 1 },
        });
        this.#d.pods.remember(written);
      }
      this.stats.podsKilled++;
    } catch (e) {
      this.#killed.delete(`${ns}/${name}`);
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * Pods of nodes that are done: still running (sidecars) -> stopped; over -> deleted when podGC says
   * so, else labelled completed (the informer then forgets them).
   */
  async finalizePods(key: string, wf: Workflow, now: number): Promise<void> {
    const gc = effectiveSpec(wf, this.#d.config().workflowDefaults?.spec).podGC;
    const nodes = wf.status?.nodes ?? {};
    const ns = wf.metadata.namespace!;
    for (const pod of this.#d.pods.byIndex(BY_WORKFLOW, key)) {
      const name = pod.metadata.name!;
      const id = pod.metadata.annotations?.[ANNOTATION_NODE_ID];
      const node = id ? nodes[id] : undefined;
      if (!node || !NODE_DONE.has(node.phase ?? "")) continue;
      if (pod.metadata.ownerReferences?.[0]?.uid !== wf.metadata.uid) continue;
      if (!podFinished(pod)) {
        // Only sidecars (or `wait`, finishing its report) still run: give them a moment, then stop them.
        const main = pod.status?.containerStatuses?.find((c) => c.name === "main")?.state?.terminated;
        const since = Date.parse(main?.finishedAt ?? node.finishedAt ?? "");
        if (Number.isFinite(since) && now - since < SIDECAR_GRACE_MS) {
          this.#d.requeue(key, since + SIDECAR_GRACE_MS);
        } else await this.kill(ns, name);
        continue;
      }
      const pk = `${ns}/${name}`;
      if (this.#finalized.has(pk)) continue;
      try {
        if (
          deletePodOnNodeDone(gc, node.phase) && labelsMatch(gc?.labelSelector, pod.metadata.labels ?? {})
        ) {
          const due = Date.parse(node.finishedAt ?? "") + podGCDelay(gc);
          if (Number.isFinite(due) && due > now) {
            this.#d.requeue(key, due);
            continue;
          }
          await this.#d.client.delete(PODS, ns, name);
          this.stats.podsDeleted++;
        } else {
          await this.#d.client.patch(PODS, ns, name, "merge", {
            metadata: { labels: { [LABEL_COMPLETED]: "true" } },
          });
        }
        this.#finalized.add(pk);
        if (this.#finalized.size > 100_000) this.#finalized.clear();
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /**
   * A finished workflow: its pods (podGC), claims (volumeClaimGC), reports (its outputs are in its
   * status now) and itself (ttlStrategy). Done once per workflow by this process (and again, harmlessly,
   * after a restart), except what waits for a time.
   */
  async afterCompletion(key: string, wf: Workflow, now: number): Promise<void> {
    const ns = wf.metadata.namespace!;
    const name = wf.metadata.name!;
    const uid = wf.metadata.uid ?? key;
    const spec = effectiveSpec(wf, this.#d.config().workflowDefaults?.spec);
    await this.finalizePods(key, wf, now);
    const gc = spec.podGC;
    if (deletePodsOnWorkflowDone(gc, wf.status?.phase) && !this.#cleaned.has(`pods/${uid}`)) {
      const due = Date.parse(wf.status?.finishedAt ?? "") + podGCDelay(gc);
      if (Number.isFinite(due) && due > now) {
        this.#d.requeue(key, due);
      } else {
        const selector = [`${LABEL_WORKFLOW}=${name}`, selectorString(gc?.labelSelector)].filter(Boolean)
          .join(",");
        const left = await this.#d.client.list<Pod>(PODS, ns, { labelSelector: selector });
        for (const pod of left.items) {
          if (pod.metadata.ownerReferences?.[0]?.uid !== wf.metadata.uid) continue;
          if (await this.#d.client.delete(PODS, ns, pod.metadata.name!)) this.stats.podsDeleted++;
        }
        this.#cleaned.add(`pods/${uid}`);
      }
    }
    if (!this.#cleaned.has(uid)) {
      for (const claim of claimsToDelete({ ...wf, spec })) {
        await this.#d.client.delete(PVCS, ns, claim).catch((e) =>
          this.#d.log(`deleting claim ${ns}/${claim}: ${e}`)
        );
      }
      await this.#d.client.deleteCollection(TASK_RESULTS, ns, { labelSelector: `${LABEL_WORKFLOW}=${name}` })
        .catch((e) => this.#d.log(`deleting the task results of ${key}: ${e}`));
      this.#cleaned.add(uid);
      if (this.#cleaned.size > 100_000) this.#cleaned.clear();
    }
    const expiry = ttlExpiry({ ...wf, spec });
    if (expiry !== undefined) {
      if (expiry > now) {
        this.#d.requeue(key, expiry);
      } else {
        await this.#d.client.delete(WORKFLOWS, ns, name, {
          propagationPolicy: "Background",
          ...(wf.metadata.uid ? { preconditions: { uid: wf.metadata.uid } } : {}),
        });
        this.stats.workflowsDeleted++;
      }
    }
  }
}
