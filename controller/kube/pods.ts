/**
 * RunSpec -> Pod, as Argo's emissary executor lays pods out:
 *
 * - `init` (executor image) runs the executor in its `--fetch-inputs` mode (what to do is in
 *   `SKIFF_INPUTS`): it copies the executor (deno, the glibc it needs, executor.js) onto the shared
 *   emptyDir `/var/run/argo`, writes raw input artifacts there and fetches those of the artifact
 *   repository (or an `s3:` with a key) and `http` ones (pod_artifacts.ts), with the credentials
 *   they need in its env (secretKeyRef);
 * - `main` (the user's image) runs the executor, started by the copied dynamic loader so that it
 *   runs in any image; the executor runs the user's command (the step description is in
 *   `SKIFF_STEP`), captures `result`, output parameters and the exit code, and writes them to
 *   `/var/run/argo/result.json`, after storing output artifacts in the artifact repository;
 * - `wait` (executor image, the pod agent: agent.ts) waits for that file and reports it as a
 *   WorkflowTaskResult, which is how outputs reach the controller: a pod never writes its Workflow.
 *
 * This module only describes the pod: what the executor is told travels as JSON in the containers'
 * env (`SKIFF_INPUTS`, `SKIFF_STEP`), in the shapes of the executor's types.
 *
 * Names, labels and annotations are Argo's: the pod is the RunSpec's deterministic `podName`,
 * labelled `workflows.argoproj.io/workflow`, annotated with the node id and name, and owned by the
 * Workflow (deleted with it).
 */
import type { InputsDescription, StepDescription } from "../../executor/types.ts";
import type { RunContainer, RunSpec, RunVolume } from "../engine/actions.ts";
import { parseGoYaml } from "../spec/load.ts";
import type { ControllerConfig } from "./config.ts";
import { configuredArgv } from "../engine/images.ts";
import type { KubeObject } from "./client.ts";
import { type ArtifactContext, ArtifactPlanError, type PodArtifacts, podArtifacts } from "./pod_artifacts.ts";
import {
  EXECUTOR_DIR,
  executorLaunch,
  IMAGE_EXECUTOR_DIR,
  INPUT_ARTIFACTS_DIR,
  RESULT_FILE,
  SCRIPT_PATH,
  VAR_RUN_ARGO,
} from "./layout.ts";
import {
  ANNOTATION_DAEMON,
  ANNOTATION_DEFAULT_CONTAINER,
  ANNOTATION_NODE_ID,
  ANNOTATION_NODE_NAME,
  LABEL_COMPLETED,
  LABEL_INSTANCE_ID,
  LABEL_WORKFLOW,
} from "./labels.ts";

export { EXECUTOR_DIR, executorLaunch, INPUT_ARTIFACTS_DIR, RESULT_FILE, SCRIPT_PATH, VAR_RUN_ARGO };

/** A Pod as skiff writes and reads it. */
export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: PodStatus;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
  restartPolicy?: string;
  activeDeadlineSeconds?: number;
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  nodeName?: string;
  [field: string]: unknown;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  workingDir?: string;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  [field: string]: unknown;
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: {
      exitCode: number;
      reason?: string;
      message?: string;
      startedAt?: string;
      finishedAt?: string;
    };
  };
}

