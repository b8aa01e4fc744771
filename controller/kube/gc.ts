/**
 * What is cleaned up when (pure decisions; the reconciler carries them out):
 *
 * - podGC (Argo's): `OnPodCompletion` deletes a pod once its node is done, `OnPodSuccess` once it
 *   succeeded, `OnWorkflowCompletion`/`OnWorkflowSuccess` all of them when the workflow ends (or
 *   succeeds); after `deleteDelayDuration`; only pods matching `labelSelector`. Without podGC pods
 *   are kept (labelled completed) until the Workflow is deleted.
 * - ttlStrategy: the Workflow itself is deleted `secondsAfterCompletion` (or `...Success`,
 *   `...Failure`) after it finished.
 * - volumeClaimGC: claims from volumeClaimTemplates are deleted when the workflow ends
 *   (`OnWorkflowCompletion`, the default) or only when it succeeded (`OnWorkflowSuccess`).
 */
import type { LabelSelector, PodGC, Workflow } from "../spec/types.ts";

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A Go duration ("30s", "1m30s", "500ms", or plain seconds "10") in ms. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  let ms = 0;
  let rest = t;
  const re = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/;
  if (rest === "") throw new Error(`"${text}" is not a duration`);
  while (rest !== "") {
    const m = re.exec(rest);
    if (!m) throw new Error(`"${text}" is not a duration (e.g. 30s, 5m, 1h30m)`);
    ms += Number(m[1]) * UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return ms;
}

/** Should the pod of a node in `nodePhase` be deleted now that the node is done? */
export function deletePodOnNodeDone(gc: PodGC | undefined, nodePhase: string | undefined): boolean {
  const s = gc?.strategy ?? "";
  return s === "OnPodCompletion" || (s === "OnPodSuccess" && nodePhase === "Succeeded");
}

/** Should all the workflow's pods be deleted now that it ended in `phase`? */
export function deletePodsOnWorkflowDone(gc: PodGC | undefined, phase: string | undefined): boolean {
  const s = gc?.strategy ?? "";
  return s === "OnWorkflowCompletion" || (s === "OnWorkflowSuccess" && phase === "Succeeded") ||
    s === "OnPodCompletion" || (s === "OnPodSuccess" && phase === "Succeeded");
}

/** podGC's delay, ms. */
export function podGCDelay(gc: PodGC | undefined): number {
  return gc?.deleteDelayDuration ? parseDuration(gc.deleteDelayDuration) : 0;
}

/** The label selector (as a string) of podGC.labelSelector, "" for all pods. */
export function selectorString(sel: LabelSelector | undefined): string {
  if (!sel) return "";
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}

/** Does a pod's labels match podGC.labelSelector (absent: every pod)? */
export function labelsMatch(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    const v = labels[e.key];
    if (e.operator === "In" && !(has && (e.values ?? []).includes(v!))) return false;
    if (e.operator === "NotIn" && has && (e.values ?? []).includes(v!)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** When a finished workflow is to be deleted (ms since epoch), by its ttlStrategy; undefined: never. */
export function ttlExpiry(wf: Workflow): number | undefined {
  const ttl = wf.spec.ttlStrategy;
  const finished = wf.status?.finishedAt ? Date.parse(wf.status.finishedAt) : undefined;
  if (!ttl || finished === undefined || Number.isNaN(finished)) return undefined;
  const phase = wf.status?.phase;
  const seconds = phase === "Succeeded"
    ? ttl.secondsAfterSuccess ?? ttl.secondsAfterCompletion
    : phase === "Failed" || phase === "Error"
    ? ttl.secondsAfterFailure ?? ttl.secondsAfterCompletion
    : undefined;
  return seconds === undefined ? undefined : finished + seconds * 1000;
}

/** Claims to delete now that the workflow ended in `phase` (names `<workflow>-<template name>`). */
export function claimsToDelete(wf: Workflow): string[] {
  const strategy = wf.spec.volumeClaimGC?.strategy || "OnWorkflowCompletion";
  if (strategy === "OnWorkflowSuccess" && wf.status?.phase !== "Succeeded") return [];
  return (wf.spec.volumeClaimTemplates ?? []).flatMap((c) =>
    c.metadata?.name ? [`${wf.metadata.name}-${c.metadata.name}`] : []
  );
}
