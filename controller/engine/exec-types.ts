/** Results and options of executing a template (Argo's `executeTemplate` returns and `executeTemplateOpts`). */

import type { NodeFlag, NodeStatus } from "../spec/types.ts";

/** Why a template could not (yet) run: Argo's sentinel errors, or any other error. */
export type ExecErrorKind = "parallelism" | "maxDepth" | "timeout" | "error";

/** An error of executing a template. */
export interface ExecError {
  kind: ExecErrorKind;
  message: string;
}

/** What executing a template gives back: its node (if created) and an error. */
export interface Exec {
  node?: NodeStatus | undefined;
  err?: ExecError | undefined;
}

/** Options of one template execution. */
export interface ExecOpts {
  /** Id of the steps/dag node this node belongs to. */
  boundaryID?: string | undefined;
  /** Part of an exit handler (runs under `shutdown: Stop` and past the workflow deadline). */
  onExitTemplate?: boolean | undefined;
  nodeFlag?: NodeFlag | undefined;
  /** Deadline (ms) pods inherit, from a retry's backoff.maxDuration. */
  executionDeadline?: number | undefined;
}

/** Argo's ErrParallelismReached. */
export const ERR_PARALLELISM: ExecError = { kind: "parallelism", message: "Max parallelism reached" };

/** Argo's ErrMaxDepthExceeded. */
export const ERR_MAX_DEPTH: ExecError = {
  kind: "maxDepth",
  message:
    "Maximum recursion depth exceeded. See https://argo-workflows.readthedocs.io/en/latest/scaling/#maximum-recursion-depth",
};

/** Argo's ErrTimeout. */
export const ERR_TIMEOUT: ExecError = { kind: "timeout", message: "timeout" };

/** Wraps any thrown value as an ExecError. */
export function toExecError(e: unknown): ExecError {
  return { kind: "error", message: e instanceof Error ? e.message : String(e) };
}
