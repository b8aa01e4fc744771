/**
 * The editor bundle's libraries, pinned here: CodeMirror 6 (with YAML support and lint
 * diagnostics) and yaml (parsing with positions, printing).
 *
 * @module
 */
export { defaultKeymap, history, historyKeymap, indentWithTab } from "npm:@codemirror/commands@6.11.1";
export { yaml } from "npm:@codemirror/lang-yaml@6.1.3";
export {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  indentOnInput,
  syntaxHighlighting,
} from "npm:@codemirror/language@6.13.1";
export { type Diagnostic, lintGutter, setDiagnostics } from "npm:@codemirror/lint@6.9.8";
export { EditorState } from "npm:@codemirror/state@6.7.6";
export {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "npm:@codemirror/view@6.43.15";
export { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, stringify } from "npm:yaml@2.9.1";
