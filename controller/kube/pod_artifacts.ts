/**
 * What a pod does with artifacts, given the workflow's artifact repository (S3):
 *
 * - outputs: the executor in `main` stores each saved output artifact at a key made from the
 *   repository's keyFormat (Argo's default `{{workflow.name}}/{{pod.name}}`) plus `/<name>.tgz`
 *   (or the file's own name with `archive: {none: {}}`), or at the artifact's own `s3:` key;
 * - inputs: `init` fetches another step's artifact (by the key that step reported, in the bucket
 *   it was stored in), an explicit `s3:` artifact or an `http:` one (its url with its headers, and
 *   basicAuth) into the shared volume, mounted into `main` at the artifact's path;
 * - with the location's `createBucketIfNotPresent`, the executor creates the bucket before each
 *   upload (as Argo does).
 *
 * An artifact's own `s3:` takes what it leaves out (bucket, endpoint, secrets) from the repository,
 * as Argo's key-only artifacts do.
 *
 * Credentials reach both containers as env vars from the repository's Secrets (secretKeyRef), and
 * an http artifact's basicAuth reaches `init` alone the same way: the executor never reads Secrets
 * through the API. The pod names those env vars, and each S3 object (or http source) the executor
 * is given says which of them hold its credentials (`credentials`, `basicAuth`), so the names are
 * this module's choice alone.
 */
import type { ArtifactDownload, ArtifactUpload, HttpSource, S3Object } from "../../executor/types.ts";
import type { RunSpec } from "../engine/actions.ts";
import type {
  ArtifactRepositoryRefStatus,
  HTTPArtifact,
  HTTPAuth,
  S3Artifact,
  Template,
  Workflow,
} from "../spec/types.ts";
import { NO_REPOSITORY_HINT } from "./artifact_repository.ts";
import { VAR_RUN_ARGO } from "./layout.ts";

/** Argo's default key format of S3 repositories. */
export const DEFAULT_KEY_FORMAT = "{{workflow.name}}/{{pod.name}}";

type EnvVar = { name: string; value?: string; valueFrom?: Record<string, unknown> };

/** What the artifact side of a pod needs: its repository and where other nodes' artifacts are. */
export interface ArtifactContext {
  /** `status.artifactRepositoryRef` of the workflow. */
  repository?: ArtifactRepositoryRefStatus;
  /** Another node's saved output artifact: the key it reported, and its own `s3:` if it had one. */
  savedArtifact?: (nodeId: string, artifact: string) => SavedOutput | undefined;
  /** Output artifact name -> how the template says to store it. */
  outputs?: Record<string, OutputPlan>;
  /** The workflow's creation time (keyFormat's `workflow.creationTimestamp.*`). */
  creationTimestamp?: string;
  workflowUid?: string;
}

/** An output artifact as its template declares it: Argo's `archive` and its own `s3:` location. */
export interface OutputPlan {
  archive: "tgz" | "none";
  s3?: S3Artifact;
}

/** Where a node's saved output artifact is: the reported key (`local.location` in its status). */
export interface SavedOutput {
  location?: string | undefined;
  s3?: S3Artifact | undefined;
}

/** The artifact parts of a pod. */
export interface PodArtifacts {
  uploads: ArtifactUpload[];
  downloads: ArtifactDownload[];
  /** Env of `main` (uploads) and `init` (downloads): the credentials. */
  mainEnv: EnvVar[];
  initEnv: EnvVar[];
}

/** A step's artifacts cannot be handled (the node is an Error with this message). */
export class ArtifactPlanError extends Error {
  override name = "ArtifactPlanError";
}

