/**
 * WorkflowTemplates, ClusterWorkflowTemplates and CronWorkflows as the API service serves them:
 * checked (lint, line:col of the request) before they are written, read and written as the
 * cluster's resources. `namespace` is resolved by the caller ("" for ClusterWorkflowTemplates;
 * undefined to list every namespace).
 */
import type { CronWorkflow, ListOptions, ObjectList, RequestSource } from "../../web/service.ts";
import { errors } from "../../web/service.ts";
import type { KubeClient } from "./client.ts";
import { type AnyObject, api, checkObject, clean, type Kind, RESOURCE_OF } from "./service_support.ts";

/** Creates an object of `kind` (after checking it); with `dryRun`, only checks it. */
export async function createObject<T>(
  client: KubeClient,
  kind: Kind,
  namespace: string,
  input: T,
  dryRun: boolean,
  src?: RequestSource,
): Promise<T> {
  const obj = await checkObject(client, kind, namespace, input, src);
  return clean(
    await api(() => client.create(RESOURCE_OF[kind], namespace || undefined, obj, { dryRun })),
  ) as T;
}

/** One page of objects of `kind`. */
export async function listObjects<T>(
  client: KubeClient,
  kind: Kind,
  namespace: string | undefined,
  opts: ListOptions = {},
): Promise<ObjectList<T>> {
  const list = await api(() =>
    client.list<AnyObject>(RESOURCE_OF[kind], namespace || undefined, {
      ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
      ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
      ...(opts.limit ? { limit: opts.limit } : {}),
      ...(opts.continue ? { continue: opts.continue } : {}),
    })
  );
  return { metadata: { ...list.metadata }, items: list.items.map((o) => clean(o) as T) };
}

export async function getObject<T>(
  client: KubeClient,
  kind: Kind,
  namespace: string,
  name: string,
): Promise<T> {
  return clean(await api(() => client.get<AnyObject>(RESOURCE_OF[kind], namespace || undefined, name))) as T;
}

/** Replaces an object (after checking it), keeping its metadata; a resourceVersion given guards the write. */
export async function updateObject<T>(
  client: KubeClient,
  kind: Kind,
  namespace: string,
  name: string,
  input: T,
  src?: RequestSource,
): Promise<T> {
  const given = (input as AnyObject)?.metadata?.name;
  if (given !== undefined && given !== name) {
    throw errors.invalid(`metadata.name "${given}" does not match the name in the path "${name}"`);
  }
  const obj = await checkObject(client, kind, namespace, {
    ...input as AnyObject,
    metadata: { ...(input as AnyObject)?.metadata, name },
  }, src);
  const current = await api(() => client.get<AnyObject>(RESOURCE_OF[kind], namespace || undefined, name));
  const rv = obj.metadata.resourceVersion ?? current.metadata.resourceVersion;
  return clean(
    await api(() =>
      client.replace(RESOURCE_OF[kind], namespace || undefined, name, {
        ...obj,
        metadata: { ...current.metadata, ...obj.metadata, ...(rv ? { resourceVersion: rv } : {}) },
      })
    ),
  ) as T;
}

export async function deleteObject(
  client: KubeClient,
  kind: Kind,
  namespace: string,
  name: string,
): Promise<void> {
  await api(() => client.delete(RESOURCE_OF[kind], namespace || undefined, name, { mustExist: true }));
}

/** Suspends or resumes a CronWorkflow (`spec.suspend`, a merge patch). */
export async function setCronSuspend(
  client: KubeClient,
  namespace: string,
  name: string,
  suspend: boolean,
): Promise<CronWorkflow> {
  return clean(
    await api(() =>
      client.patch<AnyObject>(RESOURCE_OF.CronWorkflow, namespace, name, "merge", { spec: { suspend } })
    ),
  ) as unknown as CronWorkflow;
}
