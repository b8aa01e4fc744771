/**
 * Deadlines and shutdown: the workflow's `activeDeadlineSeconds`, a pod's deadline (template
 * `activeDeadlineSeconds`, `timeout`, retry `maxDuration`), and `spec.shutdown` (Stop/Terminate),
 * applied as Argo's execution control does: running pods are killed and their nodes failed.
 */

import type { NodeStatus, Template } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { shouldExecute, shutdownOf, wakeAt } from "./context.ts";
import { fulfilled, isPartOfExitHandler, markNodePhase } from "./nodes.ts";
import { parseArgoDuration, parseGoDuration, parseTime } from "./time.ts";

/** Message of a pod killed because it ran past its own deadline (Kubernetes' wording). */
export const POD_DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline";
/** Message of a node stopped by the workflow's deadline. */
export const STEP_DEADLINE_MESSAGE = "Step exceeded its deadline";

/** Argo's `getWorkflowDeadline`: startedAt (whole seconds) + activeDeadlineSeconds. */
export function workflowDeadline(op: Op): number | undefined {
  const ads = op.spec.activeDeadlineSeconds;
  if (ads === undefined || ads === null) return undefined;
  const started = op.status.startedAt;
  if (!started) return undefined;
  return Math.floor(parseTime(started) / 1000) * 1000 + Number(ads) * 1000;
}

/** Has the workflow's deadline passed? */
export function workflowDeadlinePassed(op: Op): boolean {
  return op.deadline !== undefined && op.now >= op.deadline;
}

/** The pod's own deadline: template activeDeadlineSeconds and timeout, counted from the node's start. */
export function templatePodDeadline(
  node: NodeStatus,
  tmpl: Template,
  executionDeadline?: number,
): number | undefined {
  if (tmpl.activeDeadlineSeconds === undefined && !tmpl.timeout) return executionDeadline;
  const started = node.startedAt ? parseTime(node.startedAt) : undefined;
  let deadline = executionDeadline;
  const min = (t: number) => (deadline = deadline === undefined ? t : Math.min(deadline, t));
  if (started !== undefined && tmpl.activeDeadlineSeconds !== undefined) {
    const ads = Number(tmpl.activeDeadlineSeconds);
    if (!Number.isNaN(ads)) min(started + ads * 1000);
  }
  if (started !== undefined && tmpl.timeout) min(started + parseGoDuration(tmpl.timeout));
  return deadline;
}

/** The deadline written into a RunSpec: the pod's own, and the workflow's unless it is an exit handler. */
export function runDeadline(op: Op, own: number | undefined, onExit: boolean): number | undefined {
  const wf = onExit ? undefined : op.deadline;
  if (own === undefined) return wf;
  if (wf === undefined) return own;
  return Math.min(own, wf);
}

/** Parses a duration field with Argo's rules, naming the field on error. */
export function durationField(text: string, field: string): number {
  try {
    return parseArgoDuration(text);
  } catch (e) {
    throw new Error(`${field}: ${(e as Error).message}`);
  }
}

/**
 * Argo's `applyExecutionControl` + `failNodesWithoutCreatedPodsAfterDeadlineOrShutdown`: under a
 * shutdown, active pods and suspend nodes outside exit handlers fail (all of them under Terminate);
 * past the workflow's deadline, pending/running pods and suspend nodes outside exit handlers fail.
 */
export function applyExecutionControl(op: Op): void {
  const shutdown = shutdownOf(op);
  const deadlinePassed = workflowDeadlinePassed(op);
  if (op.deadline !== undefined) wakeAt(op, op.deadline);
  if (shutdown === "" && !deadlinePassed) return; // nothing below would fail a node
  for (const node of op.tree.values()) {
    if (fulfilled(node)) continue;
    const partOfExit = isPartOfExitHandler(op, node);
    const podActive = node.type === "Pod" && (node.phase === "Pending" || node.phase === "Running");
    const activeSuspend = node.type === "Suspend" && node.phase === "Running";
    if (shutdown !== "" && !shouldExecute(op, partOfExit)) {
      if (podActive) {
        markNodePhase(op, node.name, "Failed", `workflow shutdown with strategy:  ${shutdown}`);
        continue;
      }
      if (activeSuspend) {
        markNodePhase(op, node.name, "Failed", `Stopped with strategy '${shutdown}'`);
        continue;
      }
    }
    if (deadlinePassed && !partOfExit && (podActive || node.phase === "Pending" || activeSuspend)) {
      markNodePhase(op, node.name, "Failed", STEP_DEADLINE_MESSAGE);
    }
  }
}
