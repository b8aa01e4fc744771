/** Pod + WorkflowTaskResult -> what the engine is told of a node. */
import { deepEqual, equal } from "node:assert/strict";
import { awaitsReport, fromTaskResult, observePod } from "../../controller/kube/observe.ts";
import type { ContainerStatus, Pod, PodStatus } from "../../controller/kube/pods.ts";
import { type TaskResult, taskResultOf } from "../../controller/kube/taskresult.ts";

const NOW = "2026-01-01T00:10:00Z";

function pod(status: PodStatus, annotations: Record<string, string> = {}): Pod {
  return { metadata: { name: "p", namespace: "ns", annotations }, spec: { containers: [] }, status };
}
const running = (name: string, ready = true): ContainerStatus => ({
  name,
  ready,
  state: { running: { startedAt: "2026-01-01T00:00:01Z" } },
});
const ended = (
  name: string,
  exitCode: number,
  reason = exitCode === 0 ? "Completed" : "Error",
): ContainerStatus => ({
  name,
  state: {
    terminated: { exitCode, reason, startedAt: "2026-01-01T00:00:01Z", finishedAt: "2026-01-01T00:00:09Z" },
  },
});

Deno.test("observe: a pod not started yet is Pending; a failing image pull says why", () => {
  deepEqual(observePod(pod({ phase: "Pending" }), undefined, NOW), { phase: "Pending" });
  const pulling = pod({
    phase: "Pending",
    containerStatuses: [{
      name: "main",
      state: { waiting: { reason: "ImagePullBackOff", message: "no such image" } },
    }],
  });
  deepEqual(observePod(pulling, undefined, NOW), {
    phase: "Pending",
    message: "ImagePullBackOff: no such image",
  });
});

Deno.test("observe: Running with its IP; readiness counts only for daemon pods", () => {
  const status: PodStatus = {
    phase: "Running",
    podIP: "10.0.0.7",
    containerStatuses: [running("wait"), running("main")],
  };
  deepEqual(observePod(pod(status), undefined, NOW), {
    phase: "Running",
    podIP: "10.0.0.7",
    startedAt: "2026-01-01T00:00:01Z",
  });
  deepEqual(observePod(pod(status, { "skiff.dev/daemon": "true" }), undefined, NOW), {
    phase: "Running",
    podIP: "10.0.0.7",
    startedAt: "2026-01-01T00:00:01Z",
    daemonReady: true,
  });
});

Deno.test("observe: main ended but wait is still reporting: Running, until the task result says more", () => {
  const status: PodStatus = { phase: "Running", containerStatuses: [running("wait"), ended("main", 0)] };
  equal(observePod(pod(status), undefined, NOW).phase, "Running");
  const tr = taskResultOf({
    phase: "Succeeded",
    exitCode: 0,
    result: "hello",
    stdout: "hello\n",
    parameters: { p: "v" },
    artifacts: {},
    startedAt: "2026-01-01T00:00:02Z",
    finishedAt: "2026-01-01T00:00:08Z",
  }, { namespace: "ns", workflowName: "wf", workflowUid: "u", nodeId: "wf-1", podName: "p" });
  deepEqual(observePod(pod(status), tr, NOW), {
    phase: "Succeeded",
    exitCode: 0,
    stdout: "hello\n",
    parameters: { p: "v" },
    startedAt: "2026-01-01T00:00:02Z",
    finishedAt: "2026-01-01T00:00:08Z",
  });
});

Deno.test("observe: the task result of a failed step: Argo's wording of a plain exit is left to the engine", () => {
  const tr: TaskResult = {
    metadata: { name: "wf-1", labels: { "workflows.argoproj.io/report-outputs-completed": "true" } },
    phase: "Failed",
    message: "Error (exit code 3)",
    outputs: { exitCode: "3", result: "" },
  };
  deepEqual(fromTaskResult(tr), { phase: "Failed", exitCode: 3, stdout: "\n" });
  const stopped = fromTaskResult({ ...tr, message: "Step exceeded its deadline" });
  equal(stopped.message, "Step exceeded its deadline");
});

