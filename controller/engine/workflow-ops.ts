/**
 * Retrying and resubmitting a finished workflow (Argo's `FormulateRetryWorkflow` and
 * `FormulateResubmitWorkflow`): pure functions from the old workflow to the new one.
 */

import type { NodeStatus, Workflow } from "../spec/types.ts";
import { podName } from "./names.ts";
import { overrideParameters } from "../spec/parameters.ts";
import { selectorMatches } from "./suspend.ts";
import { formatTime, parseTime } from "./time.ts";

/** Options of {@link retryWorkflow}. */
export interface RetryOptions {
  /** `NAME=VALUE` (or name -> value) overrides of the workflow's parameters. */
  parameters?: string[] | Record<string, string>;
  /** Also re-run succeeded nodes matching `nodeFieldSelector`. */
  restartSuccessful?: boolean;
  nodeFieldSelector?: string;
  /** When the retry happens (RFC 3339): the workflow's new startedAt. */
  now?: string;
}

/** A retried workflow and the pods the host must delete before reconciling it. */
export interface RetryResult {
  workflow: Workflow;
  /** Pods of the nodes removed from the status: delete them (and forget their observations). */
  podsToDelete: string[];
}

interface DagNode {
  n: NodeStatus;
  parent: DagNode | undefined;
  children: DagNode[];
}

function isGroupNodeType(t: string): boolean {
  return t === "DAG" || t === "TaskGroup" || t === "StepGroup" || t === "Steps";
}

/**
 * Argo's `FormulateRetryWorkflow` (`argo retry`): a Failed/Error workflow runs again from where it
 * failed. Failed pods are removed from the status (so they run again), the nodes above them are
 * reset to Running, succeeded work is kept, and the workflow's exit handler runs again.
 */
