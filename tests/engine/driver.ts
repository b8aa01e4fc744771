/**
 * A test host for the engine: a scripted clock and scripted pods. It loops reconcile -> start the
 * pods asked for -> let scripted time pass to the next pod exit, wake or user intervention -> feed
 * the observations back, until the workflow is finished. No processes, no sleeping.
 */

import { deepStrictEqual, equal } from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import type { NodeStatus, Workflow, WorkflowStatus } from "../../controller/spec/types.ts";
import { reconcile, type ReconcileInput } from "../../controller/engine/reconcile.ts";
import type { Action, NodeObservation, RunSpec } from "../../controller/engine/actions.ts";

/** What a scripted pod does. */
export interface PodScript {
  exitCode?: number;
  stdout?: string;
  parameters?: Record<string, string>;
  /** Output artifacts saved (name -> location). Default: every output artifact the RunSpec declares. */
  artifacts?: Record<string, string>;
  /** Argo's location fields of saved artifacts, as a host that stored them reports (e.g. `{s3: {key}}`). */
  artifactLocations?: Record<string, Record<string, unknown>>;
  /** Seconds the pod runs (default 1). */
  duration?: number;
  /** Final phase (default: Succeeded for exit 0, else Failed). */
  phase?: "Succeeded" | "Failed" | "Error";
  message?: string;
  /** A daemon: Running and ready until killed. */
  daemon?: boolean;
  /** Never finishes by itself. */
  hang?: boolean;
}

/** A script, or a function of the run spec and how many times this key already started. */
export type Script = PodScript | ((run: RunSpec, previousStarts: number) => PodScript);

/** Options of {@link runWorkflow}. */
export interface DriverOptions {
  /** Scripts by node name, display name of the node, or template name (first match wins). */
  scripts?: Record<string, Script>;
  /** Used when no script matches: a pod's behaviour from its run spec and its node's display name. */
  scriptFor?: (run: RunSpec, displayName: string) => PodScript;
  /** Start time (default 2024-01-01T00:00:00Z). */
  start?: string;
  /** User interventions at a number of seconds after start: return the edited workflow. */
  at?: Record<number, (wf: Workflow) => Workflow>;
  /** Stop after this many reconciles (default 500). */
  maxSteps?: number;
  /** Check that every reconcile returns the same output when called twice (default true). */
  checkIdempotent?: boolean;
  /** ConfigMaps the host knows (ReconcileInput.configMaps) and its hint about missing ones. */
  configMaps?: ReconcileInput["configMaps"];
  resourceHint?: string;
  /** The host's TRANSIENT_ERROR_PATTERN (ReconcileInput.transientErrorPattern). */
  transientErrorPattern?: string;
}

/** What a run left behind. */
export interface DriverResult {
  workflow: Workflow;
  status: WorkflowStatus;
  /** Every RunSpec the engine asked to start, first time only, in order. */
  started: RunSpec[];
  /** Every action, with the scripted time it was returned at (seconds after start). */
  log: { t: number; action: Action }[];
  /** Seconds after start when the run ended. */
  elapsed: number;
  /** True when the workflow did not reach a final phase (nothing left to wait for). */
  stuck: boolean;
  /** Nodes by name. */
  byName: Record<string, NodeStatus>;
}

const FINAL = new Set(["Succeeded", "Failed", "Error"]);

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

/** Parses a workflow from YAML text. */
export function wf(yaml: string): Workflow {
  return parseYaml(yaml) as Workflow;
}

/** A workflow `name` of one container step (its node is named `name` too). */
export function onePod(name: string): Workflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name },
    spec: { entrypoint: "work", templates: [{ name: "work", container: { image: "busybox" } }] },
  } as Workflow;
}

interface RunningPod {
  run: RunSpec;
  script: PodScript;
  finishAt: number;
}

function lookupScript(
  scripts: Record<string, Script>,
  run: RunSpec,
  counts: Map<string, number>,
  display: string,
): PodScript | undefined {
  for (const key of [run.nodeName, display, run.templateName]) {
    const s = scripts[key];
    if (s === undefined) continue;
    const n = counts.get(key) ?? 0;
    counts.set(key, n + 1);
    return typeof s === "function" ? s(run, n) : s;
  }
  return undefined;
}

