/** Workflow routes (Argo's WorkflowService): create, list, get, delete, actions, lint, submit, logs, watch. */
import {
  errors,
  type LogOptions,
  type ResubmitRequest,
  type RetryRequest,
  type SetRequest,
  type StopRequest,
  type SubmitOptions,
  type Workflow,
  type WorkflowService,
} from "../service.ts";
import { parseFieldSelector, parseLabelSelector } from "../selectors.ts";
import { FieldsCleaner } from "../fields.ts";
import { streamFormat, streamResponse } from "../streams.ts";
import {
  FIELDS_QUERY,
  LIST_QUERY,
  optional,
  type QueryParam,
  ref,
  type Route,
  type RouteRequest,
  stringList,
  WATCH_QUERY,
} from "./route.ts";

const TAG = "WorkflowService";
const WF = ref("io.argoproj.workflow.v1alpha1.Workflow");
const base = "/api/v1/workflows/{namespace}";

/** The workflow routes over `service`. */
export function workflowRoutes(service: WorkflowService): Route[] {
  const action = (
    verb: string,
    operationId: string,
    summary: string,
    body: Record<string, unknown>,
    run: (ns: string, name: string, r: RouteRequest) => Promise<Workflow>,
  ): Route => ({
    method: "put",
    path: `${base}/{name}/${verb}`,
    operationId,
    tag: TAG,
    summary,
    body: { type: "object", properties: body },
    response: WF,
    handler: (r) => run(r.params.namespace!, r.params.name!, r),
  });

  return [
    {
      method: "get",
      path: base,
      operationId: "ListWorkflows",
      tag: TAG,
      summary: "Lists workflows, newest first. Phases are the label workflows.argoproj.io/phase.",
      query: [...LIST_QUERY, FIELDS_QUERY],
      response: ref("io.argoproj.workflow.v1alpha1.WorkflowList"),
      handler: async (r) => {
        const fields = r.query.string("fields");
        const opts = { ...r.query.listOptions(), ...(fields ? { fields } : {}) };
        return new FieldsCleaner(fields).clean(await service.listWorkflows(r.params.namespace!, opts));
      },
    },
    {
      method: "post",
      path: base,
      operationId: "CreateWorkflow",
      tag: TAG,
      summary:
        "Creates (submits) a workflow; with serverDryRun, only checks it and returns what would be created.",
      body: ref("io.argoproj.workflow.v1alpha1.WorkflowCreateRequest"),
      response: WF,
      handler: async (r) => {
        const body = await r.body();
        const workflow = body.object<Workflow>("workflow");
        const serverDryRun = body.boolean("serverDryRun");
        const createOptions = body.optionalObject<Record<string, unknown>>("createOptions");
        const dryRun = createOptions ? stringList(createOptions.dryRun, `"createOptions.dryRun"`) : undefined;
        return service.createWorkflow(
          r.params.namespace!,
          { workflow, serverDryRun: serverDryRun === true || (dryRun?.length ?? 0) > 0 },
          body.source("workflow"),
        );
      },
    },
    {
      method: "post",
      path: `${base}/lint`,
      operationId: "LintWorkflow",
      tag: TAG,
      summary: "Checks a workflow as create would; problems are a 400 listing line:col of the request body.",
      body: { type: "object", required: ["workflow"], properties: { workflow: WF } },
      response: WF,
      handler: async (r) => {
        const body = await r.body();
        return service.lintWorkflow(r.params.namespace!, body.object("workflow"), body.source("workflow"));
      },
    },
    {
      method: "post",
      path: `${base}/submit`,
      operationId: "SubmitWorkflow",
      tag: TAG,
      summary: "Submits a workflow from a WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow.",
      body: ref("io.argoproj.workflow.v1alpha1.WorkflowSubmitRequest"),
      response: WF,
      handler: async (r) => {
        const body = await r.body();
        const resourceKind = body.string("resourceKind");
        const resourceName = body.string("resourceName");
        if (!resourceKind) {
          throw errors.invalid(`the request body has no "resourceKind" (e.g. "WorkflowTemplate")`);
        }
        if (!resourceName) throw errors.invalid(`the request body has no "resourceName"`);
        const submitOptions = readSubmitOptions(body.optionalObject("submitOptions") ?? {});
        return service.submitWorkflow(r.params.namespace!, { resourceKind, resourceName, submitOptions });
      },
    },
    {
      method: "get",
      path: `${base}/{name}`,
      operationId: "GetWorkflow",
      tag: TAG,
      summary: "Gets a workflow with its status.",
      query: [FIELDS_QUERY],
      response: WF,
      handler: async (r) =>
        new FieldsCleaner(r.query.string("fields")).clean(
          await service.getWorkflow(r.params.namespace!, r.params.name!),
        ),
    },
    {
      method: "delete",
      path: `${base}/{name}`,
      operationId: "DeleteWorkflow",
      tag: TAG,
      summary: "Deletes a workflow (stopping its running steps) with its logs.",
      query: [{ name: "force", type: "boolean", description: "Delete even while it runs." }],
      response: { type: "object" },
      handler: async (r) => {
        const force = r.query.boolean("force");
        await service.deleteWorkflow(r.params.namespace!, r.params.name!, force ? { force } : {});
        return {};
      },
    },
    action(
      "resume",
      "ResumeWorkflow",
      "Resumes a suspended workflow (or only the suspend nodes the selector matches).",
      { nodeFieldSelector: { type: "string" } },
      async (ns, name, r) => {
        const body = await r.body();
        const nodeFieldSelector = body.string("nodeFieldSelector");
        return service.resumeWorkflow(ns, name, nodeFieldSelector ? { nodeFieldSelector } : {});
      },
    ),
    action(
      "suspend",
      "SuspendWorkflow",
      "Suspends a workflow: no new steps start.",
      {},
      async (ns, name, r) => {
        await r.body();
        return service.suspendWorkflow(ns, name);
      },
    ),
    action(
      "stop",
      "StopWorkflow",
      "Stops a workflow: running steps are stopped, exit handlers run.",
      { nodeFieldSelector: { type: "string" }, message: { type: "string" } },
      async (ns, name, r) => {
        const body = await r.body();
        const req: StopRequest = {};
        const sel = body.string("nodeFieldSelector");
        const message = body.string("message");
        if (sel) req.nodeFieldSelector = sel;
        if (message) req.message = message;
        return service.stopWorkflow(ns, name, req);
      },
    ),
    action(
      "terminate",
      "TerminateWorkflow",
      "Terminates a workflow: running steps are stopped, exit handlers do not run.",
      {},
      async (ns, name, r) => {
        await r.body();
        return service.terminateWorkflow(ns, name);
      },
    ),
    action(
      "retry",
      "RetryWorkflow",
      "Retries a Failed or Error workflow from where it failed.",
      {
        restartSuccessful: { type: "boolean" },
        nodeFieldSelector: { type: "string" },
        parameters: { type: "array", items: { type: "string" } },
      },
      async (ns, name, r) => {
        const body = await r.body();
        const req: RetryRequest = {};
        const restartSuccessful = body.boolean("restartSuccessful");
        const sel = body.string("nodeFieldSelector");
        const parameters = body.strings("parameters");
        if (restartSuccessful !== undefined) req.restartSuccessful = restartSuccessful;
        if (sel) req.nodeFieldSelector = sel;
        if (parameters) req.parameters = parameters;
        return service.retryWorkflow(ns, name, req);
      },
    ),
    action(
      "resubmit",
      "ResubmitWorkflow",
      "Submits a new workflow with the same spec.",
      { memoized: { type: "boolean" }, parameters: { type: "array", items: { type: "string" } } },
      async (ns, name, r) => {
        const body = await r.body();
        const req: ResubmitRequest = {};
        const memoized = body.boolean("memoized");
        const parameters = body.strings("parameters");
        if (memoized !== undefined) req.memoized = memoized;
        if (parameters) req.parameters = parameters;
        return service.resubmitWorkflow(ns, name, req);
      },
    ),
    action(
      "set",
      "SetWorkflow",
      "Sets the phase, message or output parameters of suspend nodes (argo node set).",
      {
        nodeFieldSelector: { type: "string" },
        phase: { type: "string", enum: ["Succeeded", "Failed"] },
        message: { type: "string" },
        outputParameters: { type: "string", description: 'A JSON object as a string: {"name": "value"}' },
      },
      async (ns, name, r) => {
        const body = await r.body();
        const nodeFieldSelector = body.string("nodeFieldSelector");
        if (!nodeFieldSelector) {
          throw errors.invalid(`the request body has no "nodeFieldSelector"; it is required`);
        }
        const req: SetRequest = { nodeFieldSelector };
        const phase = body.string("phase");
        const message = body.string("message");
        const outputParameters = body.string("outputParameters");
        if (phase) req.phase = phase;
        if (message) req.message = message;
        if (outputParameters) req.outputParameters = outputParameters;
        return service.setWorkflow(ns, name, req);
      },
    ),
    logRoute(service, `${base}/{name}/log`, "WorkflowLogs"),
    logRoute(service, `${base}/{name}/{podName}/log`, "PodLogs"),
    {
      method: "get",
      path: "/api/v1/workflow-events/{namespace}",
      operationId: "WatchWorkflows",
      tag: TAG,
      summary: "Streams workflow changes: ADDED for each workflow first (with listOptions.resourceVersion " +
        "of a list: only what changed after it), then MODIFIED and DELETED (also when a workflow stops " +
        "matching the selectors). Server-sent events unless Accept asks for application/json (newline-delimited JSON).",
      query: WATCH_QUERY,
      response: ref("io.argoproj.workflow.v1alpha1.WorkflowWatchEvent"),
      stream: true,
      handler: (r) => {
        const ns = r.params.namespace!;
        const fields = r.query.string("fields");
        const opts = { ...r.query.listOptions(), ...(fields ? { fields } : {}) };
        // Bad selectors are a 400 before the stream starts.
        if (opts.labelSelector) parseLabelSelector(opts.labelSelector);
        if (opts.fieldSelector) parseFieldSelector(opts.fieldSelector);
        const cleaner = new FieldsCleaner(fields).withoutPrefix("result.object.");
        // Asked for now: a service that checks the request as it is called (a resourceVersion it
        // did not give) answers with an error status instead of an empty stream.
        const stop = new AbortController();
        const events = service.watchWorkflows(ns, opts, stop.signal);
        async function* cleaned(signal: AbortSignal) {
          signal.addEventListener("abort", () => stop.abort(), { once: true });
          try {
            for await (const e of events) {
              yield cleaner.active ? { ...e, object: cleaner.clean(e.object) } : e;
            }
          } finally {
            stop.abort();
          }
        }
        return Promise.resolve(streamResponse(cleaned, {
          format: streamFormat(r.raw.headers.get("accept") ?? undefined, "sse"),
        }));
      },
    },
  ];
}