export interface PodStatus {
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  reason?: string;
  message?: string;
  podIP?: string;
  hostIP?: string;
  startTime?: string;
  conditions?: { type: string; status: string }[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

/** What building a pod needs besides the RunSpec. */
export interface PodContext {
  config: Pick<ControllerConfig, "executor" | "images" | "instanceID">;
  /** The workflow's uid (owner reference). */
  workflowUid: string;
  /** Now (ms since epoch), for the pod's activeDeadlineSeconds. */
  now: number;
  /** The workflow's artifact repository and where other nodes' artifacts are. */
  artifacts?: ArtifactContext;
}

/** The RunSpec cannot become a pod (the node is an Error with this message). */
export class PodBuildError extends Error {
  override name = "PodBuildError";
}

/** The Pod of a RunSpec. Throws PodBuildError when it cannot be run on Kubernetes. */
export function buildPod(run: RunSpec, ctx: PodContext): Pod {
  const { config } = ctx;
  const exec = config.executor;
  const main = run.main;
  const argv = configuredArgv(main, config.images, main.image);
  if (!argv && !run.script) {
    throw new PodBuildError(
      `image "${main.image}": its entrypoint is unknown; give the template a \`command\`, or add the image to the \`images\` table of the controller's ConfigMap`,
    );
  }
  let arts: PodArtifacts;
  try {
    arts = podArtifacts(run, ctx.artifacts ?? {});
  } catch (e) {
    if (e instanceof ArtifactPlanError) throw new PodBuildError(e.message);
    throw e;
  }
  const podSpec = { ...run.podSpec };
  const grace = typeof podSpec.terminationGracePeriodSeconds === "number"
    ? podSpec.terminationGracePeriodSeconds
    : 30;

  const desc: StepDescription = {
    command: argv ?? [],
    outputs: { parameters: run.outputs.parameters, artifacts: run.outputs.artifacts },
    artifactDir: `${VAR_RUN_ARGO}/outputs/artifacts`,
    resultFile: RESULT_FILE,
    graceSeconds: Math.max(1, grace - 2),
    echo: true,
  };
  if (arts.uploads.length > 0) desc.uploads = arts.uploads;
  if (main.workingDir) desc.workingDir = main.workingDir;
  if (run.script) desc.script = { source: run.script.source, path: SCRIPT_PATH };
  if (run.deadline) desc.deadline = run.deadline;

  const shared = { name: "var-run-argo", mountPath: VAR_RUN_ARGO };
  const agentEnv = [
    { name: "ARGO_POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    { name: "ARGO_POD_UID", valueFrom: { fieldRef: { fieldPath: "metadata.uid" } } },
    { name: "ARGO_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
    { name: "ARGO_NODE_ID", value: run.nodeId },
    { name: "ARGO_WORKFLOW_NAME", value: run.workflow.name },
    { name: "ARGO_WORKFLOW_UID", value: ctx.workflowUid },
    { name: "DENO_DIR", value: "/tmp/deno" },
    { name: "DENO_NO_UPDATE_CHECK", value: "1" },
  ];
  const fromExecutorImage = (
    name: "init" | "wait",
    program: Pick<Container, "command" | "args">,
    env: Container["env"],
  ) => {
    const c: Container = {
      name,
      image: exec.image,
      ...program,
      env: [...agentEnv, ...env ?? [], ...(exec.env ?? [])],
      volumeMounts: [shared],
    };
    if (exec.imagePullPolicy) c.imagePullPolicy = exec.imagePullPolicy;
    if (exec.resources) c.resources = structuredClone(exec.resources);
    return c;
  };
  const raw = run.inputArtifacts.flatMap((
    a,
  ) => ("raw" in a.from ? [{ name: a.name, data: a.from.raw }] : []));
  const inputs: InputsDescription = {
    install: { from: IMAGE_EXECUTOR_DIR, to: EXECUTOR_DIR },
    // the step may run as any user: what it writes to is writable by all
    dirs: [VAR_RUN_ARGO, `${VAR_RUN_ARGO}/outputs/artifacts`, `${VAR_RUN_ARGO}/deno`],
    artifactDir: `${VAR_RUN_ARGO}/${INPUT_ARTIFACTS_DIR}`,
    messageFile: "/dev/termination-log",
  };
  if (raw.length > 0) inputs.raw = raw;
  if (arts.downloads.length > 0) inputs.downloads = arts.downloads;
  // The executor's own program fetches the inputs (only the executor touches artifacts and S3).
  const init = fromExecutorImage(
    "init",
    { command: executorLaunch(IMAGE_EXECUTOR_DIR), args: ["--fetch-inputs"] },
    [{ name: "SKIFF_INPUTS", value: JSON.stringify(inputs) }, ...arts.initEnv],
  );
  const wait = fromExecutorImage("wait", {
    ...(exec.command ? { command: exec.command } : {}),
    args: ["wait"],
  }, []);

  const mainContainer = container(main);
  mainContainer.command = executorLaunch();
  delete mainContainer.args;
  mainContainer.env = [
    ...(mainContainer.env ?? []),
    { name: "SKIFF_STEP", value: JSON.stringify(desc) },
    { name: "DENO_DIR", value: `${VAR_RUN_ARGO}/deno` },
    { name: "DENO_NO_UPDATE_CHECK", value: "1" },
    { name: "ARGO_NODE_ID", value: run.nodeId },
    ...arts.mainEnv,
  ];
  mainContainer.volumeMounts = [...(mainContainer.volumeMounts ?? []), shared];
  const volumes: Record<string, unknown>[] = [{ name: "var-run-argo", emptyDir: {} }];
  if (run.script) {
    mainContainer.volumeMounts.push({ name: "argo-staging", mountPath: "/argo/staging" });
    volumes.push({ name: "argo-staging", emptyDir: {} });
  }
  // Raw and fetched input artifacts are placed by `init` under the shared volume, mounted at their paths.
  for (const a of [...raw, ...arts.downloads]) {
    mainContainer.volumeMounts.push({
      name: "var-run-argo",
      mountPath: run.inputArtifacts.find((x) => x.name === a.name)!.path,
      subPath: `${INPUT_ARTIFACTS_DIR}/${a.name}`,
    });
  }
  for (const v of run.volumes) volumes.push(podVolume(v));

  const labels: Record<string, string> = {
    ...run.metadata?.labels,
    [LABEL_WORKFLOW]: run.workflow.name,
    [LABEL_COMPLETED]: "false",
  };
  if (config.instanceID) labels[LABEL_INSTANCE_ID] = config.instanceID;
  const annotations: Record<string, string> = {
    ...run.metadata?.annotations,
    [ANNOTATION_NODE_ID]: run.nodeId,
    [ANNOTATION_NODE_NAME]: run.nodeName,
    [ANNOTATION_DEFAULT_CONTAINER]: "main",
  };
  if (run.daemon) annotations[ANNOTATION_DAEMON] = "true";

  const { podSpecPatch, ...passThrough } = podSpec;
  let spec: PodSpec = {
    ...passThrough,
    restartPolicy: "Never",
    initContainers: [init, ...run.initContainers.map(container)],
    containers: [wait, mainContainer, ...run.sidecars.map(container)],
    volumes,
  };
  if (run.deadline) {
    // The executor stops the command at the deadline; this is Kubernetes' backstop.
    const seconds = Math.ceil((Date.parse(run.deadline) - ctx.now) / 1000) + grace + 10;
    spec.activeDeadlineSeconds = Math.max(1, seconds);
  }
  if (typeof podSpecPatch === "string" && podSpecPatch.trim() !== "") {
    let patch: unknown;
    try {
      patch = parseGoYaml(podSpecPatch);
    } catch (e) {
      throw new PodBuildError(`podSpecPatch is not JSON or YAML: ${e instanceof Error ? e.message : e}`);
    }
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) {
      throw new PodBuildError("podSpecPatch must be a PodSpec object");
    }
    spec = strategicMerge(spec, patch) as PodSpec;
  }

  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: run.podName,
      namespace: run.workflow.namespace,
      labels,
      annotations,
      ownerReferences: [{
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Workflow",
        name: run.workflow.name,
        uid: ctx.workflowUid,
        controller: true,
        blockOwnerDeletion: true,
      }],
    },
    spec,
  };
  return pod;
}

/** The step description the executor in `main` runs (from its `SKIFF_STEP`). */
export function stepOf(pod: Pod): StepDescription | undefined {
  const main = pod.spec.containers.find((c) => c.name === "main");
  const value = main?.env?.find((e) => e.name === "SKIFF_STEP")?.value;
  return value ? JSON.parse(value) as StepDescription : undefined;
}

/** What the executor in `init` places before the step (from its `SKIFF_INPUTS`). */
export function inputsOf(pod: Pod): InputsDescription | undefined {
  const init = pod.spec.initContainers?.find((c) => c.name === "init");
  const value = init?.env?.find((e) => e.name === "SKIFF_INPUTS")?.value;
  return value ? JSON.parse(value) as InputsDescription : undefined;
}

function container(c: RunContainer): Container {
  const out: Container = { ...(c.extra ?? {}), name: c.name, image: c.image };
  if (c.command) out.command = [...c.command];
  if (c.args) out.args = [...c.args];
  if (c.env.length > 0) out.env = c.env.map((e) => ({ ...e }));
  if (c.workingDir) out.workingDir = c.workingDir;
  if (c.volumeMounts.length > 0) out.volumeMounts = c.volumeMounts.map((m) => ({ ...m }));
  return out;
}

function podVolume(v: RunVolume): Record<string, unknown> {
  const { volumeClaimTemplate: _, ...source } = v.source;
  return { name: v.name, ...source };
}

/** The claims a RunSpec needs created first (from volumeClaimTemplates): claim name -> template. */
export function claimsOf(run: RunSpec): { claimName: string; template: Record<string, unknown> }[] {
  const out = [];
  for (const v of run.volumes) {
    const tmpl = v.source.volumeClaimTemplate as Record<string, unknown> | undefined;
    const claim = (v.source.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName;
    if (tmpl && claim) out.push({ claimName: claim, template: tmpl });
  }
  return out;
}

const MERGE_BY_NAME = new Set(["containers", "initContainers", "volumes", "env", "volumeMounts", "ports"]);

/**
 * Kubernetes' strategic merge patch as far as pod specs need it: objects merge key by key, the
 * lists of containers, volumes, env, mounts and ports merge item by item by `name` (`mountPath` for
 * mounts, `containerPort` for ports), other lists are replaced, `null` deletes.
 */
export function strategicMerge(base: unknown, patch: unknown, key = ""): unknown {
  if (patch === null) return undefined;
  if (Array.isArray(patch)) {
    if (!MERGE_BY_NAME.has(key) || !Array.isArray(base)) return structuredClone(patch);
    const idOf = (x: Record<string, unknown>) =>
      String(key === "volumeMounts" ? x.mountPath : key === "ports" ? x.containerPort : x.name);
    const out = (base as Record<string, unknown>[]).map((x) => structuredClone(x));
    for (const item of patch as Record<string, unknown>[]) {
      const i = out.findIndex((x) => idOf(x) === idOf(item));
      if (i >= 0) out[i] = strategicMerge(out[i], item, "") as Record<string, unknown>;
      else out.push(structuredClone(item));
    }
    return out;
  }
  if (typeof patch !== "object" || base === null || typeof base !== "object" || Array.isArray(base)) {
    return structuredClone(patch);
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    const merged = strategicMerge(out[k], v, k);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}
