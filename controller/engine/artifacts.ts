/**
 * Artifacts (Argo's artifact passing): a Pod node's saved output artifacts in its status, their
 * place in a steps/dag scope (`steps.X.outputs.artifacts.Y`, `tasks.X...`, `inputs.artifacts.Y`,
 * `workflow.outputs.artifacts.G`), `from`/`fromExpression` resolved against that scope, input
 * artifacts taken from the caller's arguments (`ProcessArgs`), and global artifacts (`globalName`).
 *
 * Where an artifact lives is the host's business. The engine records a saved artifact's location
 * as `local: {nodeId, artifact, location}`: the node that saved it and its name there (what a
 * RunSpec's input artifact refers to), plus the host's own description of the place (a path on
 * disk for the local host). Argo's own locations (raw, http, s3, ...) pass through as written.
 */

import type { Arguments, Artifact, Outputs, Template } from "../spec/types.ts";
import type { RunInputArtifact } from "./actions.ts";
import type { Op } from "./context.ts";
import { substituteIn, withScope } from "./expr.ts";
import { isRecord } from "../spec/lint/util.ts";

/** Where a host saved an output artifact: the node and the artifact's name there. */
export interface SavedArtifactRef {
  nodeId: string;
  artifact: string;
  /** Host-specific: the path on disk for the local host. */
  location?: string;
}

/** An artifact as the engine keeps it in node and workflow outputs. */
export type StatusArtifact = Artifact & { local?: SavedArtifactRef };

/** Argo's artifact location kinds (an artifact with one of them needs nothing from its caller). */
const LOCATION_KINDS = [
  "s3",
  "git",
  "http",
  "artifactory",
  "hdfs",
  "raw",
  "oss",
  "gcs",
  "azure",
  "plugin",
  "local",
] as const;

/** Argo's `HasLocationOrKey`: the artifact says where it is. */
export function hasLocation(art: Artifact): boolean {
  const a = art as unknown as Record<string, unknown>;
  return LOCATION_KINDS.some((k) => a[k] !== undefined && a[k] !== null);
}

/** The saved-artifact reference of an artifact, if a host saved it. */
export function savedRef(art: Artifact): SavedArtifactRef | undefined {
  const ref = (art as StatusArtifact).local;
  return ref && typeof ref.nodeId === "string" && typeof ref.artifact === "string" ? ref : undefined;
}

/** The scope value of an artifact: its JSON (artifacts are objects in Argo's scope; ours holds text). */
export function artifactScopeValue(art: Artifact): string {
  return JSON.stringify(art);
}

