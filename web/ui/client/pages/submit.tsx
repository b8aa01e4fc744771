/** @jsxImportSource npm:preact@11.2.0 */
/// <reference lib="dom" />
/**
 * The submit page: a YAML editor whose text the server lints as the user types (POST .../lint),
 * each problem shown at its line, then created (a Workflow is submitted; a WorkflowTemplate,
 * ClusterWorkflowTemplate or CronWorkflow is stored).
 */
import { useEffect, useRef, useState } from "../../deps/preact.ts";
import { ApiError } from "../api.ts";
import { type Editors, loadEditor } from "../assets.ts";
import type { Editor, Problem } from "../editor/main.ts";
import { navigate } from "../router.ts";

const SAMPLE = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-world-
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: hello
            template: say
            arguments:
              parameters: [{ name: message, value: hello world }]
    - name: say
      inputs:
        parameters:
          - name: message
      container:
        image: busybox
        command: [echo]
        args: ["{{inputs.parameters.message}}"]
`;

const DRAFT_KEY = "skiff.submit.draft";
const LINT_DELAY_MS = 600;

type LintState = "idle" | "linting" | "clean" | "problems";

async function post(
  url: string,
  body: string,
): Promise<{ ok: true; value: unknown } | { ok: false; error: ApiError }> {
  const res = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", accept: "application/json" },
    body,
  });
  const text = await res.text();
  let parsed: { code?: number; message?: string } | undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  if (res.ok) return { ok: true, value: parsed };
  return {
    ok: false,
    error: new ApiError(res.status, parsed?.code, parsed?.message ?? (text || res.statusText)),
  };
}

/** The submit page. */
export function SubmitPage(props: { namespace: string }) {
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<Editor | undefined>(undefined);
  const mod = useRef<Editors | undefined>(undefined);
  const [loadError, setLoadError] = useState<string | undefined>();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [state, setState] = useState<LintState>("idle");
  const [kind, setKind] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [fatal, setFatal] = useState<string | undefined>();
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  /** Lints the text; returns the problems and, when there are none, what to send. */
  const check = async (submit: boolean) => {
    const m = mod.current;
    const ed = editor.current;
    if (!m || !ed) return;
    const mine = ++seq.current;
    const text = ed.text();
    const parsed = m.parseYaml(text);
    const k = parsed.kind ?? "Workflow";
    setKind(parsed.kind);
    setFatal(undefined);
    const show = (list: Problem[]) => {
      if (mine !== seq.current) return;
      setProblems(list);
      ed.showProblems(list);
      setState(list.some((p) => p.severity === "error") ? "problems" : "clean");
    };
    if (parsed.problems.some((p) => p.severity === "error")) return show(parsed.problems);
    const route = m.KINDS[k];
    if (!route) {
      return show([{
        line: 1,
        col: 1,
        from: 0,
        to: 0,
        severity: "error",
        message:
          `kind "${k}" cannot be submitted here; use Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow`,
      }]);
    }
    const obj = parsed.value as { metadata?: { namespace?: string } } | undefined;
    const ns = obj?.metadata?.namespace || props.namespace;
    const body = m.requestBody(route.field, parsed.value);
    setState("linting");
    const res = await post(`${route.base(ns)}/${submit ? "" : "lint"}`.replace(/\/$/, ""), body.text);
    if (mine !== seq.current) return;
    if (!res.ok) {
      if (res.error.status === 400) {
        return show(m.placeProblems(res.error.message, body, parsed, route.field));
      }
      show(parsed.problems);
      setFatal(res.error.message);
      return;
    }
    show(parsed.problems);
    if (submit) {
      try {
        localStorage.removeItem(DRAFT_KEY);
      } catch {
        // nothing kept
      }
      const created = res.value as { metadata?: { name?: string; namespace?: string } };
      navigate(route.page(created.metadata?.namespace ?? ns, created.metadata?.name ?? ""));
    }
  };

  useEffect(() => {
    let draft: string | null = null;
    try {
      draft = localStorage.getItem(DRAFT_KEY);
    } catch {
      // no storage
    }
    let gone = false;
    loadEditor().then((m) => {
      if (gone) return;
      mod.current = m;
      editor.current = m.createEditor(host.current!, draft ?? SAMPLE, {
        onChange: (text) => {
          try {
            localStorage.setItem(DRAFT_KEY, text);
          } catch {
            // no storage
          }
          clearTimeout(timer.current);
          setState("idle");
          timer.current = setTimeout(() => void check(false), LINT_DELAY_MS);
        },
      });
      host.current?.setAttribute("data-ready", "true");
      void check(false);
    }).catch((e) => setLoadError(`could not load the editor: ${e instanceof Error ? e.message : e}`));
    return () => {
      gone = true;
      clearTimeout(timer.current);
      editor.current?.destroy();
    };
  }, []);

  const submit = async () => {
    clearTimeout(timer.current);
    setBusy(true);
    try {
      await check(true);
    } finally {
      setBusy(false);
    }
  };
  const openFile = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) editor.current?.setText(await file.text());
  };
  const errors = problems.filter((p) => p.severity === "error");
  const verb = !kind || kind === "Workflow" ? "Submit" : "Create";

  return (
    <main class="page submit-page">
      <div class="page-head">
        <h1>Submit</h1>
        <span class="muted">
          {kind ?? "Workflow"} in namespace {props.namespace}
        </span>
        <div class="spacer" />
        <label class="button">
          Open file…
          <input type="file" accept=".yaml,.yml,.json" hidden onChange={openFile} />
        </label>
        <button type="button" onClick={() => editor.current?.setText(SAMPLE)}>Example</button>
        <button type="button" onClick={() => void check(false)}>Lint</button>
        <button type="button" class="primary" id="submit" disabled={busy || !mod.current} onClick={submit}>
          {busy ? (verb === "Submit" ? "Submitting…" : "Creating…") : verb}
        </button>
      </div>
      {loadError && <p class="error" role="alert">{loadError}</p>}
      <div class="editor" ref={host} />
      <div class="lint" data-lint={state} aria-live="polite">
        {state === "linting" && <p class="muted">checking…</p>}
        {state === "clean" && <p class="ok">No problems found.</p>}
        {fatal && <p class="error">{fatal}</p>}
        {problems.length > 0 && (
          <ul class="problems">
            {problems.map((p, i) => (
              <li key={i} class={p.severity} data-line={p.line}>
                <button type="button" class="link" onClick={() => editor.current?.goToLine(p.line)}>
                  line {p.line}:{p.col}
                </button>{" "}
                {p.message}
              </li>
            ))}
          </ul>
        )}
        {errors.length > 0 && <p class="muted small">Fix {errors.length === 1 ? "it" : "them"} to submit.</p>}
      </div>
    </main>
  );
}
