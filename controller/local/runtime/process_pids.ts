/**
 * Finding a step's executor process again (after a restart): by the pid it claimed the step with
 * (`executor.pid`, written by the executor itself before the command starts), or, when it has not
 * written that yet, by its command line, which names the node's step file (a supervisor forked by
 * the spawner sets it as its `$0`; one started as a program of its own has it as an argument).
 */
import type { RunningState } from "../../../executor/mod.ts";
import { readJsonSync } from "./common.ts";

/**
 * The complete lines of the node's claim file (`executor.pid`, see process_supervisor.ts): the
 * supervisor's pid, then `child <pid> <startedAt>` and `exit <code>` as they happen. A line still
 * being written (no newline yet) is left out. Empty when there is no claim.
 */
function claimLines(dir: string): string[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(`${dir}/executor.pid`);
  } catch {
    return [];
  }
  return text.split("\n").slice(0, -1);
}

/** The pid in the node's claim file; undefined when there is none (the command never started). */
export function executorPid(dir: string): number | undefined {
  const pid = Number.parseInt(claimLines(dir)[0] ?? "", 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

/**
 * The command's exit code recorded by the supervisor (its `exit` line; an `exit` file from a
 * supervisor of an earlier skiff); undefined when it recorded none (it was lost, or runs still).
 */
export function recordedExit(dir: string): number | undefined {
  let text = claimLines(dir).find((l) => l.startsWith("exit "))?.slice(5);
  if (text === undefined) {
    try {
      text = Deno.readTextFileSync(`${dir}/exit`);
    } catch {
      return undefined;
    }
  }
  return /^\d+\s*$/.test(text) ? Number.parseInt(text, 10) : undefined;
}

/** Is `pid` alive and still the executor of `dir` (not a reused pid)? */
export function isAlive(pid: number, dir: string): boolean {
  try {
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const st = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return cmdline.split("\0").includes(`${dir}/step.json`) && st !== "Z";
  } catch {
    return false;
  }
}

/** A live executor of `dir` (one spawned but not yet claiming its step), found by its command line. */
export function findExecutor(dir: string): number | undefined {
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync("/proc");
  } catch {
    return undefined;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e.name)) continue;
    const pid = Number(e.name);
    if (pid !== Deno.pid && isAlive(pid, dir)) return pid;
  }
  return undefined;
}

/** Sends a signal, ignoring a process that is already gone. */
export function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * The supervisor's pid and its command's, once the command was started (the `child` line of the
 * claim file; state.json from a supervisor of an earlier skiff); undefined before that.
 */
export function readState(dir: string): RunningState | undefined {
  const lines = claimLines(dir);
  const child = lines.find((l) => l.startsWith("child "))?.split(" ");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  if (child && child.length === 3 && pid > 0) {
    return { pid, childPid: Number.parseInt(child[1]!, 10), startedAt: child[2]! };
  }
  try {
    return readJsonSync<RunningState>(`${dir}/state.json`);
  } catch {
    return undefined;
  }
}