/** An artifact from a scope value or an expression result; undefined when it is not one. */
export function parseArtifact(value: unknown): StatusArtifact | undefined {
  let v = value;
  if (typeof v === "string") {
    if (!v.trimStart().startsWith("{")) return undefined;
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  const art = v as StatusArtifact;
  return typeof art.name === "string" && hasLocation(art) ? art : undefined;
}

function tagOf(from: string): string {
  return from.trim().replace(/^\{\{/, "").replace(/\}\}$/, "").trim();
}

/**
 * Argo's `resolveArtifact` after the scope was substituted into `art.from`: the referenced
 * artifact, or an error in Argo's words ("Unable to resolve: {{...}}", "... is not an artifact").
 * `subPath` selects a part of it.
 */
export function resolveFrom(art: Artifact, evaluated?: unknown): StatusArtifact {
  const source = art.fromExpression !== undefined && art.from === undefined ? evaluated : art.from;
  let found = parseArtifact(source);
  if (!found) {
    if (art.fromExpression !== undefined && art.from === undefined) {
      throw new Error(`Unable to resolve: "${art.fromExpression}" is not an artifact`);
    }
    const text = String(source ?? "");
    if (text.includes("{{")) throw new Error(`Unable to resolve: {{${tagOf(text)}}}`);
    throw new Error(`Variable {{${tagOf(text)}}} is not an artifact`);
  }
  found = structuredClone(found);
  if (art.subPath) {
    // The sub-path is applied where the artifact is placed.
    found.subPath = found.subPath ? `${found.subPath.replace(/\/+$/, "")}/${art.subPath}` : art.subPath;
  }
  return found;
}

/**
 * Resolves the `from`/`fromExpression` artifacts of arguments whose scope was already substituted
 * (Argo's `resolveReferences`, step 2). An optional artifact that cannot be resolved is dropped;
 * other failures throw. Expressions are evaluated in one call against `vars`.
 */
export function resolveArgumentArtifacts<T extends { arguments?: Arguments | undefined }>(
  op: Op,
  holders: T[],
  vars: () => Record<string, string>,
): T[] {
  const exprs: string[] = [];
  for (const h of holders) {
    for (const a of h.arguments?.artifacts ?? []) {
      if (a.from === undefined && a.fromExpression !== undefined) exprs.push(a.fromExpression);
    }
  }
  if (
    !holders.some((h) => h.arguments?.artifacts?.some((a) => a.from !== undefined) === true) &&
    exprs.length === 0
  ) {
    return holders;
  }
  const evaluated = exprs.length === 0 ? [] : withScope(op.expr, vars(), (s) => s.evalExprs(exprs));
  let e = 0;
  return holders.map((h) => {
    const arts = h.arguments?.artifacts;
    if (!arts || !arts.some((a) => a.from !== undefined || a.fromExpression !== undefined)) return h;
    const out: Artifact[] = [];
    for (const a of arts) {
      if (a.from === undefined && a.fromExpression === undefined) {
        out.push(a);
        continue;
      }
      let value: unknown;
      if (a.from === undefined) {
        const r = evaluated[e++];
        if (r && "error" in r) {
          if (a.optional) continue;
          throw new Error(r.error);
        }
        value = r?.value;
      }
      try {
        const resolved = resolveFrom(a, value);
        resolved.name = a.name;
        if (a.optional !== undefined) resolved.optional = a.optional;
        out.push(resolved);
      } catch (err) {
        if (a.optional && (err as Error).message.startsWith("Unable to resolve")) continue;
        throw err;
      }
    }
    return { ...h, arguments: { ...h.arguments, artifacts: out } };
  });
}

/**
 * Argo's `ProcessArgs` for artifacts: each input artifact of `tmpl` without a location of its own
 * takes the caller's argument of that name (its location, with the input's path and mode). A
 * required input without one is an error in Argo's words.
 */
export function processInputArtifacts(tmpl: Template, args: Arguments | undefined): void {
  const inputs = tmpl.inputs?.artifacts;
  if (!inputs) return;
  for (let i = 0; i < inputs.length; i++) {
    const inArt = inputs[i] as Artifact;
    if (hasLocation(inArt)) continue;
    const argArt = args?.artifacts?.find((a) => a.name === inArt.name);
    if (!inArt.optional) {
      if (!argArt) throw new Error(`inputs.artifacts.${inArt.name} was not supplied`);
      if (argArt.from === undefined && argArt.fromExpression === undefined && !hasLocation(argArt)) {
        throw new Error(`inputs.artifacts.${inArt.name} missing location information`);
      }
    }
    if (!argArt || !hasLocation(argArt)) continue;
    const art: StatusArtifact = structuredClone(argArt);
    delete art.from;
    delete art.fromExpression;
    delete art.globalName;
    if (inArt.path !== undefined) art.path = inArt.path;
    else delete art.path;
    if (inArt.mode !== undefined) art.mode = inArt.mode;
    else delete art.mode;
    if (inArt.recurseMode !== undefined) art.recurseMode = inArt.recurseMode;
    else delete art.recurseMode;
    if (inArt.optional !== undefined) art.optional = inArt.optional;
    inputs[i] = art;
  }
}

/** A template's resolved input artifacts (those with a location) as `inputs.artifacts.<name>` scope values. */
export function inputArtifactScope(tmpl: Template, scope: Record<string, string>): void {
  for (const a of tmpl.inputs?.artifacts ?? []) {
    if (hasLocation(a)) scope[`inputs.artifacts.${a.name}`] = artifactScopeValue(a);
  }
}

/** The input artifacts a pod needs placed: raw text, another node's saved artifact, or a location of Argo's. */
export function runInputArtifacts(tmpl: Template): RunInputArtifact[] {
  const out: RunInputArtifact[] = [];
  for (const art of tmpl.inputs?.artifacts ?? []) {
    if (!art.path) continue;
    const ref = savedRef(art);
    let from: RunInputArtifact["from"];
    if (art.raw?.data !== undefined) from = { raw: art.raw.data };
    else if (ref) {
      from = { nodeId: ref.nodeId, artifact: ref.artifact };
      if (art.subPath) from.subPath = art.subPath;
    } else if (hasLocation(art)) {
      const { name: _n, path: _p, mode: _m, recurseMode: _r, optional: _o, archive: _a, ...location } = art;
      from = { location: location as Record<string, unknown> };
    } else continue; // optional and not supplied: Argo's executor skips it
    const run: RunInputArtifact = { name: art.name, path: art.path, from };
    if (art.mode !== undefined) run.mode = art.mode;
    if (art.recurseMode !== undefined) run.recurseMode = art.recurseMode;
    out.push(run);
  }
  return out;
}

/**
 * The output artifacts of a finished Pod node: each declared one the host saved, as written in the
 * template (paths resolved with the node's inputs) plus where it was saved: the host's reference,
 * and Argo's location fields where the host gave them (`s3: {key}` of a stored artifact, merged
 * into the template's own `s3:`), as Argo's status shows them. Missing optional ones are left out.
 */
export function podOutputArtifacts(
  op: Op,
  nodeId: string,
  declared: Template | undefined,
  varsOf: () => Record<string, string>,
  saved: Record<string, string>,
  locations: Record<string, Record<string, unknown>> = {},
): StatusArtifact[] {
  let arts: Artifact[] = declared?.outputs?.artifacts ?? [];
  if (arts.length === 0) {
    return Object.entries(saved).map(([name, location]) =>
      withLocation({ name, local: { nodeId, artifact: name, location } }, locations[name])
    );
  }
  if (JSON.stringify(arts).includes("{{")) {
    try {
      arts = substituteIn(op.expr, varsOf(), arts);
    } catch {
      // Unresolvable tags stay as written; the artifact is still found by name.
    }
  }
  const out: StatusArtifact[] = [];
  for (const a of arts) {
    const location = saved[a.name];
    if (location === undefined) continue;
    out.push(
      withLocation(
        { ...structuredClone(a), local: { nodeId, artifact: a.name, location } },
        locations[a.name],
      ),
    );
  }
  return out;
}

/** The artifact with Argo's location fields added, each merged into what the artifact already says. */
function withLocation(art: StatusArtifact, location: Record<string, unknown> | undefined): StatusArtifact {
  if (!location) return art;
  const out = art as StatusArtifact & Record<string, unknown>;
  for (const [kind, fields] of Object.entries(location)) {
    const own = out[kind];
    out[kind] = isRecord(own) && isRecord(fields) ? { ...own, ...fields } : structuredClone(fields);
  }
  return out;
}

/**
 * Argo's `getTemplateOutputsFromScope` for artifacts: each output artifact of a steps/dag template
 * from its `from` (a `{{steps...}}`/`{{tasks...}}` reference) or `fromExpression`. An optional one
 * that cannot be resolved is left out.
 */
export function templateOutputArtifacts(op: Op, tmpl: Template, vars: Record<string, string>): Artifact[] {
  const declared = tmpl.outputs?.artifacts ?? [];
  const out: Artifact[] = [];
  const exprs = declared.filter((a) => a.from === undefined && a.fromExpression !== undefined)
    .map((a) => a.fromExpression ?? "");
  const evaluated = exprs.length === 0 ? [] : withScope(op.expr, vars, (s) => s.evalExprs(exprs));
  let e = 0;
  for (const art of declared) {
    if (art.from === undefined && art.fromExpression === undefined) continue;
    let value: unknown;
    if (art.from === undefined) {
      const r = evaluated[e++];
      if (r && "error" in r) {
        if (art.optional) continue;
        throw new Error(`unable to resolve outputs from scope: ${r.error}`);
      }
      value = r?.value;
    }
    const from = art.from === undefined ? undefined : vars[tagOf(art.from)] ?? art.from;
    let resolved: StatusArtifact;
    try {
      resolved = resolveFrom(from === undefined ? art : { ...art, from }, value);
    } catch (err) {
      if (art.optional && (err as Error).message.startsWith("Unable to resolve")) continue;
      throw new Error(`unable to resolve outputs from scope: ${(err as Error).message}`);
    }
    resolved.name = art.name;
    if (art.globalName !== undefined) resolved.globalName = art.globalName;
    else delete resolved.globalName;
    out.push(resolved);
  }
  return out;
}

/** Argo's `addArtifactToGlobalScope`: an artifact with `globalName` becomes a workflow output artifact. */
export function addArtifactToGlobalScope(op: Op, art: Artifact): void {
  if (!art.globalName) return;
  const global: StatusArtifact = structuredClone(art);
  global.name = art.globalName;
  delete global.globalName;
  delete global.path;
  const outputs: Outputs = op.status.outputs ?? {};
  op.status.outputs = outputs;
  const list = outputs.artifacts ?? [];
  outputs.artifacts = list;
  const i = list.findIndex((a) => a.name === global.name);
  if (i >= 0) list[i] = global;
  else list.push(global);
}
