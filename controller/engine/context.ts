/**
 * The state of one reconcile pass (Argo's `wfOperationCtx`): the workflow, the node tree being
 * updated, the clock, the global parameters, and the actions decided so far.
 */

import type { Workflow, WorkflowSpec, WorkflowStatus } from "../spec/types.ts";
import type { KillNodeAction, NodeObservation, RunSpec } from "./actions.ts";
import type { ConfigMapData } from "./configmaps.ts";
import type { Expr } from "./expr.ts";
import { formatTime } from "./time.ts";
import type { NodeTree } from "./tree.ts";

/** Maximum nesting of template invocations, as Argo's default `maxStackDepth`. */
export const MAX_STACK_DEPTH = 100;

/** One reconcile pass. Everything the engine decides goes through here. */
export interface Op {
  readonly wf: Workflow;
  /** The spec being executed: the workflow's, with global parameters substituted outside templates. */
  spec: WorkflowSpec;
  /** Workflow name (also the root node's name and id). */
  readonly name: string;
  readonly namespace: string;
  readonly status: WorkflowStatus;
  /** The node tree being updated (status.nodes), shared by the passes of one reconcile. */
  readonly tree: NodeTree;
  readonly now: number;
  readonly nowText: string;
  readonly observed: Readonly<Record<string, NodeObservation>>;
  /** ConfigMaps of the workflow's namespace, by name, as the host knows them (for `configMapKeyRef`). */
  readonly configMaps: Readonly<Record<string, ConfigMapData>> | undefined;
  /** Added to the message about a missing ConfigMap: how to provide one on this host. */
  readonly resourceHint: string | undefined;
  /** TRANSIENT_ERROR_PATTERN of the host, for OnTransientError retries. */
  readonly transientErrorPattern: string | undefined;
  readonly expr: Expr;
  /** Global parameters (`workflow.*`), as Argo's `globalParams` (made anew by `setGlobalParameters`). */
  globals: Record<string, string>;
  /** Pods to start, by node id, in the order they were decided. */
  readonly starts: Map<string, RunSpec>;
  /** Pods to kill, by node id. */
  readonly kills: Map<string, KillNodeAction>;
  /** Instants (ms) at which the engine wants to be called again. */
  readonly wakes: number[];
  /** The workflow's deadline (ms), from activeDeadlineSeconds. */
  deadline: number | undefined;
  /** Pods active (Pending/Running) in the whole workflow, for spec.parallelism. */
  activePods: number;
  /** Current nesting of executeTemplate. */
  depth: number;
  /**
   * Bumped by every change to a node's phase, children or daemon flag: answers derived from the
   * tree (`childrenFulfilled`, counts per boundary) are memoized until it moves, which keeps a pass
   * linear in the number of nodes instead of quadratic.
   */
  epoch: number;
  /** Answers derived from the tree, with the epoch they were computed at. */
  readonly memo: Map<string, { epoch: number; value: unknown }>;
  /** Answers that hold for the whole pass (the spec does not change within one), e.g. started.ts's. */
  readonly cache: Map<string, unknown>;
}

/** Creates the operation context of one reconcile. */
export function newOp(
  wf: Workflow,
  status: WorkflowStatus,
  tree: NodeTree,
  observed: Record<string, NodeObservation>,
  now: number,
  expr: Expr,
  resources: {
    configMaps?: Record<string, ConfigMapData> | undefined;
    resourceHint?: string | undefined;
    transientErrorPattern?: string | undefined;
  } = {},
): Op {
  // The record of the nodes is built once, by the last pass (tree.ts); passes use the tree.
  status.nodes ??= {};
  return {
    wf,
    spec: wf.spec,
    name: wf.metadata.name ?? "",
    namespace: wf.metadata.namespace ?? "default",
    status,
    tree,
    now,
    nowText: formatTime(now),
    observed,
    configMaps: resources.configMaps,
    resourceHint: resources.resourceHint,
    transientErrorPattern: resources.transientErrorPattern,
    expr,
    globals: {},
    starts: new Map(),
    kills: new Map(),
    wakes: [],
    deadline: undefined,
    activePods: 0,
    depth: 0,
    epoch: 0,
    memo: new Map(),
    cache: new Map(),
  };
}

/** Records that the tree changed (see `Op.epoch`). */
export function touch(op: Op): void {
  op.epoch++;
}

/** `compute()`, memoized under `key` until the tree changes. */
export function memoized<T>(op: Op, key: string, compute: () => T): T {
  const hit = op.memo.get(key);
  if (hit && hit.epoch === op.epoch) return hit.value as T;
  const value = compute();
  op.memo.set(key, { epoch: op.epoch, value });
  return value;
}

/** Asks to be reconciled again at `at` (ms), if that is in the future. */
export function wakeAt(op: Op, at: number): void {
  if (Number.isFinite(at) && at > op.now) op.wakes.push(at);
}

/** The shutdown strategy asked for by the user (`spec.shutdown`). */
export function shutdownOf(op: Op): "" | "Stop" | "Terminate" {
  return op.spec.shutdown ?? "";
}

/** Argo's `ShutdownStrategy.ShouldExecute`: may a node run (on-exit nodes may under Stop)? */
export function shouldExecute(op: Op, isOnExit: boolean): boolean {
  switch (shutdownOf(op)) {
    case "Terminate":
      return false;
    case "Stop":
      return isOnExit;
    default:
      return true;
  }
}
