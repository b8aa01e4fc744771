/**
 * A small S3 client for artifact repositories: put a file, get an object into a file, create a
 * bucket (Argo's `createBucketIfNotPresent`, before an upload). Requests are signed with AWS Signature V4 by aws4fetch; addressing is path-style
 * (`<endpoint>/<bucket>/<key>`), which MinIO, Ceph, s3proxy and AWS all accept.
 *
 * Every failure is an {@link S3Error} naming the bucket, the key and S3's error code, so a user can
 * tell a wrong secret (SignatureDoesNotMatch) from a missing bucket (NoSuchBucket).
 */
import { AwsClient } from "aws4fetch";
import { S3_CREDENTIAL_ENV, type S3Object } from "./types.ts";

/** Bodies are sent in parts of this size (S3's minimum part is 5 MiB). */
export const PART_BYTES = 16 * 1024 * 1024;

/** Access key and secret of an S3 account. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** A failed S3 request: `code` is S3's error code (e.g. NoSuchKey), or a network error's name. */
export class S3Error extends Error {
  override name = "S3Error";
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly code: string,
    detail: string,
    readonly status?: number,
  ) {
    super(`s3://${bucket}/${key}: ${code}${detail ? `: ${detail}` : ""}`);
  }
}

/** The credentials an object names (by environment variable), read from `env`. Throws when unset. */
export function credentialsOf(
  obj: Pick<S3Object, "credentials">,
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): S3Credentials {
  const names = obj.credentials ?? S3_CREDENTIAL_ENV;
  const accessKeyId = env(names.accessKey);
  const secretAccessKey = env(names.secretKey);
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      `S3 credentials: ${names.accessKey} and ${names.secretKey} must be set (from the repository's accessKeySecret and secretKeySecret)`,
    );
  }
  return { accessKeyId, secretAccessKey };
}

/** Requests of one S3 endpoint with one set of credentials. */
export class S3Client {
  #aws: AwsClient;
  #base: string;
  #region: string;

  constructor(
    where: Pick<S3Object, "endpoint" | "insecure" | "region">,
    creds: S3Credentials,
    /** Attempts of a request that fails with 5xx, 429 or a network error. */
    readonly attempts = 4,
  ) {
    const scheme = /^https?:\/\//.test(where.endpoint) ? "" : where.insecure ? "http://" : "https://";
    this.#base = `${scheme}${where.endpoint}`.replace(/\/+$/, "");
    // retries: 0: a file body cannot be sent twice; #send retries with a fresh body.
    this.#region = where.region || "us-east-1";
    this.#aws = new AwsClient({ ...creds, service: "s3", region: this.#region, retries: 0 });
  }

  /**
   * Creates the bucket; one that exists already (and is ours) is fine. Outside us-east-1 it is
   * made in the client's region (S3's LocationConstraint); `objectLocking` enables S3 Object Lock
   * on it, as Argo's `createBucketIfNotPresent: {objectLocking: true}` does.
   */
  async createBucket(bucket: string, opts: { objectLocking?: boolean } = {}): Promise<void> {
    const headers: Record<string, string> = {};
    if (opts.objectLocking) headers["x-amz-bucket-object-lock-enabled"] = "true";
    const body = this.#region === "us-east-1" ? undefined : "<CreateBucketConfiguration>" +
      `<LocationConstraint>${this.#region}</LocationConstraint></CreateBucketConfiguration>`;
    const res = await this.#send(bucket, "", () => ({ method: "PUT", headers, ...(body ? { body } : {}) }));
    if (res.ok) return await drain(res);
    const err = await errorOf(res, bucket, "");
    if (err.code !== "BucketAlreadyOwnedByYou" && err.code !== "BucketAlreadyExists") throw err;
  }