/** Plans the pod's artifacts. Throws ArtifactPlanError with a message a user can act on. */
export function podArtifacts(run: RunSpec, ctx: ArtifactContext): PodArtifacts {
  const repo = ctx.repository?.artifactRepository?.s3;
  const out: PodArtifacts = { uploads: [], downloads: [], mainEnv: [], initEnv: [] };
  const creds = new Credentials();
  let prefix: string | undefined;
  for (const a of run.outputs.artifacts) {
    const plan = ctx.outputs?.[a.name];
    const archive = plan?.archive ?? "tgz";
    const own = plan?.s3;
    if (own?.key) {
      // Argo uploads an output artifact with its own key there, not under keyFormat.
      const where = ownLocation(repo, own, `output artifact "${a.name}"`);
      const key = renderKeyFormat(own.key, run, ctx, `output artifact "${a.name}" s3.key`);
      out.uploads.push({ name: a.name, s3: uploadTo(creds.object(where, key), where), archive });
    } else if (repo) {
      prefix ??= renderKeyFormat(repo.keyFormat || keyPrefixFormat(repo.keyPrefix), run, ctx);
      const file = archive === "none" ? a.path.replace(/\/+$/, "").split("/").pop()! : `${a.name}.tgz`;
      out.uploads.push({
        name: a.name,
        s3: uploadTo(creds.object(repo, `${prefix}/${file}`), repo),
        archive,
      });
    }
  }
  out.mainEnv = creds.env();
  const init = new Credentials();
  const basicAuth = new SecretEnv("SKIFF_HTTP_USERNAME", "SKIFF_HTTP_PASSWORD");
  for (const a of run.inputArtifacts) {
    if ("raw" in a.from) continue;
    if (!("nodeId" in a.from) && a.from.location.http !== undefined) {
      const d: ArtifactDownload = { name: a.name, http: httpSource(a.name, a.from.location.http, basicAuth) };
      if (a.mode !== undefined) d.mode = a.mode;
      out.downloads.push(d);
      continue;
    }
    let obj: S3Object;
    let subPath: string | undefined;
    if ("nodeId" in a.from) {
      const saved = ctx.savedArtifact?.(a.from.nodeId, a.from.artifact);
      const key = saved?.location;
      // in the bucket it was stored in: its own, else the repository's
      const where = { ...repo, ...definedOf(saved?.s3 ?? {}) };
      if (!key || key.startsWith(`${VAR_RUN_ARGO}/`) || !where.bucket || !where.endpoint) {
        throw new ArtifactPlanError(
          repo
            ? `input artifact "${a.name}": output artifact "${a.from.artifact}" of node ${a.from.nodeId} was not stored in the artifact repository`
            : `input artifact "${a.name}": passing artifacts between steps needs an artifact repository: ${NO_REPOSITORY_HINT}`,
        );
      }
      obj = init.object(where, key);
      subPath = a.from.subPath;
    } else {
      const s3 = a.from.location.s3 as S3Artifact | undefined;
      if (!s3 || !s3.key) {
        const kind = Object.keys(a.from.location)[0] ?? "unknown";
        throw new ArtifactPlanError(
          `input artifact "${a.name}": ${kind} artifacts are not supported by skiff's Kubernetes host (raw, http and s3 with a key are)`,
        );
      }
      obj = init.object(ownLocation(repo, s3, `input artifact "${a.name}"`), s3.key);
    }
    const d: ArtifactDownload = { name: a.name, s3: obj };
    if (subPath) d.subPath = subPath;
    if (a.mode !== undefined) d.mode = a.mode;
    out.downloads.push(d);
  }
  out.initEnv = [...init.env(), ...basicAuth.env()];
  return out;
}

/** An upload's object, told to create its bucket first when the location says so (Argo's createBucketIfNotPresent). */
function uploadTo(obj: S3Object, where: S3Artifact): S3Object {
  const create = where.createBucketIfNotPresent;
  if (create) obj.createBucketIfNotPresent = create.objectLocking ? { objectLocking: true } : {};
  return obj;
}

