/**
 * Finding a step's executor process again (after a restart): by the pid it claimed the step with
 * (`executor.pid`, written by the executor itself before the command starts), or, when it has not
 * written that yet, by its command line, which names the node's step file (a supervisor forked by
 * the spawner sets it as its `$0`; one started as a program of its own has it as an argument).
 */
import type { RunningState } from "../../../executor/mod.ts";
import { readJson } from "./common.ts";

/** The pid in the node's claim file; undefined when there is none (the command never started). */
export function executorPid(dir: string): number | undefined {
  let text = "";
  try {
    text = Deno.readTextFileSync(`${dir}/executor.pid`);
  } catch {
    // no claim
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
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
 * The supervisor's state.json (its pid and its command's, renamed into place once the command was
 * started); undefined before that.
 */
export async function readState(dir: string): Promise<RunningState | undefined> {
  return await readJson<RunningState>(`${dir}/state.json`).catch(() => undefined);
}
