/**
 * Supervising one step: start the command, stream its output to the log, stop it on request or at
 * its deadline (SIGTERM, then SIGKILL after the grace period), then derive the result with
 * `collectOutputs`. The command itself is behind `StepChild`, so the same supervision serves a host
 * process (executor/main.ts) and a container driven from outside (the podman runtime).
 */
import {
  type CollectedOutputs,
  collectOutputs,
  errorText,
  type OutputFiles,
  TailBuffer,
  trimOneNewline,
} from "./capture.ts";
import { type Echo, LineSplitter, pump, StepLog } from "./logs.ts";
import { DEFAULT_GRACE_SECONDS, type StepDescription, type StepResult } from "./types.ts";

/** A running command, however it was started. */
export interface StepChild {
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  /**
   * Resolves with the exit code when the command has ended (128+N for signal N); rejects with a
   * StartError when it turns out it never started (the step is an Error, as when `start` throws).
   */
  status: Promise<number>;
  /** The process id, when the command is a process of this machine. */
  pid?: number;
  /** When it started, if it started before supervision began (an adopted container). */
  startedAt?: string;
  /** Sends a signal to the command (and what it started). Must not throw once the command has ended. */
  kill(signal: "SIGTERM" | "SIGKILL"): Promise<void> | void;
  /** Called once the command has exited, before its output is drained (e.g. to end what it left running). */
  cleanup?(): Promise<void> | void;
}

/** Raised by `start` when the command could not be started at all (the step is an Error). */
export class StartError extends Error {}

/**
 * The step's program is not found or not executable. Argo's emissary (the main container's
 * entrypoint) then exits with {@link PROGRAM_NOT_FOUND_EXIT_CODE} and says why, so the step is
 * Failed with that exit code, not an Error.
 */
export class ProgramNotFound extends StartError {}

/** argoexec's exit code for an error of its own, such as a program it cannot find. */
export const PROGRAM_NOT_FOUND_EXIT_CODE = 64;

/**
 * The result of a step whose program could not be run (see {@link ProgramNotFound}): Failed with
 * argoexec's exit code, the message as the main container's termination message words it.
 */
export function programNotFoundResult(why: string, finishedAt: string): StepResult {
  return {
    phase: "Failed",
    exitCode: PROGRAM_NOT_FOUND_EXIT_CODE,
    message: `Error (exit code ${PROGRAM_NOT_FOUND_EXIT_CODE}): ${why}`,
    result: "",
    stdout: "",
    parameters: {},
    artifacts: {},
    finishedAt,
  };
}

/** Message Kubernetes/Argo give a step stopped at its deadline. */
export const DEADLINE_MESSAGE = "Step exceeded its deadline";

/** Everything `superviseStep` needs. */
export interface SuperviseOptions {
  desc: StepDescription;
  /** Starts the command. Throws StartError (or anything) when it cannot. */
  start: () => Promise<StepChild>;
  /** Where the step's output files are read from once it has ended. */
  files: OutputFiles;
  /** Aborting stops the step; `signal.reason` (a string) becomes the message. */
  stop?: AbortSignal;
  /** Copies of the command's streams (the executor's own stdout/stderr). */
  echo?: { stdout?: Echo; stderr?: Echo };
  /** Called once the command runs. */
  onStarted?: (child: StepChild, startedAt: string) => void | Promise<void>;
  /** Start the log afresh instead of appending (a host re-reading a container's whole log). */
  truncateLog?: boolean;
  /** How long to wait for the output streams to end after the command has exited. Default 2000 ms. */
  drainMs?: number;
  now?: () => Date;
}

