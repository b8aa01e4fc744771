/**
 * DAG templates (Argo's `executeDAG`/`executeDAGTask`): tasks run when their `dependencies` or
 * `depends` are met, are Omitted when they can no longer be, and the DAG's phase comes from its
 * target tasks (its leaves unless `target` is given) as Argo's `assessDAGPhase` computes it.
 */

import type { DAGTask, NodePhase, NodeStatus, Template } from "../spec/types.ts";
import { resolveArgumentArtifacts } from "./artifacts.ts";
import type { Op } from "./context.ts";
import { shutdownOf } from "./context.ts";
import { killDaemonedChildren } from "./daemons.ts";
import { dependsLogic } from "./depends.ts";
import type { Exec, ExecOpts } from "./exec-types.ts";
import { executeTemplate } from "./execute.ts";
import { MAX_STACK_DEPTH } from "./context.ts";
import { continueStartedPod, plainPodTemplate, type StartedPod, startedPod } from "./started.ts";
import { runLifecycleHooks, runOnExitNode, stepExitHook } from "./exit-handlers.ts";
import { substituteIn, type TaskFacts } from "./expr.ts";
import { loopItem, loopItems, shouldExpand, substituteItem } from "./loops.ts";
import {
  addChildNode,
  completed,
  failedOrError,
  fulfilled,
  getNode,
  initializeNode,
  markNodeError,
  markNodePhase,
  nodeById,
  outboundNodes,
  peekNode,
  phaseFulfilled,
  templateNode,
} from "./nodes.ts";
import { nodeId } from "./names.ts";
import type { NodeView } from "./tree.ts";
import { workflowParallelismReached, workflowParallelismRoom } from "./parallelism.ts";
import {
  addOutputsToGlobalScope,
  buildLocalScope,
  type LocalScope,
  processAggregateNodeOutputs,
  templateOutputsFromScope,
} from "./outputs.ts";
import { continuesOn, createScope } from "./steps.ts";
import { parseTime } from "./time.ts";
import { evalWhens, whenError, whenFalse } from "./when.ts";

/** Context of one DAG node. */
export interface DagContext {
  boundaryName: string;
  boundaryID: string;
  tasks: DAGTask[];
  visited: Set<string>;
  tmpl: Template;
  onExitTemplate: boolean;
  deps: Map<string, string[]>;
  logic: Map<string, string>;
}

function taskNodeName(d: DagContext, task: string): string {
  return `${d.boundaryName}.${task}`;
}

/** The node of a task, to read only (see tree.ts): most of a large DAG is finished and never written. */
function taskNode(op: Op, d: DagContext, task: string): NodeView | undefined {
  return peekNode(op, taskNodeName(d, task));
}

/** The task called `name`; throws as Argo panics when a target does not exist. */
export function getTask(d: DagContext, name: string): DAGTask {
  const task = d.tasks.find((t) => t.name === name);
  if (!task) throw new Error(`target ${name} does not exist`);
  return task;
}

function resolve(op: Op, d: DagContext, name: string): void {
  const task = getTask(d, name);
  const { names, logic } = dependsLogic(op.expr, task);
  d.deps.set(name, names);
  d.logic.set(name, logic);
}

function depsOf(op: Op, d: DagContext, name: string): string[] {
  if (!d.deps.has(name)) resolve(op, d, name);
  return d.deps.get(name) ?? [];
}

function logicOf(op: Op, d: DagContext, name: string): string {
  if (!d.logic.has(name)) resolve(op, d, name);
  return d.logic.get(name) ?? "";
}

/** Argo's `findLeafTaskNames`: tasks nothing depends on, sorted. */
function leafTaskNames(op: Op, d: DagContext): string[] {
  const isLeaf = new Map<string, boolean>();
  for (const task of d.tasks) {
    if (!isLeaf.has(task.name)) isLeaf.set(task.name, true);
    for (const dep of depsOf(op, d, task.name)) isLeaf.set(dep, false);
  }
  return [...isLeaf].filter(([, leaf]) => leaf).map(([name]) => name).sort();
}

