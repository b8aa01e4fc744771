/**
 * What a step's volumes and input artifacts are on this machine, for both runtimes: a volume source
 * as written in the workflow becomes a per-pod scratch volume, a workflow-wide claim, or a host path.
 */
import type { RunInputArtifact, RunSpec, RunVolume } from "../../engine/actions.ts";
import { copyTree } from "../../../executor/mod.ts";
import type { NodeLayout } from "./common.ts";
import type { WorkflowRef } from "./mod.ts";

/** How a runtime realises one volume. */
export type VolumeKind =
  | { kind: "emptyDir" }
  | { kind: "claim"; claim: string }
  | { kind: "hostPath"; path: string }
  | { kind: "unsupported"; message: string };

/**
 * emptyDir: per pod. persistentVolumeClaim (what volumeClaimTemplates become: `<workflow>-<name>`
 * claims) and volumeClaimTemplate: one volume per claim, shared by the workflow's steps.
 * hostPath: that directory. Others (configMap, secret, ...) are not supported on this host yet.
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
  const kinds = Object.keys(s).join(", ") || "(none)";
  return {
    kind: "unsupported",
    message: `volume "${v.name}": ${kinds} volumes are not supported by the local runtimes`,
  };
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

/** Places one input artifact at `dest` (a host path): a raw value as a file, another node's output as a copy. */
export async function stageInputArtifact(
  layout: NodeLayout,
  wf: WorkflowRef,
  art: RunInputArtifact,
  dest: string,
): Promise<void> {
  const parent = dest.slice(0, dest.lastIndexOf("/")) || "/";
  await Deno.mkdir(parent, { recursive: true });
  if ("raw" in art.from) {
    await Deno.writeTextFile(dest, art.from.raw);
    return;
  }
  const src = layout.artifactPath(wf, art.from.nodeId, art.from.artifact);
  try {
    await Deno.stat(src);
  } catch {
    throw new Error(
      `input artifact "${art.name}": node ${art.from.nodeId} has no saved output artifact "${art.from.artifact}"`,
    );
  }
  await copyTree(src, dest);
}

/** The env of a container as NAME=value; `valueFrom` is not available on this host and is reported. */
export function plainEnv(run: RunSpec): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of run.main.env) {
    if (e.valueFrom !== undefined) {
      throw new Error(
        `env "${e.name}": valueFrom (${
          Object.keys(e.valueFrom).join(", ")
        }) is not supported by the local runtimes`,
      );
    }
    env[e.name] = e.value ?? "";
  }
  return env;
}