/** Runs one step to its end and returns what happened. Never throws for problems of the step itself. */
export async function superviseStep(opts: SuperviseOptions): Promise<StepResult> {
  const { desc } = opts;
  const now = opts.now ?? (() => new Date());
  const iso = () => now().toISOString();
  const empty = { result: "", stdout: "", parameters: {}, artifacts: {} };

  const deadlineMs = desc.deadline === undefined ? undefined : Date.parse(desc.deadline);
  if (opts.stop?.aborted) {
    return { ...empty, phase: "Failed", message: stopMessage(opts.stop), finishedAt: iso() };
  }
  if (deadlineMs !== undefined && deadlineMs <= now().getTime()) {
    return { ...empty, phase: "Failed", message: DEADLINE_MESSAGE, finishedAt: iso() };
  }

  let child: StepChild;
  try {
    child = await opts.start();
  } catch (e) {
    if (e instanceof ProgramNotFound) return programNotFoundResult(e.message, iso());
    return { ...empty, phase: "Error", message: errorText(e), finishedAt: iso() };
  }
  const startedAt = child.startedAt ?? iso();
  await opts.onStarted?.(child, startedAt);

  const log = await StepLog.open(desc.logFile, { truncate: opts.truncateLog ?? false });
  const tail = new TailBuffer();
  const drain = new AbortController();
  const streams = Promise.all([
    pump(child.stdout, { log: new LineSplitter(log), echo: opts.echo?.stdout, tail }, drain.signal),
    pump(child.stderr, { log: new LineSplitter(log), echo: opts.echo?.stderr }, drain.signal),
  ]);

  // Stopping: SIGTERM now, SIGKILL when the grace period is over.
  let stopReason: string | undefined;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const graceMs = (desc.graceSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
  const terminate = (reason: string) => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    Promise.resolve(child.kill("SIGTERM")).catch(() => {});
    killTimer = setTimeout(() => Promise.resolve(child.kill("SIGKILL")).catch(() => {}), graceMs);
  };
  const onStop = () => terminate(stopMessage(opts.stop!));
  opts.stop?.addEventListener("abort", onStop, { once: true });
  if (opts.stop?.aborted) onStop();
  const deadlineTimer = deadlineMs === undefined
    ? undefined
    : setTimeout(() => terminate(DEADLINE_MESSAGE), Math.max(0, deadlineMs - now().getTime()));

  let exitCode: number | undefined;
  let startProblem: StartError | undefined;
  try {
    exitCode = await child.status;
  } catch (e) {
    // It never ran after all (a container that could not start, see StepChild.status).
    if (!(e instanceof StartError)) throw e;
    startProblem = e;
  } finally {
    clearTimeout(killTimer);
    clearTimeout(deadlineTimer);
    opts.stop?.removeEventListener("abort", onStop);
  }
  // What the command left running ends with it (as in a container), then its output is drained;
  // something still holding stdout open past `drainMs` is no longer read.
  if (exitCode !== undefined) await child.cleanup?.();
  const drainTimer = setTimeout(() => drain.abort(), opts.drainMs ?? 2000);
  await streams;
  clearTimeout(drainTimer);
  await log.close();
  if (exitCode === undefined) {
    if (startProblem instanceof ProgramNotFound) return programNotFoundResult(startProblem.message, iso());
    return { ...empty, phase: "Error", message: errorText(startProblem), finishedAt: iso() };
  }

  const outputs = await collectOutputs(desc.outputs, opts.files, desc.artifactDir);
  return stepResult({ exitCode, stdout: tail.text(), outputs, stopReason, startedAt, finishedAt: iso() });
}

/**
 * Argo's words (its emissary's, after Go's exec.LookPath) for a program that is not found, or not
 * executable, used wherever a step's command is started.
 */
export function startFailure(program: string, why: "missing" | "denied"): string {
  return why === "missing"
    ? `failed to find name in PATH: exec: "${program}": executable file not found in $PATH`
    : `failed to find name in PATH: exec: "${program}": permission denied`;
}

/** What a command that ran left, for {@link stepResult}. */
export interface Ended {
  exitCode: number;
  /** The kept tail of stdout (last 256 KiB). */
  stdout: string;
  outputs: CollectedOutputs;
  /** Set when the step was stopped (by request or at its deadline): the step fails with it. */
  stopReason?: string | undefined;
  startedAt: string;
  finishedAt: string;
}

/**
 * The result of a command that ran, by Argo's rules: stopped -> Failed with the reason; non-zero
 * exit -> Failed; a missing output -> Error; else Succeeded. `result` is stdout with one trailing
 * newline trimmed. Shared by every way a step runs (this supervision, the process runtime's).
 */
export function stepResult(e: Ended): StepResult {
  const base = {
    exitCode: e.exitCode,
    result: trimOneNewline(e.stdout),
    stdout: e.stdout,
    parameters: e.outputs.parameters,
    artifacts: e.outputs.artifacts,
    startedAt: e.startedAt,
    finishedAt: e.finishedAt,
  };
  if (e.stopReason !== undefined) return { ...base, phase: "Failed", message: e.stopReason };
  if (e.exitCode !== 0) return { ...base, phase: "Failed", message: `Error (exit code ${e.exitCode})` };
  if (e.outputs.error !== undefined) return { ...base, phase: "Error", message: e.outputs.error };
  return { ...base, phase: "Succeeded" };
}

function stopMessage(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  if (typeof r === "string") return r;
  if (r instanceof Error && r.name !== "AbortError") return r.message;
  return "Stopped";
}
