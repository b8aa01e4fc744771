/**
 * The streams of the local service: a workflow's logs (whole, or followed while it runs) and the
 * changes of workflows (ADDED, MODIFIED, DELETED), both read from the host's store by polling, woken
 * early by the writes and runtime changes the service sees.
 */
import { podName } from "../engine/mod.ts";
import type { ListOptions, LogEntry, LogOptions, WatchEvent, Workflow } from "../../web/service.ts";
import {
  fieldsMatch,
  labelsMatch,
  parseFieldSelector,
  parseLabelSelector,
  selectedName,
} from "../../web/selectors.ts";
import { type LocalHost, workflowDone } from "./host.ts";
import type { StoredWorkflow } from "./store.ts";
import { FINAL_NODE, podNodes, withVersion, workflowLabels } from "./service_support.ts";

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

/** Changes of workflows: ADDED for each existing match first, then changes, until `stop` aborts. */
export async function* watchChanges(
  ctx: StreamContext,
  namespace: string,
  opts: ListOptions,
  stop: AbortSignal,
): AsyncIterable<WatchEvent> {
  const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : [];
  const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : [];
  const only = selectedName(fields);
  const known = new Map<string, Workflow>();
  const versions = ctx.host.store.db.prepare(
    "SELECT uid, version FROM workflows WHERE namespace = ? AND (? IS NULL OR name = ?)",
  );
  const inbox: StoredWorkflow<Workflow>[] = [];
  const deliver = (stored: StoredWorkflow<Workflow>) => inbox.push(stored);
  ctx.inboxes.add(deliver);
  /** The event of a newer version of a workflow, if it is one this watch shows. */
  const eventOf = (stored: StoredWorkflow<Workflow>): WatchEvent | undefined => {
    if (stored.namespace !== namespace) return undefined;
    const before = known.get(stored.uid);
    if (before && Number(before.metadata.resourceVersion) >= stored.version) return undefined;
    const wf = withVersion(stored);
    if (!labelsMatch(labels, workflowLabels(wf)) || !fieldsMatch(fields, wf.metadata)) return undefined;
    known.set(stored.uid, wf);
    return { type: before ? "MODIFIED" : "ADDED", object: wf };
  };
  try {
    while (!stop.aborted) {
      for (const stored of inbox.splice(0)) {
        const e = eventOf(stored);
        if (e) yield e;
      }
      const rows = versions.all(namespace, only ?? null, only ?? null) as {
        uid: string;
        version: number;
      }[];
      const present = new Set<string>();
      for (const row of rows) {
        present.add(row.uid);
        const before = known.get(row.uid);
        if (before && before.metadata.resourceVersion === String(row.version)) continue;
        const stored = ctx.host.store.getWorkflowByUid<Workflow>(row.uid);
        const e = stored && eventOf(stored);
        if (e) yield e;
      }
      for (const [uid, wf] of known) {
        if (present.has(uid)) continue;
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
