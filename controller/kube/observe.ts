/**
 * What the controller saw of a node: its pod (phase, container states, IP, readiness) and, once the
 * pod has reported, its WorkflowTaskResult (phase, message, outputs). The main container decides;
 * sidecars still running do not keep a node from finishing.
 */
import type { NodeObservation } from "../engine/actions.ts";
import { ANNOTATION_DAEMON } from "./labels.ts";
import type { ContainerStatus, Pod } from "./pods.ts";
import { reportCompleted, stdoutOf, type TaskResult } from "./taskresult.ts";

/** A node observation plus the pod's IP (`{{steps.x.ip}}`). */
export type KubeObservation = NodeObservation & { podIP?: string };

/** Message Kubernetes gives a pod stopped by activeDeadlineSeconds (how skiff stops pods). */
export const POD_DEADLINE_REASON = "DeadlineExceeded";

/** Exit code of a `wait` container that failed (agent.ts): the step's outputs were not reported. */
export const WAIT_FAILED = 1;

function mainStatus(pod: Pod): ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((c) => c.name === "main");
}

/** Observation of a pod, with its task result when there is one. */
export function observePod(pod: Pod, result: TaskResult | undefined, now: string): KubeObservation {
  const main = mainStatus(pod);
  const terminated = main?.state?.terminated;
  const base: KubeObservation = {} as KubeObservation;
  if (pod.status?.podIP) base.podIP = pod.status.podIP;
  const startedAt = main?.state?.running?.startedAt ?? terminated?.startedAt ?? pod.status?.startTime;

  if (result && reportCompleted(result)) {
    const obs = fromTaskResult(result, base);
    obs.startedAt ??= startedAt ?? now;
    obs.finishedAt ??= terminated?.finishedAt ?? now;
    return obs;
  }

  const podPhase = pod.status?.phase;
  const waitEnd = pod.status?.containerStatuses?.find((c) => c.name === "wait")?.state?.terminated;
  const podOver = podPhase === "Succeeded" || podPhase === "Failed";
  if (terminated) {
    // The executor writes its result before main exits; `wait` reports it. Until `wait` has ended
    // (or the pod is over) a report may still come.
    if (!waitEnd && !podOver) return { ...base, phase: "Running", ...(startedAt ? { startedAt } : {}) };
    if (waitEnd?.exitCode === WAIT_FAILED && pod.status?.reason !== POD_DEADLINE_REASON) {
      // `wait` could not report (e.g. its ServiceAccount may not create WorkflowTaskResults): the
      // step's outputs are lost, which must not pass for a step that succeeded without any.
      return {
        ...base,
        phase: "Error",
        message: `the step's outputs could not be reported (wait container: ${
          waitEnd.message?.trim() || waitEnd.reason || "failed"
        })`,
        finishedAt: terminated.finishedAt ?? now,
        ...(startedAt ? { startedAt } : {}),
      };
    }
    const code = terminated.exitCode;
    const obs: KubeObservation = {
      ...base,
      phase: code === 0 ? "Succeeded" : "Failed",
      exitCode: code,
      finishedAt: terminated.finishedAt ?? now,
      ...(startedAt ? { startedAt } : {}),
    };
    const why = terminationMessage(pod, terminated);
    if (why) obs.message = why;
    return obs;
  }
  if (podPhase === "Failed") {
    // Ended before main ran (evicted, deadline, an init container failed, ...).
    const init = pod.status?.initContainerStatuses?.find((c) =>
      c.state?.terminated && c.state.terminated.exitCode !== 0
    );
    const message = pod.status?.reason === POD_DEADLINE_REASON
      ? "Pod was active on the node longer than the specified deadline"
      : init
      ? `init container ${init.name} failed: ${
        // its termination message says why (the executor's `--fetch-inputs`: an input artifact could not be fetched)
        init.state?.terminated?.message?.trim() || init.state?.terminated?.reason ||
        ""} (exit code ${init.state?.terminated?.exitCode})`
      : pod.status?.message ?? pod.status?.reason ?? "pod failed";
    return {
      ...base,
      phase: pod.status?.reason === POD_DEADLINE_REASON ? "Failed" : "Error",
      message,
      finishedAt: now,
    };
  }
  if (podPhase === "Succeeded") {
    return { ...base, phase: "Succeeded", finishedAt: now, ...(startedAt ? { startedAt } : {}) };
  }
  if (main?.state?.running) {
    const obs: KubeObservation = { ...base, phase: "Running", ...(startedAt ? { startedAt } : {}) };
    if (main.ready === true && pod.metadata.annotations?.[ANNOTATION_DAEMON] === "true") {
      obs.daemonReady = true;
    }
    return obs;
  }
  const waiting = main?.state?.waiting;
  const obs: KubeObservation = { ...base, phase: "Pending" };
  if (waiting?.reason && waiting.reason !== "ContainerCreating" && waiting.reason !== "PodInitializing") {
    obs.message = `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`;
  }
  return obs;
}

