/**
 * The streams of the local service: a workflow's logs (whole, or followed while it runs) and the
 * changes of workflows (ADDED, MODIFIED, DELETED), both read from the host's store by polling, woken
 * early by the writes and runtime changes the service sees.
 */
import { podName } from "../engine/mod.ts";
import {
  errors,
  type LogEntry,
  type LogOptions,
  type WatchEvent,
  type Workflow,
  type WorkflowListOptions,
} from "../../web/service.ts";
import { FieldsCleaner } from "../../web/fields.ts";
import {
  fieldsMatch,
  labelsMatch,
  parseFieldSelector,
  parseLabelSelector,
  selectedName,
} from "../../web/selectors.ts";
import { type LocalHost, workflowDone } from "./host.ts";
import type { Store, StoredWorkflow } from "./store.ts";
import { ChangesForgottenError, type Tombstone } from "./store_changes.ts";
import { FINAL_NODE, podNodes, withVersion, workflowLabels } from "./service_support.ts";
import { parseResourceVersion, workflowQuery } from "./service_list.ts";

/** What the streams need from the service. */
export interface StreamContext {
  host: LocalHost;
  now: () => Date;
  /** Resolves after the poll interval, on a change the service saw, or when `signal` aborts. */
  pause(signal: AbortSignal): Promise<void>;
  /** Watches in progress: each gets the workflows the service writes, as written. */
  inboxes: Set<(stored: StoredWorkflow<Workflow>) => void>;
}

/** Log lines of a workflow's pods; with `follow`, until the workflow ends or `stop` aborts. */
export async function* followLogs(
  ctx: StreamContext,
  namespace: string,
  name: string,
  opts: LogOptions,
  stop: AbortSignal,
): AsyncIterable<LogEntry> {
  // Only the main container's log is kept locally (there are no init/wait containers).
  if ((opts.container ?? "main") !== "main") return;
  const grep = opts.grep ? new RegExp(opts.grep) : undefined;
  const emitted = new Map<string, number>();
  for (;;) {
    const stored = ctx.host.get(namespace, name);
    if (!stored) return;
    const done = workflowDone(stored.object);
    const cutoff = opts.sinceSeconds !== undefined
      ? ctx.now().getTime() - opts.sinceSeconds * 1000
      : undefined;
    for (const node of podNodes(stored.object)) {
      const pod = podName(name, node.name, node.templateRef?.template ?? node.templateName ?? "");
      if (opts.podName && opts.podName !== pod && opts.podName !== node.id) continue;
      if (cutoff !== undefined && node.finishedAt && Date.parse(node.finishedAt) < cutoff) continue;
      const text = await ctx.host.logs(namespace, name, node.id);
      const ended = done || FINAL_NODE.has(node.phase ?? "");
      const from = emitted.get(node.id);
      let lines = completeLines(text.slice(from ?? 0), ended);
      emitted.set(node.id, (from ?? 0) + lines.consumed);
      if (from === undefined && opts.tailLines !== undefined) {
        lines = { ...lines, lines: opts.tailLines > 0 ? lines.lines.slice(-opts.tailLines) : [] };
      }
      for (const content of lines.lines) {
        if (stop.aborted) return;
        if (!grep || grep.test(content)) yield { podName: pod, content };
      }
    }
    if (!opts.follow || done || stop.aborted) return;
    await ctx.pause(stop);
  }
}

/**
 * Changes of workflows, as a Kubernetes watch sends them: ADDED for each existing match first (or,
 * with `resourceVersion` from a list, only what changed since that list), then ADDED, MODIFIED and
 * DELETED as they happen, until `stop` aborts. A workflow that stops matching the selectors (its
 * phase label changed) is DELETED from the watch; one that starts matching is ADDED.
 *
 * Each poll reads only the uid and version of the namespace's workflows; objects are read only
 * when their version changed, and without nodes when `fields` drops them.
 */
export function watchChanges(
  ctx: StreamContext,
  namespace: string,
  opts: WorkflowListOptions,
  stop: AbortSignal,
): AsyncIterable<WatchEvent> {
  // Checked now, so that a bad request is an error before the stream starts.
  const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : [];
  const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : [];
  const since = opts.resourceVersion ? parseResourceVersion(ctx.host.store, opts.resourceVersion) : undefined;
  if (since !== undefined) deletionsSince(ctx.host.store, namespace, since);
  return changes(ctx, namespace, opts, { labels, fields, since }, stop);
}

