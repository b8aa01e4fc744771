/** @jsxImportSource npm:preact@11.2.0 */
/// <reference lib="dom" />
/**
 * A workflow's page: its summary and actions, the graph of its nodes (laid out by dagre in a
 * worker, drawn as SVG, colored by phase), live through server-sent events, and the panel of the
 * selected node.
 */
import { useEffect, useMemo, useRef, useState } from "../../deps/preact.ts";
import { api, ApiError, watchWorkflows } from "../api.ts";
import { assetUrl } from "../assets.ts";
import { durationOf, formatDuration, formatTime, isFinal, phaseClass } from "../format.ts";
import { layoutPlan, type LayoutResult, structureKey } from "../graph/model.ts";
import { GraphView } from "../graph/view.ts";
import { notify, notifyError } from "../notices.tsx";
import { navigate, workflowHref } from "../router.ts";
import type { NodeStatus, Workflow } from "../types.ts";
import { NodePanel } from "./node-panel.tsx";
import { Progress } from "./workflows.tsx";

type LayoutState = {
  state: "idle" | "running" | "done" | "error";
  nodes: number;
  ms?: number;
  error?: string;
};

/** Lays out in a worker; each call supersedes the ones still waiting. */
class Layouter {
  #worker: Worker;
  #seq = 0;
  #waiting = new Map<number, (r: LayoutResult | Error) => void>();
  constructor() {
    this.#worker = new Worker(assetUrl("layout.js"), { type: "module" });
    this.#worker.onmessage = (e: MessageEvent<{ seq: number; result?: LayoutResult; error?: string }>) => {
      const done = this.#waiting.get(e.data.seq);
      this.#waiting.delete(e.data.seq);
      done?.(e.data.result ?? new Error(e.data.error ?? "layout failed"));
    };
    this.#worker.onerror = (e) => {
      for (const done of this.#waiting.values()) done(new Error(e.message || "the layout worker failed"));
      this.#waiting.clear();
    };
  }
  layout(nodes: Record<string, NodeStatus>): Promise<LayoutResult> {
    const seq = ++this.#seq;
    const request = layoutPlan(nodes);
    return new Promise((resolve, reject) => {
      this.#waiting.set(seq, (r) => (r instanceof Error ? reject(r) : resolve(r)));
      this.#worker.postMessage({ seq, request });
    });
  }
  close() {
    this.#worker.terminate();
  }
}

