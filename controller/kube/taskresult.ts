/**
 * WorkflowTaskResult: how a pod's outputs reach the controller (Argo's design). The pod's `wait`
 * container turns the executor's result into one, named after the node id and labelled with the
 * workflow; the controller reads it (through an informer) as part of the node's observation.
 */
import type { StepResult } from "../../executor/types.ts";
import type { KubeObject } from "./client.ts";
import { LABEL_REPORT_COMPLETED, LABEL_WORKFLOW } from "./labels.ts";

/** Argo's WorkflowTaskResult (NodeResult inline). */
export interface TaskResult extends KubeObject {
  phase?: string;
  message?: string;
  progress?: string;
  outputs?: {
    result?: string;
    exitCode?: string;
    parameters?: { name: string; value: string }[];
    /** Argo's shape: `s3.key` where the artifact repository holds it. */
    artifacts?: { name: string; path?: string; s3?: { key: string } }[];
  };
}

/** Who reports: the pod's identity as the `wait` container knows it from its environment. */
export interface Reporter {
  namespace: string;
  workflowName: string;
  workflowUid: string;
  nodeId: string;
  podName: string;
}

/** The WorkflowTaskResult of an executor's result. */
export function taskResultOf(result: StepResult, who: Reporter): TaskResult {
  const outputs: NonNullable<TaskResult["outputs"]> = {};
  if (result.exitCode !== undefined) outputs.exitCode = String(result.exitCode);
  // `result` as Argo keeps it: stdout's tail without ONE trailing newline (skiff's executor trims it).
  if (result.stdout !== "" || result.exitCode !== undefined) outputs.result = result.result;
  const params = Object.entries(result.parameters ?? {});
  if (params.length > 0) outputs.parameters = params.map(([name, value]) => ({ name, value }));
  const arts = Object.entries(result.artifacts ?? {});
  // Stored in the artifact repository: reported by key, as Argo's executor does; else by path in the pod.
  if (result.stored && result.stored.length > 0) outputs.artifacts = result.stored.map((a) => ({ ...a }));
  else if (arts.length > 0) outputs.artifacts = arts.map(([name, path]) => ({ name, path }));
  const tr: TaskResult = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "WorkflowTaskResult",
    metadata: {
      name: who.nodeId,
      namespace: who.namespace,
      labels: { [LABEL_WORKFLOW]: who.workflowName, [LABEL_REPORT_COMPLETED]: "true" },
      annotations: {
        "workflows.argoproj.io/pod-name": who.podName,
        ...(result.startedAt ? { "skiff.dev/started-at": result.startedAt } : {}),
        "skiff.dev/finished-at": result.finishedAt,
      },
      ...(who.workflowUid
        ? {
          ownerReferences: [{
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Workflow",
            name: who.workflowName,
            uid: who.workflowUid,
          }],
        }
        : {}),
    },
    phase: result.phase,
    outputs,
  };
  if (result.message !== undefined) tr.message = result.message;
  return tr;
}

/** Has the pod reported everything? */
export function reportCompleted(tr: TaskResult): boolean {
  return tr.metadata.labels?.[LABEL_REPORT_COMPLETED] === "true";
}

/**
 * stdout as the engine's observation carries it (untrimmed), rebuilt from a trimmed `result`:
 * adding the ONE newline the executor trimmed gives back the same `result`.
 */
export function stdoutOf(result: string): string {
  return result.endsWith("\r") ? result : `${result}\n`;
}
