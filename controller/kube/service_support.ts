/**
 * What the Kubernetes service's parts share: API errors as the API's ServiceErrors, checking an
 * object as the API receives it (lint against the templates in the cluster, with line:col of the
 * request body), and the resources of each kind.
 */
import { admitShape, lintErrors, type ObjectKind } from "../../web/admission.ts";
import { type LoadedDocument, loadText } from "../spec/load.ts";
import { normalizeDocument } from "../spec/normalize.ts";
import type { RequestSource, Workflow } from "../../web/service.ts";
import { Code, errors, ServiceError } from "../../web/service.ts";
import {
  ApiError,
  CLUSTER_WORKFLOW_TEMPLATES,
  CRON_WORKFLOWS,
  type KubeClient,
  type KubeObject,
  type Resource,
  WORKFLOW_TEMPLATES,
  WORKFLOWS,
} from "./client.ts";

/** The kinds the service serves (the API's). */
export type Kind = ObjectKind;
/** Any of them, as far as the service looks into them. */
export type AnyObject = KubeObject & {
  apiVersion?: string;
  kind?: string;
  metadata: Workflow["metadata"];
  spec: unknown;
};

/** The resource of each kind. */
export const RESOURCE_OF: Record<Kind, Resource> = {
  Workflow: WORKFLOWS,
  WorkflowTemplate: WORKFLOW_TEMPLATES,
  ClusterWorkflowTemplate: CLUSTER_WORKFLOW_TEMPLATES,
  CronWorkflow: CRON_WORKFLOWS,
};

/** An API error as the service reports it (gRPC codes, as Argo Server). */
export function serviceError(e: unknown): unknown {
  if (!(e instanceof ApiError)) return e;
  const msg = e.message.replace(/^[A-Z]+ \S+: \d+ /, "");
  if (e.status === 404) return new ServiceError(Code.NotFound, msg);
  if (e.status === 409 && e.reason === "AlreadyExists") return new ServiceError(Code.AlreadyExists, msg);
  if (e.status === 409) return new ServiceError(Code.Aborted, msg);
  if (e.status === 400 || e.status === 422) return new ServiceError(Code.InvalidArgument, msg);
  if (e.status === 401) return new ServiceError(Code.Unauthenticated, msg);
  if (e.status === 403) return new ServiceError(Code.PermissionDenied, msg);
  if (e.status === 410) return new ServiceError(Code.OutOfRange, msg);
  if (e.status === 429 || e.status === 503 || e.status === 504 || e.status === 0) {
    return new ServiceError(Code.Unavailable, msg);
  }
  return new ServiceError(Code.Internal, msg);
}

/** Runs `fn`, turning API errors into ServiceErrors. */
export async function api<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw serviceError(e);
  }
}

/**
 * Checks an object of `kind` as the API receives it and returns it normalized: kind and apiVersion
 * default, the namespace is the request's, and every lint error is a 400 naming line:col.
 */
export async function checkObject(
  client: KubeClient,
  kind: Kind,
  namespace: string,
  input: unknown,
  source?: RequestSource,
): Promise<AnyObject> {
  const obj = admitShape(kind, namespace, input) as unknown as AnyObject;
  const problems = await lintProblems(client, kind, obj, namespace, source);
  if (problems.length > 0) throw errors.invalid(problems.join("\n"));
  return normalizeDocument(obj) as AnyObject;
}

/** Lint errors of `obj` as `line:col: message`, against the templates in the cluster. */
async function lintProblems(
  client: KubeClient,
  kind: Kind,
  obj: AnyObject,
  namespace: string,
  source?: RequestSource,
): Promise<string[]> {
  const registry: LoadedDocument[] = [];
  if (JSON.stringify(obj).includes("emplateRef")) {
    const [wt, cwt] = await Promise.all([
      api(() => client.listAll<AnyObject>(WORKFLOW_TEMPLATES, namespace)).catch(() => ({
        items: [] as AnyObject[],
      })),
      api(() => client.listAll<AnyObject>(CLUSTER_WORKFLOW_TEMPLATES, undefined)).catch(() => ({
        items: [] as AnyObject[],
      })),
    ]);
    for (
      const [k, list] of [["WorkflowTemplate", wt.items], ["ClusterWorkflowTemplate", cwt.items]] as const
    ) {
      for (const d of list) {
        if (k === kind && d.metadata.name === obj.metadata.name) continue; // the old version of the subject
        const clean = {
          apiVersion: "argoproj.io/v1alpha1",
          kind: k,
          metadata: { name: d.metadata.name },
          spec: d.spec,
        };
        registry.push(...loadText(JSON.stringify(clean), `${k}/${d.metadata.name}`).documents);
      }
    }
  }
  return lintErrors(obj, registry, "kubernetes", source);
}

/** Objects as the API returns them: without managedFields. */
export function clean<T extends KubeObject>(o: T): T {
  if (!o.metadata || !("managedFields" in o.metadata)) return o;
  const { managedFields: _, ...metadata } = o.metadata as T["metadata"] & { managedFields?: unknown };
  return { ...o, metadata };
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
