/**
 * The artifact repository of a workflow, chosen as Argo chooses it:
 *
 * 1. the workflow's `spec.artifactRepositoryRef` ({configMap, key}; configMap defaults to
 *    `artifact-repositories`, key to that ConfigMap's `workflows.argoproj.io/default-artifact-repository`
 *    annotation), in the workflow's namespace;
 * 2. else the ConfigMap `artifact-repositories` of the workflow's namespace, if it has that annotation;
 * 3. else the controller ConfigMap's `artifactRepository` key (`default: true`).
 *
 * The choice is made once and kept in `status.artifactRepositoryRef` (with the repository itself),
 * so a workflow keeps its repository when the configuration changes under it. Only S3 is supported;
 * its `createBucketIfNotPresent` ({} or {objectLocking: true}) has the executor create the bucket
 * before each upload.
 */
import type { Workflow } from "../spec/types.ts";
import type { ArtifactRepository, ArtifactRepositoryRefStatus } from "../spec/types.ts";
import { parseGoYaml } from "../spec/load.ts";

export const DEFAULT_REPOSITORIES_CONFIGMAP = "artifact-repositories";
export const ANNOTATION_DEFAULT_REPOSITORY = "workflows.argoproj.io/default-artifact-repository";

/** What to say when a step passes an artifact and no repository is configured. */
export const NO_REPOSITORY_HINT =
  "configure `artifactRepository` (s3: bucket, endpoint, accessKeySecret, secretKeySecret) in the controller's ConfigMap skiff-controller-config, or give the workflow an artifactRepositoryRef";

/** A workflow's artifactRepositoryRef cannot be resolved (the workflow is an Error with this message). */
export class RepositoryRefError extends Error {
  override name = "RepositoryRefError";
}

/** Checks an artifact repository read from YAML; `where` names the place in errors. */
export function parseRepository(value: unknown, where: string): ArtifactRepository {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`${where}: must be a mapping with an \`s3\` repository`);
  }
  const repo = value as ArtifactRepository;
  const kinds = Object.keys(repo).filter((k) => k !== "archiveLogs");
  if (!repo.s3) {
    throw new Error(
      `${where}: only \`s3\` repositories are supported by skiff (found ${kinds.join(", ") || "none"})`,
    );
  }
  for (const f of ["bucket", "endpoint"] as const) {
    if (typeof repo.s3[f] !== "string" || repo.s3[f] === "") throw new Error(`${where}: s3.${f} is required`);
  }
  for (const f of ["accessKeySecret", "secretKeySecret"] as const) {
    const s = repo.s3[f];
    if (s !== undefined && (typeof s?.name !== "string" || typeof s?.key !== "string")) {
      throw new Error(`${where}: s3.${f} must be {name, key} of a Secret`);
    }
  }
  const create: unknown = repo.s3.createBucketIfNotPresent;
  if (
    create !== undefined &&
    (create === null || typeof create !== "object" || Array.isArray(create) ||
      !["undefined", "boolean"].includes(typeof (create as { objectLocking?: unknown }).objectLocking))
  ) {
    throw new Error(`${where}: s3.createBucketIfNotPresent must be a mapping ({} or {objectLocking: true})`);
  }
  return repo;
}

/** A ConfigMap as far as this module reads it. */
export interface ConfigMapData {
  data?: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * The repository of `wf` (see the module doc). `getConfigMap` reads a ConfigMap of a namespace
 * (undefined when there is none). Throws RepositoryRefError when the workflow's own ref is wrong.
 */
export async function resolveRepositoryRef(
  wf: Workflow,
  controllerDefault: ArtifactRepository | undefined,
  getConfigMap: (namespace: string, name: string) => Promise<ConfigMapData | undefined>,
): Promise<ArtifactRepositoryRefStatus> {
  const ns = wf.metadata.namespace ?? "default";
  const ref = wf.spec.artifactRepositoryRef;
  const name = ref?.configMap || DEFAULT_REPOSITORIES_CONFIGMAP;
  const cm = await getConfigMap(ns, name);
  const key = ref?.key || cm?.annotations?.[ANNOTATION_DEFAULT_REPOSITORY];
  if (ref) {
    if (!cm) throw new RepositoryRefError(`artifactRepositoryRef: ConfigMap ${ns}/${name} not found`);
    if (!key) {
      throw new RepositoryRefError(
        `artifactRepositoryRef: no key given and ConfigMap ${ns}/${name} has no ${ANNOTATION_DEFAULT_REPOSITORY} annotation`,
      );
    }
  }
  if (cm && key) {
    const text = cm.data?.[key];
    if (text === undefined) {
      throw new RepositoryRefError(`artifactRepositoryRef: ConfigMap ${ns}/${name} has no key "${key}"`);
    }
    let repo: ArtifactRepository;
    try {
      repo = parseRepository(parseGoYaml(text), `artifactRepositoryRef: ConfigMap ${ns}/${name} key ${key}`);
    } catch (e) {
      throw new RepositoryRefError(e instanceof Error ? e.message : String(e));
    }
    return { configMap: name, key, namespace: ns, artifactRepository: repo };
  }
  return { default: true, ...(controllerDefault ? { artifactRepository: controllerDefault } : {}) };
}
