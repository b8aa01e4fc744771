/**
 * The step executor: runs one step's command and records what happened.
 *
 *   deno run -A executor/main.ts <step.json>        # a StepDescription in a file
 *   deno run -A executor/main.ts --step '<json>'    # or inline
 *   SKIFF_STEP='<json>' deno run -A executor/main.ts  # or from the environment (a Pod's env)
 *
 * It starts the command (a script's source is written to its path, which is appended to the
 * command), copies stdout/stderr to its own and appends them to `logFile`, keeps the last 256 KiB of
 * stdout as `result`, reads output parameters and saves output artifacts, and writes a StepResult to
 * `resultFile`. SIGTERM/SIGINT are forwarded to the command's process group; SIGKILL follows after
 * `graceSeconds`. Its exit code is the command's (1 when the step is an Error without one).
 *
 *   deno run -A executor/main.ts --fetch-inputs       # before a step: see fetch_inputs.ts
 *
 * With `pidFile`, the executor first claims the step by creating that file (atomically, only if it
 * does not exist); when another executor already holds the claim it runs nothing and exits with
 * CLAIMED_EXIT_CODE, so a step spawned twice (a host that crashed mid-start and recovered) runs once.
 */
import { fetchInputsMain } from "./fetch_inputs.ts";
import { localFiles, prepareArgv, spawnLocal } from "./local.ts";
import { storeOutputs, takeCredentials } from "./repository.ts";
import { superviseStep } from "./supervise.ts";
import { CLAIMED_EXIT_CODE, type RunningState, type StepDescription, type StepResult } from "./types.ts";

/** Raised by `runLocalStep` when `pidFile` is held by another executor: this one must run nothing. */
export class AlreadyClaimed extends Error {
  override name = "AlreadyClaimed";
}

/**
 * Claims a step for this process: writes `pid` to `path` atomically (a temporary file hard-linked
 * into place, which fails when `path` exists). False when another process claimed it first.
 */
export async function claimPidFile(path: string, pid = Deno.pid): Promise<boolean> {
  const tmp = `${path}.tmp-${pid}`;
  await Deno.writeTextFile(tmp, `${pid}\n`);
  try {
    await Deno.link(tmp, path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/** Runs a step described by `desc` on this machine and writes its state and result files. */
export async function runLocalStep(
  desc: StepDescription,
  opts: { stop?: AbortSignal; echo?: boolean } = {},
): Promise<StepResult> {
  const echo = opts.echo ?? desc.echo ?? true;
  if (desc.pidFile && !(await claimPidFile(desc.pidFile))) {
    throw new AlreadyClaimed(
      `another executor has claimed this step (${desc.pidFile} exists); it runs there, not here`,
    );
  }
  // Taken before the command starts, so that it does not inherit the repository's credentials.
  const repoEnv = desc.uploads?.length ? takeCredentials(desc.uploads) : undefined;
  let result = await superviseStep({
    desc,
    async start() {
      const argv = await prepareArgv(desc);
      if (desc.workingDir) await Deno.mkdir(desc.workingDir, { recursive: true });
      return spawnLocal(argv, {
        ...(desc.env ? { env: desc.env } : {}),
        ...(desc.workingDir ? { cwd: desc.workingDir } : {}),
      });
    },
    files: localFiles(desc.root ?? "/"),
    ...(opts.stop ? { stop: opts.stop } : {}),
    ...(echo
      ? { echo: { stdout: (c) => writeAll(Deno.stdout, c), stderr: (c) => writeAll(Deno.stderr, c) } }
      : {}),
    async onStarted(child, startedAt) {
      if (!desc.stateFile) return;
      const state: RunningState = { pid: Deno.pid, ...(child.pid ? { childPid: child.pid } : {}), startedAt };
      await writeJsonAtomic(desc.stateFile, state);
    },
  });
  if (desc.uploads?.length) {
    result = await storeOutputs(desc.uploads, desc.outputs?.artifacts ?? [], result, repoEnv);
  }
  if (desc.resultFile) await writeJsonAtomic(desc.resultFile, result);
  return result;
}

/** The executor's exit code for a result: the command's, or 1 for an Error that has none. */
export function exitCodeOf(result: StepResult): number {
  if (result.phase === "Succeeded") return 0;
  const code = result.exitCode ?? 0;
  return code === 0 ? 1 : Math.min(code, 255);
}

/** Reads the step description: a file path, `--step <json>`, or the SKIFF_STEP environment variable. */
export async function readDescription(args: string[]): Promise<StepDescription> {
  let text: string;
  if (args[0] === "--step" && args[1] !== undefined) text = args[1];
  else if (args.length === 1 && !args[0]!.startsWith("-")) text = await Deno.readTextFile(args[0]!);
  else if (args.length === 0 && Deno.env.get("SKIFF_STEP")) text = Deno.env.get("SKIFF_STEP")!;
  else {throw new Error(
      "usage: executor/main.ts <step.json> | --step '<json>' (or SKIFF_STEP='<json>' in the environment)",
    );}
  const desc = JSON.parse(text) as StepDescription;
  if (!Array.isArray(desc.command) && !Array.isArray(desc.args)) {
    throw new Error("step description: `command` (an array of strings) is required");
  }
  desc.command ??= [];
  return desc;
}

async function writeAll(w: { write(p: Uint8Array): Promise<number> }, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await w.write(bytes.subarray(at));
}

/** Writes JSON to a temporary file beside `path`, then renames it into place. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(value, null, 2) + "\n");
  await Deno.rename(tmp, path);
}

if (import.meta.main && Deno.args[0] === "--fetch-inputs") {
  Deno.exit(await fetchInputsMain(Deno.args.slice(1)));
} else if (import.meta.main) {
  let desc: StepDescription;
  try {
    desc = await readDescription(Deno.args);
  } catch (e) {
    console.error(`executor: ${e instanceof Error ? e.message : e}`);
    Deno.exit(2);
  }
  const stop = new AbortController();
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  const onSignal = () => stop.abort("Stopped: the executor received a termination signal");
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  let result: StepResult;
  try {
    result = await runLocalStep(desc, { stop: stop.signal });
  } catch (e) {
    console.error(`executor: ${e instanceof Error ? e.message : e}`);
    Deno.exit(e instanceof AlreadyClaimed ? CLAIMED_EXIT_CODE : 1);
  }
  for (const s of signals) Deno.removeSignalListener(s, onSignal);
  if (result.phase !== "Succeeded" && result.message) console.error(`executor: ${result.message}`);
  Deno.exit(exitCodeOf(result));
}
