/**
 * The service the HTTP API serves: everything a host (the embedded local one now, the Kubernetes
 * one later) offers to the API, the CLI and the UI. `web/app.ts` speaks HTTP over any
 * implementation of {@link WorkflowService}; hosts implement it (see controller/local/service.ts).
 *
 * Request and response shapes follow Argo Server's (`WorkflowCreateRequest`, `WorkflowList`,
 * `LogEntry`, `WorkflowWatchEvent`, ...), so Argo's clients understand them. Failures are
 * {@link ServiceError}s carrying a gRPC status code, as Argo Server's are.
 *
 * @module
 */
import type {
  ClusterWorkflowTemplate,
  CronWorkflow,
  Workflow,
  WorkflowTemplate,
} from "../controller/spec/types.ts";

export type { ClusterWorkflowTemplate, CronWorkflow, Workflow, WorkflowTemplate };

/** gRPC status codes, as Argo Server reports them in `{code, message}`. */
export const Code = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;

/** One of {@link Code}'s values. */
export type StatusCode = typeof Code[keyof typeof Code];

/** A failure a service reports to its caller: a gRPC code and a message for the user. */
export class ServiceError extends Error {
  override name = "ServiceError";
  constructor(readonly code: StatusCode, message: string) {
    super(message);
  }
}

/** Shorthands for the errors services raise most. */
export const errors = {
  invalid: (message: string) => new ServiceError(Code.InvalidArgument, message),
  notFound: (message: string) => new ServiceError(Code.NotFound, message),
  exists: (message: string) => new ServiceError(Code.AlreadyExists, message),
  precondition: (message: string) => new ServiceError(Code.FailedPrecondition, message),
  conflict: (message: string) => new ServiceError(Code.Aborted, message),
  unimplemented: (message: string) => new ServiceError(Code.Unimplemented, message),
};

// ---- listing

/** Kubernetes `ListOptions` as the API takes them (`listOptions.labelSelector`, ...). */
export interface ListOptions {
  /** e.g. `app=x,env!=prod,tier in (a,b),!archived`. */
  labelSelector?: string;
  /** `metadata.name=x`, `metadata.namespace=y` (also `!=`), comma-separated. */
  fieldSelector?: string;
  /** At most this many items; the list's `metadata.continue` then fetches the next ones. */
  limit?: number;
  /** The `metadata.continue` of a previous page. */
  continue?: string;
  /** Watches: only changes after this list's `metadata.resourceVersion` (no ADDED for what it had). */
  resourceVersion?: string;
}

/** Options of listing workflows: ListOptions plus phases (an in-process shortcut for the phase label). */
export interface WorkflowListOptions extends ListOptions {
  /** Only workflows in one of these phases ("" or "Pending" for not started yet). */
  phases?: string[];
  /**
   * Argo's `fields` of the request (`-items.status.nodes`, `items.metadata.name,...`; for watches
   * `result.object.`-prefixed). The route trims the response to them; a host may use them to skip
   * reading what will be trimmed (e.g. the nodes of every listed workflow).
   */
  fields?: string;
}

