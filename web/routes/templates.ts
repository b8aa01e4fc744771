/**
 * WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow routes: create, list, get, update,
 * delete and lint (and suspend/resume of cron workflows), as Argo Server's services have them.
 */
import type {
  ClusterWorkflowTemplate,
  CronWorkflow,
  RequestSource,
  WorkflowService,
  WorkflowTemplate,
} from "../service.ts";
import { type Body, LIST_QUERY, ref, type Route, type RouteRequest, stringList } from "./route.ts";

const V1 = "io.argoproj.workflow.v1alpha1";

/** The CRUD + lint routes of one kind, from its few differences. */
interface KindRoutes<T> {
  tag: string;
  /** Path of the collection, e.g. `/api/v1/workflow-templates/{namespace}`. */
  base: string;
  /** Operation name, e.g. `WorkflowTemplate`. */
  op: string;
  /** The body field holding the object: `template` or `cronWorkflow`. */
  field: string;
  schema: string;
  create(ns: string, obj: T, dryRun: boolean, source: RequestSource): Promise<T>;
  list(ns: string, r: RouteRequest): Promise<unknown>;
  get(ns: string, name: string): Promise<T>;
  update(ns: string, name: string, obj: T, source: RequestSource): Promise<T>;
  remove(ns: string, name: string): Promise<void>;
  lint(ns: string, obj: T, source: RequestSource): Promise<T>;
}

function kindRoutes<T>(k: KindRoutes<T>): Route[] {
  const obj = ref(`${V1}.${k.schema}`);
  const nameOf = (r: RouteRequest) => r.params.name!;
  const nsOf = (r: RouteRequest) => r.params.namespace ?? "";
  const dryRunOf = (body: Body) => {
    const opts = body.optionalObject<Record<string, unknown>>("createOptions");
    return (stringList(opts?.dryRun, `"createOptions.dryRun"`)?.length ?? 0) > 0;
  };
  return [
    {
      method: "get",
      path: k.base,
      operationId: `List${k.op}s`,
      tag: k.tag,
      summary: `Lists ${k.schema}s by name.`,
      query: LIST_QUERY,
      response: ref(`${V1}.${k.schema}List`),
      handler: (r) => k.list(nsOf(r), r),
    },
    {
      method: "post",
      path: k.base,
      operationId: `Create${k.op}`,
      tag: k.tag,
      summary: `Creates a ${k.schema} (checked first; problems are a 400 with line:col of the request body).`,
      body: {
        type: "object",
        required: [k.field],
        properties: { [k.field]: obj, createOptions: { type: "object" } },
      },
      response: obj,
      handler: async (r) => {
        const body = await r.body();
        return k.create(nsOf(r), body.object<T>(k.field), dryRunOf(body), body.source(k.field));
      },
    },
    {
      method: "post",
      path: `${k.base}/lint`,
      operationId: `Lint${k.op}`,
      tag: k.tag,
      summary: `Checks a ${k.schema} as create would, storing nothing.`,
      body: { type: "object", required: [k.field], properties: { [k.field]: obj } },
      response: obj,
      handler: async (r) => {
        const body = await r.body();
        return k.lint(nsOf(r), body.object<T>(k.field), body.source(k.field));
      },
    },
    {
      method: "get",
      path: `${k.base}/{name}`,
      operationId: `Get${k.op}`,
      tag: k.tag,
      summary: `Gets a ${k.schema}.`,
      response: obj,
      handler: (r) => k.get(nsOf(r), nameOf(r)),
    },
    {
      method: "put",
      path: `${k.base}/{name}`,
      operationId: `Update${k.op}`,
      tag: k.tag,
      summary: `Replaces a ${k.schema} (its metadata.resourceVersion, when given, must be the current one).`,
      body: { type: "object", required: [k.field], properties: { [k.field]: obj } },
      response: obj,
      handler: async (r) => {
        const body = await r.body();
        return k.update(nsOf(r), nameOf(r), body.object<T>(k.field), body.source(k.field));
      },
    },
    {
      method: "delete",
      path: `${k.base}/{name}`,
      operationId: `Delete${k.op}`,
      tag: k.tag,
      summary: `Deletes a ${k.schema}.`,
      response: { type: "object" },
      handler: async (r) => {
        await k.remove(nsOf(r), nameOf(r));
        return {};
      },
    },
  ];
}

