/**
 * The controller's configuration, read from its ConfigMap (deploy/config.yaml). Keys are Argo's
 * `workflow-controller-configmap` keys where Argo has the same setting; values are YAML strings.
 */
import { parseGoYaml } from "../spec/load.ts";
import type { ArtifactRepository, Workflow, WorkflowSpec } from "../spec/types.ts";
import { parseRepository } from "./artifact_repository.ts";
import { DEFAULT_ENTRYPOINTS, type ImageConfig, imageConfigsOf } from "../engine/images.ts";

/** The image of the `init` and `wait` containers of workflow pods. */
export interface ExecutorConfig {
  image: string;
  imagePullPolicy?: string;
  /** Resources of the init and wait containers. */
  resources?: Record<string, unknown>;
  /**
   * Replaces the image's ENTRYPOINT (the pod agent) for `wait`, whose argument is `wait`. `init`
   * runs the image's executor (`/skiff/executor.js --fetch-inputs`, through the image's own loader).
   */
  command?: string[];
  /** More environment of the init and wait containers (e.g. where the API server is). */
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
}

/** Everything the controller reads from its ConfigMap. */
export interface ControllerConfig {
  /** At most this many workflows run at once (0: no limit). */
  parallelism: number;
  executor: ExecutorConfig;
  /** What images run when a template has no command. */
  images: Record<string, ImageConfig>;
  /** Merged under every workflow (the workflow's own fields win). */
  workflowDefaults?: { metadata?: Pick<Workflow["metadata"], "labels" | "annotations">; spec?: WorkflowSpec };
  /** Only workflows labelled with this instance id ("" : only those without the label). */
  instanceID: string;
  /** status.nodes is stored gzipped in status.compressedNodes once its JSON is larger (bytes). */
  nodeStatusCompressBytes: number;
  /** Argo's default artifact repository (S3), for workflows without an artifactRepositoryRef. */
  artifactRepository?: ArtifactRepository;
}

/** What images run without a command, for the images of Argo's examples (the local runtimes' table). */
export const DEFAULT_IMAGES: Record<string, ImageConfig> = imageConfigsOf(DEFAULT_ENTRYPOINTS);

/** The configuration when the ConfigMap is absent or silent. */
export function defaultConfig(): ControllerConfig {
  return {
    parallelism: 0,
    executor: { image: "skiff/executor:v0.1.0", imagePullPolicy: "IfNotPresent" },
    images: { ...DEFAULT_IMAGES },
    instanceID: "",
    nodeStatusCompressBytes: 256 * 1024,
  };
}

/** Reads a ConfigMap's `data`; a bad value throws naming its key. */
export function parseConfig(data: Record<string, string> | undefined): ControllerConfig {
  const cfg = defaultConfig();
  if (!data) return cfg;
  const yaml = (key: string): unknown => {
    try {
      return parseGoYaml(data[key] ?? "");
    } catch (e) {
      throw new Error(`ConfigMap key ${key}: not YAML: ${e instanceof Error ? e.message : e}`);
    }
  };
  const int = (key: string): number => {
    const n = Number(data[key]);
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`ConfigMap key ${key}: "${data[key]}" is not a whole number >= 0`);
    }
    return n;
  };
  if (data.parallelism !== undefined && data.parallelism !== "") cfg.parallelism = int("parallelism");
  if (data.nodeStatusCompressBytes) cfg.nodeStatusCompressBytes = int("nodeStatusCompressBytes");
  if (data.instanceID !== undefined) cfg.instanceID = data.instanceID.trim();
  if (data.executor) {
    const e = yaml("executor") as Partial<ExecutorConfig> | null;
    if (e && typeof e !== "object") {
      throw new Error("ConfigMap key executor: must be a mapping (image, imagePullPolicy, ...)");
    }
    cfg.executor = { ...cfg.executor, ...e };
    if (typeof cfg.executor.image !== "string" || cfg.executor.image === "") {
      throw new Error("ConfigMap key executor: `image` must name the executor image");
    }
  }
  if (data.images) {
    const images = yaml("images") as Record<string, ImageConfig> | null;
    if (images && typeof images !== "object") {
      throw new Error("ConfigMap key images: must map image -> {entrypoint, cmd}");
    }
    for (const [k, v] of Object.entries(images ?? {})) {
      for (const f of ["entrypoint", "cmd"] as const) {
        const list = v?.[f];
        if (list !== undefined && (!Array.isArray(list) || list.some((x) => typeof x !== "string"))) {
          throw new Error(`ConfigMap key images: ${k}.${f} must be a list of strings`);
        }
      }
    }
    cfg.images = { ...cfg.images, ...images };
  }
  if (data.artifactRepository) {
    cfg.artifactRepository = parseRepository(yaml("artifactRepository"), "ConfigMap key artifactRepository");
  }
  if (data.workflowDefaults) {
    const d = yaml("workflowDefaults") as ControllerConfig["workflowDefaults"] | null;
    if (d && typeof d !== "object") {
      throw new Error("ConfigMap key workflowDefaults: must be a Workflow (metadata, spec)");
    }
    if (d) cfg.workflowDefaults = d;
  }
  return cfg;
}