/** A page of a list, as Kubernetes and Argo return it. */
export interface ObjectList<T> {
  /** `continue` is set when more items match; `remainingItemCount` then says how many. */
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

// ---- workflow requests (the bodies of Argo Server's requests, less `name`/`namespace` taken from the path)

/** Where an object of a request was written, so lint problems can name line:col in the request. */
export interface RequestSource {
  /** The whole request body as received. */
  text: string;
  /** Path of the object within the body, e.g. `["workflow"]`. */
  path: (string | number)[];
}

/** `POST /api/v1/workflows/{namespace}`. */
export interface WorkflowCreateRequest {
  workflow: Workflow;
  /** Validate and return what would be created, creating nothing. */
  serverDryRun?: boolean;
  createOptions?: CreateOptions;
}

/** Kubernetes CreateOptions; `dryRun: ["All"]` is another way to ask for a dry run. */
export interface CreateOptions {
  dryRun?: string[];
  fieldManager?: string;
}

/** Argo's SubmitOpts (`POST /api/v1/workflows/{namespace}/submit`). */
export interface SubmitOptions {
  name?: string;
  generateName?: string;
  entryPoint?: string;
  /** `NAME=VALUE` pairs. */
  parameters?: string[];
  /** `a=b,c=d`. */
  labels?: string;
  /** `a=b,c=d`. */
  annotations?: string;
  serviceAccount?: string;
  dryRun?: boolean;
  serverDryRun?: boolean;
  priority?: number;
  podPriorityClassName?: string;
}

/** `POST /api/v1/workflows/{namespace}/submit`: a workflow from a template or cron workflow. */
export interface WorkflowSubmitRequest {
  /** WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow (short names accepted). */
  resourceKind: string;
  resourceName: string;
  submitOptions?: SubmitOptions;
}

/** `PUT .../resume`. */
export interface ResumeRequest {
  nodeFieldSelector?: string;
}

/** `PUT .../stop`. */
export interface StopRequest {
  nodeFieldSelector?: string;
  message?: string;
}

/** `PUT .../retry`. */
export interface RetryRequest {
  restartSuccessful?: boolean;
  nodeFieldSelector?: string;
  /** `NAME=VALUE` pairs. */
  parameters?: string[];
}

/** `PUT .../resubmit`. */
export interface ResubmitRequest {
  memoized?: boolean;
  /** `NAME=VALUE` pairs. */
  parameters?: string[];
}

/** `PUT .../set` (`argo node set`). */
export interface SetRequest {
  nodeFieldSelector: string;
  phase?: string;
  message?: string;
  /** A JSON object of output parameter name -> value, as a string (Argo's form). */
  outputParameters?: string;
}

/** `DELETE /api/v1/workflows/{namespace}/{name}` options. */
export interface DeleteOptions {
  /** Delete even while it runs (its steps are stopped). */
  force?: boolean;
}

// ---- logs and watch

/** Options of a workflow's logs (`logOptions.*`, `podName`, `grep`). */
export interface LogOptions {
  /** Only this pod's lines. */
  podName?: string;
  /** The container: `main` (default). */
  container?: string;
  /** Keep streaming until the workflow ends. */
  follow?: boolean;
  /** Only the last N lines of each pod. */
  tailLines?: number;
  /** Only lines matching this regular expression. */
  grep?: string;
  /** Only lines written in the last N seconds (where the host knows when lines were written). */
  sinceSeconds?: number;
}

/** One line of a pod's log (Argo's `LogEntry`). */
export interface LogEntry {
  podName: string;
  content: string;
}

/** A change of a workflow (Argo's `WorkflowWatchEvent`). */
export interface WatchEvent<T = Workflow> {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: T;
}

// ---- info, version, metrics

/** `GET /api/v1/info` (Argo's InfoResponse). */
export interface InfoResponse {
  managedNamespace?: string;
  links: { name: string; scope: string; url: string }[];
  modals: Record<string, boolean>;
  navColor: string;
  columns: { name: string; type: string; key: string }[];
}

/** `GET /api/v1/version` (Argo's Version). */
export interface VersionResponse {
  version: string;
  buildDate: string;
  gitCommit: string;
  gitTag: string;
  gitTreeState: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** Numbers a host reports for `/metrics`. */
export interface MetricsSnapshot {
  /** Workflows by phase ("Pending" for those not started yet). */
  workflowsByPhase: Record<string, number>;
  /** Steps (pods) started since the host started. */
  nodesStarted: number;
  /** Work waiting: actions decided but not yet carried out. */
  queueDepth: number;
  /** Reconcile durations observed since the last snapshot, in seconds (each observed once). */
  reconcileSeconds: number[];
}

// ---- the service

/** What an API host offers. Every method may throw {@link ServiceError}. */
export interface WorkflowService {
  // workflows
  createWorkflow(namespace: string, req: WorkflowCreateRequest, source?: RequestSource): Promise<Workflow>;
  listWorkflows(namespace: string, opts?: WorkflowListOptions): Promise<ObjectList<Workflow>>;
  getWorkflow(namespace: string, name: string): Promise<Workflow>;
  deleteWorkflow(namespace: string, name: string, opts?: DeleteOptions): Promise<void>;
  resumeWorkflow(namespace: string, name: string, req?: ResumeRequest): Promise<Workflow>;
  suspendWorkflow(namespace: string, name: string): Promise<Workflow>;
  stopWorkflow(namespace: string, name: string, req?: StopRequest): Promise<Workflow>;
  terminateWorkflow(namespace: string, name: string): Promise<Workflow>;
  retryWorkflow(namespace: string, name: string, req?: RetryRequest): Promise<Workflow>;
  resubmitWorkflow(namespace: string, name: string, req?: ResubmitRequest): Promise<Workflow>;
  setWorkflow(namespace: string, name: string, req: SetRequest): Promise<Workflow>;
  /** Checks a workflow as create would, creating nothing; returns it normalized. */
  lintWorkflow(namespace: string, workflow: Workflow, source?: RequestSource): Promise<Workflow>;
  submitWorkflow(namespace: string, req: WorkflowSubmitRequest): Promise<Workflow>;
  /** Log lines of a workflow's pods; with `follow`, until the workflow ends or `signal` aborts. */
  workflowLogs(
    namespace: string,
    name: string,
    opts: LogOptions,
    signal: AbortSignal,
  ): AsyncIterable<LogEntry>;
  /**
   * Changes of workflows: ADDED for each existing match first (or, with `resourceVersion` from a
   * list, only what changed after it), then changes, until `signal` aborts.
   */
  watchWorkflows(
    namespace: string,
    opts: WorkflowListOptions,
    signal: AbortSignal,
  ): AsyncIterable<WatchEvent>;

