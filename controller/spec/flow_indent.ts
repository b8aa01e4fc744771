/**
 * Go's YAML (sigs.k8s.io/yaml, with which Argo and kubectl read manifests) accepts a flow
 * collection or quoted scalar whose continuation lines are not indented past the line it began on,
 * and Argo's own examples rely on it (examples/secrets.yaml, volumes-emptydir.yaml, sidecar.yaml):
 *
 * ```yaml
 *       args: ['
 *         echo "secret from env: $MYSECRETPASSWORD";
 *       ']
 * ```
 *
 * The yaml package follows YAML 1.2, which wants those lines indented more, and refuses the file.
 * {@link indentFlowContinuations} indents such lines one column past the line the collection or
 * scalar began on. The values do not change: a flow scalar's line breaks fold, dropping the
 * continuation lines' leading spaces, and indentation means nothing inside a flow collection.
 * Only lines gain spaces, so line numbers stay as they were. The loader tries this only on a text
 * that does not parse as it is (load.ts).
 */

/** `text` with the continuation lines of flow collections and quoted scalars indented enough. */
export function indentFlowContinuations(text: string): string {
  const lines = text.split("\n");
  let flowDepth = 0;
  let quote: "'" | '"' | undefined;
  /** Indentation of the line where the open flow collection or quoted scalar began. */
  let openedAt = 0;
  /** A block scalar's (`|`, `>`) content is the lines indented more than this, if in one. */
  let blockScalarAbove: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const indent = lines[i]!.length - lines[i]!.trimStart().length;
    const blank = lines[i]!.trim() === "";
    if (blockScalarAbove !== undefined) {
      if (blank || indent > blockScalarAbove) continue;
      blockScalarAbove = undefined;
    }
    const open = flowDepth > 0 || quote !== undefined;
    if (open && !blank && indent <= openedAt) lines[i] = " ".repeat(openedAt + 1 - indent) + lines[i];
    const line = lines[i]!;
    // Where a node may begin: at the start of the line's content, after `[`, `{` or `,`, or after
    // an indicator `-`, `:` or `?` and a space. Elsewhere a quote or bracket is a plain scalar's.
    let prev = "";
    let spaced = true;
    for (let c = 0; c < line.length; c++) {
      const ch = line[c]!;
      if (quote === "'") {
        if (ch === "'" && line[c + 1] === "'") c++;
        else if (ch === "'") quote = undefined;
        prev = ch;
        spaced = false;
        continue;
      }
      if (quote === '"') {
        if (ch === "\\") c++;
        else if (ch === '"') quote = undefined;
        prev = ch;
        spaced = false;
        continue;
      }
      if (ch === " " || ch === "\t") {
        spaced = true;
        continue;
      }
      if (ch === "#" && spaced) break; // a comment
      const nodeMayBegin = prev === "" || "[{,".includes(prev) || (spaced && ":-?".includes(prev));
      if ((ch === "'" || ch === '"' || ch === "[" || ch === "{") && nodeMayBegin) {
        if (flowDepth === 0 && quote === undefined && !open) openedAt = indent;
        if (ch === "[" || ch === "{") flowDepth++;
        else quote = ch;
      } else if ((ch === "]" || ch === "}") && flowDepth > 0) {
        flowDepth--;
      }
      prev = ch;
      spaced = false;
    }
    if (flowDepth === 0 && quote === undefined && /(^|[:-]\s)\s*[|>][-+0-9]*\s*(#.*)?$/.test(line.trim())) {
      blockScalarAbove = indent;
    }
  }
  return lines.join("\n");
}
