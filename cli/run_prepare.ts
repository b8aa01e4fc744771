/**
 * What `skiff run` does before anything runs: read the file, lint it (errors stop the run, as
 * file:line:col), pick its Workflow, normalize it, and apply `--entrypoint` and `-p` overrides.
 */
import { applyParameters } from "../controller/engine/mod.ts";
import { parameterNames } from "../controller/spec/parameters.ts";
import { lintDocuments } from "../controller/spec/lint/mod.ts";
import { loadText } from "../controller/spec/load.ts";
import { normalizeDocument } from "../controller/spec/normalize.ts";
import type { Problem } from "../controller/spec/problem.ts";
import type { Template, Workflow } from "../controller/spec/types.ts";
import { CliError } from "./errors.ts";

/** A workflow ready to submit, or the lint errors that keep it from running. */
export interface Prepared {
  /** Undefined when `errors` is not empty. */
  workflow?: Workflow;
  /** The file's other documents (e.g. the Secrets and ConfigMaps the workflow reads). */
  others: unknown[];
  errors: Problem[];
  warnings: Problem[];
}

/** Options of {@link prepareWorkflow}. */
export interface PrepareOptions {
  /** `NAME=VALUE` overrides of spec.arguments.parameters. */
  params?: string[];
  entrypoint?: string;
}

/** Reads, lints and prepares the Workflow of `file` (a file with exactly one Workflow document). */
export async function prepareWorkflow(file: string, opts: PrepareOptions = {}): Promise<Prepared> {
  let text: string;
  try {
    text = file === "-" ? await new Response(Deno.stdin.readable).text() : await Deno.readTextFile(file);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${e instanceof Error ? e.message : e}`);
  }
  const loaded = loadText(text, file);
  const parameters = parameterNames(opts.params ?? []);
  const problems = [...loaded.problems, ...lintDocuments(loaded.documents, { target: "local", parameters })];
  const errors = problems.filter((p) => p.severity === "error");
  const warnings = problems.filter((p) => p.severity !== "error");
  if (errors.length > 0) return { errors, warnings, others: [] };

  const workflows = loaded.documents.filter((d) => d.kind === "Workflow");
  if (workflows.length !== 1) {
    const kinds = loaded.documents.map((d) => d.kind ?? "no kind").join(", ") || "no documents";
    throw new CliError(
      workflows.length === 0
        ? `${file} holds no Workflow (it holds: ${kinds}); skiff run runs a kind: Workflow document`
        : `${file} holds ${workflows.length} Workflows; skiff run runs one at a time (split the file)`,
    );
  }
  let wf = normalizeDocument(workflows[0]!.value) as Workflow;
  if (opts.entrypoint) {
    if (!(wf.spec.templates ?? []).some((t: Template) => t.name === opts.entrypoint)) {
      const names = (wf.spec.templates ?? []).map((t: Template) => t.name).join(", ");
      throw new CliError(`--entrypoint ${opts.entrypoint}: no such template in ${file} (it has: ${names})`);
    }
    wf.spec.entrypoint = opts.entrypoint;
  }
  if (opts.params && opts.params.length > 0) {
    try {
      wf = applyParameters(wf, opts.params);
    } catch (e) {
      throw new CliError(`-p: ${e instanceof Error ? e.message : e}`); // a pair without "="
    }
  }
  const others = loaded.documents.filter((d) => d !== workflows[0]).map((d) => d.value);
  return { workflow: wf, errors, warnings, others };
}

/** Every image the workflow's templates name (containers, scripts, sidecars, init containers), without templated ones. */
export function workflowImages(wf: Workflow): string[] {
  const images = new Set<string>();
  const add = (c: { image?: string } | undefined) => {
    if (c?.image && !c.image.includes("{{")) images.add(c.image);
  };
  for (const t of wf.spec.templates ?? []) {
    add(t.container);
    add(t.script);
    for (const c of t.sidecars ?? []) add(c);
    for (const c of t.initContainers ?? []) add(c);
    for (const c of t.containerSet?.containers ?? []) add(c);
  }
  return [...images];
}
