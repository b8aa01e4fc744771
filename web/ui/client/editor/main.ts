/// <reference lib="dom" />
/**
 * The YAML editor bundle (/assets/editor.js, loaded by the pages that edit or show YAML):
 * CodeMirror 6 with YAML highlighting and lint diagnostics, plus the YAML <-> request body
 * mapping of lint-map.ts.
 *
 * @module
 */
import {
  bracketMatching,
  defaultHighlightStyle,
  defaultKeymap,
  type Diagnostic,
  drawSelection,
  EditorState,
  EditorView,
  foldGutter,
  highlightActiveLine,
  highlightActiveLineGutter,
  history,
  historyKeymap,
  indentOnInput,
  indentWithTab,
  keymap,
  lineNumbers,
  lintGutter,
  setDiagnostics,
  stringify,
  syntaxHighlighting,
  yaml,
} from "../../deps/editor.ts";
import type { Problem } from "./lint-map.ts";

export { KINDS, parseYaml, placeProblems, requestBody } from "./lint-map.ts";
export type { Body, Parsed, Path, Problem } from "./lint-map.ts";

/** An editor on the page. */
export interface Editor {
  text(): string;
  setText(text: string): void;
  /** Shows problems (underlined, with gutter marks); an empty list clears them. */
  showProblems(problems: Problem[]): void;
  /** Puts the cursor on a line and scrolls to it. */
  goToLine(line: number): void;
  destroy(): void;
}

/** Creates an editor in `parent`. */
export function createEditor(
  parent: HTMLElement,
  doc: string,
  opts: { readOnly?: boolean; onChange?: (text: string) => void } = {},
): Editor {
  const extensions = [
    lineNumbers(),
    foldGutter(),
    highlightActiveLineGutter(),
    drawSelection(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    bracketMatching(),
    yaml(),
    lintGutter(),
    EditorView.lineWrapping,
    EditorView.contentAttributes.of({ "aria-label": "YAML" }),
  ];
  if (opts.readOnly) {
    extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
  } else {
    extensions.push(
      history(),
      indentOnInput(),
      highlightActiveLine(),
      keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    );
  }
  if (opts.onChange) {
    const onChange = opts.onChange;
    extensions.push(EditorView.updateListener.of((u) => {
      if (u.docChanged) onChange(u.state.doc.toString());
    }));
  }
  const view = new EditorView({ parent, state: EditorState.create({ doc, extensions }) });
  return {
    text: () => view.state.doc.toString(),
    setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    showProblems(problems) {
      const len = view.state.doc.length;
      const diagnostics: Diagnostic[] = problems.map((p) => {
        const from = Math.min(p.from, len);
        return { from, to: Math.min(Math.max(p.to, from), len), severity: p.severity, message: p.message };
      });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    goToLine(line) {
      const l = view.state.doc.line(Math.max(1, Math.min(line, view.state.doc.lines)));
      view.dispatch({ selection: { anchor: l.from }, scrollIntoView: true });
      view.focus();
    },
    destroy: () => view.destroy(),
  };
}

/** An object as YAML (for viewing templates and cron workflows). */
export function toYaml(value: unknown): string {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    // Kubernetes' order: apiVersion, kind, metadata, spec, status, then the rest.
    const { apiVersion, kind, metadata, spec, status, ...rest } = value as Record<string, unknown>;
    value = { apiVersion, kind, metadata, spec, status, ...rest };
  }
  return stringify(value, { lineWidth: 0, keepUndefined: false });
}
