/** @jsxImportSource npm:preact@11.2.0 */
/// <reference lib="dom" />
/** Pieces the template and cron workflow pages share: loading an object, showing it as YAML. */
import { useEffect, useRef, useState } from "../../deps/preact.ts";
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