function terminationMessage(
  pod: Pod,
  t: NonNullable<NonNullable<ContainerStatus["state"]>["terminated"]>,
): string | undefined {
  if (pod.status?.reason === POD_DEADLINE_REASON) {
    return "Pod was active on the node longer than the specified deadline";
  }
  if (t.reason === "OOMKilled") return "OOMKilled (exit code 137)";
  if (t.exitCode !== 0 && t.reason && t.reason !== "Error" && t.reason !== "Completed") {
    return `${t.reason} (exit code ${t.exitCode})`;
  }
  return undefined;
}

/** The observation a task result gives. */
export function fromTaskResult(
  tr: TaskResult,
  base: KubeObservation = {} as KubeObservation,
): KubeObservation {
  const phase = tr.phase === "Succeeded" || tr.phase === "Failed" || tr.phase === "Error"
    ? tr.phase
    : "Error";
  const obs: KubeObservation = { ...base, phase };
  const out = tr.outputs ?? {};
  if (out.exitCode !== undefined && out.exitCode !== "") obs.exitCode = Number(out.exitCode);
  if (out.result !== undefined) obs.stdout = stdoutOf(out.result);
  if (out.parameters && out.parameters.length > 0) {
    obs.parameters = Object.fromEntries(out.parameters.map((p) => [p.name, p.value]));
  }
  if (out.artifacts && out.artifacts.length > 0) {
    // The engine keeps the location as the host's: the repository key when stored there. The
    // status shows a stored one as Argo's does: `s3: {key}` (a key-only artifact).
    obs.artifacts = Object.fromEntries(out.artifacts.map((a) => [a.name, a.s3?.key ?? a.path ?? ""]));
    const stored = out.artifacts.filter((a) => a.s3?.key);
    if (stored.length > 0) {
      obs.artifactLocations = Object.fromEntries(stored.map((a) => [a.name, { s3: { key: a.s3!.key } }]));
    }
  }
  // A plain non-zero exit is worded by the engine (Argo's message for the main container).
  const plainExit = phase === "Failed" && tr.message === `Error (exit code ${obs.exitCode})`;
  if (tr.message && !plainExit) obs.message = tr.message;
  const started = tr.metadata.annotations?.["skiff.dev/started-at"];
  const finished = tr.metadata.annotations?.["skiff.dev/finished-at"];
  if (started) obs.startedAt = started;
  if (finished) obs.finishedAt = finished;
  return obs;
}

/**
 * Has the pod's main container ended with its report not in hand, when no more report is to be
 * waited for (`wait` has ended, or the pod is over)? Then a report, if any, is already written.
 */
export function awaitsReport(pod: Pod): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  const mainEnded = statuses.find((c) => c.name === "main")?.state?.terminated !== undefined;
  const waitEnded = statuses.find((c) => c.name === "wait")?.state?.terminated !== undefined;
  return mainEnded && (waitEnded || podFinished(pod));
}

/** Is the pod over (nothing of it runs any more)? */
export function podFinished(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}