/** Runs a workflow to its end with scripted pods and a scripted clock. */
export function runWorkflow(workflow: Workflow | string, options: DriverOptions = {}): DriverResult {
  let current: Workflow = typeof workflow === "string" ? wf(workflow) : structuredClone(workflow);
  current.metadata.name ??= "wf";
  const scripts = options.scripts ?? {};
  const start = Date.parse(options.start ?? "2024-01-01T00:00:00Z");
  let now = start;
  const observed: Record<string, NodeObservation> = {};
  const running = new Map<string, RunningPod>();
  const counts = new Map<string, number>();
  const started: RunSpec[] = [];
  const startedIds = new Set<string>();
  const log: { t: number; action: Action }[] = [];
  const interventions = new Map(
    Object.entries(options.at ?? {}).map(([k, f]) => [start + Number(k) * 1000, f]),
  );
  let wake: number | undefined;
  let steps = 0;
  const maxSteps = options.maxSteps ?? 500;
  for (;;) {
    for (const [t, f] of interventions) {
      if (t <= now) {
        current = f(structuredClone(current));
        interventions.delete(t);
      }
    }
    const input: ReconcileInput = { workflow: current, observed: structuredClone(observed), now: iso(now) };
    if (options.configMaps) input.configMaps = options.configMaps;
    if (options.resourceHint) input.resourceHint = options.resourceHint;
    if (options.transientErrorPattern) input.transientErrorPattern = options.transientErrorPattern;
    const frozen = JSON.stringify(input);
    const result = reconcile(input);
    if (options.checkIdempotent !== false) {
      equal(JSON.stringify(input), frozen, "reconcile must not modify its input");
      const again = reconcile(JSON.parse(frozen));
      deepStrictEqual(again, result, "reconcile must return the same output for the same input");
    }
    current = { ...current, status: result.status };
    wake = undefined;
    let changed = false;
    for (const action of result.actions) {
      log.push({ t: (now - start) / 1000, action });
      if (action.type === "start") {
        const id = action.run.nodeId;
        if (running.has(id) || observed[id]) continue;
        const display = result.status.nodes?.[id]?.displayName ?? action.run.nodeName;
        const script = lookupScript(scripts, action.run, counts, display) ??
          options.scriptFor?.(action.run, display) ?? {};
        if (!startedIds.has(id)) {
          startedIds.add(id);
          started.push(action.run);
        }
        const finishAt = script.daemon || script.hang ? Infinity : now + (script.duration ?? 1) * 1000;
        running.set(id, { run: action.run, script, finishAt });
        changed = true;
        observed[id] = {
          phase: "Running",
          startedAt: iso(now),
          podIP: podIPOf(action.run),
          ...(script.daemon ? { daemonReady: true } : {}),
        };
      } else if (action.type === "kill") {
        if (running.delete(action.nodeId)) changed = true;
        observed[action.nodeId] = { phase: "Failed", exitCode: 137, finishedAt: iso(now), message: "killed" };
      } else if (action.type === "wake") {
        const at = Date.parse(action.at);
        wake = wake === undefined ? at : Math.min(wake, at);
      }
    }
    const phase = result.status.phase ?? "";
    if (FINAL.has(phase) && running.size === 0) break;
    if (++steps >= maxSteps) break;
    // A host reconciles again when what it observes changes (a pod started or was killed).
    if (changed) continue;
    const candidates = [...[...running.values()].map((p) => p.finishAt), ...interventions.keys()];
    if (wake !== undefined) candidates.push(wake);
    const next = Math.min(...candidates.filter((t) => Number.isFinite(t)));
    if (!Number.isFinite(next)) {
      if (FINAL.has(phase)) break;
      return finish(current, started, log, (now - start) / 1000, true);
    }
    now = Math.max(now, next);
    for (const [id, pod] of running) {
      if (pod.finishAt > now) continue;
      running.delete(id);
      const s = pod.script;
      const exitCode = s.exitCode ?? 0;
      const obs: NodeObservation = {
        phase: s.phase ?? (exitCode === 0 ? "Succeeded" : "Failed"),
        exitCode,
        startedAt: observed[id]?.startedAt ?? iso(now),
        finishedAt: iso(now),
      };
      if (s.stdout !== undefined) obs.stdout = s.stdout;
      if (s.parameters) obs.parameters = s.parameters;
      const artifacts = s.artifacts ??
        Object.fromEntries(pod.run.outputs.artifacts.map((a) => [a.name, `/artifacts/${id}/${a.name}`]));
      if (Object.keys(artifacts).length > 0) obs.artifacts = artifacts;
      if (s.artifactLocations) obs.artifactLocations = s.artifactLocations;
      if (s.message) obs.message = s.message;
      obs.podIP = podIPOf(pod.run);
      observed[id] = obs;
    }
  }
  return finish(current, started, log, (now - start) / 1000, !FINAL.has(current.status?.phase ?? ""));
}

/** A scripted pod's IP: 10.88.<a>.<b> from its node id, so each pod has its own. */
export function podIPOf(run: RunSpec): string {
  let h = 0;
  for (const c of run.nodeId) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `10.88.${(h >> 8) % 250 + 1}.${h % 250 + 2}`;
}

function finish(
  workflow: Workflow,
  started: RunSpec[],
  log: { t: number; action: Action }[],
  elapsed: number,
  stuck: boolean,
): DriverResult {
  const status = workflow.status ?? {};
  const byName: Record<string, NodeStatus> = {};
  for (const n of Object.values(status.nodes ?? {})) byName[n.name] = n;
  return { workflow, status, started, log, elapsed, stuck, byName };
}

/** `name -> phase` of every node, for compact assertions. */
export function phases(result: DriverResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of Object.values(result.status.nodes ?? {})) out[n.name] = n.phase ?? "";
  return out;
}

/** Names of a node's children, in order. */
export function childNames(result: DriverResult, name: string): string[] {
  const node = result.byName[name];
  if (!node) throw new Error(`no node ${name}`);
  return (node.children ?? []).map((id) => result.status.nodes?.[id]?.name ?? `?${id}`);
}
