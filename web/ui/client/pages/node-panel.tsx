/** @jsxImportSource npm:preact@11.2.0 */
/// <reference lib="dom" />
/**
 * The panel of the selected node: what it is, its timings, message, inputs and outputs, and its
 * logs (followed while the workflow runs).
 */
import { useEffect, useRef, useState } from "../../deps/preact.ts";
import { streamNdjson } from "../api.ts";
import { durationOf, formatDuration, formatTime, isFinal, phaseClass } from "../format.ts";
import type { IO, NodeStatus } from "../types.ts";

const MAX_LINES = 20000;

function Params(props: { title: string; io: IO | undefined; showResult?: boolean }) {
  const params = props.io?.parameters ?? [];
  const artifacts = props.io?.artifacts ?? [];
  const result = props.showResult ? props.io?.result : undefined;
  const exitCode = props.showResult ? props.io?.exitCode : undefined;
  if (params.length === 0 && artifacts.length === 0 && result === undefined && exitCode === undefined) {
    return (
      <section>
        <h3>{props.title}</h3>
        <p class="muted">none</p>
      </section>
    );
  }
  return (
    <section>
      <h3>{props.title}</h3>
      <table class="kv">
        <tbody>
          {params.map((p) => (
            <tr key={`p:${p.name}`}>
              <th>{p.name}</th>
              <td>
                <code>{p.value ?? p.default ?? ""}</code>
              </td>
            </tr>
          ))}
          {artifacts.map((a) => (
            <tr key={`a:${a.name}`}>
              <th>{a.name}</th>
              <td class="muted">artifact{a.path ? ` at ${a.path}` : ""}</td>
            </tr>
          ))}
          {result !== undefined && (
            <tr>
              <th>result</th>
              <td>
                <code>{result}</code>
              </td>
            </tr>
          )}
          {exitCode !== undefined && (
            <tr>
              <th>exit code</th>
              <td>
                <code>{exitCode}</code>
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** A node's log lines, streamed (and followed while `follow`). */
function Logs(props: { namespace: string; workflow: string; node: NodeStatus; follow: boolean }) {
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState<"loading" | "following" | "done" | "error">("loading");
  const [error, setError] = useState("");
  const [stick, setStick] = useState(true);
  const pre = useRef<HTMLPreElement>(null);
  const { namespace, workflow, node, follow } = props;

  useEffect(() => {
    const abort = new AbortController();
    let buffer: string[] = [];
    let pending = false;
    const flush = () => {
      pending = false;
      const add = buffer;
      buffer = [];
      setLines((old) => {
        const next = old.concat(add);
        return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
      });
    };
    setLines([]);
    setState(follow ? "following" : "loading");
    const q = new URLSearchParams({ podName: node.id, "logOptions.container": "main" });
    if (follow) q.set("logOptions.follow", "true");
    streamNdjson<{ content: string }>(
      `/api/v1/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(workflow)}/log?${q}`,
      (e) => {
        buffer.push(e.content);
        if (!pending) {
          pending = true;
          requestAnimationFrame(flush);
        }
      },
      abort.signal,
    ).then(() => {
      flush();
      setState("done");
    }).catch((e) => {
      if (abort.signal.aborted) return;
      flush();
      setError(e instanceof Error ? e.message : String(e));
      setState("error");
    });
    return () => abort.abort();
  }, [namespace, workflow, node.id, follow]);

  useEffect(() => {
    if (stick && pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [lines, stick]);

  return (
    <section class="logs">
      <h3>
        Logs{" "}
        <span class="muted small" data-log-state={state}>
          {state === "following"
            ? "following…"
            : state === "loading"
            ? "loading…"
            : state === "done"
            ? `${lines.length} lines`
            : ""}
        </span>
        <label class="small stick">
          <input type="checkbox" checked={stick} onChange={() => setStick(!stick)} /> scroll to end
        </label>
      </h3>
      {state === "error" && <p class="error">{error}</p>}
      <pre
        ref={pre}
        class="log"
        aria-label="logs"
        onScroll={(e) => {
          const el = e.currentTarget as HTMLPreElement;
          const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          if (atEnd !== stick) setStick(atEnd);
        }}
      >
        {lines.length === 0 && state === "done" ? <span class="muted">(no output)</span> : lines.join("\n")}
      </pre>
    </section>
  );
}

/** The node panel. */
export function NodePanel(
  props: {
    namespace: string;
    workflow: string;
    node: NodeStatus;
    workflowDone: boolean;
    onClose: () => void;
  },
) {
  const n = props.node;
  const [now, setNow] = useState(Date.now());
  const running = !isFinal(n.phase);
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);
  const hasLogs = n.type === "Pod";
  return (
    <aside class="panel" aria-label="node details">
      <div class="panel-head">
        <h2 title={n.name}>{n.displayName ?? n.name}</h2>
        <button type="button" class="link" aria-label="close panel" onClick={props.onClose}>×</button>
      </div>
      <div class={`badge ${phaseClass(n.phase)}`} data-phase={n.phase || "Pending"}>
        {n.phase || "Pending"}
      </div>
      <table class="kv">
        <tbody>
          <tr>
            <th>type</th>
            <td>{n.type}</td>
          </tr>
          {(n.templateName || n.templateRef) && (
            <tr>
              <th>template</th>
              <td>
                {n.templateRef ? `${n.templateRef.name}/${n.templateRef.template}` : n.templateName}
              </td>
            </tr>
          )}
          <tr>
            <th>id</th>
            <td>
              <code>{n.id}</code>
            </td>
          </tr>
          <tr>
            <th>name</th>
            <td>
              <code>{n.name}</code>
            </td>
          </tr>
          <tr>
            <th>started</th>
            <td>{formatTime(n.startedAt, now)}</td>
          </tr>
          <tr>
            <th>finished</th>
            <td>{formatTime(n.finishedAt, now)}</td>
          </tr>
          <tr>
            <th>duration</th>
            <td>{formatDuration(durationOf(n.startedAt, n.finishedAt, now))}</td>
          </tr>
          {n.progress && (
            <tr>
              <th>progress</th>
              <td>{n.progress}</td>
            </tr>
          )}
        </tbody>
      </table>
      {n.message && <p class="message-box">{n.message}</p>}
      <Params title="Inputs" io={n.inputs} />
      <Params title="Outputs" io={n.outputs} showResult />
      {hasLogs && (
        <Logs
          namespace={props.namespace}
          workflow={props.workflow}
          node={n}
          follow={!props.workflowDone}
        />
      )}
    </aside>
  );
}