async function* changes(
  ctx: StreamContext,
  namespace: string,
  opts: WorkflowListOptions,
  { labels, fields, since }: {
    labels: ReturnType<typeof parseLabelSelector>;
    fields: ReturnType<typeof parseFieldSelector>;
    since: number | undefined;
  },
  stop: AbortSignal,
): AsyncIterable<WatchEvent> {
  const only = selectedName(fields);
  const store = ctx.host.store;
  const withoutNodes = new FieldsCleaner(opts.fields).withoutPrefix("result.object.").willExclude(
    "status.nodes",
  );
  /** The version of each workflow last looked at (matching or not). */
  const seen = new Map<string, number>();
  /** The workflows this watch has shown (and not DELETED since), as last shown. */
  const known = new Map<string, Workflow>();
  const versions = store.db.prepare(
    "SELECT uid, version FROM workflows WHERE namespace = ? AND (? IS NULL OR name = ?)",
  );
  const read = (uid: string) => store.getWorkflowByUid<Workflow>(uid, { withoutNodes });
  const inbox: StoredWorkflow<Workflow>[] = [];
  const deliver = (stored: StoredWorkflow<Workflow>) => inbox.push(stored);
  ctx.inboxes.add(deliver);
  /** The event of a newer version of a workflow, if this watch shows one. */
  const eventOf = (stored: StoredWorkflow<Workflow>): WatchEvent | undefined => {
    if (stored.namespace !== namespace) return undefined;
    seen.set(stored.uid, Math.max(seen.get(stored.uid) ?? 0, stored.version));
    const before = known.get(stored.uid);
    if (before && Number(before.metadata.resourceVersion) >= stored.version) return undefined;
    const wf = withVersion(stored);
    if (!labelsMatch(labels, workflowLabels(wf)) || !fieldsMatch(fields, wf.metadata)) {
      if (!before) return undefined;
      known.delete(stored.uid);
      return { type: "DELETED", object: wf };
    }
    known.set(stored.uid, wf);
    return { type: before ? "MODIFIED" : "ADDED", object: wf };
  };
  try {
    // What the watch starts from: every workflow is seen at its current version, and the matching
    // ones are known (sent now as ADDED, or, after a list, known to the client already).
    const query = workflowQuery(namespace, { ...opts, phases: [] });
    for (const row of store.workflowVersions(query)) {
      if (only !== undefined && row.name !== only) continue;
      // Written after the list: sent below.
      if (since !== undefined && row.seq > since) continue;
      seen.set(row.uid, row.version);
      if (!row.matches) continue;
      if (since !== undefined) {
        known.set(row.uid, {
          metadata: { name: row.name, namespace, uid: row.uid, resourceVersion: String(row.version) },
        } as Workflow);
        continue;
      }
      const stored = read(row.uid);
      const e = stored && eventOf(stored);
      if (e) yield e;
    }
    // Deleted after the list, before the rows above were read: DELETED if the list could have shown
    // them. (Read after the rows: one deleted since is seen gone by the loop below.)
    for (const dead of since === undefined ? [] : deletionsSince(store, namespace, since)) {
      if (only !== undefined && dead.name !== only) continue;
      seen.delete(dead.uid);
      known.delete(dead.uid);
      const wf = {
        metadata: {
          name: dead.name,
          namespace,
          uid: dead.uid,
          ...(dead.labels ? { labels: dead.labels } : {}),
        },
        status: { phase: dead.phase },
      } as Workflow;
      if (labelsMatch(labels, workflowLabels(wf)) && fieldsMatch(fields, wf.metadata)) {
        yield { type: "DELETED", object: wf };
      }
    }
    while (!stop.aborted) {
      for (const stored of inbox.splice(0)) {
        const e = eventOf(stored);
        if (e) yield e;
      }
      const rows = versions.all(namespace, only ?? null, only ?? null) as { uid: string; version: number }[];
      const present = new Set<string>();
      for (const row of rows) {
        present.add(row.uid);
        if (seen.get(row.uid) === Number(row.version)) continue;
        const stored = read(row.uid);
        const e = stored && eventOf(stored);
        if (e) yield e;
      }
      for (const uid of [...seen.keys()]) {
        if (present.has(uid)) continue;
        seen.delete(uid);
        const wf = known.get(uid);
        if (!wf) continue;
        known.delete(uid);
        yield { type: "DELETED", object: wf };
      }
      if (inbox.length === 0) await ctx.pause(stop);
    }
  } finally {
    ctx.inboxes.delete(deliver);
  }
}

/** Whole lines of `text` (and the last partial line when `ended`), with how many characters they used. */
function completeLines(text: string, ended: boolean): { lines: string[]; consumed: number } {
  const end = ended ? text.length : text.lastIndexOf("\n") + 1;
  const body = text.slice(0, end);
  if (body === "") return { lines: [], consumed: end };
  const lines = body.replace(/\n$/, "").split("\n");
  return { lines, consumed: end };
}

/** Deletions after a list's change number; a 400 asking to list again when they are forgotten. */
function deletionsSince(store: Store, namespace: string, since: number): Tombstone[] {
  try {
    return store.deletedSince(namespace, since);
  } catch (e) {
    if (!(e instanceof ChangesForgottenError)) throw e;
    throw errors.invalid(
      `listOptions.resourceVersion ${since} is too old: ${e.message}; list again and watch from that list`,
    );
  }
}