/**
 * Argo's `http: {url, headers, auth}` as the executor fetches it: the headers as given, basic auth
 * from the Secrets as env vars of `init` (`basicAuth` names them). Other auth (clientCert, oauth2)
 * is refused.
 */
function httpSource(name: string, http: unknown, basicAuth: SecretEnv): HttpSource {
  const what = `input artifact "${name}"`;
  const h = (http ?? {}) as HTTPArtifact;
  if (typeof h.url !== "string" || h.url === "") throw new ArtifactPlanError(`${what}: http.url is required`);
  const src: HttpSource = { url: h.url };
  if (h.headers !== undefined) {
    if (!Array.isArray(h.headers)) {
      throw new ArtifactPlanError(`${what}: http.headers must be a list of {name, value}`);
    }
    src.headers = h.headers.map((x, i) => {
      if (
        typeof x?.name !== "string" || x.name === "" || (x.value !== undefined && typeof x.value !== "string")
      ) {
        throw new ArtifactPlanError(`${what}: http.headers[${i}] must be {name, value} (strings)`);
      }
      return { name: x.name, value: x.value ?? "" };
    });
  }
  const auth = h.auth;
  if (auth) {
    const others = Object.keys(auth).filter((k) => k !== "basicAuth" && auth[k as keyof HTTPAuth] != null);
    if (others.length > 0) {
      throw new ArtifactPlanError(
        `${what}: http auth ${others.join(", ")} is not supported by skiff's Kubernetes host (basicAuth is)`,
      );
    }
    const basic = auth.basicAuth;
    if (basic) {
      const user = basic.usernameSecret;
      const password = basic.passwordSecret;
      if (!user?.name || !user.key || !password?.name || !password.key) {
        throw new ArtifactPlanError(
          `${what}: http.auth.basicAuth needs usernameSecret and passwordSecret, each {name, key} of a Secret`,
        );
      }
      const [username, passwordEnv] = basicAuth.of({ name: user.name, key: user.key }, {
        name: password.name,
        key: password.key,
      });
      src.basicAuth = { username, password: passwordEnv };
    }
  }
  return src;
}

/**
 * Env vars of a container filled from pairs of Secret keys (secretKeyRef): the first pair under
 * `first`/`second`, other pairs under numbered names (`_1`, `_2`, ...). `of` says which a pair got.
 */
class SecretEnv {
  #sets: { a: Ref; b: Ref; names: [string, string] }[] = [];
  constructor(readonly first: string, readonly second: string) {}

  /** The names of the env vars that hold the pair `a`, `b` (the same ones for the same pair). */
  of(a: Ref, b: Ref): [string, string] {
    const same = (x: Ref, y: Ref) => x.name === y.name && x.key === y.key;
    let set = this.#sets.find((s) => same(a, s.a) && same(b, s.b));
    if (!set) {
      const n = this.#sets.length;
      const suffix = n === 0 ? "" : `_${n}`;
      set = { a, b, names: [`${this.first}${suffix}`, `${this.second}${suffix}`] };
      this.#sets.push(set);
    }
    return [...set.names];
  }

  env(): EnvVar[] {
    return this.#sets.flatMap((s) => [
      { name: s.names[0], valueFrom: { secretKeyRef: { name: s.a.name, key: s.a.key } } },
      { name: s.names[1], valueFrom: { secretKeyRef: { name: s.b.name, key: s.b.key } } },
    ]);
  }
}

type Ref = { name: string; key: string };

/** An artifact's own `s3:`, with what it leaves out taken from the repository (Argo's key-only artifacts). */
function ownLocation(repo: S3Artifact | undefined, s3: S3Artifact, what: string): S3Artifact {
  const where = { ...repo, ...definedOf(s3) };
  if (!where.bucket || !where.endpoint) {
    throw new ArtifactPlanError(`${what}: s3 needs a bucket and an endpoint, or ${NO_REPOSITORY_HINT}`);
  }
  return where;
}

function definedOf<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}

