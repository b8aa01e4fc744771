// Argo templates and what they are made of: steps, DAG tasks, script/resource/suspend/containerSet/
// data/http/plugin bodies, retries, hooks, synchronization, memoization and metrics.

import type { ConfigMapKeySelector, IntOrString, JsonValue, SecretKeySelector } from "./k8s_meta.ts";
import type { Container, VolumeMount } from "./k8s_container.ts";
import type { Affinity, HostAlias, PodSecurityContext, Toleration, Volume } from "./k8s_pod.ts";
import type { Arguments, Artifact, ArtifactLocation, Inputs, Outputs } from "./artifact.ts";

/**
 * A reusable unit of execution. Exactly one of `container`, `script`, `resource`, `steps`, `dag`,
 * `suspend`, `containerSet`, `data`, `http` or `plugin` says what it does.
 */
export interface Template {
  name?: string;
  inputs?: Inputs;
  outputs?: Outputs;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  /** Labels and annotations for the template's pod. */
  metadata?: Metadata;
  /** Keep running in the background once ready; later steps proceed. */
  daemon?: boolean;
  /** Outer list runs in sequence, inner lists in parallel. */
  steps?: WorkflowStep[][];
  container?: Container;
  containerSet?: ContainerSetTemplate;
  script?: ScriptTemplate;
  resource?: ResourceTemplate;
  dag?: DAGTemplate;
  suspend?: SuspendTemplate;
  data?: Data;
  http?: HTTP;
  plugin?: Plugin;
  volumes?: Volume[];
  initContainers?: UserContainer[];
  sidecars?: UserContainer[];
  /** Where this template's artifacts and logs go by default. */
  archiveLocation?: ArtifactLocation;
  /** Seconds the pod may run before it is killed (container/script templates). */
  activeDeadlineSeconds?: IntOrString;
  retryStrategy?: RetryStrategy;
  /** Max parallel children of this steps/dag template. */
  parallelism?: number;
  /** Fail as soon as one child fails (steps with loops). */
  failFast?: boolean;
  tolerations?: Toleration[];
  schedulerName?: string;
  priorityClassName?: string;
  /** Removed in Argo v3.7; use priorityClassName. */
  priority?: number;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  executor?: ExecutorConfig;
  hostAliases?: HostAlias[];
  securityContext?: PodSecurityContext;
  podSpecPatch?: string;
  metrics?: Metrics;
  synchronization?: Synchronization;
  memoize?: Memoize;
  /** Total time the node may take, including pending, e.g. "10m". */
  timeout?: string;
  /** Annotations added to the node at run time (v3.7). */
  annotations?: Record<string, string>;
}

/** Labels and annotations (for pods). */
export interface Metadata {
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}

/** One step of a steps template. */
export interface WorkflowStep {
  name?: string;
  /** Name of the template to run. */
  template?: string;
  /** A template defined in place (instead of `template`). */
  inline?: Template;
  arguments?: Arguments;
  templateRef?: TemplateRef;
  withItems?: Item[];
  /** JSON list (usually an expression) to loop over. */
  withParam?: string;
  withSequence?: Sequence;
  /** Condition; the step is skipped when false. */
  when?: string;
  continueOn?: ContinueOn;
  /** Deprecated: use `hooks: { exit: { template } }`. */
  onExit?: string;
  /** Lifecycle hooks by event name (`exit` or an expression name). */
  hooks?: Record<string, LifecycleHook>;
}

/** One loop item: any JSON value. */
export type Item = JsonValue;

/** A template run by a lifecycle hook. */
export interface LifecycleHook {
  template?: string;
  arguments?: Arguments;
  templateRef?: TemplateRef;
  /** Condition that triggers a non-exit hook. */
  expression?: string;
}

/** Reference to a template of a WorkflowTemplate or ClusterWorkflowTemplate. */
export interface TemplateRef {
  /** Name of the WorkflowTemplate resource. */
  name?: string;
  /** Name of the template within it. */
  template?: string;
  /** Refer to a ClusterWorkflowTemplate. */
  clusterScope?: boolean;
}

/** A numeric range to loop over: `count` or `start`..`end`. */
export interface Sequence {
  count?: IntOrString;
  start?: IntOrString;
  end?: IntOrString;
  /** printf format for each value, e.g. "%02d". */
  format?: string;
}

/** Proceed even if this step/task fails or errors. */
export interface ContinueOn {
  error?: boolean;
  failed?: boolean;
}

/** A DAG template: tasks and their dependencies. */
export interface DAGTemplate {
  /** Names of tasks to run (space separated); all when empty. */
  target?: string;
  tasks: DAGTask[];
  /** Stop scheduling new tasks after a failure (default true). */
  failFast?: boolean;
}

/** One node of a DAG. */
export interface DAGTask {
  name: string;
  template?: string;
  inline?: Template;
  arguments?: Arguments;
  templateRef?: TemplateRef;
  /** Tasks that must succeed first (legacy form of `depends`). */
  dependencies?: string[];
  withItems?: Item[];
  withParam?: string;
  withSequence?: Sequence;
  when?: string;
  continueOn?: ContinueOn;
  /** Deprecated: use `hooks: { exit: { template } }`. */
  onExit?: string;
  /** Boolean dependency expression, e.g. `A.Succeeded && (B || C.Failed)`. */
  depends?: string;
  hooks?: Record<string, LifecycleHook>;
}

/** How to retry a failed node. */
export interface RetryStrategy {
  /** Retries after the first attempt (total attempts = limit + 1). */
  limit?: IntOrString;
  retryPolicy?: "Always" | "OnFailure" | "OnError" | "OnTransientError";
  backoff?: Backoff;
  affinity?: RetryAffinity;
  /** Retry only when this expression is true. */
  expression?: string;
}

