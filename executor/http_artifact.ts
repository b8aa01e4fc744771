/**
 * Argo's `http` input artifacts, for every host: a GET of the artifact's `url` with its `headers`
 * (and basic auth when its credentials are given), the body saved and placed as Argo's executor
 * places any downloaded artifact: a tar+gzip is unpacked, anything else is the file itself. The
 * local host calls it itself; on Kubernetes the executor in a pod's `init` does (fetch_inputs.ts).
 *
 * A failure is an {@link HttpArtifactError} saying `GET <url>: <status> <text>` (or the network
 * error); the caller puts the artifact's name in front.
 */
import { placeArtifact } from "./archive.ts";
import { dirname } from "./local.ts";
import type { HttpSource } from "./types.ts";

type Env = (name: string) => string | undefined;

/** A failed download: `GET <url>: ...`; `status` is the HTTP status when the server answered. */
export class HttpArtifactError extends Error {
  override name = "HttpArtifactError";
  constructor(readonly url: string, detail: string, readonly status?: number) {
    super(`GET ${url}: ${detail}`);
  }
}

/**
 * The request headers of `src`: its `headers` in order (a name may repeat), then basic auth from
 * the environment variables it names, sent (as Argo does) when both the user name and the password
 * are non-empty. Throws when those variables are not set at all.
 */
export function httpHeaders(src: HttpSource, env: Env = (n) => Deno.env.get(n)): Headers {
  const headers = new Headers();
  for (const h of src.headers ?? []) headers.append(h.name, h.value);
  if (src.basicAuth) {
    const user = env(src.basicAuth.username);
    const password = env(src.basicAuth.password);
    if (user === undefined || password === undefined) {
      throw new Error(
        `basicAuth: ${src.basicAuth.username} and ${src.basicAuth.password} must be set (from usernameSecret and passwordSecret)`,
      );
    }
    if (user !== "" && password !== "") {
      headers.set("authorization", `Basic ${base64(`${user}:${password}`)}`);
    }
  }
  return headers;
}

/**
 * Downloads `src` and places it at `dest` (a tarball unpacked into it, else the file). Redirects
 * are followed; a status outside 2xx is an error naming the URL and the status.
 */
export async function fetchHttpArtifact(src: HttpSource, dest: string, env?: Env): Promise<void> {
  const headers = httpHeaders(src, env);
  let res: Response;
  try {
    res = await fetch(src.url, { headers });
  } catch (e) {
    throw new HttpArtifactError(src.url, e instanceof Error ? e.message : String(e));
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new HttpArtifactError(src.url, `${res.status} ${res.statusText}`.trim(), res.status);
  }
  await Deno.mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.download-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      await res.body.pipeTo(file.writable);
    } catch (e) {
      throw new HttpArtifactError(src.url, `reading the body: ${e instanceof Error ? e.message : e}`);
    }
    await placeArtifact(tmp, dest);
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

function base64(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}
