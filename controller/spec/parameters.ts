/** `-p name=value` as Argo applies it to a Workflow (submit, retry, resubmit), for every part that submits. */
import type { Parameter, Workflow } from "./types.ts";

/**
 * Argo's `overrideParameters` (workflow/util), used by submit, retry and resubmit: the passed
 * parameters come first, each as just a name and a value (a declared one loses its `enum`,
 * `description` and `valueFrom`, so its enum is not checked), then the declared ones not passed. A
 * name the workflow does not declare is added, as Argo adds it. Throws Argo's error on a pair
 * without `=`.
 */
export function overrideParameters(wf: Workflow, overrides: Record<string, string> | string[]): void {
  const pairs: [string, string][] = Array.isArray(overrides)
    ? overrides.map((text) => {
      const eq = text.indexOf("=");
      if (eq < 0) throw new Error(`expected parameter of the form: NAME=VALUE. Received: ${text}`);
      return [text.slice(0, eq), text.slice(eq + 1)];
    })
    : Object.entries(overrides);
  if (pairs.length === 0) return;
  const passed = new Set(pairs.map(([name]) => name));
  const params: Parameter[] = pairs.map(([name, value]) => ({ name, value }));
  for (const p of wf.spec.arguments?.parameters ?? []) {
    if (!passed.has(p.name)) params.push(p);
  }
  wf.spec.arguments = { ...wf.spec.arguments, parameters: params };
}

/** The names of `NAME=VALUE` pairs (what lint takes as declared, see LintOptions.parameters). */
export function parameterNames(pairs: readonly string[]): string[] {
  return pairs.map((pair) => pair.split("=")[0]!);
}
