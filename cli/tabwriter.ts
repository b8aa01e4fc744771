/**
 * Go's text/tabwriter as Argo's CLI uses it (minwidth 0, padding N, padded with spaces): cells end
 * at tabs; each column is as wide as its widest cell plus the padding; the text after a line's
 * last tab is not a cell and is printed as is. Widths count characters as they appear, so ANSI
 * color codes are left out of the count.
 */

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** The width of `text` on a terminal (without color codes). */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, "")].length;
}

/**
 * Aligns tab-separated lines. Like Go's tabwriter, a column's width is computed over each block
 * of consecutive lines that have that column.
 */
export function tabulate(lines: string[], padding: number): string {
  const rows = lines.map((l) => l.split("\t"));
  const out = rows.map((r) => [...r]);
  const maxCells = Math.max(0, ...rows.map((r) => r.length - 1));
  for (let col = 0; col < maxCells; col++) {
    let start = 0;
    while (start < rows.length) {
      if (rows[start]!.length - 1 <= col) {
        start++;
        continue;
      }
      let end = start;
      while (end < rows.length && rows[end]!.length - 1 > col) end++;
      const width = Math.max(...rows.slice(start, end).map((r) => visibleWidth(r[col]!))) + padding;
      for (let i = start; i < end; i++) {
        const cell = out[i]![col]!;
        out[i]![col] = cell + " ".repeat(width - visibleWidth(cell));
      }
      start = end;
    }
  }
  return out.map((r) => r.join("")).join("\n") + (lines.length ? "\n" : "");
}
