/** @jsxImportSource npm:preact@11.2.0 */
/// <reference lib="dom" />
/** Pieces the template and cron workflow pages share: their list page, loading an object, showing it as YAML. */
import { type ComponentChildren, useEffect, useRef, useState } from "../../deps/preact.ts";
import { api, ApiError } from "../api.ts";
import { loadEditor } from "../assets.ts";
import type { Editor } from "../editor/main.ts";

/** Loads `url` (again when `epoch` changes); errors as text. */
export function useObject<T>(url: string, epoch = 0): { value?: T; error?: string; notFound?: boolean } {
  const [state, setState] = useState<{ value?: T; error?: string; notFound?: boolean }>({});
  useEffect(() => {
    const abort = new AbortController();
    api<T>("GET", url, undefined, abort.signal)
      .then((value) => setState({ value }))
      .catch((e) => {
        if (abort.signal.aborted) return;
        setState({
          error: e instanceof Error ? e.message : String(e),
          notFound: e instanceof ApiError && e.status === 404,
        });
      });
    return () => abort.abort();
  }, [url, epoch]);
  return state;
}

/**
 * A list page of one kind of object: its head (title, a note, "Create from YAML"), the error of
 * loading it, a table with `columns` and the rows given as children, and, when the list loaded
 * empty, how to create the first one.
 */
export function ObjectListPage(props: {
  title: string;
  note?: string | undefined;
  kind: string;
  columns: string[];
  error?: string | undefined;
  empty: boolean;
  children: ComponentChildren;
}) {
  return (
    <main class="page">
      <div class="page-head">
        <h1>{props.title}</h1>
        {props.note && <span class="muted">{props.note}</span>}
        <div class="spacer" />
        <a class="button" href="/submit">Create from YAML</a>
      </div>
      {props.error && <p class="error" role="alert">{props.error}</p>}
      <table class="grid">
        <thead>
          <tr>
            {props.columns.map((c) => <th key={c}>{c}</th>)}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
      {props.empty && (
        <p class="empty">
          None yet. <a href="/submit">Create one</a> from YAML (kind: {props.kind}).
        </p>
      )}
    </main>
  );
}

/** An object as read-only YAML (CodeMirror, loaded on demand). */
export function YamlView(props: { value: unknown }) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<Editor | undefined>(undefined);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let gone = false;
    loadEditor().then((m) => {
      if (gone) return;
      const text = m.toYaml(props.value);
      if (editor.current) editor.current.setText(text);
      else editor.current = m.createEditor(host.current!, text, { readOnly: true });
    }).catch((e) => setError(String(e)));
    return () => {
      gone = true;
    };
  }, [props.value]);
  useEffect(() => () => editor.current?.destroy(), []);
  return (
    <div>
      {error && <p class="error">{error}</p>}
      <div class="editor readonly" ref={host} />
    </div>
  );
}

/** Parameters of a spec's `arguments`, as `name=value` lines the user can edit before submitting. */
export function ParameterForm(props: {
  params: { name: string; value?: string; default?: string; description?: string }[];
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
}) {
  if (props.params.length === 0) return null;
  return (
    <fieldset class="params">
      <legend>Parameters</legend>
      {props.params.map((p) => (
        <label key={p.name}>
          <span>{p.name}</span>
          <input
            value={props.values[p.name] ?? p.value ?? p.default ?? ""}
            title={p.description}
            onInput={(e) =>
              props.onChange({ ...props.values, [p.name]: (e.target as HTMLInputElement).value })}
          />
        </label>
      ))}
    </fieldset>
  );
}
