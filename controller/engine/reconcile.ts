/**
 * reconcile: the whole engine as one pure function (Argo's `operate`). Given a workflow (with the
 * status the host stored), what the host observed of its pods, and the time, it returns the new
 * status and the actions the host must carry out. Same input, same output.
 */

import type { NodePhase, NodeStatus, Workflow, WorkflowPhase, WorkflowStatus } from "../spec/types.ts";
import type { Action, KillNodeAction, NodeObservation, RunSpec } from "./actions.ts";
import type { ConfigMapData } from "./configmaps.ts";
import { newOp, type Op, shouldExecute } from "./context.ts";
import { killAllDaemons } from "./daemons.ts";
import { applyExecutionControl, workflowDeadline } from "./deadlines.ts";
import { executeTemplate } from "./execute.ts";
import { runLifecycleHooks, stepExitHook } from "./exit-handlers.ts";
import { defaultExpr, type Expr, substituteIn } from "./expr.ts";
import { FINISHED_POD, nodeFlags, placesWith } from "./facts.ts";
import { onExitNodeName, podName } from "./names.ts";
import { failedOrError, fulfilled, getNode, markNodeError } from "./nodes.ts";
import { applyObservations } from "./observe.ts";
import { activePods } from "./parallelism.ts";
import { checkWorkflowArguments, setGlobalParameters } from "./params.ts";
import { failuresJson, markWorkflowPhase, updateProgress, workflowCompleted } from "./status.ts";
import { keepLastingItems } from "./settled-items.ts";
import { keepLastingPrefixes } from "./steps-scope.ts";
import { formatTime, parseTime } from "./time.ts";
import { NodeTree } from "./tree.ts";

/** What reconcile is given. */
export interface ReconcileInput {
  /** The workflow, with the status the host stored (none at first). */
  workflow: Workflow;
  /** What the host saw of Pod nodes, by node id. */
  observed: Record<string, NodeObservation>;
  /** The current time, RFC 3339. */
  now: string;
  /**
   * The ConfigMaps of the workflow's namespace the host knows, by name, for parameters with
   * `valueFrom.configMapKeyRef` (Argo reads them when the parameter is resolved).
   */
  configMaps?: Record<string, ConfigMapData>;
  /** How a user provides a missing ConfigMap on this host, added to the message about it. */
  resourceHint?: string;
  /**
   * The host's TRANSIENT_ERROR_PATTERN (as Argo's controller reads it from its environment): a
   * regular expression that makes a matching node message transient for `retryPolicy: OnTransientError`.
   */
  transientErrorPattern?: string | undefined;
}

/** What reconcile decides. */
export interface ReconcileResult {
  status: WorkflowStatus;
  actions: Action[];
  /** Does `status` differ from the status given (so that a host need not compare them itself)? */
  changed: boolean;
}

const nodeToWorkflowPhase: Record<NodePhase, WorkflowPhase> = {
  Pending: "Pending",
  Running: "Running",
  Succeeded: "Succeeded",
  Skipped: "Succeeded",
  Failed: "Failed",
  Error: "Error",
  Omitted: "Succeeded",
};

/**
 * Reconciles a workflow: applies observations, runs the templates from the entrypoint as far as they
 * can go, runs exit handlers, and settles the workflow's phase. `expr` is the expression core (the
 * one installed by mod.ts when omitted).
 */
export function reconcile(input: ReconcileInput, expr: Expr = defaultExpr()): ReconcileResult {
  const now = parseTime(input.now);
  // The input is never changed: the passes work on a copy of the status's own fields (JSON, the
  // quickest deep copy) and on a tree that copies a node only when it is written (tree.ts).
  const givenStatus = input.workflow.status ?? {};
  const given = ownFieldsJson(givenStatus);
  let before = given;
  const status = JSON.parse(before) as WorkflowStatus;
  const tree = new NodeTree(givenStatus.nodes ?? {});
  // Argo requeues a workflow whose status changed; here the passes repeat until the status settles,
  // so what is returned is a fixpoint: reconciling it again changes nothing. Pods decided in any
  // pass are started (a later pass may not revisit them, e.g. once parallelism is reached).
  const starts = new Map<string, RunSpec>();
  for (let pass = 0;; pass++) {
    const op = newOp(input.workflow, status, tree, input.observed, now, expr, input);
    if (workflowCompleted(status.phase)) return finish(op, starts, before !== given || tree.changedSince());
    const mark = tree.mark();
    try {
      operate(op);
    } catch (e) {
      // An engine bug or a corrupt status: surface it as Argo does for panics.
      if (!workflowCompleted(op.status.phase)) markWorkflowPhase(op, "Error", (e as Error).message);
    }
    for (const [id, run] of op.starts) starts.set(id, run);
    const after = ownFieldsJson(op.status);
    if (pass >= MAX_PASSES || (after === before && !tree.changedSince(mark))) {
      return finish(op, starts, after !== given || tree.changedSince());
    }
    before = after;
  }
}

/**
 * The JSON of a status without its nodes (which the tree compares, see tree.ts). Whether there is
 * a `nodes` field, and where, is kept: an empty `{}` stands for it.
 */
function ownFieldsJson(status: WorkflowStatus): string {
  // A copy with `nodes` in its place (a replacer function would be called for every value).
  return JSON.stringify(status.nodes != null ? { ...status, nodes: {} } : status);
}

/** Passes of one reconcile before giving up on a settled status. */
const MAX_PASSES = 50;

