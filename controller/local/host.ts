/**
 * The local host: the loop that carries the engine's decisions out on this machine.
 *
 *   load workflow -> reconcile -> store status + actions (one transaction) -> carry the actions out
 *   (start via the runtime, kill, timers for wake) -> on a node's change, store the observation ->
 *   reconcile again.
 *
 * Reconciles of one workflow never overlap (a queue per workflow; changes arriving meanwhile fold
 * into one more reconcile). `recover()` continues in-flight workflows after a restart: finished
 * steps are reported from their recorded results (never run again), running podman steps are
 * adopted, process steps that died with the host come back as Error ("pod deleted"), which the
 * engine retries as Argo does, and actions recorded but not carried out are carried out.
 *
 * `retry()` is `argo retry`: the engine's retryWorkflow removes the failed nodes from the status
 * (keeping their ids), and the store forgets them in the same transaction as it stores the retried
 * workflow. Runtimes remember a node id for as long as they live and never start one twice, so a
 * retried node's next attempt runs under a runtime id of its own (`<nodeId>_<n>`, pod
 * `<podName>_<n>`; `_` never occurs in Kubernetes names); observations of an earlier attempt are
 * ignored, and its files are removed afterwards (again after a restart if the host stopped first).
 */
import { setImmediate } from "node:timers";
import { reconcile, type RetryOptions, retryWorkflow } from "../engine/mod.ts";
import type { Action, NodeObservation, RunSpec } from "../engine/actions.ts";
import type { NodeStatus, Workflow } from "../spec/types.ts";
import type { Runtime, WorkflowRef } from "./runtime/mod.ts";
import { isFinal, type NodeLayout } from "./runtime/common.ts";
import { ConflictError, type Store, type StoredAction, type StoredWorkflow } from "./store.ts";
import { PendingWrites } from "./host_writes.ts";

/** Options of the local host. */
export interface LocalHostOptions {
  store: Store;
  runtime: Runtime;
  /** The clock (tests may drive it). */
  now?: () => Date;
  /** Where the host reports problems (default console.error). */
  log?: (line: string) => void;
  /** Called after each reconcile with how long it took, in seconds (e.g. for /metrics). */
  onReconcile?: (seconds: number) => void;
}

/** What `retry` may change (Argo's RetryOpts): parameters, and succeeded nodes to run again. */
export type HostRetryOptions = Omit<RetryOptions, "now">;

/** The runtime's id of a node's attempt: the node id at first, `<nodeId>_<n>` after n retries. */
export function attemptId(nodeId: string, attempt: number): string {
  return attempt > 0 ? `${nodeId}_${attempt}` : nodeId;
}

const FINAL_PHASES = new Set(["Succeeded", "Failed", "Error"]);
const FINAL_NODE_PHASES = new Set(["Succeeded", "Failed", "Error", "Skipped", "Omitted"]);
/** How long a node's Pending or Running waits for its next change before a reconcile takes it in. */
const OBSERVATION_FOLD_MS = 20;

/** Is the workflow over? */
export function workflowDone(wf: { status?: { phase?: string } }): boolean {
  return FINAL_PHASES.has(wf.status?.phase ?? "");
}

/** Runs workflows on this machine with one runtime and one store. */

