/**
 * What the engine asks a host to do, and what a host tells the engine it saw. This is the whole
 * contract between the pure engine and its two hosts (local and Kubernetes).
 */

/** A volume mount of a step: `name` refers to a RunSpec volume. */
export interface RunVolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

/** A volume a step's pod needs; hosts realise each source their own way (podman volume, PVC, tmp dir). */
export interface RunVolume {
  name: string;
  /** emptyDir, a claim made from volumeClaimTemplates, a secret, a configMap, a hostPath, ... as written in the workflow. */
  source: Record<string, unknown>;
}

/** One container of a step: the main one, or a sidecar/init container. Every `{{...}}` is already resolved. */
export interface RunContainer {
  name: string;
  image: string;
  /** Omitted: the image's ENTRYPOINT (or the host's image-to-entrypoint table). */
  command?: string[];
  args?: string[];
  env: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
  workingDir?: string;
  volumeMounts: RunVolumeMount[];
  /** Kubernetes-only fields (resources, securityContext, ...) passed through untouched. */
  extra?: Record<string, unknown>;
}

/** An output parameter the executor collects from a file when the main container exits. */
export interface RunOutputParameter {
  name: string;
  path: string;
  /** Used when the file is missing. Without it a missing file fails the step. */
  default?: string;
}

/** An output artifact the executor saves from a path when the main container exits. */
export interface RunOutputArtifact {
  name: string;
  path: string;
  optional?: boolean;
}

/** An input artifact placed at `path` before the main container starts. */
export interface RunInputArtifact {
  name: string;
  path: string;
  /**
   * What to place: another node's saved output artifact (`subPath` selects a file or directory in
   * it), a raw value (a file), or an Argo artifact location as written (`http`, `s3`, `git`, ...).
   * A file stays a file and a directory a directory, whatever the producer's `archive` said.
   */
  from:
    | { nodeId: string; artifact: string; subPath?: string }
    | { raw: string }
    | { location: Record<string, unknown> };
  /** File mode bits to set on it (Argo's `mode`), on everything below a directory with `recurseMode`. */
  mode?: number;
  recurseMode?: boolean;
}

/** Everything a host needs to run one Pod node, fully resolved. */
export interface RunSpec {
  /** The workflow's name and namespace. */
  workflow: { name: string; namespace: string; uid?: string };
  nodeId: string;
  /** Argo's node name, e.g. `hello-abc12[0].print`. */
  nodeName: string;
  /** Deterministic: `<workflow>-<template>-<fnv32a(nodeName)>` as Argo's pod names v2. */
  podName: string;
  templateName: string;
  main: RunContainer;
  /** For script templates: the source, written to a file whose path is appended to `main.command`. */
  script?: { source: string };
  sidecars: RunContainer[];
  initContainers: RunContainer[];
  volumes: RunVolume[];
  inputArtifacts: RunInputArtifact[];
  outputs: { parameters: RunOutputParameter[]; artifacts: RunOutputArtifact[] };
  /** A daemoned step: Running counts as done for its dependants once it is up; it is killed when its scope ends. */
  daemon: boolean;
  /** Hard deadline for this attempt (RFC 3339), from template activeDeadlineSeconds/timeout and the workflow's. */
  deadline?: string;
  /** Pod-level fields passed through to Kubernetes (nodeSelector, tolerations, serviceAccountName, ...). */
  podSpec?: Record<string, unknown>;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Start a Pod node. Idempotent: a host that already runs `podName` adopts it. */
export interface StartNodeAction {
  type: "start";
  run: RunSpec;
}

/** Stop a running Pod node (deadline passed, workflow stopped/terminated, daemon no longer needed). */
export interface KillNodeAction {
  type: "kill";
  nodeId: string;
  podName: string;
  reason: string;
}

/** Call reconcile again at `at` (RFC 3339) even if nothing else happens: backoff, suspend duration, deadlines. */
export interface WakeAction {
  type: "wake";
  at: string;
}

/** A decision of the engine that a host carries out. */
export type Action = StartNodeAction | KillNodeAction | WakeAction;

/** What a host observed of one Pod node since it started it. */
export interface NodeObservation {
  phase: "Pending" | "Running" | "Succeeded" | "Failed" | "Error";
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /** stdout of the main container (script/container `result`), trailing newline not yet trimmed. */
  stdout?: string;
  /** Output parameters read from files; a missing file without default is reported in `message`. */
  parameters?: Record<string, string>;
  /** Output artifacts saved (name -> host-specific location, e.g. a path on disk). */
  artifacts?: Record<string, string>;
  /**
   * Where saved output artifacts are, in Argo's terms, for the status (name -> location fields,
   * e.g. `{s3: {key}}` for an artifact stored in the artifact repository): shown on the node's
   * output artifact as Argo shows it. Artifacts are still passed on by their `artifacts` entry.
   */
  artifactLocations?: Record<string, Record<string, unknown>>;
  /** The pod's IP address once it runs (`{{steps.x.ip}}`, `{{tasks.x.ip}}`; node `podIP`). */
  podIP?: string;
  message?: string;
  /** The daemon is up and serving. */
  daemonReady?: boolean;
}
