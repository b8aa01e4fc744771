/**
 * Observations to node state (Argo's pod reconciliation): what a host saw of a Pod node becomes its
 * phase, message, times, pod IP and outputs (`result`, `exitCode`, output parameters and artifacts).
 */

import type { NodeStatus, Outputs, Parameter, Template } from "../spec/types.ts";
import type { NodeObservation } from "./actions.ts";
import { podOutputArtifacts } from "./artifacts.ts";
import { type Op, touch } from "./context.ts";
import { OPEN_POD, placesWith } from "./facts.ts";
import { phaseFulfilled } from "./nodes.ts";
import { addOutputsToGlobalScope } from "./outputs.ts";
import { templateLocalVars } from "./params.ts";
import { formatTime, parseTime } from "./time.ts";
import type { NodeView } from "./tree.ts";

/** Longest `outputs.result` kept (the end of stdout is kept). */
export const MAX_RESULT_BYTES = 256 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Argo's `result`: stdout without ONE trailing newline, its last 256 KiB. */
export function resultOf(stdout: string): string {
  let text = stdout.endsWith("\n") ? stdout.slice(0, -1) : stdout; // "\n" alone, as Argo's executor
  // A UTF-16 unit is at most 3 bytes of UTF-8: a short text need not be encoded to be measured.
  if (text.length * 3 <= MAX_RESULT_BYTES) return text;
  const bytes = encoder.encode(text);
  if (bytes.length > MAX_RESULT_BYTES) text = decoder.decode(bytes.slice(bytes.length - MAX_RESULT_BYTES));
  return text;
}

/** The template a Pod node ran, found by its template name (for output parameter order and globalName). */
function nodeTemplate(op: Op, node: NodeStatus): Template | undefined {
  const name = node.templateName;
  if (!name) return undefined;
  if (node.templateRef) {
    const ref = node.templateRef;
    return op.status.storedTemplates
      ?.[`${ref.clusterScope ? "cluster" : "namespaced"}/${ref.name}/${ref.template}`];
  }
  return op.spec.templates?.find((t) => t.name === name);
}

/** Outputs of a finished pod from what the host observed. */
function outputsOf(op: Op, node: NodeStatus, obs: NodeObservation): Outputs | undefined {
  const outputs: Outputs = {};
  const tmpl = nodeTemplate(op, node);
  const observedParams = obs.parameters ?? {};
  const params: Parameter[] = [];
  const declared = tmpl?.outputs?.parameters;
  if (declared) {
    for (const p of declared) {
      // A default is trimmed as a file's value is (Argo's executor trims after choosing it).
      const fallback = p.valueFrom?.default;
      const value = observedParams[p.name] ?? (fallback?.endsWith("\n") ? fallback.slice(0, -1) : fallback);
      if (value === undefined) continue;
      const out: Parameter = { name: p.name, value };
      if (p.globalName) out.globalName = p.globalName;
      params.push(out);
    }
  } else {
    for (const [name, value] of Object.entries(observedParams)) params.push({ name, value });
  }
  if (params.length > 0) outputs.parameters = params;
  if (obs.artifacts && Object.keys(obs.artifacts).length > 0) {
    const vars = () => ({ ...op.globals, ...templateLocalVars({ ...tmpl, inputs: node.inputs ?? {} }) });
    const artifacts = podOutputArtifacts(op, node.id, tmpl, vars, obs.artifacts, obs.artifactLocations);
    if (artifacts.length > 0) outputs.artifacts = artifacts;
  }
  if (obs.stdout !== undefined) outputs.result = resultOf(obs.stdout);
  if (obs.exitCode !== undefined) outputs.exitCode = String(obs.exitCode);
  return Object.keys(outputs).length > 0 ? outputs : undefined;
}

/** Argo's message for a failed main container. */
function failureMessage(obs: NodeObservation): string {
  if (obs.message) return obs.message;
  if (obs.exitCode !== undefined) return `main: Error (exit code ${obs.exitCode})`;
  return "pod failed";
}

/** Would applying `obs` (of a pod not finished) to `node` leave it as it is? */
function unchanged(node: NodeView, obs: NodeObservation): boolean {
  if (obs.phase !== "Pending" && obs.phase !== "Running") return false;
  if (node.phase !== obs.phase) return false;
  if (obs.podIP && node.daemoned === true && node.podIP !== obs.podIP) return false;
  if ((obs.message || undefined) !== node.message) return false;
  return !(obs.phase === "Running" && obs.daemonReady === true && node.daemoned !== true);
}

/**
 * Applies the host's observations to the Pod nodes they are about. Nodes already in a final phase
 * keep it (a node the engine failed, e.g. past its deadline, is not revived by a late report).
 */
export function applyObservations(op: Op): void {
  // Most observations are of finished pods. The pods still open are known (facts.ts): when at most
  // one of them has news, that is the one to apply, found without going through every observation
  // (in whose order several are applied, as it decides which global outputs come first).
  const news = new Set<string>();
  for (const place of placesWith(op, OPEN_POD)) {
    const id = op.tree.idAt(place);
    if (Object.hasOwn(op.observed, id) && hasNews(op, id, op.observed[id]!)) news.add(id);
  }
  if (news.size <= 1) {
    for (const id of news) applyObservation(op, id, op.observed[id]!);
    return;
  }
  // Applying one observation changes no other node, so the news are those found above, applied in
  // the order of the observations.
  for (const id in op.observed) {
    if (news.has(id)) applyObservation(op, id, op.observed[id]!);
  }
}

/** Is node `id` a Pod not in a final phase, which `obs` changes? */
function hasNews(op: Op, id: string, obs: NodeObservation): boolean {
  const seen = op.tree.peek(id);
  if (!seen || seen.type !== "Pod") return false;
  if (phaseFulfilled(seen.phase)) return false;
  // A pod still seen as the node already says writes nothing (and so copies nothing, see tree.ts):
  // in a wide fan-out most observations are of running pods that did not change.
  return !unchanged(seen, obs);
}

/** Applies `obs` to Pod node `id`. */
function applyObservation(op: Op, id: string, obs: NodeObservation): void {
  const node = op.tree.get(id)!;
  const wasDaemoned = node.daemoned === true;
  touch(op);
  switch (obs.phase) {
    case "Pending":
    case "Running":
      // As Argo's pod reconciliation: the message says why a pod waits, and goes once it runs.
      node.phase = obs.phase;
      if (obs.message) node.message = obs.message;
      else delete node.message;
      if (obs.phase === "Running" && obs.daemonReady === true) node.daemoned = true;
      // Argo records a pod's IP for daemons only, while they run ({{steps.x.ip}} names a daemon).
      if (obs.podIP && node.daemoned === true) node.podIP = obs.podIP;
      break;
    case "Succeeded":
    case "Failed":
    case "Error": {
      node.phase = obs.phase;
      const outputs = outputsOf(op, node, obs);
      if (outputs) node.outputs = outputs;
      else delete node.outputs;
      if (obs.phase === "Succeeded") {
        if (obs.message) node.message = obs.message;
        else delete node.message;
      } else {
        node.message = failureMessage(obs);
      }
      node.finishedAt = obs.finishedAt ? formatTime(parseTime(obs.finishedAt)) : op.nowText;
      if (wasDaemoned) delete node.daemoned;
      addOutputsToGlobalScope(op, node.outputs);
      break;
    }
  }
}