/** Argo's keyPrefix (used when there is no keyFormat): the default format under a prefix. */
function keyPrefixFormat(prefix: string | undefined): string {
  return prefix ? `${prefix.replace(/\/+$/, "")}/${DEFAULT_KEY_FORMAT}` : DEFAULT_KEY_FORMAT;
}

/**
 * A key format (the repository's keyFormat, or an artifact's own key) with the pod's variables; an
 * unknown variable is an error naming it and `what`.
 */
export function renderKeyFormat(
  format: string,
  run: RunSpec,
  ctx: ArtifactContext,
  what = `artifact repository keyFormat "${format}"`,
): string {
  const created = new Date(ctx.creationTimestamp ?? 0);
  const two = (n: number) => String(n).padStart(2, "0");
  const vars: Record<string, string> = {
    "workflow.name": run.workflow.name,
    "workflow.namespace": run.workflow.namespace,
    "workflow.uid": ctx.workflowUid ?? run.workflow.uid ?? "",
    "pod.name": run.podName,
    "workflow.creationTimestamp.Y": String(created.getUTCFullYear()),
    "workflow.creationTimestamp.m": two(created.getUTCMonth() + 1),
    "workflow.creationTimestamp.d": two(created.getUTCDate()),
    "workflow.creationTimestamp.H": two(created.getUTCHours()),
    "workflow.creationTimestamp.M": two(created.getUTCMinutes()),
    "workflow.creationTimestamp.S": two(created.getUTCSeconds()),
  };
  return format.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) {
      throw new ArtifactPlanError(
        `${what}: unknown variable {{${name}}} (known: ${Object.keys(vars).join(", ")})`,
      );
    }
    return v;
  }).replace(/\/+$/, "");
}

/** The env vars of a container's first set of S3 credentials; other sets get `_1`, `_2`, ... */
const CREDENTIAL_ENV = { accessKey: "SKIFF_S3_ACCESS_KEY", secretKey: "SKIFF_S3_SECRET_KEY" };

/**
 * The env vars of the credentials of the S3 objects of one container: the first set under
 * {@link CREDENTIAL_ENV}, other sets (an explicit `s3:` artifact with its own Secrets) under
 * numbered names. Each object names its set.
 */
class Credentials {
  #pairs = new SecretEnv(CREDENTIAL_ENV.accessKey, CREDENTIAL_ENV.secretKey);

  object(where: S3Artifact & { bucket?: string; endpoint?: string }, key: string): S3Object {
    const obj: S3Object = { bucket: where.bucket!, endpoint: where.endpoint!, key };
    if (where.insecure) obj.insecure = true;
    if (where.region) obj.region = where.region;
    const access = where.accessKeySecret;
    const secret = where.secretKeySecret;
    if (access?.name && access.key && secret?.name && secret.key) {
      const [accessKey, secretKey] = this.#pairs.of(
        { name: access.name, key: access.key },
        { name: secret.name, key: secret.key },
      );
      obj.credentials = { accessKey, secretKey };
    }
    return obj;
  }

  env(): EnvVar[] {
    return this.#pairs.env();
  }
}

/**
 * How each output artifact of the template `name` is stored: Argo's `archive` (tar+gzip unless
 * `none`) and its own `s3:` location, if it has one.
 */
export function outputPlans(wf: Workflow, name: string): Record<string, OutputPlan> {
  const stored = Object.entries(wf.status?.storedTemplates ?? {}).find(([k]) => k.endsWith(`/${name}`))?.[1];
  const tmpl: Template | undefined = wf.spec.templates?.find((t) => t.name === name) ?? stored;
  const out: Record<string, OutputPlan> = {};
  for (const a of tmpl?.outputs?.artifacts ?? []) {
    out[a.name] = { archive: a.archive?.none ? "none" : "tgz", ...(a.s3 ? { s3: a.s3 } : {}) };
  }
  return out;
}