/** The graph, kept current: a new layout when nodes appear, a class swap when phases change. */
function Graph(
  props: { nodes: Record<string, NodeStatus>; selected?: string | undefined; onSelect: (id: string) => void },
) {
  const box = useRef<HTMLDivElement>(null);
  const view = useRef<GraphView | undefined>(undefined);
  const layouter = useRef<Layouter | undefined>(undefined);
  const latest = useRef(props.nodes);
  const laidKey = useRef<string | undefined>(undefined);
  const running = useRef(false);
  const onSelect = useRef(props.onSelect);
  const selected = useRef(props.selected);
  const [layoutState, setLayoutState] = useState<LayoutState>({ state: "idle", nodes: 0 });
  const [find, setFind] = useState("");
  latest.current = props.nodes;
  onSelect.current = props.onSelect;
  selected.current = props.selected;

  useEffect(() => {
    view.current = new GraphView(box.current!, (id) => onSelect.current(id));
    layouter.current = new Layouter();
    return () => {
      layouter.current?.close();
      view.current?.destroy();
    };
  }, []);

  const relayout = async () => {
    if (running.current) return; // the current run looks again when it ends
    running.current = true;
    try {
      for (;;) {
        const nodes = latest.current;
        const key = structureKey(nodes);
        if (key === laidKey.current) {
          view.current?.update(nodes);
          break;
        }
        const count = Object.keys(nodes).length;
        setLayoutState((s) => ({ ...s, state: "running", nodes: count }));
        const result = await layouter.current!.layout(nodes);
        const first = laidKey.current === undefined;
        laidKey.current = key;
        view.current?.draw(nodes, result, !first);
        view.current?.update(latest.current);
        if (selected.current) view.current?.select(selected.current, first ? latest.current : undefined);
        setLayoutState({ state: "done", nodes: count, ms: result.ms });
      }
    } catch (e) {
      setLayoutState((s) => ({ ...s, state: "error", error: e instanceof Error ? e.message : String(e) }));
    } finally {
      running.current = false;
    }
  };

  useEffect(() => {
    if (structureKey(props.nodes) === laidKey.current) view.current?.update(props.nodes);
    else void relayout();
  }, [props.nodes]);

  useEffect(() => {
    view.current?.select(props.selected, latest.current);
  }, [props.selected]);

  const findNode = (e: Event) => {
    e.preventDefault();
    const q = find.trim().toLowerCase();
    if (!q) return;
    const hit = Object.values(latest.current).find((n) =>
      (n.displayName ?? n.name).toLowerCase().includes(q)
    );
    if (hit) {
      onSelect.current(hit.id);
      view.current?.focus(hit.id);
    } else notify(`no node matches "${find}"`);
  };

  return (
    <div class="graph-area">
      <div class="graph-tools">
        <button type="button" title="fit to view" onClick={() => view.current?.fit()}>Fit</button>
        <button type="button" title="zoom in" onClick={() => view.current?.zoom(1.25)}>+</button>
        <button type="button" title="zoom out" onClick={() => view.current?.zoom(0.8)}>−</button>
        <form onSubmit={findNode}>
          <input
            aria-label="find node"
            placeholder="find node"
            value={find}
            onInput={(e) => setFind((e.target as HTMLInputElement).value)}
          />
        </form>
        <span class="muted small" data-layout={layoutState.state}>
          {layoutState.state === "running" && `laying out ${layoutState.nodes} nodes…`}
          {layoutState.state === "done" && `${layoutState.nodes} nodes · layout ${layoutState.ms} ms`}
          {layoutState.state === "error" && `layout failed: ${layoutState.error}`}
        </span>
      </div>
      <div class="graph-box" ref={box} />
    </div>
  );
}

function isSuspended(wf: Workflow): boolean {
  if (wf.spec.suspend) return true;
  return Object.values(wf.status?.nodes ?? {}).some((n) => n.type === "Suspend" && n.phase === "Running");
}

