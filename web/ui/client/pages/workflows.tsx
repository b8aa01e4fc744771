/** @jsxImportSource npm:preact@11.2.0 */
/// <reference lib="dom" />
/**
 * The workflow list: newest first, one server-side page at a time (`listOptions.limit` and
 * `continue`, so 10,000 workflows cost one page), filtered by phase and label selector (both sent
 * to the server as a label selector), and live as Argo's UI is: after the page is read, the
 * server-sent events of `/api/v1/workflow-events/{ns}` from the list's resourceVersion (same
 * selector, nodes left out) update its rows, add new workflows on the first page and drop the
 * deleted and those that no longer match.
 */
import { useEffect, useState } from "../../deps/preact.ts";
import { api, ApiError, type WatchEvent, watchWorkflows } from "../api.ts";
import { applyEvents } from "../live-list.ts";
import { durationOf, formatAge, formatDuration, phaseClass, phaseIcon, PHASES } from "../format.ts";
import { navigate, workflowHref } from "../router.ts";
import type { ObjectList, Workflow } from "../types.ts";

const PHASE_LABEL = "workflows.argoproj.io/phase";
const PAGE_SIZES = [20, 50, 100, 500];
/** How often ages and durations are redrawn. */
const TICK_MS = 5000;
/** What the list shows of each workflow (Argo's `fields`): no nodes, no spec. */
const LIST_FIELDS = [
  "metadata",
  ...[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "metadata.creationTimestamp",
    "metadata.labels",
    "status.phase",
    "status.message",
    "status.startedAt",
    "status.finishedAt",
    "status.progress",
  ].map((f) => `items.${f}`),
].join(",");
/** The same for the watch: everything but the nodes and the spec. */
const WATCH_FIELDS = "-result.object.status.nodes,result.object.status.storedTemplates,result.object.spec";

interface Filters {
  phases: string[];
  labels: string;
  limit: number;
}

function filtersFromUrl(): Filters {
  const q = new URLSearchParams(location.search);
  const limit = Number(q.get("limit") ?? "50");
  return {
    phases: (q.get("phase") ?? "").split(",").filter((p) => (PHASES as readonly string[]).includes(p)),
    labels: q.get("label") ?? "",
    limit: PAGE_SIZES.includes(limit) ? limit : 50,
  };
}

function urlOf(namespace: string, f: Filters): string {
  const q = new URLSearchParams();
  if (f.phases.length > 0) q.set("phase", f.phases.join(","));
  if (f.labels.trim() !== "") q.set("label", f.labels.trim());
  if (f.limit !== 50) q.set("limit", String(f.limit));
  const qs = q.toString();
  return `/workflows/${encodeURIComponent(namespace)}${qs ? `?${qs}` : ""}`;
}

/** The label selector the server gets for these filters. */
export function selectorOf(f: Filters): string {
  const parts: string[] = [];
  if (f.phases.length > 0) parts.push(`${PHASE_LABEL} in (${f.phases.join(",")})`);
  if (f.labels.trim() !== "") parts.push(f.labels.trim());
  return parts.join(",");
}

