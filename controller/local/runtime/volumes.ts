/**
 * What a step's volumes, input artifacts and environment are on this machine, for both runtimes: a
 * volume source as written in the workflow becomes a per-pod scratch volume, a workflow-wide claim,
 * a host path, or the files of a Secret/ConfigMap; env `valueFrom`/`envFrom` are resolved from the
 * LocalResources the user supplied.
 */
import type { RunContainer, RunInputArtifact, RunSpec, RunVolume } from "../../engine/actions.ts";
import { copyTree, fetchHttpArtifact } from "../../../executor/mod.ts";
import type { NodeLayout } from "./common.ts";
import type { WorkflowRef } from "./mod.ts";
import { LocalResources } from "./resources.ts";

/** How a runtime realises one volume. */
export type VolumeKind =
  | { kind: "emptyDir" }
  | { kind: "claim"; claim: string }
  | { kind: "hostPath"; path: string }
  | { kind: "projected"; source: ProjectedSource }
  | { kind: "unsupported"; message: string };

/** A `secret` or `configMap` volume: its keys become files (all, or the listed `items`). */
export interface ProjectedSource {
  of: "Secret" | "ConfigMap";
  name: string;
  items?: { key: string; path: string; mode?: number }[];
  defaultMode?: number;
  optional?: boolean;
}

/**
 * emptyDir: per pod. persistentVolumeClaim (what volumeClaimTemplates become: `<workflow>-<name>`
 * claims) and volumeClaimTemplate: one volume per claim, shared by the workflow's steps.
 * hostPath: that directory. secret / configMap: their keys as files (from LocalResources). Others
 * (nfs, csi, projected, ...) are not supported on this host.
 */
export function classifyVolume(v: RunVolume): VolumeKind {
  const s = v.source;
  if ("emptyDir" in s) return { kind: "emptyDir" };
  const pvc = s.persistentVolumeClaim as { claimName?: unknown } | undefined;
  if (pvc && typeof pvc.claimName === "string") return { kind: "claim", claim: pvc.claimName };
  const tmpl = s.volumeClaimTemplate as { metadata?: { name?: unknown } } | undefined;
  if (tmpl) {
    return { kind: "claim", claim: typeof tmpl.metadata?.name === "string" ? tmpl.metadata.name : v.name };
  }
  const hp = s.hostPath as { path?: unknown } | undefined;
  if (hp && typeof hp.path === "string") return { kind: "hostPath", path: hp.path };
  const secret = s.secret as Record<string, unknown> | undefined;
  if (secret) return { kind: "projected", source: projectedSource("Secret", secret.secretName, secret) };
  const cm = s.configMap as Record<string, unknown> | undefined;
  if (cm) return { kind: "projected", source: projectedSource("ConfigMap", cm.name, cm) };
  const kinds = Object.keys(s).join(", ") || "(none)";
  return {
    kind: "unsupported",
    message: `volume "${v.name}": ${kinds} volumes are not supported by the local runtimes`,
  };
}

function projectedSource(
  of: "Secret" | "ConfigMap",
  name: unknown,
  s: Record<string, unknown>,
): ProjectedSource {
  const out: ProjectedSource = { of, name: typeof name === "string" ? name : "" };
  if (Array.isArray(s.items)) out.items = s.items as ProjectedSource["items"] & object;
  if (typeof s.defaultMode === "number") out.defaultMode = s.defaultMode;
  if (s.optional === true) out.optional = true;
  return out;
}

/**
 * Writes the files of a secret/configMap volume into `dir` (created afresh), as the kubelet does:
 * one file per key (or per listed item, at its path), mode `defaultMode` (0644) unless the item
 * has its own. A missing Secret/ConfigMap or listed key fails in the kubelet's words, with how to
 * provide it; an `optional` one gives an empty (or partial) directory.
 */
