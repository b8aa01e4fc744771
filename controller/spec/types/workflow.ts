// The four argoproj.io/v1alpha1 document kinds and the workflow-level spec.

import type { LabelSelector, ObjectMeta } from "./k8s_meta.ts";
import type {
  Affinity,
  HostAlias,
  PersistentVolumeClaim,
  PodDisruptionBudgetSpec,
  PodDNSConfig,
  PodSecurityContext,
  Toleration,
  Volume,
} from "./k8s_pod.ts";
import type { LocalObjectReference } from "./k8s_meta.ts";
import type { Arguments, ArtifactRepositoryRef, WorkflowLevelArtifactGC } from "./artifact.ts";
import type {
  ExecutorConfig,
  LifecycleHook,
  Metadata,
  Metrics,
  RetryStrategy,
  Synchronization,
  Template,
} from "./template.ts";
import type { CronWorkflowStatus, WorkflowStatus } from "./status.ts";

/** The API version of every Argo document. */
export type ArgoApiVersion = "argoproj.io/v1alpha1";

/** A workflow run: templates plus the entrypoint to start from. */
export interface Workflow {
  apiVersion: ArgoApiVersion;
  kind: "Workflow";
  metadata: ObjectMeta;
  spec: WorkflowSpec;
  status?: WorkflowStatus;
}

/** A namespaced library of templates that workflows refer to or are submitted from. */
export interface WorkflowTemplate {
  apiVersion: ArgoApiVersion;
  kind: "WorkflowTemplate";
  metadata: ObjectMeta;
  spec: WorkflowSpec;
}

/** A cluster-wide WorkflowTemplate. */
export interface ClusterWorkflowTemplate {
  apiVersion: ArgoApiVersion;
  kind: "ClusterWorkflowTemplate";
  metadata: ObjectMeta;
  spec: WorkflowSpec;
}

/** A workflow submitted on a cron schedule. */
export interface CronWorkflow {
  apiVersion: ArgoApiVersion;
  kind: "CronWorkflow";
  metadata: ObjectMeta;
  spec: CronWorkflowSpec;
  status?: CronWorkflowStatus;
}

/** Any of the four document kinds. */
export type ArgoDocument = Workflow | WorkflowTemplate | ClusterWorkflowTemplate | CronWorkflow;

/** The specification of a workflow (also the spec of WorkflowTemplate and ClusterWorkflowTemplate). */
export interface WorkflowSpec {
  templates?: Template[];
  /** Name of the template to start from. */
  entrypoint?: string;
  /** Workflow parameters (`{{workflow.parameters.x}}`) and artifacts. */
  arguments?: Arguments;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  executor?: ExecutorConfig;
  volumes?: Volume[];
  /** Claims created when the workflow starts and deleted when it ends. */
  volumeClaimTemplates?: PersistentVolumeClaim[];
  /** Max pods running at once in this workflow. */
  parallelism?: number;
  artifactRepositoryRef?: ArtifactRepositoryRef;
  /** Start suspended; nothing runs until resumed. */
  suspend?: boolean;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  tolerations?: Toleration[];
  imagePullSecrets?: LocalObjectReference[];
  hostNetwork?: boolean;
  dnsPolicy?: "ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None";
  dnsConfig?: PodDNSConfig;
  /** Template run when the workflow ends, whatever its outcome. */
  onExit?: string;
  ttlStrategy?: TTLStrategy;
  /** Seconds the workflow may run before it is stopped; 0 stops it now. */
  activeDeadlineSeconds?: number;
  /** Order among queued workflows (higher first). */
  priority?: number;
  schedulerName?: string;
  podGC?: PodGC;
  podPriorityClassName?: string;
  /** Removed in Argo v3.7; use podPriorityClassName. */
  podPriority?: number;
  hostAliases?: HostAlias[];
  securityContext?: PodSecurityContext;
  podSpecPatch?: string;
  podDisruptionBudget?: PodDisruptionBudgetSpec;
  metrics?: Metrics;
  /** Set to stop (run exit handlers) or terminate (no exit handlers) a running workflow. */
  shutdown?: "" | "Terminate" | "Stop";
  /** Run the spec of a WorkflowTemplate (merged with this one). */
  workflowTemplateRef?: WorkflowTemplateRef;
  synchronization?: Synchronization;
  volumeClaimGC?: VolumeClaimGC;
  /** Default retry strategy of every template. */
  retryStrategy?: RetryStrategy;
  podMetadata?: Metadata;
  /** Defaults merged into every template. */
  templateDefaults?: Template;
  archiveLogs?: boolean;
  /** Workflow-level lifecycle hooks (`exit` or named expressions). */
  hooks?: Record<string, LifecycleHook>;
  workflowMetadata?: WorkflowMetadata;
  artifactGC?: WorkflowLevelArtifactGC;
}

/** Reference to a WorkflowTemplate or ClusterWorkflowTemplate to run. */
export interface WorkflowTemplateRef {
  name?: string;
  clusterScope?: boolean;
}

/** Labels and annotations added to the workflow itself. */
export interface WorkflowMetadata {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Labels computed from expressions. */
  labelsFrom?: Record<string, LabelValueFrom>;
}

/** A label value computed by an expression. */
export interface LabelValueFrom {
  expression: string;
}

/** How long a finished workflow is kept. */
export interface TTLStrategy {
  secondsAfterCompletion?: number;
  secondsAfterSuccess?: number;
  secondsAfterFailure?: number;
}

/** When completed pods are deleted. */
export interface PodGC {
  strategy?: "" | "OnPodCompletion" | "OnPodSuccess" | "OnWorkflowCompletion" | "OnWorkflowSuccess";
  labelSelector?: LabelSelector;
  deleteDelayDuration?: string;
}

/** When volumes from volumeClaimTemplates are deleted. */
export interface VolumeClaimGC {
  strategy?: "" | "OnWorkflowCompletion" | "OnWorkflowSuccess";
}

/** The specification of a CronWorkflow. */
export interface CronWorkflowSpec {
  /** The workflow to submit. */
  workflowSpec: WorkflowSpec;
  /** Deprecated since v3.6: use `schedules`. */
  schedule?: string;
  /** Cron expressions (v3.6). */
  schedules?: string[];
  concurrencyPolicy?: "Allow" | "Forbid" | "Replace";
  /** Stop submitting new workflows. */
  suspend?: boolean;
  /** How late a missed run may still start. */
  startingDeadlineSeconds?: number;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  /** IANA time zone of the schedules, e.g. "Asia/Tokyo". */
  timezone?: string;
  /** Metadata of each submitted workflow. */
  workflowMetadata?: ObjectMeta;
  stopStrategy?: StopStrategy;
  /** Expression deciding whether a scheduled run is submitted (v3.6). */
  when?: string;
}

/** Stop scheduling once an expression (over `succeeded`/`failed` counts) is true. */
export interface StopStrategy {
  expression: string;
}
