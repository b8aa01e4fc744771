/**
 * Artifacts and an artifact repository (S3): a Pod's executor stores its saved output artifacts
 * there after the step (creating the bucket first with Argo's `createBucketIfNotPresent`), and
 * the executor in the pod's `init` container (`--fetch-inputs`, fetch_inputs.ts) fetches input
 * artifacts from there before it. Failures name the bucket, the key and S3's error code.
 */
import { baseName, packTgz, placeArtifact } from "./archive.ts";
import { errorText } from "./capture.ts";
import { dirname } from "./local.ts";
import { credentialsOf, S3Client } from "./s3.ts";
import {
  type ArtifactUpload,
  type OutputArtifactSpec,
  S3_CREDENTIAL_ENV,
  type S3Object,
  type StepResult,
  type StoredArtifact,
} from "./types.ts";

type Env = (name: string) => string | undefined;

/** An S3 client for an object's endpoint and credentials. */
function clientOf(obj: S3Object, env?: Env): S3Client {
  return new S3Client(obj, credentialsOf(obj, env));
}

/**
 * Stores the saved output artifacts of `result` that `uploads` names. The result comes back with
 * `stored` (what was stored, for the task result); a failure makes it an Error naming what failed.
 */
export async function storeOutputs(
  uploads: ArtifactUpload[],
  declared: OutputArtifactSpec[],
  result: StepResult,
  env?: Env,
): Promise<StepResult> {
  const stored: StoredArtifact[] = [];
  const problems: string[] = [];
  for (const up of uploads) {
    const saved = result.artifacts[up.name];
    if (saved === undefined) continue; // missing (optional, or already reported)
    const path = declared.find((a) => a.name === up.name)?.path ?? "";
    try {
      await storeOne(up, saved, baseName(path), env);
      stored.push({ name: up.name, path, s3: { key: up.s3.key } });
    } catch (e) {
      problems.push(`failed to save output artifact "${up.name}" to bucket ${up.s3.bucket}: ${errorText(e)}`);
    }
  }
  const out: StepResult = { ...result, stored };
  if (problems.length > 0) {
    out.phase = "Error";
    out.message = [result.phase === "Succeeded" ? undefined : result.message, ...problems]
      .filter(Boolean).join("; ");
  }
  return out;
}

async function storeOne(up: ArtifactUpload, saved: string, entry: string, env?: Env): Promise<void> {
  const client = clientOf(up.s3, env);
  const create = up.s3.createBucketIfNotPresent;
  if (create) {
    // As Argo: before every upload, tolerating a bucket that is there already.
    await client.createBucket(up.s3.bucket, create).catch((e) => {
      throw new Error(`createBucketIfNotPresent: ${errorText(e)}`);
    });
  }
  if (up.archive === "none") {
    if ((await Deno.stat(saved)).isDirectory) {
      throw new Error(
        `s3://${up.s3.bucket}/${up.s3.key}: a directory needs an archive (archive: none stores files only)`,
      );
    }
    return await client.putFile(up.s3.bucket, up.s3.key, saved);
  }
  const tgz = await Deno.makeTempFile({ prefix: "skiff-artifact-", suffix: ".tgz" });
  try {
    await packTgz(saved, tgz, entry || undefined);
    await client.putFile(up.s3.bucket, up.s3.key, tgz);
  } finally {
    await Deno.remove(tgz).catch(() => {});
  }
}

/**
 * Takes the credentials the uploads need out of this process's environment (so the step's command,
 * which inherits it, does not see them) and gives them back as an Env for {@link storeOutputs}.
 */
export function takeCredentials(uploads: ArtifactUpload[]): Env {
  const kept = new Map<string, string>();
  for (const up of uploads) {
    for (const name of Object.values(up.s3.credentials ?? S3_CREDENTIAL_ENV)) {
      const v = Deno.env.get(name);
      if (v !== undefined) kept.set(name, v);
      Deno.env.delete(name);
    }
  }
  return (name) => kept.get(name);
}

/** Fetches an artifact into `dest` (a file or directory, unpacked); `subPath` selects a part of it. */
export async function fetchArtifact(obj: S3Object, dest: string, subPath?: string, env?: Env): Promise<void> {
  await Deno.mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.download-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await clientOf(obj, env).getFile(obj.bucket, obj.key, tmp);
    await placeArtifact(tmp, dest, subPath);
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}
