/**
 * skiff's engine: Argo Workflows' semantics as one pure function.
 *
 * ```ts
 * import { reconcile } from "./controller/engine/mod.ts";
 * const { status, actions } = reconcile({ workflow, observed: {}, now: "2024-01-01T00:00:00Z" });
 * // actions: start these pods, kill those, wake me at T. Store `status`, carry out the actions,
 * // and call reconcile again with what you observed.
 * ```
 *
 * User intents are workflow edits, as in Argo: `spec.shutdown` (Stop/Terminate), `spec.suspend`,
 * {@link resumeWorkflow}, {@link setSuspendedNode}, {@link retryWorkflow}, {@link resubmitWorkflow},
 * and `-p` overrides through {@link applyParameters} before the first reconcile.
 *
 * @module
 */

export type {
  Action,
  KillNodeAction,
  NodeObservation,
  RunContainer,
  RunInputArtifact,
  RunOutputArtifact,
  RunOutputParameter,
  RunSpec,
  RunVolume,
  RunVolumeMount,
  StartNodeAction,
  WakeAction,
} from "./actions.ts";
export { reconcile, type ReconcileInput, type ReconcileResult } from "./reconcile.ts";
export { applyParameters } from "./params.ts";
export { type ResumeOptions, resumeWorkflow, setSuspendedNode } from "./suspend.ts";
export { resubmitWorkflow, type RetryOptions, retryWorkflow } from "./workflow-ops.ts";
export { fnv32a, nodeId, podName } from "./names.ts";