/** Argo's controller setting, read from the environment once: see ReconcileInput.transientErrorPattern. */
const TRANSIENT_ERROR_PATTERN = Deno.env.get("TRANSIENT_ERROR_PATTERN") || undefined;
export class LocalHost {
  readonly store: Store;
  readonly runtime: Runtime;
  #now: () => Date;
  #log: (line: string) => void;
  #onReconcile: ((seconds: number) => void) | undefined;
  #queues = new Map<string, Promise<void>>();
  #queued = new Set<string>();
  /** Reconciles put off for a while (see #scheduleSoon). */
  #soon = new Map<string, ReturnType<typeof setTimeout>>();
  #wakes = new Map<string, { at: number; timer: ReturnType<typeof setTimeout> }>();
  #waiters = new Map<string, ((wf: StoredWorkflow<Workflow>) => void)[]>();
  #inflight = new Set<Promise<unknown>>();
  /** Node ids this host has asked the runtime to start (or adopted). */
  #started = new Set<string>();
  // The host is the only writer of its workflows and observations, so it keeps the last of each it
  // wrote instead of reading and parsing them back for every reconcile (which made a run of n
  // steps cost O(n^2)). Dropped on delete, retry and conflicts; reloaded from the store when absent.
  /** The last stored version of each workflow this host reconciles, by uid. */
  #objects = new Map<string, StoredWorkflow<Workflow>>();
  /** The observations of each workflow, by uid, then node id. */
  #observations = new Map<string, Record<string, NodeObservation>>();
  /** How often each retried node was retried, by uid, for workflows in #objects (changed only by retry). */
  #attempts = new Map<string, Record<string, number>>();
  /** Workflow uids by `namespace/name`. */
  #uids = new Map<string, string>();
  /** Uids of workflows deleted through this host (their late logs are dropped). */
  #deleted = new Set<string>();
  /** Changes not written yet (see host_writes.ts); #objects holds a status not written yet. */
  #writes: PendingWrites;
  #unsubscribe: () => void;
  #closed = false;

  constructor(opts: LocalHostOptions) {
    this.store = opts.store;
    this.runtime = opts.runtime;
    this.#now = opts.now ?? (() => new Date());
    this.#log = opts.log ?? ((l) => console.error(l));
    this.#onReconcile = opts.onReconcile;
    this.#writes = new PendingWrites(this.store, (uid) => this.#flush(uid));
    this.#unsubscribe = this.runtime.subscribe((c) => this.#observed(c.workflow, c.nodeId, c.observation));
  }

  /** Stores a new workflow (naming it from generateName when needed) and starts running it. */
  submit(workflow: Workflow): StoredWorkflow<Workflow> {
    const wf = structuredClone(workflow);
    wf.metadata ??= {};
    if (!wf.metadata.name) {
      if (!wf.metadata.generateName) {
        throw new Error("the workflow has neither metadata.name nor metadata.generateName");
      }
      wf.metadata.name = wf.metadata.generateName + randomSuffix();
    }
    wf.metadata.namespace ??= "default";
    const stored = this.store.createWorkflow(wf);
    this.#remember(stored);
    this.store.addEvent(stored.uid, {
      reason: "WorkflowSubmitted",
      message: `Submitted workflow ${stored.name}`,
    });
    this.#schedule(stored.uid);
    return stored;
  }

  /** The stored workflow. */
  get(namespace: string, name: string): StoredWorkflow<Workflow> | undefined {
    return this.store.getWorkflow<Workflow>(namespace, name);
  }

  /** The stored workflow's version (see StoredWorkflow.version), without reading the workflow. */
  version(namespace: string, name: string): number | undefined {
    return this.store.workflowVersion(namespace, name);
  }

  /**
   * Changes a workflow as a user does (stop/terminate through spec.shutdown, suspend, resume,
   * parameters, ...), then reconciles it.
   */
  update(namespace: string, name: string, change: (wf: Workflow) => Workflow): StoredWorkflow<Workflow> {
    this.#flushByName(namespace, name);
    const stored = this.get(namespace, name);
    if (!stored) throw new Error(`workflow ${namespace}/${name} not found`);
    const next = this.store.updateWorkflow(
      stored.uid,
      change(structuredClone(stored.object)),
      stored.version,
    );
    this.#remember(next);
    this.#schedule(stored.uid);
    return next;
  }