export async function projectVolume(
  v: RunVolume,
  source: ProjectedSource,
  resources: LocalResources,
  namespace: string,
  dir: string,
): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const data = resourceData(resources, source.of, namespace, source.name);
  const fail = (what: string) =>
    new Error(
      `MountVolume.SetUp failed for volume "${v.name}" : ${what}; ${
        resources.howToProvide(source.of, source.name)
      }`,
    );
  if (data === undefined) {
    if (source.optional) return;
    throw fail(`${source.of.toLowerCase()} "${source.name}" not found`);
  }
  const items: { key: string; path: string; mode?: number }[] = source.items ??
    Object.keys(data).sort().map((key) => ({ key, path: key }));
  for (const item of items) {
    const bytes = data[item.key];
    if (bytes === undefined) {
      if (source.optional) continue;
      throw fail(`couldn't find key ${item.key} in ${source.of} ${namespace}/${source.name}`);
    }
    const rel = item.path.replace(/^\/+/, "");
    if (rel === "" || rel.split("/").includes("..")) {
      throw new Error(
        `volume "${v.name}": item path "${item.path}" must be relative and must not contain '..'`,
      );
    }
    const file = `${dir}/${rel}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(file, bytes, { mode: 0o600 });
    await Deno.chmod(file, item.mode ?? source.defaultMode ?? 0o644);
  }
}

/** A Secret's or ConfigMap's keys as bytes, or undefined when there is none of that name. */
function resourceData(
  resources: LocalResources,
  of: "Secret" | "ConfigMap",
  namespace: string,
  name: string,
): Record<string, Uint8Array> | undefined {
  if (of === "Secret") return resources.secret(namespace, name)?.data;
  const cm = resources.configMap(namespace, name);
  if (!cm) return undefined;
  const enc = new TextEncoder();
  const out: Record<string, Uint8Array> = { ...cm.binaryData };
  for (const [k, text] of Object.entries(cm.data)) out[k] = enc.encode(text);
  return out;
}

/** The volume a mount refers to, or an error naming the mount. */
export function volumeOf(run: RunSpec, name: string): RunVolume {
  const v = run.volumes.find((x) => x.name === name);
  if (!v) {
    throw new Error(
      `volume mount "${name}" refers to no volume of the pod (volumes: ${
        run.volumes.map((x) => x.name).join(", ") || "none"
      })`,
    );
  }
  return v;
}

/**
 * Places one input artifact at `dest` (a host path): a raw value as a file, another node's saved
 * output artifact as a copy (a file stays a file, a directory a directory; `subPath` takes a part
 * of it), an `http` location downloaded (a tarball unpacked). Then `mode` is applied (to everything below a directory
 * with `recurseMode`).
 */
export async function stageInputArtifact(
  layout: NodeLayout,
  wf: WorkflowRef,
  art: RunInputArtifact,
  dest: string,
): Promise<void> {
  const parent = dest.slice(0, dest.lastIndexOf("/")) || "/";
  await Deno.mkdir(parent, { recursive: true });
  const from = art.from;
  if ("raw" in from) {
    await Deno.writeTextFile(dest, from.raw);
  } else if ("nodeId" in from) {
    let src = layout.artifactPath(wf, from.nodeId, from.artifact);
    try {
      await Deno.stat(src);
    } catch {
      throw new Error(
        `input artifact "${art.name}": node ${from.nodeId} has no saved output artifact "${from.artifact}"`,
      );
    }
    if (from.subPath) {
      src = `${src}/${from.subPath.replace(/^\/+/, "")}`;
      if (from.subPath.split("/").includes("..")) {
        throw new Error(`input artifact "${art.name}": subPath "${from.subPath}" must not contain '..'`);
      }
      await Deno.stat(src).catch(() => {
        throw new Error(
          `input artifact "${art.name}": ${from.subPath} is not in artifact "${from.artifact}"`,
        );
      });
    }
    await copyTree(src, dest);
  } else {
    await fetchLocation(art.name, from.location, dest);
  }
  if (art.mode !== undefined) await chmodTree(dest, art.mode, art.recurseMode === true);
}

/**
 * Downloads an `http` artifact location (its `url` with its `headers`, by the executor's
 * fetchHttpArtifact: a tarball is unpacked, as Argo does); other kinds of location need an
 * artifact repository. `auth` needs Secrets this host does not read here, so it is refused.
 */
async function fetchLocation(name: string, location: Record<string, unknown>, dest: string): Promise<void> {
  const http = location.http as { url?: unknown; headers?: unknown; auth?: unknown } | undefined;
  if (http && typeof http.url === "string") {
    if (http.auth !== undefined && http.auth !== null) {
      const kinds = typeof http.auth === "object" ? Object.keys(http.auth).join(", ") : String(http.auth);
      throw new Error(
        `input artifact "${name}": http auth (${kinds}) is not supported by the local runtimes (headers are)`,
      );
    }
    const headers: { name: string; value: string }[] = [];
    const given = http.headers ?? [];
    for (const h of Array.isArray(given) ? given : [undefined]) {
      const { name: hn, value } = (h ?? {}) as { name?: unknown; value?: unknown };
      if (typeof hn !== "string" || hn === "" || (value !== undefined && typeof value !== "string")) {
        throw new Error(`input artifact "${name}": http.headers must be a list of {name, value}`);
      }
      headers.push({ name: hn, value: value ?? "" });
    }
    try {
      await fetchHttpArtifact({ url: http.url, ...(headers.length ? { headers } : {}) }, dest);
    } catch (e) {
      throw new Error(`input artifact "${name}": ${e instanceof Error ? e.message : e}`);
    }
    return;
  }
  const kinds = Object.keys(location).join(", ") || "no location";
  throw new Error(
    `input artifact "${name}": ${kinds} artifacts need an artifact repository, which the local runtimes do not have ` +
      `(pass artifacts between steps with from: "{{steps.X.outputs.artifacts.Y}}", or use raw or http)`,
  );
}

async function chmodTree(path: string, mode: number, recurse: boolean): Promise<void> {
  await Deno.chmod(path, mode);
  if (!recurse || !(await Deno.stat(path)).isDirectory) return;
  for await (const e of Deno.readDir(path)) await chmodTree(`${path}/${e.name}`, mode, true);
}

/** One environment variable of a container; `literal` ones may be rewritten (sandbox paths), resolved ones never. */
export interface EnvEntry {
  name: string;
  value: string;
  literal: boolean;
}

/** What a container's env needs besides its own fields. */
export interface EnvContext {
  resources: LocalResources;
  /** The pod's IP when known before it starts (the process runtime: 127.0.0.1). */
  podIP?: string;
}

/**
 * The env of container `c` of `run` as Kubernetes gives it: `envFrom` (Secrets and ConfigMaps,
 * with `prefix`) first, then `env` in order, each `value` or `valueFrom` (`secretKeyRef`,
 * `configMapKeyRef`, `fieldRef` of the pod's metadata). A missing Secret, ConfigMap or key fails
 * in the kubelet's words (`CreateContainerConfigError: ...`) with how to provide it, unless
 * `optional`.
 */
export function containerEnv(run: RunSpec, c: RunContainer, ctx: EnvContext): EnvEntry[] {
  const ns = run.workflow.namespace;
  const out = new Map<string, EnvEntry>();
  const set = (name: string, value: string, literal: boolean) => {
    out.delete(name);
    out.set(name, { name, value, literal });
  };
  const configError = (what: string, of: "Secret" | "ConfigMap", name: string) =>
    new Error(`CreateContainerConfigError: ${what}; ${ctx.resources.howToProvide(of, name)}`);
  const decoder = new TextDecoder();

  for (const from of (c.extra?.envFrom ?? []) as Record<string, unknown>[]) {
    const prefix = typeof from.prefix === "string" ? from.prefix : "";
    const secretRef = from.secretRef as { name?: string; optional?: boolean } | undefined;
    const cmRef = from.configMapRef as { name?: string; optional?: boolean } | undefined;
    if (secretRef) {
      const s = ctx.resources.secret(ns, secretRef.name ?? "");
      if (!s) {
        if (secretRef.optional) continue;
        throw configError(`secret "${secretRef.name ?? ""}" not found`, "Secret", secretRef.name ?? "");
      }
      for (const [k, v] of Object.entries(s.data)) {
        if (ENV_NAME.test(prefix + k)) set(prefix + k, decoder.decode(v), false);
      }
    } else if (cmRef) {
      const cm = ctx.resources.configMap(ns, cmRef.name ?? "");
      if (!cm) {
        if (cmRef.optional) continue;
        throw configError(`configmap "${cmRef.name ?? ""}" not found`, "ConfigMap", cmRef.name ?? "");
      }
      for (const [k, v] of Object.entries(cm.data)) if (ENV_NAME.test(prefix + k)) set(prefix + k, v, false);
    }
  }

  for (const e of c.env) {
    if (e.valueFrom === undefined) {
      set(e.name, e.value ?? "", true);
      continue;
    }
    const vf = e.valueFrom;
    const secretRef = vf.secretKeyRef as { name?: string; key?: string; optional?: boolean } | undefined;
    const cmRef = vf.configMapKeyRef as { name?: string; key?: string; optional?: boolean } | undefined;
    const fieldRef = vf.fieldRef as { fieldPath?: string } | undefined;
    if (secretRef) {
      const name = secretRef.name ?? "", key = secretRef.key ?? "";
      const s = ctx.resources.secret(ns, name);
      const bytes = s?.data[key];
      if (bytes === undefined) {
        if (secretRef.optional) continue;
        throw configError(
          s ? `couldn't find key ${key} in Secret ${ns}/${name}` : `secret "${name}" not found`,
          "Secret",
          name,
        );
      }
      set(e.name, decoder.decode(bytes), false);
    } else if (cmRef) {
      const name = cmRef.name ?? "", key = cmRef.key ?? "";
      const cm = ctx.resources.configMap(ns, name);
      const value = cm?.data[key] ?? (cm?.binaryData[key] ? decoder.decode(cm.binaryData[key]) : undefined);
      if (value === undefined) {
        if (cmRef.optional) continue;
        throw configError(
          cm ? `couldn't find key ${key} in ConfigMap ${ns}/${name}` : `configmap "${name}" not found`,
          "ConfigMap",
          name,
        );
      }
      set(e.name, value, false);
    } else if (fieldRef) {
      set(e.name, fieldValue(run, e.name, fieldRef.fieldPath ?? "", ctx), false);
    } else {
      throw new Error(
        `env "${e.name}": valueFrom (${Object.keys(vf).join(", ")}) is not supported by the local runtimes`,
      );
    }
  }
  return [...out.values()];
}