/** The list page. */
export function WorkflowsPage(props: { namespace: string }) {
  const ns = props.namespace;
  const [filters, setFilters] = useState<Filters>(filtersFromUrl);
  const [labelText, setLabelText] = useState(filters.labels);
  /** Continue tokens of the pages before the current one ("" is the first page). */
  const [pages, setPages] = useState<string[]>([""]);
  const [list, setList] = useState<ObjectList<Workflow> | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const [now, setNow] = useState(Date.now());
  const [live, setLive] = useState<boolean | undefined>();
  const token = pages[pages.length - 1] ?? "";

  useEffect(() => {
    const abort = new AbortController();
    let stopWatch: (() => void) | undefined;
    let queued: WatchEvent[] = [];
    let flush: number | undefined;
    setLoading(true);
    setLive(undefined);
    const q = new URLSearchParams({ "listOptions.limit": String(filters.limit), fields: LIST_FIELDS });
    const selector = selectorOf(filters);
    if (selector) q.set("listOptions.labelSelector", selector);
    if (token) q.set("listOptions.continue", token);
    (async () => {
      try {
        const res = await api<ObjectList<Workflow>>(
          "GET",
          `/api/v1/workflows/${encodeURIComponent(ns)}?${q}`,
          undefined,
          abort.signal,
        );
        if (abort.signal.aborted) return;
        setList(res);
        setError(undefined);
        setNow(Date.now());
        // Live from here: only what changes after this list, applied at most once per frame.
        const watch: Record<string, string> = { fields: WATCH_FIELDS };
        if (selector) watch["listOptions.labelSelector"] = selector;
        if (res.metadata.resourceVersion) watch["listOptions.resourceVersion"] = res.metadata.resourceVersion;
        stopWatch = watchWorkflows(ns, watch, (e) => {
          queued.push(e);
          flush ??= requestAnimationFrame(() => {
            flush = undefined;
            const batch = queued;
            queued = [];
            setList((l) => l && { ...l, items: applyEvents(l.items ?? [], batch, token === "") });
            setNow(Date.now());
          });
        }, (connected, message) => {
          setLive(connected);
          if (message) setError(message);
        });
      } catch (e) {
        if (abort.signal.aborted) return;
        if (e instanceof ApiError && e.status === 400 && token) {
          setPages([""]); // the continue token went stale: back to the first page
          return;
        }
        setError(e instanceof Error ? e.message : String(e));
      } finally {
        if (!abort.signal.aborted) setLoading(false);
      }
    })();
    const ticker = setInterval(() => {
      if (document.visibilityState === "visible") setNow(Date.now());
    }, TICK_MS);
    return () => {
      abort.abort();
      stopWatch?.();
      if (flush !== undefined) cancelAnimationFrame(flush);
      clearInterval(ticker);
    };
  }, [ns, filters, token]);

  const apply = (f: Filters) => {
    setFilters(f);
    setPages([""]);
    navigate(urlOf(ns, f), true);
  };
  const togglePhase = (p: string) =>
    apply({
      ...filters,
      phases: filters.phases.includes(p) ? filters.phases.filter((x) => x !== p) : [...filters.phases, p],
    });
  const items = list?.items ?? [];
  const more = list?.metadata.continue;

  return (
    <main class="page list-page">
      <div class="page-head">
        <h1>Workflows</h1>
        <span class="muted">namespace {ns}</span>
        <div class="spacer" />
        <a class="button primary" href="/submit">Submit new workflow</a>
      </div>
      <div class="filters" role="search">
        <div class="phase-filter" aria-label="phase filter">
          {PHASES.map((p) => (
            <label key={p} class={`chip ${phaseClass(p)} ${filters.phases.includes(p) ? "on" : ""}`}>
              <input
                type="checkbox"
                name="phase"
                value={p}
                checked={filters.phases.includes(p)}
                onChange={() =>
                  togglePhase(p)}
              />
              {phaseIcon(p)} {p}
            </label>
          ))}
        </div>
        <form
          class="label-filter"
          onSubmit={(e) => {
            e.preventDefault();
            apply({ ...filters, labels: labelText });
          }}
        >
          <input
            aria-label="label selector"
            placeholder="labels, e.g. app=web,env!=prod"
            value={labelText}
            onInput={(e) => setLabelText((e.target as HTMLInputElement).value)}
          />
          <button type="submit">Filter</button>
        </form>
        <label class="page-size">
          per page
          <select
            aria-label="page size"
            value={String(filters.limit)}
            onChange={(e) => apply({ ...filters, limit: Number((e.target as HTMLSelectElement).value) })}
          >
            {PAGE_SIZES.map((n) => <option key={n} value={String(n)}>{n}</option>)}
          </select>
        </label>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      <table class="grid workflows">
        <thead>
          <tr>
            <th class="icon"></th>
            <th>Name</th>
            <th>Phase</th>
            <th>Started</th>
            <th>Duration</th>
            <th>Progress</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {items.map((wf) => {
            const s = wf.status ?? {};
            const phase = s.phase || "Pending";
            const name = wf.metadata.name ?? "";
            return (
              <tr key={wf.metadata.uid ?? name} class={phaseClass(phase)} data-name={name}>
                <td class="icon" title={phase}>{phaseIcon(phase)}</td>
                <td class="name">
                  <a href={workflowHref(ns, name)}>{name}</a>
                </td>
                <td class="phase">{phase}</td>
                <td title={s.startedAt ?? wf.metadata.creationTimestamp}>
                  {formatAge(s.startedAt ?? wf.metadata.creationTimestamp, now)}
                </td>
                <td>{formatDuration(durationOf(s.startedAt, s.finishedAt, now))}</td>
                <td>
                  <Progress text={s.progress} />
                </td>
                <td class="message" title={s.message}>{s.message ?? ""}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {list && items.length === 0 && (
        <p class="empty">
          No workflows {selectorOf(filters) ? "match these filters" : "here yet"}.{" "}
          <a href="/submit">Submit one</a>.
        </p>
      )}
      <div class="pager">
        <button
          type="button"
          disabled={pages.length <= 1 || loading}
          onClick={() => setPages(pages.slice(0, -1))}
        >
          ‹ Newer
        </button>
        <span class="muted">
          page {pages.length}
          {loading ? " · loading…" : ""}
        </span>
        <span class={`live ${live ? "on" : ""}`} title="updates arrive as they happen (server-sent events)">
          {live === undefined ? "" : live ? "● live" : "○ reconnecting…"}
        </span>
        <button type="button" disabled={!more || loading} onClick={() => more && setPages([...pages, more])}>
          Older ›
        </button>
      </div>
    </main>
  );
}

/** `3/5` as a bar and the text. */
export function Progress(props: { text: string | undefined }) {
  const m = /^(\d+)\/(\d+)$/.exec(props.text ?? "");
  if (!m) return <span class="muted">-</span>;
  const done = Number(m[1]);
  const total = Number(m[2]);
  const pct = total > 0 ? Math.round((done / total) * 100) : 0;
  return (
    <span class="progress" title={`${done} of ${total} steps done`}>
      <span class="bar">
        <span style={{ width: `${pct}%` }} />
      </span>
      {props.text}
    </span>
  );
}
