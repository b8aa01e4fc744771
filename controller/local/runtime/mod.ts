/**
 * Runtimes carry out the engine's StartNode/KillNode actions on this machine and report what they
 * see as NodeObservations. Two exist: `podman` (each step a podman pod) and `process` (each step a
 * host process run by the executor). Both keep a node's files in one directory (see `NodeLayout`),
 * so a restarted host finds finished results and running steps again.
 */
import type { NodeObservation, RunSpec } from "../../engine/actions.ts";
import type { LocalResources } from "./resources.ts";

export type { NodeObservation, RunSpec };

/** A NodeObservation (kept as a name for runtimes; the pod IP is part of the engine's contract now). */
export type HostObservation = NodeObservation;

/** A workflow's identity as runtimes need it. */
export interface WorkflowRef {
  namespace: string;
  name: string;
}

/** A node a runtime knows of. */
export interface RuntimeStep {
  workflow: WorkflowRef;
  nodeId: string;
  podName: string;
  /**
   * running: the command runs; finished: a result is recorded; lost: it ran but left no result;
   * pending: its command has not started (it waits for a slot, or its host ended first).
   */
  state: "running" | "finished" | "lost" | "pending";
}

/** Called on every change of a node's observation (started, ended). */
export type ObservationListener = (change: {
  workflow: WorkflowRef;
  nodeId: string;
  podName: string;
  observation: NodeObservation;
}) => void;

/** What a host uses to run steps. */
export interface Runtime {
  readonly kind: "podman" | "process";
  /**
   * The Secrets and ConfigMaps steps read (env `valueFrom`/`envFrom`, `secret`/`configMap`
   * volumes) and the host hands to reconcile (parameters from ConfigMaps). More can be added at
   * any time, e.g. the Secret documents of the workflow's own file.
   */
  readonly resources: LocalResources;
  /**
   * Starts a node. Idempotent: a node that already ran or runs (same workflow and node id, e.g. after
   * a restart) is adopted or its recorded result reported, never started twice. Resolves once it runs
   * (or has ended, e.g. it could not start), or once it waits, reported Pending, for the runtime's
   * limit on steps running at once.
   */
  start(run: RunSpec): Promise<void>;
  /** The latest observation of a node this runtime has started or adopted. */
  observe(nodeId: string): NodeObservation | undefined;
  /** Resolves with the final observation once the node has ended. */
  wait(nodeId: string): Promise<NodeObservation>;
  /**
   * Stops a running node: SIGTERM, then SIGKILL after the grace period. Its final observation is
   * Failed with `reason` as message. Resolves when it has ended; a node not running is left alone.
   */
  kill(nodeId: string, reason: string): Promise<void>;
  /**
   * Takes a node over after a restart, from what the runtime recorded when it started it (its
   * RunSpec is kept in the node's directory). Returns its observation; undefined when it was never
   * started here.
   */
  adopt(workflow: WorkflowRef, nodeId: string): Promise<NodeObservation | undefined>;
  /** Nodes of this runtime found on the machine (running, finished, or lost), e.g. after a restart. */
  list(workflow?: WorkflowRef): Promise<RuntimeStep[]>;
  /** The node's log (stdout and stderr of its main container) so far; "" when there is none. */
  logs(workflow: WorkflowRef, nodeId: string): Promise<string>;
  /** Subscribes to observation changes; returns the unsubscribe function. */
  subscribe(listener: ObservationListener): () => void;
  /** Removes what a workflow left (volumes, node directories); its nodes must have ended. */
  cleanup(workflow: WorkflowRef): Promise<void>;
  /** Stops watching (running steps keep running and can be adopted later). */
  close(): Promise<void>;
}

export { isFinal, NodeLayout, observationOf, Observations, readJson, safe } from "./common.ts";
export { ProcessRuntime, type ProcessRuntimeOptions, type StartHooks } from "./process.ts";
export { defaultMaxSteps, StepSlots } from "./slots.ts";
export { PodmanRuntime, type PodmanRuntimeOptions } from "./podman.ts";
export { type PodmanSetup, PodmanUnavailable, probePodman } from "./podman_cli.ts";
export * from "../../engine/images.ts";
export { createRuntime, type RuntimeChoice, type RuntimeKind } from "./select.ts";
export {
  type AddedResources,
  defaultHowToProvide,
  type HowToProvide,
  type LocalConfigMap,
  LocalResources,
  type LocalSecret,
  ResourceError,
} from "./resources.ts";
