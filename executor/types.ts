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