export function retryWorkflow(workflow: Workflow, options: RetryOptions = {}): RetryResult {
  const old = workflow;
  const phase = old.status?.phase ?? "";
  const selector = options.nodeFieldSelector ?? "";
  if (phase === "Succeeded") {
    if (!options.restartSuccessful || selector === "") {
      throw new Error(
        "To retry a succeeded workflow, set the options restartSuccessful and nodeFieldSelector",
      );
    }
  } else if (phase !== "Failed" && phase !== "Error") {
    throw new Error(`Cannot retry a workflow in phase ${phase}`);
  }
  const name = old.metadata.name ?? "";
  const onExitName = `${name}.onExit`;
  const oldNodes = old.status?.nodes ?? {};
  const wf = structuredClone(old);
  const status = wf.status ?? {};
  wf.status = status;
  if (wf.metadata.labels) {
    delete wf.metadata.labels["workflows.argoproj.io/completed"];
    delete wf.metadata.labels["workflows.argoproj.io/workflow-archiving-status"];
    if ("workflows.argoproj.io/phase" in wf.metadata.labels) {
      wf.metadata.labels["workflows.argoproj.io/phase"] = "Running";
    }
  }
  status.phase = "Running";
  status.nodes = {};
  delete status.message;
  if (options.now) status.startedAt = formatTime(parseTime(options.now));
  delete status.finishedAt;
  delete wf.spec.shutdown;
  if (wf.spec.activeDeadlineSeconds === 0) delete wf.spec.activeDeadlineSeconds;
  if (options.parameters) overrideParameters(wf, options.parameters);
  const newNodes = status.nodes;

  const toResetSelected = new Set<string>();
  if (options.restartSuccessful && selector !== "") {
    for (const n of Object.values(oldNodes)) if (selectorMatches(selector, n)) toResetSelected.add(n.id);
  }
  const parentOf = new Map<string, NodeStatus>();
  for (const n of Object.values(oldNodes)) for (const c of n.children ?? []) parentOf.set(c, n);
  const descendantSucceeded = (n: NodeStatus): boolean =>
    (n.children ?? []).some((c) => {
      const child = oldNodes[c];
      if (!child) return false;
      return (!toResetSelected.has(c) && child.phase === "Succeeded") || descendantSucceeded(child);
    });
  const deleteSeeds = new Set(toResetSelected);
  for (const [id, n] of Object.entries(oldNodes)) {
    if ((n.phase === "Failed" || n.phase === "Error") && (n.type === "Pod" || n.type === "Container")) {
      const subject = n.nodeFlag?.retried ? parentOf.get(id) ?? n : n;
      if (!descendantSucceeded(subject)) deleteSeeds.add(id);
    }
  }

  // The node graph (parents through children links), breadth first from the root.
  const dag = new Map<string, DagNode>();
  for (const n of Object.values(oldNodes)) dag.set(n.id, { n, parent: undefined, children: [] });
  for (const d of dag.values()) {
    const parent = parentOf.get(d.n.id);
    if (!parent && d.n.name !== name && !d.n.name.startsWith(onExitName)) {
      throw new Error(`couldn't find parent node for ${d.n.id}`);
    }
    d.parent = parent ? dag.get(parent.id) : undefined;
    d.children = (d.n.children ?? []).map((c) => {
      const child = dag.get(c);
      if (!child) throw new Error(`coudln't obtain child ${c}`);
      return child;
    });
  }
  const sorted: DagNode[] = [];
  const root = [...dag.values()].find((d) => d.n.name === name);
  if (!root) throw new Error("couldn't find root node");
  const seen = new Set<string>();
  for (const queue = [root]; queue.length > 0;) {
    const curr = queue.shift() as DagNode;
    if (seen.has(curr.n.id)) continue;
    seen.add(curr.n.id);
    sorted.push(curr);
    queue.push(...curr.children);
  }

  const descendants = (d: DagNode): Set<string> => {
    const out = new Set<string>();
    for (const queue = [...d.children]; queue.length > 0;) {
      const c = queue.shift() as DagNode;
      if (out.has(c.n.id)) continue;
      out.add(c.n.id);
      queue.push(...c.children);
    }
    return out;
  };
  const toReset = new Set<string>();
  const toDelete = new Set<string>();
  const resetUntil = (d: DagNode | undefined, match: (x: DagNode) => boolean): DagNode => {
    for (let curr = d; curr; curr = curr.parent) {
      if (match(curr)) {
        toReset.add(curr.n.id);
        return curr;
      }
    }
    throw new Error("was seeking node but ran out of nodes to explore");
  };
  const resetBoundaries = (d: DagNode): DagNode | undefined => {
    let curr: DagNode | undefined = d;
    while (curr) {
      if (curr.parent?.n.type === "Retry") {
        toReset.add(curr.parent.n.id);
        curr = curr.parent;
      }
      if (curr.parent?.n.type === "StepGroup" || curr.parent?.n.type === "TaskGroup") {
        toReset.add(curr.parent.n.id);
      }
      const boundary: string | undefined = curr.n.boundaryID;
      if (!boundary) return curr.parent;
      curr = resetUntil(curr, (x) => x.n.id === boundary);
    }
    return curr;
  };
  for (const d of sorted) {
    if (!deleteSeeds.has(d.n.id) || toDelete.has(d.n.id)) continue;
    toDelete.add(d.n.id);
    for (const id of descendants(d)) toDelete.add(id);
    let curr: DagNode | undefined = d.parent;
    while (curr) {
      if (isGroupNodeType(curr.n.type)) {
        toReset.add(curr.n.id);
        curr = resetBoundaries(curr);
        continue;
      }
      if (curr.n.type === "Retry" && (curr.n.phase === "Failed" || curr.n.phase === "Error")) {
        toReset.add(curr.n.id);
      }
      curr = curr.parent;
    }
  }

  const podsToDelete: string[] = [];
  const deletePod = (n: NodeStatus) => {
    if (n.type !== "Pod") return;
    const pod = podName(name, n.name, n.templateRef?.template ?? n.templateName ?? "");
    if (!podsToDelete.includes(pod)) podsToDelete.push(pod);
  };
  for (const id of toReset) {
    if (toDelete.has(id)) continue;
    const n = structuredClone(oldNodes[id] as NodeStatus);
    if (n.phase !== "Skipped") n.phase = "Running";
    delete n.message;
    if (options.now) n.startedAt = formatTime(parseTime(options.now));
    delete n.finishedAt;
    newNodes[id] = n;
  }
  for (const id of toDelete) {
    const n = oldNodes[id];
    if (n) deletePod(n);
  }
  for (const [id, n] of Object.entries(oldNodes)) {
    const isExit = n.name.startsWith(onExitName);
    if (!newNodes[id] && !toDelete.has(id) && !isExit) newNodes[id] = structuredClone(n);
    if (n.name === onExitName) {
      for (const queue = [n]; queue.length > 0;) {
        const curr = queue.shift() as NodeStatus;
        deletePod(curr);
        for (const c of curr.children ?? []) if (oldNodes[c]) queue.push(oldNodes[c] as NodeStatus);
      }
    }
  }
  for (const [id, n] of Object.entries(newNodes)) {
    const oldNode = oldNodes[id];
    if (!oldNode) continue;
    const children = (oldNode.children ?? []).filter((c) => !toDelete.has(c));
    const outbound = (oldNode.outboundNodes ?? []).filter((c) => !toDelete.has(c));
    if (children.length > 0) n.children = children;
    else delete n.children;
    if (outbound.length > 0) n.outboundNodes = outbound;
    else delete n.outboundNodes;
  }
  return { workflow: wf, podsToDelete };
}

/** Options of {@link resubmitWorkflow}. */
export interface ResubmitOptions {
  /** Name of the new workflow (hosts generate it, e.g. from `generateName`). */
  name: string;
  /** `NAME=VALUE` (or name -> value) overrides of the workflow's parameters. */
  parameters?: string[] | Record<string, string>;
}

/**
 * Argo's `FormulateResubmitWorkflow` (`argo resubmit`): a new workflow with the same spec, a new
 * name, no status, labelled with the workflow it came from.
 */
export function resubmitWorkflow(workflow: Workflow, options: ResubmitOptions): Workflow {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(workflow.metadata.labels ?? {})) {
    if (!k.startsWith("workflows.argoproj.io/")) labels[k] = v;
  }
  labels["workflows.argoproj.io/resubmitted-from-workflow"] = workflow.metadata.name ?? "";
  const wf: Workflow = {
    apiVersion: workflow.apiVersion,
    kind: "Workflow",
    metadata: { name: options.name, labels },
    spec: structuredClone(workflow.spec),
  };
  if (workflow.metadata.namespace) wf.metadata.namespace = workflow.metadata.namespace;
  if (workflow.metadata.annotations) wf.metadata.annotations = structuredClone(workflow.metadata.annotations);
  delete wf.spec.shutdown;
  if (options.parameters) overrideParameters(wf, options.parameters);
  return wf;
}
