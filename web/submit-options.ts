/**
 * Argo's submit options applied to a workflow (`argo submit -p`, `--entrypoint`, `-l`, ...), the
 * same for the CLI (before it sends a workflow) and for hosts (`POST .../submit`).
 */
import { overrideParameters } from "../controller/spec/parameters.ts";
import { errors, type SubmitOptions, type Workflow } from "./service.ts";

/** Parses `a=b,c=d` (labels, annotations); `what` names the option in errors. */
export function parseKeyValues(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw errors.invalid(`${what}: expected key=value, got "${part}"`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Sets parameters from `NAME=VALUE` pairs as `argo submit -p` does (see overrideParameters). */
export function setParameters(wf: Workflow, pairs: string[]): void {
  try {
    overrideParameters(wf, pairs);
  } catch (e) {
    throw errors.invalid(e instanceof Error ? e.message : String(e));
  }
}

/** Returns a copy of `workflow` with `opts` applied (Argo's ApplySubmitOpts). */
export function applySubmitOptions(workflow: Workflow, opts: SubmitOptions): Workflow {
  const wf = structuredClone(workflow);
  wf.metadata ??= {};
  wf.spec ??= {};
  if (opts.name) {
    wf.metadata.name = opts.name;
    delete wf.metadata.generateName;
  }
  if (opts.generateName) {
    wf.metadata.generateName = opts.generateName;
    if (!opts.name) delete wf.metadata.name;
  }
  if (opts.entryPoint) wf.spec.entrypoint = opts.entryPoint;
  if (opts.serviceAccount) wf.spec.serviceAccountName = opts.serviceAccount;
  if (opts.priority !== undefined) wf.spec.priority = opts.priority;
  if (opts.podPriorityClassName) wf.spec.podPriorityClassName = opts.podPriorityClassName;
  if (opts.labels) wf.metadata.labels = { ...wf.metadata.labels, ...parseKeyValues(opts.labels, "labels") };
  if (opts.annotations) {
    wf.metadata.annotations = {
      ...wf.metadata.annotations,
      ...parseKeyValues(opts.annotations, "annotations"),
    };
  }
  setParameters(wf, opts.parameters ?? []);
  return wf;
}