function operate(op: Op): void {
  const first = !op.status.phase;
  try {
    setGlobalParameters(op);
  } catch (e) {
    markWorkflowPhase(op, "Failed", `failed to set global parameters: ${(e as Error).message}`);
    return;
  }
  if (first) {
    const invalid = checkWorkflowArguments(op.wf) ??
      (op.spec.entrypoint ? undefined : "spec.entrypoint is required");
    if (invalid) {
      markWorkflowPhase(op, "Failed", `invalid spec: ${invalid}`);
      return;
    }
  }
  substituteGlobalVariables(op);
  if (first) markWorkflowPhase(op, "Running", "");
  op.deadline = workflowDeadline(op);
  applyObservations(op);
  applyExecutionControl(op);
  if (op.spec.suspend === true) return;
  if (op.spec.parallelism !== undefined) op.activePods = activePods(op);

  const root = executeTemplate(op, op.name, { template: op.spec.entrypoint }, op.spec.arguments, {});
  if (root.err && root.err.kind !== "parallelism") {
    if (!workflowCompleted(op.status.phase)) {
      markWorkflowPhase(op, "Error", `error in entry template execution: ${root.err.message}`);
    }
    return;
  }
  const node = root.node;
  if (!node) return;
  const workflowStatus = nodeToWorkflowPhase[node.phase ?? "Running"];
  op.globals["workflow.status"] = workflowStatus;
  op.globals["workflow.failures"] = failuresJson(op);

  const hooks = runLifecycleHooks(op, op.spec.hooks, node, undefined, "workflow", {});
  // As Argo's operate: a hook that cannot run errs the entrypoint's node, whose end runs the exit
  // handler and ends the workflow with its message.
  if (hooks.err) markNodeError(op, node.name, hooks.err);
  if (!hooks.done || !fulfilled(node)) return;

  let onExitNode: NodeStatus | undefined;
  const exitHook = stepExitHook(op, { onExit: op.spec.onExit, hooks: op.spec.hooks });
  if (exitHook) {
    const name = onExitNodeName(op.name);
    onExitNode = getNode(op, name);
    if (onExitNode || shouldExecute(op, true)) {
      const r = executeTemplate(
        op,
        name,
        { template: exitHook.template, templateRef: exitHook.templateRef },
        exitHook.arguments,
        {
          onExitTemplate: true,
          nodeFlag: { hooked: true },
        },
      );
      if (r.err && r.err.kind !== "parallelism") {
        if (!workflowCompleted(op.status.phase)) {
          markWorkflowPhase(op, "Error", `error in exit template execution : ${r.err.message}`);
        }
        return;
      }
      onExitNode = r.node;
      if (!onExitNode || !fulfilled(onExitNode)) return;
    }
  }

  const shutdown = op.spec.shutdown ?? "";
  const message = failedOrError(node.phase) && shutdown !== ""
    ? `Stopped with strategy '${shutdown}'`
    : node.message ?? "";
  killAllDaemons(op);
  switch (workflowStatus) {
    case "Succeeded":
      if (onExitNode && failedOrError(onExitNode.phase)) {
        markWorkflowPhase(op, onExitNode.phase === "Failed" ? "Failed" : "Error", onExitNode.message ?? "");
      } else {
        markWorkflowPhase(op, "Succeeded", "");
      }
      break;
    case "Failed":
      markWorkflowPhase(op, "Failed", message);
      break;
    case "Error":
      markWorkflowPhase(op, "Error", message);
      break;
    default:
      markWorkflowPhase(op, "Error", `Unexpected node phase ${op.name}: ${node.phase ?? ""}`);
  }
}

/** Argo's `substituteGlobalVariables`: globals into the spec, except the templates. */
function substituteGlobalVariables(op: Op): void {
  const { templates, ...rest } = op.spec;
  const json = JSON.stringify(rest);
  if (!json.includes("{{")) return;
  const substituted = substituteIn(op.expr, op.globals, rest);
  op.spec = templates ? { ...substituted, templates } : substituted;
}

/** Kill actions for pods of finished nodes that the host still sees running. */
function killActions(op: Op): KillNodeAction[] {
  const kills: KillNodeAction[] = [];
  // The finished pods (not daemons) are those flagged so (facts.ts), in the order of the nodes.
  const finishedPods = op.tree.valuesByPlace()
    ? placesWith(op, FINISHED_POD).map((place) => op.tree.nodeAt(place))
    : op.tree.values().filter((node) => nodeFlags(node) & FINISHED_POD);
  for (const node of finishedPods) {
    const obs = op.observed[node.id];
    if (!obs || (obs.phase !== "Pending" && obs.phase !== "Running")) continue;
    kills.push({
      type: "kill",
      nodeId: node.id,
      podName: podName(op.name, node.name, node.templateRef?.template ?? node.templateName ?? ""),
      reason: node.message ?? `node ${node.phase ?? ""}`,
    });
  }
  return kills;
}

/**
 * The result of the last pass. Progress is derived from the nodes alone, so it is computed once
 * here rather than in every pass.
 */
function finish(op: Op, starts: Map<string, RunSpec>, changed: boolean): ReconcileResult {
  if (updateProgress(op)) changed = true;
  keepLastingPrefixes(op);
  keepLastingItems(op);
  op.status.nodes = op.tree.result();
  const actions: Action[] = [];
  for (const [id, run] of starts) {
    const node = op.tree.peek(id);
    if (node && !fulfilled(node) && !op.observed[id]) actions.push({ type: "start", run });
  }
  actions.push(...killActions(op));
  if (!workflowCompleted(op.status.phase)) {
    const next = op.wakes.filter((t) => t > op.now).sort((a, b) => a - b)[0];
    if (next !== undefined) actions.push({ type: "wake", at: formatTime(Math.ceil(next / 1000) * 1000) });
  }
  return { status: op.status, actions, changed };
}
