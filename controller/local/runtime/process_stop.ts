/**
 * Stopping a process-runtime step, which is the host's job (the supervisor only runs the command):
 * SIGTERM to the command's process group, SIGKILL when the grace period is over, and the step's
 * deadline as a timer (re-armed by a restarted host that adopts the step).
 */
import { readState, signal } from "./process_pids.ts";

/** What stopping needs of a running step. */
export interface StoppableStep {
  /** The supervisor's pid (it leads its own process group). */
  pid: number;
  /** The node's directory (state.json names the command's process group). */
  dir: string;
  /** Settles once the step has ended and was collected. */
  done: Promise<void>;
}

/**
 * Stops a step: SIGTERM, then SIGKILL after `graceMs`, then (something that left the command's
 * group holds its output open) SIGKILL to the supervisor's group too. Resolves once it ended.
 */
export async function stopStep(t: StoppableStep, graceMs: number): Promise<void> {
  await signalStep(t, "SIGTERM");
  if (await endsWithin(t, graceMs)) return;
  await signalStep(t, "SIGKILL");
  if (await endsWithin(t, 3000)) return;
  signal(-t.pid, "SIGKILL");
  await t.done;
}

/**
 * Signals the step's command (its process group). A supervisor that has just been started starts
 * the command within milliseconds: it is waited for (so a stopped step ends with its command's
 * exit code, as a container does). One that does not start it in time has its own group
 * signalled, which ends the start (the step ends as stopped), then the command's group once more
 * in case it started in between.
 */
async function signalStep(t: StoppableStep, sig: "SIGTERM" | "SIGKILL"): Promise<void> {
  const group = () => readState(t.dir)?.childPid;
  let pgid = group();
  let ended = false;
  t.done.then(() => (ended = true));
  for (let i = 0; i < 400 && pgid === undefined && !ended; i++) {
    await new Promise((r) => setTimeout(r, 5));
    pgid = group();
  }
  if (pgid === undefined && !ended) {
    signal(-t.pid, sig);
    pgid = group();
  }
  if (pgid !== undefined) signal(-pgid, sig);
}

/** Whether the step ends within `ms`. */
async function endsWithin(t: StoppableStep, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ended = await Promise.race([
    t.done.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
  ]);
  clearTimeout(timer);
  return ended;
}

/** A step's deadline, armed. */
export interface Deadline {
  disarm(): void;
}

/**
 * Calls `due` at `deadline` (an ISO time). setTimeout cannot wait longer than 2^31-1 ms (about 24
 * days): a later deadline is waited for in steps.
 */
export function armDeadline(deadline: string, due: () => void): Deadline {
  const at = Date.parse(deadline);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    timer = setTimeout(
      () => (Date.now() < at ? arm() : due()),
      Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1),
    );
  };
  arm();
  return { disarm: () => clearTimeout(timer) };
}