function Actions(props: { wf: Workflow; onDeleted: () => void }) {
  const { wf } = props;
  const ns = wf.metadata.namespace ?? "default";
  const name = wf.metadata.name ?? "";
  const phase = wf.status?.phase || "Pending";
  const done = isFinal(phase);
  const suspended = !done && isSuspended(wf);
  const [busy, setBusy] = useState<string | undefined>();
  const base = `/api/v1/workflows/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;
  const run = async (verb: string, confirmText?: string) => {
    if (confirmText && !confirm(confirmText)) return;
    setBusy(verb);
    try {
      if (verb === "delete") {
        await api("DELETE", base);
        notify(`deleted ${name}`);
        props.onDeleted();
      } else if (verb === "resubmit") {
        const created = await api<Workflow>("PUT", `${base}/resubmit`, {});
        notify(`resubmitted as ${created.metadata.name}`);
        navigate(workflowHref(ns, created.metadata.name ?? ""));
      } else {
        await api("PUT", `${base}/${verb}`, {});
        notify(`${verb}: done`);
      }
    } catch (e) {
      notifyError(verb, e);
    } finally {
      setBusy(undefined);
    }
  };
  const button = (verb: string, label: string, enabled: boolean, confirmText?: string, cls = "") => (
    <button
      type="button"
      class={cls}
      data-action={verb}
      disabled={!enabled || busy !== undefined}
      onClick={() => run(verb, confirmText)}
    >
      {busy === verb ? `${label}…` : label}
    </button>
  );
  return (
    <div class="actions" role="toolbar" aria-label="workflow actions">
      {button("resume", "Resume", suspended, undefined, suspended ? "primary" : "")}
      {button("suspend", "Suspend", !done && !wf.spec.suspend)}
      {button("stop", "Stop", !done, `Stop ${name}? Running steps are stopped; exit handlers run.`)}
      {button(
        "terminate",
        "Terminate",
        !done,
        `Terminate ${name}? Running steps are stopped; exit handlers do not run.`,
      )}
      {button("retry", "Retry", phase === "Failed" || phase === "Error")}
      {button("resubmit", "Resubmit", done)}
      {button("delete", "Delete", true, `Delete ${name} and its logs?`, "danger")}
    </div>
  );
}

/** The workflow page. */
export function WorkflowPage(props: { namespace: string; name: string; node?: string | undefined }) {
  const { namespace, name } = props;
  const [wf, setWf] = useState<Workflow | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [live, setLive] = useState<"connecting" | "live" | "reconnecting">("connecting");
  const [deleted, setDeleted] = useState(false);
  const [now, setNow] = useState(Date.now());
  const pending = useRef<Workflow | undefined>(undefined);

  useEffect(() => {
    let frame = 0;
    const apply = (w: Workflow) => {
      pending.current = w;
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (pending.current) setWf(pending.current);
      });
    };
    api<Workflow>("GET", `/api/v1/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`)
      .then((w) => {
        if (!pending.current) apply(w);
      })
      .catch((e) =>
        setError(
          e instanceof ApiError && e.status === 404
            ? `Workflow ${name} not found in ${namespace}.`
            : String(e instanceof Error ? e.message : e),
        )
      );
    const stop = watchWorkflows(
      namespace,
      { "listOptions.fieldSelector": `metadata.name=${name}` },
      (e) => {
        if (e.type === "DELETED") setDeleted(true);
        else {
          setDeleted(false);
          apply(e.object);
        }
      },
      (connected) => setLive(connected ? "live" : "reconnecting"),
    );
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      stop();
      clearInterval(tick);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [namespace, name]);

  const nodes = wf?.status?.nodes ?? EMPTY;
  const selected = props.node && nodes[props.node] ? nodes[props.node] : undefined;
  const select = (id: string | undefined) => navigate(workflowHref(namespace, name, id), true);
  const phase = wf?.status?.phase || "Pending";
  const done = isFinal(phase);
  const graph = useMemo(() => <Graph nodes={nodes} selected={props.node} onSelect={select} />, [
    nodes,
    props.node,
  ]);

  if (error && !wf) {
    return (
      <main class="page">
        <h1>{name}</h1>
        <p class="error" role="alert">{error}</p>
        <p>
          <a href={`/workflows/${encodeURIComponent(namespace)}`}>Back to the list</a>
        </p>
      </main>
    );
  }
  const s = wf?.status ?? {};
  return (
    <main class="page workflow-page">
      <div class="page-head">
        <a class="muted" href={`/workflows/${encodeURIComponent(namespace)}`}>Workflows</a>
        <span class="muted">/</span>
        <h1>{name}</h1>
        <span class={`badge ${phaseClass(phase)}`} data-phase={phase} id="workflow-phase">{phase}</span>
        {wf && !done && isSuspended(wf) && <span class="badge suspended">suspended</span>}
        <span class={`live ${live}`} title="updates from the server">
          {live === "live" ? "● live" : live}
        </span>
        <div class="spacer" />
        {wf && <Actions wf={wf} onDeleted={() => navigate(`/workflows/${encodeURIComponent(namespace)}`)} />}
      </div>
      {deleted && <p class="error" role="alert">This workflow has been deleted.</p>}
      {wf && (
        <div class="summary">
          <span>
            <span class="muted">started</span> {formatTime(s.startedAt ?? wf.metadata.creationTimestamp, now)}
          </span>
          <span>
            <span class="muted">duration</span> {formatDuration(durationOf(s.startedAt, s.finishedAt, now))}
          </span>
          <span>
            <span class="muted">progress</span> <Progress text={s.progress} />
          </span>
          {s.message && <span class="message" title={s.message}>{s.message}</span>}
        </div>
      )}
      <div class="workflow-body">
        {wf ? graph : <p class="muted">loading…</p>}
        {selected && (
          <NodePanel
            namespace={namespace}
            workflow={name}
            node={selected}
            workflowDone={done}
            onClose={() => select(undefined)}
          />
        )}
      </div>
    </main>
  );
}

const EMPTY: Record<string, NodeStatus> = {};