const LOG_QUERY: QueryParam[] = [
  { name: "podName", type: "string", description: "Only this pod's lines." },
  { name: "logOptions.container", type: "string", description: "The container (default main)." },
  { name: "logOptions.follow", type: "boolean", description: "Keep streaming until the workflow ends." },
  { name: "logOptions.tailLines", type: "integer", description: "Only the last N lines of each pod." },
  { name: "logOptions.sinceSeconds", type: "integer", description: "Only lines of the last N seconds." },
  { name: "grep", type: "string", description: "Only lines matching this regular expression." },
];

function logRoute(service: WorkflowService, path: string, operationId: string): Route {
  return {
    method: "get",
    path,
    operationId,
    tag: TAG,
    summary: "Streams the log lines of a workflow's pods as newline-delimited JSON " +
      "(server-sent events when Accept is text/event-stream).",
    query: LOG_QUERY,
    response: ref("io.argoproj.workflow.v1alpha1.LogEntry"),
    stream: true,
    handler: async (r) => {
      const ns = r.params.namespace!;
      const name = r.params.name!;
      const opts: LogOptions = {};
      const podName = r.params.podName ?? r.query.string("podName");
      const container = r.query.string("logOptions.container");
      const follow = r.query.boolean("logOptions.follow");
      const tailLines = r.query.integer("logOptions.tailLines");
      const sinceSeconds = r.query.integer("logOptions.sinceSeconds");
      const grep = r.query.string("grep");
      if (podName) opts.podName = podName;
      if (container) opts.container = container;
      if (follow) opts.follow = follow;
      if (tailLines !== undefined) opts.tailLines = tailLines;
      if (sinceSeconds !== undefined) opts.sinceSeconds = sinceSeconds;
      if (grep !== undefined) {
        try {
          new RegExp(grep);
        } catch (e) {
          throw errors.invalid(`grep: ${e instanceof Error ? e.message : e}`);
        }
        opts.grep = grep;
      }
      await service.getWorkflow(ns, name); // a 404 before the stream starts
      return streamResponse((signal) => service.workflowLogs(ns, name, opts, signal), {
        format: streamFormat(r.raw.headers.get("accept") ?? undefined, "ndjson"),
      });
    },
  };
}

function readSubmitOptions(o: Record<string, unknown>): SubmitOptions {
  const label = (k: string) => `"submitOptions.${k}"`;
  const out: SubmitOptions = {};
  for (
    const k of ["name", "generateName", "entryPoint", "labels", "annotations", "serviceAccount"] as const
  ) {
    const v = optional(o, k, "string", label(k)) as string | undefined;
    if (v) out[k] = v;
  }
  const podPriorityClassName = optional(o, "podPriorityClassName", "string", label("podPriorityClassName"));
  if (podPriorityClassName) out.podPriorityClassName = podPriorityClassName as string;
  const parameters = stringList(o.parameters, label("parameters"));
  if (parameters) out.parameters = parameters;
  for (const k of ["dryRun", "serverDryRun"] as const) {
    const v = optional(o, k, "boolean", label(k)) as boolean | undefined;
    if (v !== undefined) out[k] = v;
  }
  const priority = optional(o, "priority", "number", label("priority"));
  if (priority !== undefined) out.priority = priority as number;
  return out;
}