  // workflow templates
  createWorkflowTemplate(
    namespace: string,
    template: WorkflowTemplate,
    opts?: { dryRun?: boolean },
    source?: RequestSource,
  ): Promise<WorkflowTemplate>;
  listWorkflowTemplates(namespace: string, opts?: ListOptions): Promise<ObjectList<WorkflowTemplate>>;
  getWorkflowTemplate(namespace: string, name: string): Promise<WorkflowTemplate>;
  updateWorkflowTemplate(
    namespace: string,
    name: string,
    template: WorkflowTemplate,
    source?: RequestSource,
  ): Promise<WorkflowTemplate>;
  deleteWorkflowTemplate(namespace: string, name: string): Promise<void>;
  lintWorkflowTemplate(
    namespace: string,
    template: WorkflowTemplate,
    source?: RequestSource,
  ): Promise<WorkflowTemplate>;

  // cluster workflow templates
  createClusterWorkflowTemplate(
    template: ClusterWorkflowTemplate,
    opts?: { dryRun?: boolean },
    source?: RequestSource,
  ): Promise<ClusterWorkflowTemplate>;
  listClusterWorkflowTemplates(opts?: ListOptions): Promise<ObjectList<ClusterWorkflowTemplate>>;
  getClusterWorkflowTemplate(name: string): Promise<ClusterWorkflowTemplate>;
  updateClusterWorkflowTemplate(
    name: string,
    template: ClusterWorkflowTemplate,
    source?: RequestSource,
  ): Promise<ClusterWorkflowTemplate>;
  deleteClusterWorkflowTemplate(name: string): Promise<void>;
  lintClusterWorkflowTemplate(
    template: ClusterWorkflowTemplate,
    source?: RequestSource,
  ): Promise<ClusterWorkflowTemplate>;

  // cron workflows
  createCronWorkflow(
    namespace: string,
    cron: CronWorkflow,
    opts?: { dryRun?: boolean },
    source?: RequestSource,
  ): Promise<CronWorkflow>;
  listCronWorkflows(namespace: string, opts?: ListOptions): Promise<ObjectList<CronWorkflow>>;
  getCronWorkflow(namespace: string, name: string): Promise<CronWorkflow>;
  updateCronWorkflow(
    namespace: string,
    name: string,
    cron: CronWorkflow,
    source?: RequestSource,
  ): Promise<CronWorkflow>;
  deleteCronWorkflow(namespace: string, name: string): Promise<void>;
  lintCronWorkflow(namespace: string, cron: CronWorkflow, source?: RequestSource): Promise<CronWorkflow>;
  suspendCronWorkflow(namespace: string, name: string): Promise<CronWorkflow>;
  resumeCronWorkflow(namespace: string, name: string): Promise<CronWorkflow>;

  // about the server
  info(): Promise<InfoResponse>;
  version(): VersionResponse;
  metrics(): Promise<MetricsSnapshot>;
}
