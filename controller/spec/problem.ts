/** A problem found while loading or linting a workflow file, pointing at the line a user must fix. */
export interface Problem {
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  severity: "error" | "warning";
  message: string;
  /** Short id of the rule that found it, e.g. "unknown-template", "yaml-syntax". */
  rule: string;
}

/** `file:line:col: error: message`, the format editors and CI annotate from. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.severity}: ${p.message}`;
}

/** Problems in reading order: by file, then line, then column. */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col
  );
}
