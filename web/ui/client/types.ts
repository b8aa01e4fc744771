/**
 * The parts of Argo's objects the UI reads (the API sends Argo's shapes; see
 * controller/spec/types.ts for the whole of them).
 */

/** Metadata of any object. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A parameter (input or output). */
export interface Parameter {
  name: string;
  value?: string;
  default?: string;
  description?: string;
}

/** An artifact, as far as the UI shows it. */
export interface Artifact {
  name: string;
  path?: string;
  [key: string]: unknown;
}

/** Inputs or outputs of a node. */
export interface IO {
  parameters?: Parameter[];
  artifacts?: Artifact[];
  result?: string;
  exitCode?: string;
}

/** One node of `status.nodes`. */
export interface NodeStatus {
  id: string;
  name: string;
  displayName?: string;
  type: string;
  phase?: string;
  templateName?: string;
  templateRef?: { name?: string; template?: string };
  boundaryID?: string;
  children?: string[];
  outboundNodes?: string[];
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  progress?: string;
  inputs?: IO;
  outputs?: IO;
  podIP?: string;
  hostNodeName?: string;
  estimatedDuration?: number;
  resourcesDuration?: Record<string, number>;
}

/** A Workflow. */
export interface Workflow {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    entrypoint?: string;
    suspend?: boolean;
    shutdown?: string;
    arguments?: { parameters?: Parameter[] };
    templates?: { name: string }[];
    [key: string]: unknown;
  };
  status?: {
    phase?: string;
    startedAt?: string;
    finishedAt?: string;
    progress?: string;
    message?: string;
    nodes?: Record<string, NodeStatus>;
    estimatedDuration?: number;
  };
}

/** A WorkflowTemplate or ClusterWorkflowTemplate. */
export interface Template {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    entrypoint?: string;
    arguments?: { parameters?: Parameter[] };
    templates?: { name: string }[];
    [key: string]: unknown;
  };
}

/** A CronWorkflow. */
export interface CronWorkflow {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    schedule?: string;
    schedules?: string[];
    timezone?: string;
    suspend?: boolean;
    concurrencyPolicy?: string;
    workflowSpec?: Workflow["spec"];
    [key: string]: unknown;
  };
  status?: {
    lastScheduledTime?: string;
    active?: unknown[];
    succeeded?: number;
    failed?: number;
    [key: string]: unknown;
  };
}

/** A page of a list. */
export interface ObjectList<T> {
  metadata: { continue?: string; resourceVersion?: string };
  items: T[] | null;
}
