/**
 * The streams of the Kubernetes service: changes of workflows (an informer per watch: ADDED for
 * what exists, then changes; it survives dropped connections like the controller's) and a
 * workflow's logs (the pods' own logs, read from the API; followed until the workflow ends).
 */
import type { ListOptions, LogEntry, LogOptions, WatchEvent, Workflow } from "../../web/service.ts";
import { parseFieldSelector, selectedName } from "../../web/selectors.ts";
import type { NodeStatus } from "../spec/types.ts";
import { isNotFound, type KubeClient, WORKFLOWS } from "./client.ts";
import { Informer } from "./informer.ts";
import { podNameOf, type WorkflowObject } from "./reconciler.ts";
import { expandWorkflow } from "./status.ts";
import { clean } from "./service_support.ts";

/** A queue read as an async iterable; `end` finishes it. */
class Channel<T> {
  #items: T[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  push(item: T): void {
    this.#items.push(item);
    this.#wake?.();
  }
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      while (this.#items.length > 0) yield this.#items.shift()!;
      if (this.#ended) return;
      await new Promise<void>((r) => (this.#wake = r));
      this.#wake = undefined;
    }
  }
}

/** Changes of workflows: ADDED for each existing match first, then changes, until `signal` aborts. */
export async function* watchWorkflows(
  client: KubeClient,
  namespace: string,
  opts: ListOptions,
  signal: AbortSignal,
): AsyncIterable<WatchEvent> {
  const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : [];
  const name = selectedName(fields);
  const informer = new Informer<WorkflowObject>({
    client,
    resource: WORKFLOWS,
    ...(namespace ? { namespace } : {}),
    ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
    ...(name ? { fieldSelector: `metadata.name=${name}` } : {}),
  });
  const ch = new Channel<WatchEvent | Error>();
  informer.subscribe((e) => {
    const type = e.type === "add" ? "ADDED" : e.type === "update" ? "MODIFIED" : "DELETED";
    ch.push({ type, object: e.object as Workflow });
  });
  const onAbort = () => ch.end();
  signal.addEventListener("abort", onAbort, { once: true });
  informer.start();
  try {
    for await (const ev of ch) {
      if (ev instanceof Error) throw ev;
      yield { type: ev.type, object: clean(await expandWorkflow(ev.object as WorkflowObject)) };
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    await informer.stop();
  }
}

/** The Pod nodes of a workflow, in the order they started. */
function podNodes(wf: Workflow): NodeStatus[] {
  return Object.values(wf.status?.nodes ?? {})
    .filter((n) => n.type === "Pod")
    .sort((a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? "") || a.name.localeCompare(b.name));
}

const FINAL = new Set(["Succeeded", "Failed", "Error"]);

/** Log lines of a workflow's pods; with `follow`, until the workflow ends or `signal` aborts. */
export async function* workflowLogs(
  client: KubeClient,
  namespace: string,
  name: string,
  opts: LogOptions,
  signal: AbortSignal,
): AsyncIterable<LogEntry> {
  const container = opts.container ?? "main";
  const grep = opts.grep ? new RegExp(opts.grep) : undefined;
  const ch = new Channel<LogEntry>();
  const following = new Set<string>();
  const readers: Promise<void>[] = [];

  const read = async (pod: string, follow: boolean) => {
    let stream: ReadableStream<Uint8Array>;
    try {
      stream = await client.podLogs(namespace, pod, {
        container,
        follow,
        ...(opts.tailLines !== undefined ? { tailLines: opts.tailLines } : {}),
        ...(opts.sinceSeconds !== undefined ? { sinceSeconds: opts.sinceSeconds } : {}),
      }, signal);
    } catch {
      return; // not started yet, or gone: nothing to show
    }
    let rest = "";
    const emit = (line: string) => {
      if (!grep || grep.test(line)) ch.push({ podName: pod, content: line });
    };
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop() ?? "";
        for (const l of lines) emit(l);
      }
    } catch {
      // aborted or the connection dropped
    }
    if (rest !== "") emit(rest);
  };

  const loadWorkflow = async (): Promise<Workflow | undefined> => {
    try {
      return await expandWorkflow(await client.get<WorkflowObject>(WORKFLOWS, namespace, name));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };

  const pump = (async () => {
    try {
      for (;;) {
        const wf = await loadWorkflow();
        if (!wf) break;
        const done = FINAL.has(wf.status?.phase ?? "");
        for (const node of podNodes(wf)) {
          const pod = podNameOf(name, node);
          if (opts.podName && opts.podName !== pod && opts.podName !== node.id) continue;
          if (following.has(pod)) continue;
          if (!opts.follow) {
            following.add(pod);
            await read(pod, false); // one pod after the other, in start order
            continue;
          }
          if (node.phase === "Pending") continue; // its container has not started: next round
          following.add(pod);
          readers.push(read(pod, !FINAL.has(node.phase ?? "") && !done));
        }
        if (!opts.follow || done || signal.aborted) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      await Promise.all(readers);
    } finally {
      ch.end();
    }
  })();
  try {
    yield* ch;
  } finally {
    await pump.catch(() => {});
  }
}
