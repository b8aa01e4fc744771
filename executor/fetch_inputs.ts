/**
 * The executor's `--fetch-inputs` mode, run by a Pod's `init` container before the step (Argo's
 * `argoexec init`): it installs the executor onto the volume shared with the step's container,
 * creates the directories the step writes to, and places the step's input artifacts there: raw
 * ones written as given, `http` ones downloaded (http_artifact.ts), the others fetched from the
 * artifact repository (S3); a tarball is unpacked, and a part of it selected by `subPath`.
 *
 *   SKIFF_INPUTS='<json>' deno run -A executor/main.ts --fetch-inputs   # an InputsDescription
 *   deno run -A executor/main.ts --fetch-inputs <inputs.json>
 *
 * Credentials come from the environment variables each object names (a Pod fills them from
 * Secrets); a failure names the input artifact, and the bucket, the key and S3's error code, or
 * the URL and the HTTP status.
 */
import { errorText } from "./capture.ts";
import { fetchHttpArtifact } from "./http_artifact.ts";
import { fetchArtifact } from "./repository.ts";
import type { InputsDescription } from "./types.ts";

type Env = (name: string) => string | undefined;

/** Does what `desc` says; resolves with a line saying what was done, throws naming what failed. */
export async function fetchInputs(desc: InputsDescription, env?: Env): Promise<string> {
  if (desc.install) await installTree(desc.install.from, desc.install.to);
  for (const dir of [...desc.dirs ?? [], desc.artifactDir]) {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.chmod(dir, 0o777).catch(() => {});
  }
  const raw = desc.raw ?? [];
  for (const a of raw) {
    const path = `${desc.artifactDir}/${a.name}`;
    await Deno.writeTextFile(path, a.data);
    await Deno.chmod(path, 0o666).catch(() => {});
  }
  const downloads = desc.downloads ?? [];
  for (const a of downloads) {
    const path = `${desc.artifactDir}/${a.name}`;
    try {
      if (a.http) await fetchHttpArtifact(a.http, path, env);
      else await fetchArtifact(a.s3, path, a.subPath, env);
    } catch (e) {
      throw new Error(`failed to load input artifact "${a.name}": ${errorText(e)}`);
    }
    if (a.mode !== undefined) await Deno.chmod(path, a.mode);
  }
  const placed = raw.length + downloads.length;
  return [
    desc.install ? `executor copied to ${desc.install.to}` : undefined,
    placed ? `${placed} input artifact(s) placed` : undefined,
  ].filter(Boolean).join(", ") || "nothing to do";
}

/** Reads the description: a file path, or the SKIFF_INPUTS environment variable. */
export async function readInputsDescription(args: string[]): Promise<InputsDescription> {
  let text: string;
  if (args.length === 1 && !args[0]!.startsWith("-")) text = await Deno.readTextFile(args[0]!);
  else if (args.length === 0 && Deno.env.get("SKIFF_INPUTS")) text = Deno.env.get("SKIFF_INPUTS")!;
  else throw new Error("usage: executor/main.ts --fetch-inputs <inputs.json> (or SKIFF_INPUTS='<json>')");
  const desc = JSON.parse(text) as InputsDescription;
  if (typeof desc.artifactDir !== "string" || desc.artifactDir === "") {
    throw new Error("inputs description: `artifactDir` (a path) is required");
  }
  return desc;
}

/**
 * `--fetch-inputs` as a program: 0 when done; 1 with the message on stderr (and in `messageFile`,
 * where Kubernetes reads why a container failed) when not.
 */
export async function fetchInputsMain(args: string[]): Promise<number> {
  let desc: InputsDescription | undefined;
  try {
    desc = await readInputsDescription(args);
    console.log(`fetch-inputs: ${await fetchInputs(desc)}`);
    return 0;
  } catch (e) {
    const message = errorText(e);
    console.error(`fetch-inputs: ${message}`);
    if (desc?.messageFile) await Deno.writeTextFile(desc.messageFile, message).catch(() => {});
    return 1;
  }
}

/** Copies a tree keeping files executable, everything readable by any user (the step's). */
async function installTree(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (info.isDirectory) {
    await Deno.mkdir(to, { recursive: true });
    for await (const e of Deno.readDir(from)) await installTree(`${from}/${e.name}`, `${to}/${e.name}`);
    await Deno.chmod(to, 0o755).catch(() => {});
  } else {
    await Deno.copyFile(from, to);
    await Deno.chmod(to, (info.mode ?? 0o644) & 0o777 | 0o444).catch(() => {});
  }
}