/** A C identifier-like name Kubernetes accepts from envFrom (others are skipped, as the kubelet does). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** The downward API fields a local pod has. */
function fieldValue(run: RunSpec, env: string, path: string, ctx: EnvContext): string {
  const labels: Record<string, string> = {
    "workflows.argoproj.io/workflow": run.workflow.name,
    ...run.metadata?.labels,
  };
  const annotations: Record<string, string> = {
    "workflows.argoproj.io/node-name": run.nodeName,
    ...run.metadata?.annotations,
  };
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === "labels" ? labels : annotations)[m[2] ?? ""] ?? "";
  switch (path) {
    case "metadata.name":
      return run.podName;
    case "metadata.namespace":
      return run.workflow.namespace;
    case "metadata.uid":
      return run.workflow.uid ?? "";
    case "spec.nodeName":
      return Deno.hostname();
    case "spec.serviceAccountName":
      return typeof run.podSpec?.serviceAccountName === "string" ? run.podSpec.serviceAccountName : "default";
    case "status.hostIP":
      return "127.0.0.1";
    case "status.podIP":
      if (ctx.podIP) return ctx.podIP;
  }
  throw new Error(`env "${env}": fieldRef ${path} is not available to the local runtimes`);
}

/** The env of the main container as NAME=value (see `containerEnv`). */
export function plainEnv(
  run: RunSpec,
  ctx: EnvContext = { resources: new LocalResources() },
): Record<string, string> {
  return Object.fromEntries(containerEnv(run, run.main, ctx).map((e) => [e.name, e.value]));
}
