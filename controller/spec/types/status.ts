// Status of workflows, their nodes, and cron workflows (Argo's shape, so Argo tools can read it).

import type { ObjectReference, Time } from "./k8s_meta.ts";
import type { Volume } from "./k8s_pod.ts";
import type { ArtifactRepository, Inputs, Outputs } from "./artifact.ts";
import type { Template, TemplateRef } from "./template.ts";
import type { WorkflowSpec } from "./workflow.ts";

/** Phase of a workflow; "" until it is first reconciled. */
export type WorkflowPhase = "" | "Pending" | "Running" | "Succeeded" | "Failed" | "Error";

/** Phase of a node. Succeeded, Skipped, Failed, Error and Omitted are final. */
export type NodePhase = "Pending" | "Running" | "Succeeded" | "Skipped" | "Failed" | "Error" | "Omitted";

/** Kind of node in the status tree. */
export type NodeType =
  | "Pod"
  | "Container"
  | "Steps"
  | "StepGroup"
  | "DAG"
  | "TaskGroup"
  | "Retry"
  | "Skipped"
  | "Suspend"
  | "HTTP"
  | "Plugin";

/** Every node phase, in Argo's order. */
export const NODE_PHASES: readonly NodePhase[] = [
  "Pending",
  "Running",
  "Succeeded",
  "Skipped",
  "Failed",
  "Error",
  "Omitted",
];

/** Every node type. */
export const NODE_TYPES: readonly NodeType[] = [
  "Pod",
  "Container",
  "Steps",
  "StepGroup",
  "DAG",
  "TaskGroup",
  "Retry",
  "Skipped",
  "Suspend",
  "HTTP",
  "Plugin",
];

/** Every workflow phase. */
export const WORKFLOW_PHASES: readonly WorkflowPhase[] = [
  "",
  "Pending",
  "Running",
  "Succeeded",
  "Failed",
  "Error",
];

/** Observed state of a workflow. */
export interface WorkflowStatus {
  phase?: WorkflowPhase;
  startedAt?: Time | null;
  finishedAt?: Time | null;
  /** Expected run time in seconds, from earlier runs. */
  estimatedDuration?: number;
  /** "done/total", e.g. "2/5". */
  progress?: string;
  message?: string;
  /** Nodes map, gzipped and base64 encoded (when too large). */
  compressedNodes?: string;
  /** Node status by node id. */
  nodes?: Record<string, NodeStatus>;
  /** Set when nodes are stored elsewhere (offloaded). */
  offloadNodeStatusVersion?: string;
  /** Templates from WorkflowTemplates, by `<scope>/<name>/<template>`. */
  storedTemplates?: Record<string, Template>;
  /** PVCs created from volumeClaimTemplates. */
  persistentVolumeClaims?: Volume[];
  /** Global outputs. */
  outputs?: Outputs;
  conditions?: Condition[];
  /** Resource usage (e.g. cpu, memory) times seconds. */
  resourcesDuration?: Record<string, number>;
  /** The resolved spec when running a workflowTemplateRef. */
  storedWorkflowTemplateSpec?: WorkflowSpec;
  synchronization?: SynchronizationStatus;
  artifactRepositoryRef?: ArtifactRepositoryRefStatus;
  artifactGCStatus?: ArtGCStatus;
  /** Whether each node's task result has been reported, by node id. */
  taskResultsCompletionStatus?: Record<string, boolean>;
}

/** Observed state of one node of the workflow. */
export interface NodeStatus {
  /** Deterministic id derived from the node name. */
  id: string;
  /** Unique name within the tree, e.g. `wf.steps[0].hello`. */
  name: string;
  /** Short human name, unique within a template boundary. */
  displayName?: string;
  type: NodeType;
  templateName?: string;
  templateRef?: TemplateRef;
  /** Where the template came from: `local/`, `namespaced/<name>`, `cluster/<name>`. */
  templateScope?: string;
  phase?: NodePhase;
  /** Id of the steps/dag node whose template this node belongs to. */
  boundaryID?: string;
  message?: string;
  startedAt?: Time | null;
  finishedAt?: Time | null;
  estimatedDuration?: number;
  progress?: string;
  resourcesDuration?: Record<string, number>;
  podIP?: string;
  daemoned?: boolean;
  nodeFlag?: NodeFlag;
  inputs?: Inputs;
  outputs?: Outputs;
  children?: string[];
  /** Last nodes of this template invocation, connected to what follows. */
  outboundNodes?: string[];
  hostNodeName?: string;
  memoizationStatus?: MemoizationStatus;
  synchronizationStatus?: NodeSynchronizationStatus;
  /** Pod restarts after infrastructure failures before the main container started (v4.0). */
  failedPodRestarts?: number;
  /** UID of the pod being restarted, so a restart is not attempted twice (v4.0). */
  restartingPodUID?: string;
  /** Whether the node's task result (outputs) has been received (v4.0). */
  taskResultSynced?: boolean;
}

/** History flags of a node. */
export interface NodeFlag {
  /** Run by a hook or onExit. */
  hooked?: boolean;
  /** An attempt of a retry. */
  retried?: boolean;
}

/** Whether a node's outputs came from the memoization cache. */
export interface MemoizationStatus {
  hit: boolean;
  key: string;
  cacheName: string;
}

/** Which lock a node waits for. */
export interface NodeSynchronizationStatus {
  waiting?: string;
}

/** A workflow or cron workflow condition. */
export interface Condition {
  type?: string;
  status?: "True" | "False" | "Unknown";
  message?: string;
}

/** Locks held and awaited by the workflow. */
export interface SynchronizationStatus {
  semaphore?: SemaphoreStatus;
  mutex?: MutexStatus;
}

/** Semaphores held and awaited. */
export interface SemaphoreStatus {
  holding?: SemaphoreHolding[];
  waiting?: SemaphoreHolding[];
}

/** Holders of one semaphore. */
export interface SemaphoreHolding {
  semaphore?: string;
  holders?: string[];
}

/** Mutexes held and awaited. */
export interface MutexStatus {
  holding?: MutexHolding[];
  waiting?: MutexHolding[];
}

/** The holder of one mutex. */
export interface MutexHolding {
  mutex?: string;
  holder?: string;
}

/** Artifact garbage-collection progress. */
export interface ArtGCStatus {
  strategiesProcessed?: Record<string, boolean>;
  podsRecouped?: Record<string, boolean>;
  notSpecified?: boolean;
}

/** The artifact repository a workflow resolved to. */
export interface ArtifactRepositoryRefStatus {
  configMap?: string;
  key?: string;
  namespace?: string;
  /** True if the controller's default repository is used. */
  default?: boolean;
  artifactRepository?: ArtifactRepository;
}

/** Observed state of a cron workflow. */
export interface CronWorkflowStatus {
  /** Workflows currently running from this cron workflow. */
  active?: ObjectReference[] | null;
  lastScheduledTime?: Time | null;
  conditions?: Condition[] | null;
  /** Count of child workflows that succeeded (v3.6). */
  succeeded?: number;
  /** Count of child workflows that failed or errored (v3.6). */
  failed?: number;
  /** Stopped once stopStrategy.expression is true (v3.6). */
  phase?: "" | "Active" | "Stopped";
}