/** Argo's `assessDAGPhase`. */
function assessDagPhase(op: Op, d: DagContext, targets: string[], isShutdown: boolean): NodePhase {
  if (isShutdown) return "Failed";
  const targetPhases = new Map<string, NodePhase | "">();
  for (const t of targets) targetPhases.set(taskId(op, d, t), "");
  const boundary = nodeById(op, d.boundaryID);
  const seen = new Set<string>();
  const queue: { id: string; phase: NodePhase }[] = [];
  const add = (ids: string[], phase: NodePhase) => {
    for (const id of ids) {
      const key = `${id}-${phase}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({ id, phase });
    }
  };
  add(boundary.children ?? [], "Succeeded");
  while (queue.length > 0) {
    const curr = queue.shift() as { id: string; phase: NodePhase };
    const node = op.tree.peek(curr.id);
    if (!node || !fulfilled(node)) return "Running";
    let branchPhase = curr.phase;
    if (completed(node.phase)) branchPhase = node.phase as NodePhase;
    if (targetPhases.has(node.id)) {
      const previous = targetPhases.get(node.id);
      if (!failedOrError(previous as NodePhase)) targetPhases.set(node.id, branchPhase);
    }
    if (node.type === "Retry") add(retryChildrenIds(op, node), branchPhase);
    else add(node.children ?? [], branchPhase);
  }
  const failFast = d.tmpl.dag?.failFast !== false;
  let result: NodePhase = "Succeeded";
  for (const name of targets) {
    const branchPhase = targetPhases.get(taskId(op, d, name)) ?? "";
    if (branchPhase === "") {
      result = "Running";
      if (!failFast) break;
    } else if (failedOrError(branchPhase)) {
      if (continuesOn(getTask(d, name), branchPhase)) continue;
      result = branchPhase;
      if (failFast) break;
    }
  }
  return result;
}

function taskId(op: Op, d: DagContext, task: string): string {
  return nodeId(op.name, taskNodeName(d, task));
}

/** Argo's `getRetryNodeChildrenIds`: the children of the attempts (and hook nodes) of a Retry node. */
function retryChildrenIds(op: Op, node: NodeView): string[] {
  const ids: string[] = [];
  const children = node.children ?? [];
  for (let i = children.length - 1; i >= 0; i--) {
    const child = op.tree.peek(children[i] ?? "");
    if (!child) continue;
    if (child.nodeFlag?.hooked) ids.push(child.id);
    else if (child.children && child.children.length > 0) ids.push(...child.children);
  }
  return ids;
}

/** Argo's `executeDAG`. */
export function executeDag(
  op: Op,
  nodeName: string,
  templateName: string,
  tmpl: Template,
  opts: ExecOpts,
): Exec {
  const { node } = templateNode(op, nodeName, "DAG", "Running", {
    templateName,
    boundaryID: opts.boundaryID,
    flag: opts.nodeFlag,
    inputs: tmpl.inputs,
  });
  const d: DagContext = {
    boundaryName: nodeName,
    boundaryID: node.id,
    tasks: tmpl.dag?.tasks ?? [],
    visited: new Set(),
    tmpl,
    onExitTemplate: opts.onExitTemplate === true,
    deps: new Map(),
    logic: new Map(),
  };
  try {
    return runDag(op, d, node, nodeName);
  } catch (e) {
    const message = (e as Error).message;
    return { node: markNodeError(op, nodeName, message), err: { kind: "error", message } };
  } finally {
    const now = op.tree.peek(node.id);
    if (now && fulfilled(now)) killDaemonedChildren(op, now.id);
  }
}

function runDag(op: Op, d: DagContext, node: NodeStatus, nodeName: string): Exec {
  const target = d.tmpl.dag?.target ?? "";
  const targets = target === "" ? leafTaskNames(op, d) : target.split(" ");
  for (const task of d.tasks) {
    const tn = taskNode(op, d, task.name);
    if (tn?.daemoned) executeDagTask(op, d, task.name);
  }
  let onExitCompleted = true;
  for (const name of targets) {
    executeDagTask(op, d, name);
    const tn = taskNode(op, d, name);
    if (!tn) continue;
    const task = getTask(d, name);
    const scope = buildLocalScopeFromTask(op, d, task);
    scope[`tasks.${task.name}.status`] = tn.phase ?? "";
    const hooks = runLifecycleHooks(op, task.hooks, tn, d.boundaryID, `tasks.${name}`, scope);
    if (hooks.err) {
      markNodeError(op, nodeName, hooks.err);
      return { node, err: { kind: "error", message: hooks.err } };
    }
    if (fulfilled(tn) && completed(tn.phase)) {
      const exit = runOnExitNode(op, stepExitHook(op, task), tn, d.boundaryID, `tasks.${name}`, scope);
      if (exit.err) return { node, err: exit.err };
      if (exit.has && (!exit.node || !fulfilled(exit.node))) onExitCompleted = false;
    }
  }
  const phase = assessDagPhase(op, d, targets, shutdownOf(op) !== "" && onExitCompleted);
  if (phase === "Running") return { node };
  if (phase === "Failed" || phase === "Error") {
    updateOutboundNodes(op, d, targets, nodeName);
    markNodePhase(op, nodeName, phase);
    return { node };
  }
  const scope = createScope(op, d.tmpl);
  for (const task of d.tasks) {
    const tn = taskNode(op, d, task.name);
    if (!tn) continue;
    const prefix = `tasks.${task.name}`;
    if (tn.type === "TaskGroup") {
      processAggregateNodeOutputs(scope, prefix, (tn.children ?? []).map((id) => nodeById(op, id)));
    }
    buildLocalScope(op, scope, prefix, tn);
    addOutputsToGlobalScope(op, tn.outputs);
  }
  const outputs = templateOutputsFromScope(op, d.tmpl, scope);
  if (outputs) node.outputs = outputs;
  updateOutboundNodes(op, d, targets, nodeName);
  return { node: markNodePhase(op, nodeName, "Succeeded") };
}

function updateOutboundNodes(op: Op, d: DagContext, targets: string[], nodeName: string): void {
  const outbound: string[] = [];
  for (const name of targets) {
    const tn = taskNode(op, d, name);
    if (tn) outbound.push(...outboundNodes(op, tn.id));
  }
  const node = getNode(op, nodeName);
  if (node) node.outboundNodes = outbound;
}

/** Argo's `GetTaskAncestry`: every task this one depends on, directly or not, by finish time. */
function taskAncestry(op: Op, d: DagContext, name: string): string[] {
  const visited = new Set<string>();
  const out: string[] = [];
  const walk = (curr: string) => {
    if (visited.has(curr)) return;
    visited.add(curr);
    for (const dep of depsOf(op, d, curr)) walk(dep);
    if (curr !== name) out.push(curr);
  };
  walk(name);
  const finished = (t: string) => {
    const n = taskNode(op, d, t);
    const at = n?.finishedAt ?? n?.startedAt;
    return at ? parseTime(at) : 0;
  };
  return out.sort((a, b) => finished(a) - finished(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Argo's `buildLocalScopeFromTask`: the outputs of the task's ancestors as `tasks.<name>.*`. */
function buildLocalScopeFromTask(op: Op, d: DagContext, task: DAGTask): LocalScope {
  const scope = createScope(op, d.tmpl);
  for (const ancestor of taskAncestry(op, d, task.name)) {
    const an = taskNode(op, d, ancestor);
    if (!an) throw new Error(`Ancestor task node ${ancestor} not found`);
    const prefix = `tasks.${ancestor}`;
    if (an.type === "TaskGroup") {
      const items = op.tree.values().filter((n) =>
        n.boundaryID === d.boundaryID && n.name.startsWith(`${an.name}(`)
      );
      processAggregateNodeOutputs(scope, prefix, items);
    } else {
      buildLocalScope(op, scope, prefix, an);
    }
  }
  return scope;
}

function allHooksFulfilled(op: Op, node: NodeView): boolean {
  for (const id of node.children ?? []) {
    const child = op.tree.peek(id);
    if (child?.nodeFlag?.hooked && !fulfilled(child)) return false;
  }
  return true;
}

/** Argo's `evaluateDependsLogic`: [execute, proceed]. */
function evaluateDepends(op: Op, d: DagContext, name: string): { execute: boolean; proceed: boolean } {
  if (taskNode(op, d, name)) return { execute: true, proceed: true };
  const tasks: Record<string, TaskFacts> = {};
  for (const dep of depsOf(op, d, name)) {
    const dn = taskNode(op, d, dep);
    if (!dn || !fulfilled(dn) || !allHooksFulfilled(op, dn)) return { execute: false, proceed: false };
    const facts: TaskFacts = { phase: dn.phase ?? "" };
    if (dn.type === "TaskGroup") {
      facts.children = (dn.children ?? []).map((id) => op.tree.peek(id)?.phase ?? "");
    }
    if (dn.daemoned) facts.daemoned = true;
    const continueOn = getTask(d, dep).continueOn;
    if (continueOn) facts.continueOn = { ...continueOn };
    tasks[dep] = facts;
  }
  const logic = logicOf(op, d, name);
  const [r] = op.expr.evalDependsBatch([logic], tasks);
  if (!r || "error" in r) {
    throw new Error(
      `unable to evaluate expression '${logic.replaceAll("-", "_")}': ${r ? r.error : "no result"}`,
    );
  }
  return { execute: r.value, proceed: true };
}

/** Argo's `executeDAGTask`: runs a task once its dependencies allow, first walking up to them. */
function executeDagTask(op: Op, d: DagContext, name: string): void {
  if (d.visited.has(name)) return;
  d.visited.add(name);
  let node = taskNode(op, d, name);
  const task = getTask(d, name);
  if (node && (fulfilled(node) || node.phase === "Running")) {
    const scope = buildLocalScopeFromTask(op, d, task);
    scope[`tasks.${task.name}.status`] = node.phase ?? "";
    const hooks = runLifecycleHooks(op, task.hooks, node, d.boundaryID, `tasks.${name}`, scope);
    if (hooks.err) markNodeError(op, node.name, hooks.err);
    if (!hooks.done) return;
  }
  if (node && phaseFulfilled(node.phase)) {
    if (completed(node.phase)) {
      const scope = buildLocalScopeFromTask(op, d, task);
      scope[`tasks.${task.name}.status`] = node.phase ?? "";
      runOnExitNode(op, stepExitHook(op, task), node, d.boundaryID, `tasks.${name}`, scope);
    }
    return;
  }
  const nodeName = taskNodeName(d, name);
  const deps = depsOf(op, d, name);
  let group = getNode(op, nodeName);
  if (group && group.type !== "TaskGroup") group = undefined;
  const connect = (child: string) => {
    if (deps.length === 0 || group) {
      addChildNode(op, group ? group.name : d.boundaryName, child);
      return;
    }
    for (const dep of deps) {
      const dn = taskNode(op, d, dep);
      if (!dn) continue;
      for (const out of outboundNodes(op, dn.id)) addChildNode(op, nodeById(op, out).name, child);
    }
  };
  const skipped = (child: string, phase: NodePhase, message: string) => {
    initializeNode(op, child, "Skipped", phase, {
      templateName: task.template,
      boundaryID: d.boundaryID,
      message,
    });
  };
  if (logicOf(op, d, name) !== "") {
    for (const dep of deps) executeDagTask(op, d, dep);
    let decision;
    try {
      decision = evaluateDepends(op, d, name);
    } catch (e) {
      skipped(nodeName, "Error", (e as Error).message);
      connect(nodeName);
      return;
    }
    if (!decision.proceed) return;
    if (!decision.execute) {
      skipped(nodeName, "Omitted", "omitted: depends condition not met");
      connect(nodeName);
      return;
    }
  }
  let resolved: DAGTask;
  let expanded: Expanded[];
  try {
    const scope = buildLocalScopeFromTask(op, d, task);
    resolved = substituteIn(op.expr, [op.globals, scope], task);
    [resolved] = resolveArgumentArtifacts(op, [resolved], () => ({ ...op.globals, ...scope })) as [DAGTask];
    expanded = expandTask(op, d, resolved);
  } catch (e) {
    if (!getNode(op, nodeName)) skipped(nodeName, "Error", (e as Error).message);
    connect(nodeName);
    return;
  }
  if (shouldExpand(task)) {
    if (expanded.length === 0) {
      if (!getNode(op, nodeName)) skipped(nodeName, "Skipped", "Skipped, empty params");
      connect(nodeName);
    } else if (!group) {
      connect(nodeName);
      group = initializeNode(op, nodeName, "TaskGroup", "Running", {
        templateName: task.template,
        boundaryID: d.boundaryID,
      });
    }
  }
  const whens = evalWhens(op, expanded.map((e) => (taskNode(op, d, e.task.name) ? "" : e.task.when ?? "")));
  for (let i = 0; i < expanded.length; i++) {
    const { task: t, nodeName: tName, started } = expanded[i] as Expanded;
    node = taskNode(op, d, t.name);
    if (!node) {
      connect(tName);
      const w = whens[i];
      const error = whenError(w);
      if (error !== undefined) {
        skipped(tName, "Error", error);
        continue;
      }
      if (whenFalse(w)) {
        skipped(tName, "Skipped", `when '${t.when ?? ""}' evaluated false`);
        continue;
      }
    }
    // What executeTemplate would answer (parallelism reached) without processing the template.
    if (!node && workflowParallelismReached(op)) return;
    const r = started ? continueStartedPod(op, started) : executeTemplate(op, tName, t, t.arguments, {
      boundaryID: d.boundaryID,
      onExitTemplate: d.onExitTemplate,
    }, "task");
    if (r.err) {
      switch (r.err.kind) {
        case "parallelism":
        case "maxDepth":
          break;
        case "timeout":
          markNodePhase(op, tName, "Failed", r.err.message);
          return;
        default:
          markNodeError(op, tName, `task '${tName}' errored: ${r.err.message}`);
          return;
      }
    }
    if (!r.node) return;
    if (completed(r.node.phase)) {
      const scope = buildLocalScopeFromTask(op, d, task);
      scope[`tasks.${task.name}.status`] = r.node.phase ?? "";
      const exit = runOnExitNode(op, stepExitHook(op, task), r.node, d.boundaryID, `tasks.${name}`, scope);
      if (exit.has && (!exit.node || !fulfilled(exit.node) || exit.err)) return;
    }
  }
  if (group) {
    let groupPhase: NodePhase = "Succeeded";
    for (const { task: t } of expanded) {
      const n = taskNode(op, d, t.name);
      if (!n || !fulfilled(n)) return;
      if (failedOrError(n.phase)) groupPhase = n.phase as NodePhase;
    }
    markNodePhase(op, group.name, groupPhase);
  }
}

/** A task to execute, as expanded from a loop (or not). */
interface Expanded {
  task: DAGTask;
  nodeName: string;
  /** The item's started pod, executed without its task substituted (see started.ts). */
  started?: StartedPod | undefined;
}

/** Argo's `expandTask`: the task itself, or one task per loop item. */
function expandTask(op: Op, d: DagContext, task: DAGTask): Expanded[] {
  if (!shouldExpand(task)) return [{ task, nodeName: taskNodeName(d, task.name) }];
  const [w] = evalWhens(op, [task.when ?? ""]);
  const items = loopItems(task, whenFalse(w));
  const { withItems: _a, withParam: _b, withSequence: _c, ...base } = task;
  // As for steps (see executeStepGroup): items that cannot start while the workflow's parallelism
  // is used up are not substituted; executeDagTask stops at the first of them without running it.
  let room = workflowParallelismRoom(op);
  // Nor is a started pod of an item (see started.ts), whose task is then only read for its name.
  const plain = op.depth + 1 < MAX_STACK_DEPTH ? plainPodTemplate(op, base) : undefined;
  return items.map((raw, i): Expanded => {
    const item = loopItem(task.name, i, raw);
    const existing = taskNode(op, d, item.name);
    let t: DAGTask;
    const started = existing && plain && !fulfilled(existing)
      ? startedPod(op, existing, plain, { boundaryID: d.boundaryID, onExitTemplate: d.onExitTemplate })
      : undefined;
    if (started) return { task: { ...base, name: item.name }, nodeName: taskNodeName(d, item.name), started };
    if (existing && fulfilled(existing)) t = { ...base, name: item.name };
    else if (!existing && task.when === undefined && room-- <= 0) t = { ...base, name: item.name };
    else {
      t = { ...substituteItem(op.expr, base, item.vars), name: item.name };
      if (task.template !== undefined) t.template = task.template;
    }
    return { task: t, nodeName: taskNodeName(d, item.name) };
  });
}
