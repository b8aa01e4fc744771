/**
 * Helpers the runtimes share: the node directory layout, observation bookkeeping, reading results.
 */
import { existsSync } from "node:fs";
import type { NodeObservation } from "../../engine/actions.ts";
import type { StepResult } from "../../../executor/mod.ts";
import type { ObservationListener, WorkflowRef } from "./mod.ts";

/** Where a runtime keeps its files: `<dataDir>/runs/<namespace>/<workflow>/<nodeId>/...`. */
export class NodeLayout {
  constructor(readonly dataDir: string) {}

  workflowDir(wf: WorkflowRef): string {
    return `${this.dataDir}/runs/${safe(wf.namespace)}/${safe(wf.name)}`;
  }
  /** Everything of one node: run.json, step.json, executor.pid, main.log, stdout, result.json, staging/, root/, artifacts/. */
  nodeDir(wf: WorkflowRef, nodeId: string): string {
    return `${this.workflowDir(wf)}/nodes/${safe(nodeId)}`;
  }
  /** Where a node's output artifact `name` is kept. */
  artifactPath(wf: WorkflowRef, nodeId: string, name: string): string {
    return `${this.nodeDir(wf, nodeId)}/artifacts/${safe(name)}`;
  }
  /** A workflow-wide volume (volumeClaimTemplates, persistentVolumeClaim) as a directory (process runtime). */
  volumeDir(wf: WorkflowRef, claim: string): string {
    return `${this.workflowDir(wf)}/volumes/${safe(claim)}`;
  }
}

/** A path segment made safe for the file system. */
export function safe(segment: string): string {
  return segment.replace(/[^A-Za-z0-9_.@+=-]/g, "_").replace(/^\.+/, "_");
}

/** The observation of a finished step, from the executor's result (`podIP` where it ran, if it started). */
export function observationOf(result: StepResult, podIP?: string): NodeObservation {
  const obs: NodeObservation = {
    phase: result.phase,
    finishedAt: result.finishedAt,
    stdout: result.stdout,
    parameters: result.parameters,
    artifacts: result.artifacts,
  };
  if (result.startedAt !== undefined) obs.startedAt = result.startedAt;
  if (result.startedAt !== undefined && podIP) obs.podIP = podIP;
  if (result.exitCode !== undefined) obs.exitCode = result.exitCode;
  // A plain non-zero exit is worded by the engine (Argo's message for the main container); one
  // with a termination message (e.g. argoexec's "failed to find name in PATH") is the main
  // container's, as Argo prefixes it; other messages (stopped, deadline, missing outputs, could not
  // start) are the runtime's to give.
  const exited = `Error (exit code ${result.exitCode})`;
  if (result.phase === "Failed" && result.message?.startsWith(`${exited}: `)) {
    obs.message = `main: ${result.message}`;
  } else if (result.message !== undefined && result.message !== exited) obs.message = result.message;
  return obs;
}

/**
 * Reads JSON, undefined when the file does not exist; on the calling thread. For the small files a
 * runtime keeps per step: an async read's round trip through Deno's thread pool costs a few times
 * the read itself, and the process runtime does a dozen of them per step. Most files it looks for
 * are absent (a new step has none yet): a look that answers false costs a tenth of a failed read's
 * error.
 */
export function readJsonSync<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(Deno.readTextFileSync(path)) as T;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Writes JSON to a temporary file beside `path`, then renames it into place (see readJsonSync). */
export function writeJsonAtomicSync(path: string, value: unknown): void {
  const tmp = tmpPathOf(path);
  Deno.writeTextFileSync(tmp, JSON.stringify(value, null, 2) + "\n");
  Deno.renameSync(tmp, path);
}

/** The temporary file JSON written to `path` goes through first (one per process; see spare_dirs.ts). */
export function tmpPathOf(path: string): string {
  return `${path}.tmp-${Deno.pid}`;
}

/** Reads JSON, undefined when the file does not exist. */
export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Bookkeeping shared by runtimes: observations, waiters and listeners. */
export class Observations {
  #obs = new Map<string, NodeObservation>();
  #waiters = new Map<string, ((o: NodeObservation) => void)[]>();
  #listeners = new Set<ObservationListener>();

  get(nodeId: string): NodeObservation | undefined {
    return this.#obs.get(nodeId);
  }

  set(run: { workflow: WorkflowRef; nodeId: string; podName: string }, observation: NodeObservation): void {
    this.#obs.set(run.nodeId, observation);
    const workflow = { namespace: run.workflow.namespace, name: run.workflow.name };
    for (const l of this.#listeners) {
      try {
        l({ workflow, nodeId: run.nodeId, podName: run.podName, observation });
      } catch (e) {
        console.error(`skiff: an observation listener failed: ${e instanceof Error ? e.stack : e}`);
      }
    }
    if (isFinal(observation)) {
      for (const w of this.#waiters.get(run.nodeId) ?? []) w(observation);
      this.#waiters.delete(run.nodeId);
    }
  }

  wait(nodeId: string): Promise<NodeObservation> {
    const o = this.#obs.get(nodeId);
    if (o && isFinal(o)) return Promise.resolve(o);
    if (o === undefined) return Promise.reject(new Error(`node ${nodeId} was not started by this runtime`));
    return new Promise((resolve) => {
      const list = this.#waiters.get(nodeId) ?? [];
      list.push(resolve);
      this.#waiters.set(nodeId, list);
    });
  }

  subscribe(listener: ObservationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Has the node ended? */
export function isFinal(o: NodeObservation): boolean {
  return o.phase === "Succeeded" || o.phase === "Failed" || o.phase === "Error";
}

/**
 * Where `program` would be executed from, as execvp finds it: a path with a slash relative to
 * `cwd`, else the first executable on `path`. "denied" when only non-executable files were found,
 * "missing" when nothing was.
 */
export function lookPath(program: string, path: string, cwd: string): string | "missing" | "denied" {
  const candidates = program.includes("/")
    ? [program.startsWith("/") ? program : `${cwd}/${program}`]
    : path.split(":").map((p) => `${p === "" ? cwd : p}/${program}`);
  let denied = false;
  for (const c of candidates) {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(c);
    } catch {
      continue;
    }
    if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return c;
    denied = true;
  }
  return denied ? "denied" : "missing";
}