  /**
   * Retries a finished workflow as `argo retry` does: failed steps (and, with restartSuccessful,
   * the succeeded ones nodeFieldSelector picks) run again, parameters may change, succeeded work is
   * kept. The retried workflow and the forgetting of the old attempts are stored in one transaction
   * before anything else happens; the old attempts' files are removed after it (idempotently, and
   * again by `recover()` when the host stopped in between). Throws the engine's message when the
   * workflow cannot be retried, ConflictError when it changed meanwhile.
   */
  retry(namespace: string, name: string, opts: HostRetryOptions = {}): StoredWorkflow<Workflow> {
    this.#flushByName(namespace, name);
    const stored = this.get(namespace, name);
    if (!stored) throw new Error(`workflow ${namespace}/${name} not found`);
    const { workflow } = retryWorkflow(stored.object, { ...opts, now: this.#now().toISOString() });
    const kept = workflow.status?.nodes ?? {};
    const forget = (Object.values(stored.object.status?.nodes ?? {}) as NodeStatus[])
      .filter((n) => n.type === "Pod" && kept[n.id] === undefined)
      .map((n) => n.id);
    const steps = forget.length === 1 ? "1 step" : `${forget.length} steps`;
    const next = this.store.transaction(() => {
      const written = this.store.retryTransition(stored.uid, workflow, forget, stored.version);
      this.store.addEvent(stored.uid, {
        reason: "WorkflowRetried",
        message: `Retried workflow ${name}: ${steps} to run again`,
      });
      return written;
    });
    for (const id of forget) this.#started.delete(id);
    this.#remember(next);
    this.#observations.delete(stored.uid);
    this.#attempts.delete(stored.uid);
    this.#schedule(stored.uid);
    this.#track(this.#cleanupAttempts(stored.uid));
    return next;
  }

  /**
   * Deletes a workflow with its logs and events at once; its running steps are stopped and its
   * files removed in the background (`close()` waits for that). False when there was none.
   */
  delete(namespace: string, name: string): boolean {
    const stored = this.get(namespace, name);
    if (!stored) return false;
    const attempts = this.store.nodeAttempts(stored.uid);
    const running = (Object.values(stored.object.status?.nodes ?? {}) as NodeStatus[])
      .filter((n) => n.type === "Pod" && !FINAL_NODE_PHASES.has(n.phase ?? ""))
      .map((n) => attemptId(n.id, attempts[n.id] ?? 0));
    this.store.deleteWorkflow(namespace, name);
    this.#writes.written(stored.uid); // nothing of it is to be written any more
    this.#forget(stored.uid, namespace, name);
    this.#deleted.add(stored.uid);
    const ref = { namespace, name };
    this.#track(
      Promise.all(running.map((id) => this.runtime.kill(id, "workflow deleted").catch(() => {})))
        .then(() => this.runtime.cleanup(ref)),
    );
    return true;
  }

  /** Resolves once the workflow has reached a final phase. */
  waitFor(namespace: string, name: string): Promise<StoredWorkflow<Workflow>> {
    const stored = this.get(namespace, name);
    if (!stored) return Promise.reject(new Error(`workflow ${namespace}/${name} not found`));
    if (workflowDone(stored.object)) return Promise.resolve(stored);
    return new Promise((resolve) => {
      const list = this.#waiters.get(stored.uid) ?? [];
      list.push(resolve);
      this.#waiters.set(stored.uid, list);
    });
  }

  /** A node's log: what the store has, or the runtime's log while it runs. */
  async logs(namespace: string, name: string, nodeId: string): Promise<string> {
    const stored = this.get(namespace, name);
    if (!stored) return "";
    const text = this.store.logText(stored.uid, nodeId);
    if (text !== "") return text;
    const attempt = this.store.nodeAttempts(stored.uid)[nodeId] ?? 0;
    return await this.runtime.logs({ namespace, name }, attemptId(nodeId, attempt));
  }

  /**
   * Continues what a previous host left: adopts in-flight nodes, carries out recorded actions not
   * yet done, and reconciles every unfinished workflow.
   */
  async recover(): Promise<void> {
    const pendingByWorkflow = new Map<string, StoredAction[]>();
    for (const a of this.store.pendingActions()) {
      const list = pendingByWorkflow.get(a.workflowUid) ?? [];
      list.push(a);
      pendingByWorkflow.set(a.workflowUid, list);
    }
    for (const wf of this.store.listWorkflows<Workflow>()) {
      const pending = pendingByWorkflow.get(wf.uid) ?? [];
      if (workflowDone(wf.object) && pending.length === 0) continue;
      const ref = { namespace: wf.namespace, name: wf.name };
      const observed = this.#observationsOf(wf.uid);
      const attempts = this.store.nodeAttempts(wf.uid);
      const toStart = new Set(
        pending.flatMap((a) => (a.action.type === "start" ? [a.action.run.nodeId] : [])),
      );
      for (const node of Object.values(wf.object.status?.nodes ?? {}) as NodeStatus[]) {
        if (node.type !== "Pod") continue;
        const known = observed[node.id];
        if (known && isFinal(known)) continue;
        if (!known && FINAL_PHASES.has(node.phase ?? "")) continue;
        const obs = await this.runtime.adopt(ref, attemptId(node.id, attempts[node.id] ?? 0));
        if (obs) {
          this.#started.add(node.id);
          this.#putObservation(wf.uid, node.id, obs);
        } else if (!toStart.has(node.id) && known) {
          // It was started, and nothing of it is left: as Argo does for a pod deleted under it.
          this.#putObservation(wf.uid, node.id, {
            phase: "Error",
            message: "pod deleted",
            finishedAt: this.#now().toISOString(),
          });
        }
      }
      for (const a of pending) this.#carryOut(wf.uid, a);
      this.#schedule(wf.uid);
    }
    const retried = new Set(this.store.pendingAttemptCleanups().map((c) => c.workflowUid));
    for (const uid of retried) this.#track(this.#cleanupAttempts(uid));
  }

  /** Stops the loop; running steps keep running (a next host adopts them). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe();
    for (const w of this.#wakes.values()) clearTimeout(w.timer);
    for (const t of this.#soon.values()) clearTimeout(t);
    this.#wakes.clear();
    await Promise.allSettled([...this.#queues.values(), ...this.#inflight]);
    for (const uid of this.#writes.uids()) this.#flush(uid);
    this.#writes.stop();
    await this.runtime.close();
  }

  // ---- the loop

  #schedule(uid: string): void {
    if (this.#closed || this.#queued.has(uid)) return;
    this.#queued.add(uid);
    clearTimeout(this.#soon.get(uid)); // the reconcile about to run sees what it waited for
    this.#soon.delete(uid);
    const prev = this.#queues.get(uid) ?? Promise.resolve();
    // On a later turn of the event loop, so that the changes already waiting (steps that ended at
    // about the same time) fold into this one reconcile instead of one each. setImmediate, not
    // setTimeout(0): a chain of timers set from timers is clamped to ~4 ms a link (HTML's nesting
    // rule, which Deno follows through I/O callbacks too), which was most of a step's latency.
    const next = prev.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => {
      this.#queued.delete(uid);
      if (this.#closed) return;
      try {
        this.#reconcileOnce(uid);
      } catch (e) {
        // Someone wrote the workflow since it was read: reconcile again from what is stored now.
        this.#objects.delete(uid);
        if (e instanceof ConflictError) this.#schedule(uid);
        else this.#log(`skiff: reconciling workflow ${uid} failed: ${e instanceof Error ? e.stack : e}`);
      }
    });
    this.#queues.set(uid, next);
  }

  #reconcileOnce(uid: string): void {
    const t0 = performance.now();
    try {
      this.#reconcileStep(uid);
    } finally {
      this.#onReconcile?.((performance.now() - t0) / 1000);
    }
  }

  #reconcileStep(uid: string): void {
    const stored = this.#objects.get(uid) ?? this.store.getWorkflowByUid<Workflow>(uid);
    if (!stored) return;
    const observed = this.#observationsOf(uid);
    const attempts = this.#attemptsOf(uid);
    const now = this.#now();
    const resources = this.runtime.resources;
    const result = reconcile({
      workflow: stored.object,
      observed,
      now: now.toISOString(),
      configMaps: resources.configMapsFor(stored.namespace),
      resourceHint: resources.howToProvide("ConfigMap"),
      transientErrorPattern: TRANSIENT_ERROR_PATTERN,
    });
    const before = stored.object.status ?? {};
    const object: Workflow = { ...stored.object, status: result.status };

    // Starts of nodes already started and kills of nodes not running are nothing to do.
    const todo: Action[] = result.actions.filter((a) => {
      if (a.type === "start") return !this.#started.has(a.run.nodeId) && observed[a.run.nodeId] === undefined;
      if (a.type === "kill") {
        const o = this.runtime.observe(attemptId(a.nodeId, attempts[a.nodeId] ?? 0)) ?? observed[a.nodeId];
        return o !== undefined && !isFinal(o);
      }
      return false;
    });
    let recorded: StoredAction[] = [];
    if (todo.length > 0 || (result.changed && workflowDone(object))) {
      recorded = this.#write(uid, { ...stored, object }, todo, before);
    } else if (result.changed) {
      // No actions: written with the next transition, or soon (host_writes.ts).
      this.#writes.statusChanged(uid, before);
      this.#remember({ ...stored, object });
    } else {
      this.#remember(stored);
    }
    for (const a of recorded) this.#carryOut(uid, a);

    const wake =
      result.actions.filter((a) => a.type === "wake").map((a) => Date.parse(a.at)).sort((x, y) => x - y)[0];
    if (wake !== undefined) this.#wakeAt(uid, wake);
    if (workflowDone(object)) {
      // A finished workflow is not reconciled again unless changed (retry, resubmit): free its copy.
      this.#forget(uid, stored.namespace, stored.name);
      const done = this.store.getWorkflowByUid<Workflow>(uid)!;
      for (const w of this.#waiters.get(uid) ?? []) w(done);
      this.#waiters.delete(uid);
    }
  }

  /**
   * Writes the workflow (`next.object`, over the version `next.version`), the changes waiting to be
   * written with it, the actions to carry out and the events of what changed since `before` (or
   * since the status written last), in one transaction. Returns the recorded actions.
   */
  #write(
    uid: string,
    next: StoredWorkflow<Workflow>,
    actions: Action[],
    before: Workflow["status"] & object,
  ) {
    const from = this.#writes.writtenStatus(uid) ?? before;
    const written = this.store.transaction(() => {
      this.#writes.writeTo(uid);
      const w = this.store.commitTransition(uid, next.object, actions, next.version);
      this.#recordEvents(uid, from, next.object.status ?? {});
      return w;
    });
    this.#writes.written(uid);
    this.#remember(written.workflow);
    return written.actions;
  }

  /** Writes what waits to be written of a workflow (see host_writes.ts). */
  #flush(uid: string): void {
    try {
      const current = this.#objects.get(uid);
      if (current && this.#writes.hasStatus(uid)) {
        this.#write(uid, current, [], current.object.status ?? {});
      } else {
        this.store.transaction(() => this.#writes.writeTo(uid));
        this.#writes.written(uid);
      }
    } catch (e) {
      if (!(e instanceof ConflictError)) {
        this.#log(`skiff: writing workflow ${uid} failed: ${e instanceof Error ? e.message : e}`);
        return;
      }
      // Written by someone else meanwhile: work the status out again from what is stored now.
      this.#objects.delete(uid);
      this.store.transaction(() => this.#writes.writeTo(uid));
      this.#writes.written(uid);
      this.#schedule(uid);
    }
  }

  #flushByName(namespace: string, name: string): void {
    const uid = this.#uids.get(`${namespace}/${name}`);
    if (uid !== undefined) this.#flush(uid);
  }

  #carryOut(uid: string, stored: StoredAction): void {
    const a = stored.action;
    let p: Promise<void>;
    if (a.type === "start") {
      const id = a.run.nodeId;
      this.#started.add(id);
      if (!this.#observationsOf(uid)[id]) this.#putObservation(uid, id, { phase: "Pending" });
      const run = this.#runOfAttempt(uid, a.run);
      p = this.runtime.start(run).catch((e) => {
        this.#observed(a.run.workflow, run.nodeId, {
          phase: "Error",
          message: `could not start: ${e instanceof Error ? e.message : e}`,
          finishedAt: this.#now().toISOString(),
        });
      });
    } else if (a.type === "kill") {
      p = this.runtime.kill(attemptId(a.nodeId, this.#attemptsOf(uid)[a.nodeId] ?? 0), a.reason);
    } else {
      p = Promise.resolve();
    }
    this.#track(
      p.then(() => this.#writes.actionDone(uid, stored.id)).catch((e) => {
        this.#log(`skiff: ${a.type} action failed: ${e instanceof Error ? e.message : e}`);
      }),
    );
  }

  /** Work that goes on after the call that began it; `close()` waits for it. Failures are logged. */
  #track(p: Promise<unknown>): void {
    const tracked: Promise<unknown> = p.catch((e) => {
      this.#log(`skiff: ${e instanceof Error ? e.message : e}`);
    }).finally(() => this.#inflight.delete(tracked));
    this.#inflight.add(tracked);
  }

  /**
   * The RunSpec the runtime gets: a retried node (and input artifacts of retried producers) under
   * the runtime id of its current attempt.
   */
  #runOfAttempt(uid: string, run: RunSpec): RunSpec {
    const attempts = this.#attemptsOf(uid);
    if (Object.keys(attempts).length === 0) return run;
    const n = attempts[run.nodeId] ?? 0;
    return {
      ...run,
      nodeId: attemptId(run.nodeId, n),
      podName: attemptId(run.podName, n),
      inputArtifacts: run.inputArtifacts.map((art) =>
        "nodeId" in art.from && attempts[art.from.nodeId]
          ? { ...art, from: { ...art.from, nodeId: attemptId(art.from.nodeId, attempts[art.from.nodeId]!) } }
          : art
      ),
    };
  }

  /**
   * The node a runtime id stands for, when it is the node's current attempt; undefined for an
   * earlier attempt of a retried node (what it reports is history).
   */
  #nodeOfAttempt(uid: string, runtimeId: string): string | undefined {
    const attempts = this.#attemptsOf(uid);
    const m = /^(.*)_(\d+)$/.exec(runtimeId);
    if (m && attempts[m[1]!] !== undefined) return attempts[m[1]!] === Number(m[2]) ? m[1] : undefined;
    return (attempts[runtimeId] ?? 0) === 0 ? runtimeId : undefined;
  }

  /**
   * Removes the files of earlier attempts of a workflow's retried nodes (a runtime keeping them in
   * node directories), then records it. Idempotent; `recover()` repeats what a stop interrupted.
   */
  async #cleanupAttempts(uid: string): Promise<void> {
    const wf = this.store.getWorkflowByUid(uid);
    if (!wf) return;
    const ref = { namespace: wf.namespace, name: wf.name };
    const layout = (this.runtime as { layout?: NodeLayout }).layout;
    for (const c of this.store.pendingAttemptCleanups(uid)) {
      if (layout) {
        for (let i = 0; i < c.attempt; i++) {
          await Deno.remove(layout.nodeDir(ref, attemptId(c.nodeId, i)), { recursive: true }).catch((e) => {
            if (!(e instanceof Deno.errors.NotFound)) throw e;
          });
        }
      }
      if (this.#closed || !this.store.getWorkflowByUid(uid)) return;
      this.store.markAttemptsCleaned(uid, c.nodeId, c.attempt);
    }
  }

  #wakeAt(uid: string, at: number): void {
    const current = this.#wakes.get(uid);
    if (current && current.at <= at) return;
    if (current) clearTimeout(current.timer);
    const timer = setTimeout(() => {
      this.#wakes.delete(uid);
      this.#schedule(uid);
    }, Math.max(0, at - this.#now().getTime()));
    this.#wakes.set(uid, { at, timer });
  }

  /**
   * A node changed (as the runtime names it): store what was seen (and, when it ended, its log),
   * then reconcile. What an earlier attempt of a retried node reports is ignored.
   */
  #observed(ref: WorkflowRef, runtimeId: string, observation: NodeObservation): void {
    if (this.#closed) return;
    const wf = this.#uidOf(ref.namespace, ref.name);
    if (!wf) return;
    const nodeId = this.#nodeOfAttempt(wf.uid, runtimeId);
    if (nodeId === undefined) return;
    this.#putObservation(wf.uid, nodeId, observation);
    if (isFinal(observation)) {
      this.#track(
        this.runtime.logs(ref, runtimeId).then((text) => {
          // Not when the node was retried (or the workflow deleted) meanwhile.
          if (this.#nodeOfAttempt(wf.uid, runtimeId) !== nodeId || this.#deleted.has(wf.uid)) {
            return;
          }
          if (this.store.logText(wf.uid, nodeId) === "") this.store.appendLog(wf.uid, nodeId, text);
        }).catch(() => {}),
      );
      this.#schedule(wf.uid);
    } else this.#scheduleSoon(wf.uid);
  }

  /**
   * Reconciles a workflow within OBSERVATION_FOLD_MS: for a node's Pending or Running, which starts
   * nothing (but a daemon's dependents). A short step's end comes within that time, and one
   * reconcile takes in both instead of one each, as Argo's controller takes in a pod's changes in
   * batches.
   */
  #scheduleSoon(uid: string): void {
    if (this.#closed || this.#queued.has(uid) || this.#soon.has(uid)) return;
    this.#soon.set(
      uid,
      setTimeout(() => {
        this.#soon.delete(uid);
        this.#schedule(uid);
      }, OBSERVATION_FOLD_MS),
    );
  }

  #remember(stored: StoredWorkflow<Workflow>): void {
    this.#objects.set(stored.uid, stored);
    this.#uids.set(`${stored.namespace}/${stored.name}`, stored.uid);
  }

  #forget(uid: string, namespace: string, name: string): void {
    this.#objects.delete(uid);
    this.#observations.delete(uid);
    this.#attempts.delete(uid);
    this.#uids.delete(`${namespace}/${name}`);
  }

  /** The uid of a stored workflow (from memory, else the store). */
  #uidOf(namespace: string, name: string): { uid: string } | undefined {
    const uid = this.#uids.get(`${namespace}/${name}`);
    if (uid !== undefined) return { uid };
    const stored = this.store.getWorkflow<Workflow>(namespace, name);
    if (stored) this.#remember(stored);
    return stored;
  }

  #observationsOf(uid: string): Record<string, NodeObservation> {
    let observed = this.#observations.get(uid);
    if (!observed) {
      observed = this.store.observations(uid);
      this.#observations.set(uid, observed);
    }
    return observed;
  }

  /**
   * Node attempts of a workflow (see `retry`), read from the store once while the workflow is
   * reconciled here: they were read several times per step. Not kept for other workflows (a late
   * report of a finished one would keep its entry for good).
   */
  #attemptsOf(uid: string): Record<string, number> {
    const known = this.#attempts.get(uid);
    if (known) return known;
    const attempts = this.store.nodeAttempts(uid);
    if (this.#objects.has(uid)) this.#attempts.set(uid, attempts);
    return attempts;
  }

  #putObservation(uid: string, nodeId: string, observation: NodeObservation): void {
    const observed = this.#observations.get(uid);
    // Not reconciled here (yet, or any more): stored now, read with the others when it is.
    if (!observed) this.store.putObservation(uid, nodeId, observation);
    else observed[nodeId] = this.#writes.observation(uid, nodeId, observation);
  }

  #recordEvents(uid: string, before: Workflow["status"] & object, after: Workflow["status"] & object): void {
    if (before.phase !== after.phase && after.phase) {
      const type = after.phase === "Failed" || after.phase === "Error" ? "Warning" : "Normal";
      const message = after.message ? `Workflow ${after.phase}: ${after.message}` : `Workflow ${after.phase}`;
      this.store.addEvent(uid, { type, reason: `Workflow${after.phase}`, message });
    }
    const nodes = after.nodes ?? {};
    for (const id in nodes) {
      const node = nodes[id]!;
      const was = before.nodes?.[id];
      // The engine hands back unchanged nodes as the same objects: most nodes, skipped at once.
      if (was === node || was?.phase === node.phase || !FINAL_PHASES.has(node.phase ?? "")) continue;
      const type = node.phase === "Succeeded" ? "Normal" : "Warning";
      const message = `${node.phase} node ${node.name}${node.message ? `: ${node.message}` : ""}`;
      this.store.addEvent(uid, { type, reason: `WorkflowNode${node.phase}`, message, nodeId: id });
    }
  }
}

/** The five characters Kubernetes appends to a generateName (its alphabet: no vowels, no look-alikes). */
export function randomSuffix(): string {
  const chars = "bcdfghjklmnpqrstvwxz2456789";
  let s = "";
  for (const b of crypto.getRandomValues(new Uint8Array(5))) s += chars[b % chars.length];
  return s;
}
