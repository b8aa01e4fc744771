/**
 * What the process runtime records of one step before its supervisor starts it (step.json): the
 * step description in the executor's shape (argv, env, sandbox paths, the outputs the host collects
 * afterwards), after preparing the node's sandbox (volumes as symlinks, input artifacts staged).
 * The supervisor's own files and the stop and deadline are the runtime's, not described here.
 */
import type { RunSpec } from "../../engine/actions.ts";
import type { StepDescription } from "../../../executor/mod.ts";
import { type NodeLayout, safe } from "./common.ts";
import { effectiveArgv, type ImageEntrypoint, lookupEntrypoint } from "../../engine/images.ts";
import type { LocalResources } from "./resources.ts";
import { sandboxFor } from "./sandbox.ts";
import { classifyVolume, containerEnv, projectVolume, stageInputArtifact, volumeOf } from "./volumes.ts";

/** What describing a step needs of its runtime. */
export interface StepContext {
  layout: NodeLayout;
  resources: LocalResources;
  entrypoints: Record<string, ImageEntrypoint>;
  /** The address the step sees as its pod IP. */
  podIP: string;
}

/**
 * Builds the executor's step description: argv, env, sandbox paths, volumes, input artifacts.
 * Throws, with a message for the user, when the step cannot run as a host process.
 */
export async function describeStep(run: RunSpec, dir: string, ctx: StepContext): Promise<StepDescription> {
  const extra = [
    ...run.initContainers.map((c) => `init container "${c.name}"`),
    ...run.sidecars.map((c) => `sidecar "${c.name}"`),
  ];
  if (extra.length > 0) {
    throw new Error(
      `${extra.join(", ")}: the process runtime runs only the main container; use --runtime podman`,
    );
  }
  const root = `${dir}/root`;
  const box = sandboxFor(run, root);
  Deno.mkdirSync(`${root}/tmp`, { recursive: true }); // on this thread: see readJsonSync in common.ts

  const projected = new Set<string>();
  for (const m of run.main.volumeMounts) {
    const v = volumeOf(run, m.name);
    const kind = classifyVolume(v);
    let source: string;
    if (kind.kind === "emptyDir") source = `${dir}/volumes/${safe(v.name)}`;
    else if (kind.kind === "claim") source = ctx.layout.volumeDir(run.workflow, kind.claim);
    else if (kind.kind === "hostPath") source = kind.path;
    else if (kind.kind === "projected") {
      source = `${dir}/volumes/${safe(v.name)}`;
      if (!projected.has(v.name)) {
        await projectVolume(v, kind.source, ctx.resources, run.workflow.namespace, source);
        projected.add(v.name);
      }
    } else throw new Error(kind.message);
    if (m.subPath) source = `${source}/${m.subPath}`;
    if (kind.kind !== "projected") await Deno.mkdir(source, { recursive: true });
    else await Deno.stat(source).catch(() => Deno.mkdir(source, { recursive: true }));
    const at = box.map(m.mountPath);
    await Deno.mkdir(at.slice(0, at.lastIndexOf("/")), { recursive: true });
    await Deno.remove(at, { recursive: true }).catch(() => {});
    await Deno.symlink(source, at);
  }
  for (const a of run.inputArtifacts) {
    await stageInputArtifact(ctx.layout, run.workflow, a, box.map(a.path));
  }

  const entry = run.main.command?.length ? undefined : lookupEntrypoint(ctx.entrypoints, run.main.image);
  let argv = effectiveArgv(run.main, entry);
  if (argv.length === 0 && !run.script) {
    throw new Error(
      `image "${run.main.image}": the process runtime does not know its entrypoint; give the template a \`command\`, or add the image to the entrypoint table`,
    );
  }
  argv = argv.map((a) => box.rewrite(a));
  const env: Record<string, string> = { TMPDIR: `${root}/tmp` };
  for (const e of containerEnv(run, run.main, { resources: ctx.resources, podIP: ctx.podIP })) {
    env[e.name] = e.literal ? box.rewrite(e.value) : e.value;
  }

  const desc: StepDescription = {
    command: argv,
    root,
    workingDir: run.main.workingDir ? box.map(run.main.workingDir) : root,
    env,
    outputs: { parameters: run.outputs.parameters, artifacts: run.outputs.artifacts },
    artifactDir: `${dir}/artifacts`,
  };
  if (run.script) desc.script = { source: box.rewrite(run.script.source), path: `${dir}/staging/script` };
  return desc;
}
