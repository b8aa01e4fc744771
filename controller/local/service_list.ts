/**
 * Listing workflows of the local service: the request's selectors become one SQL query of the
 * store (namespace, phases, labels, names, a keyset cursor and a limit), so a page of 100 costs
 * the same with 100 or 100,000 workflows stored and no other workflow is read or parsed.
 *
 * `metadata.continue` is the cursor of the page's last item (its creation time and row id) as
 * base64url JSON, as Kubernetes' tokens are opaque base64 JSON; `remainingItemCount` says how many
 * match after the page. `metadata.resourceVersion` is the store's change number (store_changes.ts)
 * read before the page, which a watch can start from (`listOptions.resourceVersion`) to get only
 * what changed since the list.
 */
import { errors, type ObjectList, type Workflow, type WorkflowListOptions } from "../../web/service.ts";
import { parseFieldSelector, parseLabelSelector } from "../../web/selectors.ts";
import type { Store, WorkflowCursor, WorkflowPageQuery } from "./store.ts";
import { withVersion } from "./service_support.ts";

const TOKEN_VERSION = "skiff/v1";

/** The store query of a list request (its cursor and limit aside); every malformed part is a 400. */
export function workflowQuery(namespace: string, opts: WorkflowListOptions): WorkflowPageQuery {
  const query: WorkflowPageQuery = { namespace };
  const phases = opts.phases?.flatMap((p) => (p === "Pending" ? ["", "Pending"] : [p]));
  if (phases && phases.length > 0) query.phases = phases;
  if (opts.labelSelector) query.labels = parseLabelSelector(opts.labelSelector);
  if (opts.fieldSelector) query.fields = parseFieldSelector(opts.fieldSelector);
  return query;
}

/** One page of workflows of a namespace. */
export function listWorkflows(
  store: Store,
  namespace: string,
  opts: WorkflowListOptions,
  withoutNodes: boolean,
): ObjectList<Workflow> {
  const query = workflowQuery(namespace, opts);
  const limit = opts.limit ?? 0;
  if (!Number.isInteger(limit) || limit < 0) {
    throw errors.invalid(`listOptions.limit must be a whole number >= 0, not ${JSON.stringify(opts.limit)}`);
  }
  // Read before the page: a write in between is in the page and sent again by a watch from here.
  const resourceVersion = String(store.changeSeq());
  const page = store.listWorkflowPage<Workflow>({
    ...query,
    limit,
    withoutNodes,
    countRemaining: true,
    ...(opts.continue ? { after: decodeContinue(opts.continue) } : {}),
  });
  const metadata: ObjectList<Workflow>["metadata"] = { resourceVersion };
  if (page.next) {
    metadata.continue = encodeContinue(page.next);
    if (page.remaining !== undefined) metadata.remainingItemCount = page.remaining;
  }
  return { metadata, items: page.items.map(withVersion) };
}

/** `listOptions.resourceVersion` as the change number it names; a 400 when this server gave no such one. */
export function parseResourceVersion(store: Store, text: string): number {
  const seq = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(seq <= store.changeSeq())) {
    throw errors.invalid(
      `listOptions.resourceVersion ${JSON.stringify(text)} is not one this server gave ` +
        `(use the metadata.resourceVersion of a list, or leave it out to get every workflow first)`,
    );
  }
  return seq;
}

/** A `metadata.continue` token for the page after `cursor`. */
export function encodeContinue(cursor: WorkflowCursor): string {
  const json = JSON.stringify({ v: TOKEN_VERSION, created: cursor.created, id: cursor.id });
  return btoa(json).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The cursor of a `listOptions.continue` token; a 400 naming the problem when it is not one of ours. */
export function decodeContinue(token: string): WorkflowCursor {
  try {
    const b64 = token.replaceAll("-", "+").replaceAll("_", "/");
    const value = JSON.parse(atob(b64)) as { v?: unknown; created?: unknown; id?: unknown };
    if (
      value.v === TOKEN_VERSION && typeof value.created === "string" && !isNaN(Date.parse(value.created)) &&
      typeof value.id === "number" && Number.isInteger(value.id)
    ) {
      return { created: value.created, id: value.id };
    }
  } catch {
    // reported below
  }
  throw errors.invalid(
    `listOptions.continue ${
      JSON.stringify(token.length > 60 ? token.slice(0, 60) + "..." : token)
    } is not a token this server gave; use the metadata.continue of the previous page, or list again without it`,
  );
}