/** Delay between retries. */
export interface Backoff {
  /** Base delay; seconds or a duration such as "2m". */
  duration?: string;
  /** Multiplier applied after each retry. */
  factor?: IntOrString;
  /** Give up retrying after this long in total. */
  maxDuration?: string;
  /** Upper bound of a single delay (v3.7). */
  cap?: string;
}

/** Retry on a different host. */
export interface RetryAffinity {
  nodeAntiAffinity?: RetryNodeAntiAffinity;
}

/** Placeholder: avoid the node of the previous attempt. */
// deno-lint-ignore no-empty-interface
export interface RetryNodeAntiAffinity {}

/** Runs `source` with the container's command as interpreter. */
export interface ScriptTemplate extends Container {
  source: string;
}

/** A user container (init container or sidecar). */
export interface UserContainer extends Container {
  /** Mount the main container's volumes at the same paths. */
  mirrorVolumeMounts?: boolean;
}

/** Acts on a Kubernetes resource (kubectl-like). */
export interface ResourceTemplate {
  action: "get" | "create" | "apply" | "delete" | "replace" | "patch";
  mergeStrategy?: "strategic" | "merge" | "json";
  /** The manifest, as a YAML/JSON string. */
  manifest?: string;
  manifestFrom?: ManifestFrom;
  setOwnerReference?: boolean;
  /** Label-selector-like condition on the resource for success. */
  successCondition?: string;
  failureCondition?: string;
  /** Extra kubectl flags. */
  flags?: string[];
}

/** Takes a resource manifest from an artifact. */
export interface ManifestFrom {
  artifact: Artifact;
}

/** Pauses the workflow until resumed or until `duration` passes. */
export interface SuspendTemplate {
  /** Seconds or a duration such as "2m". */
  duration?: string;
}

/** Several containers in one pod, optionally ordered by dependencies. */
export interface ContainerSetTemplate {
  containers: ContainerNode[];
  volumeMounts?: VolumeMount[];
  retryStrategy?: ContainerSetRetryStrategy;
}

/** A container of a container set. */
export interface ContainerNode extends Container {
  dependencies?: string[];
}

/** In-pod retries of a container set. */
export interface ContainerSetRetryStrategy {
  /** Time between retries, e.g. "1s". */
  duration?: string;
  retries: IntOrString;
}

/** A data template: source data, then transform it with expressions. */
export interface Data {
  source: DataSource;
  transformation: TransformationStep[];
}

/** Where a data template's data comes from. */
export interface DataSource {
  /** List the files of this artifact. */
  artifactPaths?: Artifact;
}

/** One expression applied to the data. */
export interface TransformationStep {
  expression: string;
}

/** An HTTP request as a template. */
export interface HTTP {
  method?: string;
  url: string;
  headers?: HTTPHeader[];
  timeoutSeconds?: number;
  /** Expression over the response deciding success. */
  successCondition?: string;
  body?: string;
  bodyFrom?: HTTPBodySource;
  insecureSkipVerify?: boolean;
}

/** A request header, literal or from a secret. */
export interface HTTPHeader {
  name: string;
  value?: string;
  valueFrom?: HTTPHeaderSource;
}

/** Secret source of a header value. */
export interface HTTPHeaderSource {
  secretKeyRef?: SecretKeySelector;
}

/** Request body as bytes (base64 in JSON). */
export interface HTTPBodySource {
  bytes?: string;
}

/** An executor plugin call: free-form, keyed by plugin name. */
export interface Plugin {
  [plugin: string]: JsonValue;
}

/** Executor settings. */
export interface ExecutorConfig {
  serviceAccountName?: string;
}

/** Mutexes and semaphores that must be held while this workflow or template runs. */
export interface Synchronization {
  /** Deprecated since v3.6: use `semaphores`. */
  semaphore?: SemaphoreRef;
  /** Deprecated since v3.6: use `mutexes`. */
  mutex?: Mutex;
  semaphores?: SemaphoreRef[];
  mutexes?: Mutex[];
}

/** A semaphore whose limit is read from a ConfigMap key or the database. */
export interface SemaphoreRef {
  configMapKeyRef?: ConfigMapKeySelector;
  /** Namespace of the ConfigMap (default: the workflow's). */
  namespace?: string;
  /** Limit kept in the sync database (v3.7). */
  database?: SyncDatabaseRef;
}

/** Key of a semaphore limit in the sync database. */
export interface SyncDatabaseRef {
  key: string;
}

/** A named mutex. */
export interface Mutex {
  name?: string;
  namespace?: string;
  /** Held across controllers through the sync database (v3.7). */
  database?: boolean;
}

/** Cache a template's outputs under a key. */
export interface Memoize {
  key: string;
  cache: Cache;
  /** Entries older than this (e.g. "24h") are ignored. */
  maxAge: string;
}

/** Where memoized outputs are kept. */
export interface Cache {
  configMap: ConfigMapKeySelector;
}

/** Metrics emitted by a workflow or template. */
export interface Metrics {
  prometheus: Prometheus[];
}

/** A Prometheus metric: exactly one of gauge, histogram, counter. */
export interface Prometheus {
  name: string;
  labels?: MetricLabel[];
  help: string;
  when?: string;
  gauge?: Gauge;
  histogram?: Histogram;
  counter?: Counter;
}

/** A metric label. */
export interface MetricLabel {
  key: string;
  value: string;
}

/** A gauge metric. */
export interface Gauge {
  value: string;
  realtime: boolean;
  operation?: "Set" | "Add" | "Sub";
}

/** A histogram metric. */
export interface Histogram {
  value: string;
  buckets: number[];
}

/** A counter metric. */
export interface Counter {
  value: string;
}