/** The template and cron workflow routes over `service`. */
export function templateRoutes(s: WorkflowService): Route[] {
  const cronBase = "/api/v1/cron-workflows/{namespace}";
  return [
    ...kindRoutes<WorkflowTemplate>({
      tag: "WorkflowTemplateService",
      base: "/api/v1/workflow-templates/{namespace}",
      op: "WorkflowTemplate",
      field: "template",
      schema: "WorkflowTemplate",
      create: (ns, t, dryRun, src) => s.createWorkflowTemplate(ns, t, { dryRun }, src),
      list: (ns, r) => s.listWorkflowTemplates(ns, r.query.listOptions()),
      get: (ns, name) => s.getWorkflowTemplate(ns, name),
      update: (ns, name, t, src) => s.updateWorkflowTemplate(ns, name, t, src),
      remove: (ns, name) => s.deleteWorkflowTemplate(ns, name),
      lint: (ns, t, src) => s.lintWorkflowTemplate(ns, t, src),
    }),
    ...kindRoutes<ClusterWorkflowTemplate>({
      tag: "ClusterWorkflowTemplateService",
      base: "/api/v1/cluster-workflow-templates",
      op: "ClusterWorkflowTemplate",
      field: "template",
      schema: "ClusterWorkflowTemplate",
      create: (_ns, t, dryRun, src) => s.createClusterWorkflowTemplate(t, { dryRun }, src),
      list: (_ns, r) => s.listClusterWorkflowTemplates(r.query.listOptions()),
      get: (_ns, name) => s.getClusterWorkflowTemplate(name),
      update: (_ns, name, t, src) => s.updateClusterWorkflowTemplate(name, t, src),
      remove: (_ns, name) => s.deleteClusterWorkflowTemplate(name),
      lint: (_ns, t, src) => s.lintClusterWorkflowTemplate(t, src),
    }),
    ...kindRoutes<CronWorkflow>({
      tag: "CronWorkflowService",
      base: cronBase,
      op: "CronWorkflow",
      field: "cronWorkflow",
      schema: "CronWorkflow",
      create: (ns, c, dryRun, src) => s.createCronWorkflow(ns, c, { dryRun }, src),
      list: (ns, r) => s.listCronWorkflows(ns, r.query.listOptions()),
      get: (ns, name) => s.getCronWorkflow(ns, name),
      update: (ns, name, c, src) => s.updateCronWorkflow(ns, name, c, src),
      remove: (ns, name) => s.deleteCronWorkflow(ns, name),
      lint: (ns, c, src) => s.lintCronWorkflow(ns, c, src),
    }),
    {
      method: "put",
      path: `${cronBase}/{name}/suspend`,
      operationId: "SuspendCronWorkflow",
      tag: "CronWorkflowService",
      summary: "Suspends a cron workflow: it submits no workflows until resumed.",
      response: ref(`${V1}.CronWorkflow`),
      handler: async (r) => {
        await r.body();
        return s.suspendCronWorkflow(r.params.namespace!, r.params.name!);
      },
    },
    {
      method: "put",
      path: `${cronBase}/{name}/resume`,
      operationId: "ResumeCronWorkflow",
      tag: "CronWorkflowService",
      summary: "Resumes a suspended cron workflow.",
      response: ref(`${V1}.CronWorkflow`),
      handler: async (r) => {
        await r.body();
        return s.resumeCronWorkflow(r.params.namespace!, r.params.name!);
      },
    },
  ];
}

/** `/api/v1/info`, `/api/v1/version`, `/api/v1/userinfo`. */
export function infoRoutes(s: WorkflowService): Route[] {
  return [
    {
      method: "get",
      path: "/api/v1/info",
      operationId: "GetInfo",
      tag: "InfoService",
      summary: "What the UI needs to know about this server.",
      response: ref(`${V1}.InfoResponse`),
      handler: () => s.info(),
    },
    {
      method: "get",
      path: "/api/v1/version",
      operationId: "GetVersion",
      tag: "InfoService",
      summary: "The server's version.",
      response: ref(`${V1}.Version`),
      handler: () => Promise.resolve(s.version()),
    },
    {
      method: "get",
      path: "/api/v1/userinfo",
      operationId: "GetUserInfo",
      tag: "InfoService",
      summary: "Who the caller is (one token, one user: empty).",
      response: { type: "object" },
      handler: () => Promise.resolve({}),
    },
  ];
}
