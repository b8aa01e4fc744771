/**
 * What the executor is given (a step description) and what it hands back (a step result). Both are
 * plain JSON so the same description can come from a file on the host, a Pod's environment or an
 * argument, and the result can be read back by any host.
 */

/** An output parameter read from a file when the command exits. */
export interface OutputParameterSpec {
  name: string;
  /** The path as the step sees it (a container path, e.g. `/tmp/hello_world.txt`). */
  path: string;
  /** Used when the file is missing. Without it a missing file makes the step an Error. */
  default?: string;
}

/** An output artifact copied from a path (file or directory) when the command exits. */
export interface OutputArtifactSpec {
  name: string;
  path: string;
  /** A missing path is not an error. */
  optional?: boolean;
}

/**
 * An object in an S3 bucket. Credentials are not in it: they come from the environment variables
 * named by `credentials` (default {@link S3_CREDENTIAL_ENV}), which a Pod fills from Secrets.
 */
export interface S3Object {
  bucket: string;
  /** host:port of the S3 API. */
  endpoint: string;
  /** http instead of https. */
  insecure?: boolean;
  region?: string;
  key: string;
  credentials?: { accessKey: string; secretKey: string };
  /**
   * Before an upload, create the bucket (in `region`, with object locking if asked); one that
   * exists already is fine (Argo's `createBucketIfNotPresent`). Downloads ignore it.
   */
  createBucketIfNotPresent?: { objectLocking?: boolean };
}

/** The default environment variables of S3 credentials. */
export const S3_CREDENTIAL_ENV = { accessKey: "SKIFF_S3_ACCESS_KEY", secretKey: "SKIFF_S3_SECRET_KEY" };

/** An output artifact to store in an artifact repository once saved (Argo's `archive`: tar+gzip or none). */
export interface ArtifactUpload {
  name: string;
  s3: S3Object;
  archive: "tgz" | "none";
}

/**
 * A file served over HTTP (Argo's `http` artifact): a GET of `url` with `headers`. Basic auth
 * credentials are not in it: they come from the environment variables `basicAuth` names, which a
 * Pod fills from Secrets.
 */
export interface HttpSource {
  url: string;
  /** Request headers, sent in order (a name may repeat). */
  headers?: { name: string; value: string }[];
  /** The environment variables holding the user name and password of basic auth. */
  basicAuth?: { username: string; password: string };
}

/**
 * An input artifact fetched before the step (a Pod's `init`), placed under its name: from a
 * repository (`s3`) or over HTTP (`http`).
 */
export type ArtifactDownload =
  & {
    name: string;
    /** A file or directory inside the artifact to place instead of all of it. */
    subPath?: string;
    /** File mode bits to set on what is placed. */
    mode?: number;
  }
  & ({ s3: S3Object; http?: undefined } | { http: HttpSource; s3?: undefined });

/**
 * What the executor does before a step with `--fetch-inputs` (a Pod's `init` container): installs
 * itself onto the volume it shares with the step's container, then places the step's input
 * artifacts there. Paths are absolute; the host that describes the pod chooses them all.
 */
export interface InputsDescription {
  /** The executor's own files (deno, the libraries it needs, executor.js), copied to `to`. */
  install?: { from: string; to: string };
  /** Directories to create (with their parents), writable by any user: the step may run as anyone. */
  dirs?: string[];
  /** Input artifacts are placed at `<artifactDir>/<name>`. */
  artifactDir: string;
  /** Input artifacts given inline (Argo's `raw`). */
  raw?: { name: string; data: string }[];
  /**
   * Input artifacts fetched from an artifact repository or over HTTP (credentials as
   * {@link S3Object} and {@link HttpSource} say).
   */
  downloads?: ArtifactDownload[];
  /** Where a failure's message is written too (a Pod's terminationMessagePath). */
  messageFile?: string;
}

/** An output artifact stored in a repository, as a WorkflowTaskResult reports it (Argo's shape). */
export interface StoredArtifact {
  name: string;
  path: string;
  s3: { key: string };
}

/** One step to run: the command, where its outputs are, and where to write what happened. */
export interface StepDescription {
  /** The program and its leading arguments (the container's command, entrypoint already resolved). */
  command: string[];
  /** Appended to `command`. */
  args?: string[];
  /** A script template: `source` is written to `path`, and `path` is appended to command + args (as Argo does). */
  script?: { source: string; path: string };
  /** Added to the executor's own environment. */
  env?: Record<string, string>;
  /** The command's working directory. */
  workingDir?: string;
  /**
   * Where the step's absolute paths live: output paths are read from `root + path`. `/` (the
   * default) in a container; a per-step sandbox directory for host processes.
   */
  root?: string;
  outputs?: { parameters?: OutputParameterSpec[]; artifacts?: OutputArtifactSpec[] };
  /** Output artifacts are copied to `<artifactDir>/<name>`. Required when there are output artifacts. */
  artifactDir?: string;
  /** Saved output artifacts to store in an artifact repository afterwards (a Pod's step). */
  uploads?: ArtifactUpload[];
  /** stdout and stderr, line by line as they arrive, appended. */
  logFile?: string;
  /** The StepResult as JSON, written once when the step is over (atomically). */
  resultFile?: string;
  /** A RunningState as JSON, written once the command has started. */
  stateFile?: string;
  /**
   * The executor's claim on the step: its pid, written atomically and only if the file does not
   * exist yet, before the command starts. An executor that finds it already there runs nothing
   * and exits with {@link CLAIMED_EXIT_CODE}: another executor runs (or ran) this step. A host
   * that finds no claim knows the command never started.
   */
  pidFile?: string;
  /** Seconds between SIGTERM and SIGKILL when the step is stopped. Default 30 (Kubernetes' default). */
  graceSeconds?: number;
  /** RFC 3339: the command is stopped at this time and the step fails. */
  deadline?: string;
  /** Also copy the command's stdout/stderr to the executor's own. Default true. */
  echo?: boolean;
}

/** Node phase of a finished step, in Argo's words. */
export type StepPhase = "Succeeded" | "Failed" | "Error";

/** What happened to one step. */
export interface StepResult {
  /** Succeeded: exit 0 and every output found. Failed: non-zero exit or stopped. Error: could not run or collect outputs. */
  phase: StepPhase;
  /** Exit code of the command; 128+N when it ended by signal N. Absent when it never started. */
  exitCode?: number;
  /** The `result` output: the last 256 KiB of stdout with ONE trailing newline trimmed. */
  result: string;
  /** The same tail of stdout, untrimmed (what NodeObservation.stdout carries). */
  stdout: string;
  /** Output parameter values by name (each trimmed of ONE trailing newline). */
  parameters: Record<string, string>;
  /** Saved output artifacts: name -> where they were copied. */
  artifacts: Record<string, string>;
  /** Those of them stored in an artifact repository (`uploads`). */
  stored?: StoredArtifact[];
  /** Why the step did not succeed, in Argo's words where Argo has some. */
  message?: string;
  startedAt?: string;
  finishedAt: string;
}

/** Written to `stateFile` when the command is running: lets a host find and stop it after a restart. */
export interface RunningState {
  /** The executor's pid. */
  pid: number;
  /** The command's pid; it leads its own process group. */
  childPid?: number;
  startedAt: string;
}

/** The executor's exit code when `pidFile` was already claimed by another executor. */
export const CLAIMED_EXIT_CODE = 75;

/** How much of stdout is kept for `result` (Argo keeps 256 KiB). */
export const RESULT_TAIL_BYTES = 256 * 1024;

/** Kubernetes' default terminationGracePeriodSeconds. */
export const DEFAULT_GRACE_SECONDS = 30;