  /**
   * Uploads the file at `path` as `key`. S3 wants each PUT's length up front, and fetch sends a
   * stream chunked, so bodies go out as bytes: whole up to PART_BYTES, else as a multipart upload
   * of parts that size (memory stays bounded whatever the artifact's size).
   */
  async putFile(bucket: string, key: string, path: string): Promise<void> {
    using file = await Deno.open(path);
    const size = (await file.stat()).size;
    if (size <= PART_BYTES) {
      const body = await readPart(file, size);
      const res = await this.#send(bucket, key, () => ({ method: "PUT", body }));
      if (!res.ok) throw await errorOf(res, bucket, key);
      return await drain(res);
    }
    const start = await this.#send(bucket, key, () => ({ method: "POST" }), "uploads=");
    if (!start.ok) throw await errorOf(start, bucket, key);
    const uploadId = tagOf(await start.text(), "UploadId");
    if (!uploadId) {
      throw new S3Error(bucket, key, "InvalidResponse", "no UploadId in CreateMultipartUpload's answer");
    }
    const id = encodeURIComponent(uploadId);
    try {
      const etags: string[] = [];
      for (let n = 1, left = size; left > 0; n++, left -= PART_BYTES) {
        const body = await readPart(file, Math.min(PART_BYTES, left));
        const res = await this.#send(
          bucket,
          key,
          () => ({ method: "PUT", body }),
          `partNumber=${n}&uploadId=${id}`,
        );
        if (!res.ok) throw await errorOf(res, bucket, key);
        etags.push(res.headers.get("etag") ?? "");
        await drain(res);
      }
      const body = `<CompleteMultipartUpload>${
        etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join("")
      }</CompleteMultipartUpload>`;
      const done = await this.#send(bucket, key, () => ({ method: "POST", body }), `uploadId=${id}`);
      // S3 may answer 200 with an <Error> in the body when completing fails late.
      const text = await done.text();
      if (!done.ok || tagOf(text, "Code")) throw errorFrom(done, text, bucket, key);
    } catch (e) {
      await this.#send(bucket, key, () => ({ method: "DELETE" }), `uploadId=${id}`).then(drain, () => {});
      throw e;
    }
  }

  /** Downloads `key` into the file at `path`. */
  async getFile(bucket: string, key: string, path: string): Promise<void> {
    const res = await this.#send(bucket, key, () => ({ method: "GET" }));
    if (!res.ok || !res.body) throw await errorOf(res, bucket, key);
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    try {
      await res.body.pipeTo(file.writable);
    } catch (e) {
      throw new S3Error(bucket, key, "ReadError", e instanceof Error ? e.message : String(e));
    }
  }

  /** Is there an object `key`? */
  async exists(bucket: string, key: string): Promise<boolean> {
    const res = await this.#send(bucket, key, () => ({ method: "HEAD" }));
    await drain(res);
    if (res.status === 404) return false;
    if (!res.ok) throw new S3Error(bucket, key, `HTTP${res.status}`, res.statusText, res.status);
    return true;
  }

  async #send(
    bucket: string,
    key: string,
    init: () => RequestInit,
    query = "",
  ): Promise<Response> {
    const url = `${this.#base}/${encodeURIComponent(bucket)}${key ? `/${encodeKey(key)}` : ""}${
      query ? `?${query}` : ""
    }`;
    for (let attempt = 1;; attempt++) {
      try {
        const signed = await this.#aws.sign(url, init());
        const res = await fetch(signed);
        if ((res.status < 500 && res.status !== 429) || attempt >= this.attempts) return res;
        await drain(res);
      } catch (e) {
        if (attempt >= this.attempts) {
          throw new S3Error(
            bucket,
            key,
            "RequestError",
            `${this.#base}: ${e instanceof Error ? e.message : e}`,
          );
        }
      }
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}

/** The next `n` bytes of a file. */
async function readPart(file: Deno.FsFile, n: number): Promise<Uint8Array<ArrayBuffer>> {
  const buf = new Uint8Array(n);
  for (let at = 0; at < n;) {
    const got = await file.read(buf.subarray(at));
    if (got === null) throw new Error("the file became shorter while it was uploaded");
    at += got;
  }
  return buf;
}

function tagOf(xml: string, name: string): string | undefined {
  return xml.match(new RegExp(`<${name}>([^<]*)</${name}>`))?.[1];
}

/** A key as a URL path: each segment escaped, the slashes kept. */
function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

async function drain(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}

/** The S3Error of a failed response, from S3's `<Error><Code>..</Code><Message>..</Message></Error>`. */
async function errorOf(res: Response, bucket: string, key: string): Promise<S3Error> {
  return errorFrom(res, await res.text().catch(() => ""), bucket, key);
}

function errorFrom(res: Response, text: string, bucket: string, key: string): S3Error {
  const code = tagOf(text, "Code") ?? (res.status === 404 ? "NoSuchKey" : `HTTP${res.status}`);
  return new S3Error(bucket, key, code, tagOf(text, "Message") ?? res.statusText, res.status);
}