Deno.test("observe: a pod over without a report falls back to main's exit code and reason", () => {
  const ok = pod({ phase: "Succeeded", containerStatuses: [ended("wait", 0), ended("main", 0)] });
  deepEqual(observePod(ok, undefined, NOW), {
    phase: "Succeeded",
    exitCode: 0,
    finishedAt: "2026-01-01T00:00:09Z",
    startedAt: "2026-01-01T00:00:01Z",
  });
  const oom = pod({
    phase: "Failed",
    containerStatuses: [ended("wait", 0), ended("main", 137, "OOMKilled")],
  });
  equal(observePod(oom, undefined, NOW).message, "OOMKilled (exit code 137)");
  equal(observePod(oom, undefined, NOW).phase, "Failed");
  const killed = pod({
    phase: "Failed",
    reason: "DeadlineExceeded",
    containerStatuses: [ended("wait", 143), ended("main", 143)],
  });
  equal(
    observePod(killed, undefined, NOW).message,
    "Pod was active on the node longer than the specified deadline",
  );
});

Deno.test("observe: a wait container that could not report makes the node an Error saying why, not a Succeeded without outputs", () => {
  const denied = ended("wait", 1);
  denied.state!.terminated!.message =
    'POST .../workflowtaskresults: 403 User "system:serviceaccount:ns:skiff-workflow" cannot create resource';
  const p = pod({ phase: "Failed", containerStatuses: [denied, ended("main", 0)] });
  deepEqual(observePod(p, undefined, NOW), {
    phase: "Error",
    message: `the step's outputs could not be reported (wait container: ${
      denied.state!.terminated!.message
    })`,
    finishedAt: "2026-01-01T00:00:09Z",
    startedAt: "2026-01-01T00:00:01Z",
  });
});

Deno.test("observe: a pod that failed before main ran is an Error naming the init container", () => {
  const p = pod({ phase: "Failed", initContainerStatuses: [ended("init", 1)], containerStatuses: [] });
  deepEqual(observePod(p, undefined, NOW), {
    phase: "Error",
    message: "init container init failed: Error (exit code 1)",
    finishedAt: NOW,
  });
});

Deno.test("observe: a stored artifact is passed on by its key and shown as Argo's key-only s3; one only in the pod keeps its path", () => {
  const tr: TaskResult = {
    metadata: { name: "wf-1", labels: { "workflows.argoproj.io/report-outputs-completed": "true" } },
    phase: "Succeeded",
    outputs: {
      exitCode: "0",
      artifacts: [
        { name: "stored", path: "/tmp/a", s3: { key: "wf/wf-t-1/stored.tgz" } },
        { name: "kept", path: "/tmp/b" },
      ],
    },
  };
  const obs = fromTaskResult(tr);
  deepEqual(obs.artifacts, { stored: "wf/wf-t-1/stored.tgz", kept: "/tmp/b" });
  deepEqual(obs.artifactLocations, { stored: { s3: { key: "wf/wf-t-1/stored.tgz" } } });
});

Deno.test("taskresult: Argo's shape, named after the node, labelled with the workflow, owned by it", () => {
  const tr = taskResultOf({
    phase: "Succeeded",
    exitCode: 0,
    result: "x",
    stdout: "x\n",
    parameters: {},
    artifacts: {},
    finishedAt: NOW,
  }, {
    namespace: "ns",
    workflowName: "wf",
    workflowUid: "u",
    nodeId: "wf-9",
    podName: "wf-t-9",
  });
  equal(tr.kind, "WorkflowTaskResult");
  equal(tr.metadata.name, "wf-9");
  deepEqual(tr.metadata.labels, {
    "workflows.argoproj.io/workflow": "wf",
    "workflows.argoproj.io/report-outputs-completed": "true",
  });
  equal(tr.metadata.ownerReferences?.[0]?.uid, "u");
  deepEqual(tr.outputs, { exitCode: "0", result: "x" });
});

Deno.test("observe: a pod whose main ended is awaiting its report only once wait has ended or the pod is over", () => {
  equal(
    awaitsReport(pod({ phase: "Running", containerStatuses: [running("wait"), ended("main", 0)] })),
    false,
  );
  equal(
    awaitsReport(pod({ phase: "Running", containerStatuses: [ended("wait", 0), ended("main", 0)] })),
    true,
  );
  equal(awaitsReport(pod({ phase: "Failed", containerStatuses: [running("wait"), ended("main", 1)] })), true);
  equal(
    awaitsReport(pod({ phase: "Running", containerStatuses: [running("wait"), running("main")] })),
    false,
  );
});
