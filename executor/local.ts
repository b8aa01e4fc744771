/**
 * Running a step's command as a process of this machine, and reading its outputs from this
 * machine's file system (below a root directory).
 */
import { ProgramNotFound, StartError, startFailure, type StepChild } from "./supervise.ts";
import type { OutputFiles } from "./capture.ts";
import type { StepDescription } from "./types.ts";

/** The full argv of a step: command + args (+ the script path for script templates). Writes the script. */
export async function prepareArgv(desc: StepDescription): Promise<string[]> {
  const argv = [...desc.command, ...(desc.args ?? [])];
  if (desc.script) {
    await Deno.mkdir(dirname(desc.script.path), { recursive: true });
    await Deno.writeTextFile(desc.script.path, desc.script.source, { mode: 0o755 });
    argv.push(desc.script.path);
  }
  if (argv.length === 0) throw new StartError("the step has no command: give `command` or `args`");
  return argv;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/**
 * Starts `argv` as a child process leading its own process group (so a stop reaches everything it
 * started, as a container's processes all end with it). When the command exits, what it left
 * running in its group is killed, as when a container's PID 1 exits.
 */
export function spawnLocal(
  argv: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): StepChild {
  const [program, ...rest] = argv;
  let proc: Deno.ChildProcess;
  try {
    proc = new Deno.Command(program!, {
      args: rest,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ProgramNotFound(startFailure(program!, "missing"));
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new ProgramNotFound(startFailure(program!, "denied"));
    }
    throw new StartError(`failed to start "${program}": ${e instanceof Error ? e.message : e}`);
  }
  const pid = proc.pid;
  let exited = false;
  const signalGroup = (signal: Deno.Signal) => {
    try {
      Deno.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  const status = proc.status.then((s) => {
    exited = true;
    return s.signal ? 128 + (SIGNALS[s.signal] ?? 0) : s.code;
  });
  return {
    stdout: proc.stdout,
    stderr: proc.stderr,
    status,
    kill(signal) {
      if (!exited) signalGroup(signal);
    },
    cleanup() {
      signalGroup("SIGKILL");
    },
    pid,
  };
}

/** Output files below `root` on this machine: a step path P is read at `root + P`. */
export function localFiles(root = "/"): OutputFiles {
  const at = (
    path: string,
  ) => (root === "/" || root === "" ? path : `${root.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`);
  return {
    async readText(path) {
      const p = at(path);
      let info: Deno.FileInfo;
      try {
        info = await Deno.stat(p);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return undefined;
        throw e;
      }
      if (info.isDirectory) throw new Error(`${path} is a directory`);
      return await Deno.readTextFile(p);
    },
    async save(path, dest) {
      try {
        await Deno.stat(at(path));
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return false;
        throw e;
      }
      await copyTree(at(path), dest);
      return true;
    },
  };
}

/** Copies a file or a directory (recursively, following symlinks) to `dest`, replacing what is there. */
export async function copyTree(src: string, dest: string): Promise<void> {
  const info = await Deno.stat(src);
  await Deno.mkdir(dirname(dest), { recursive: true });
  await Deno.remove(dest, { recursive: true }).catch(() => {});
  if (!info.isDirectory) {
    await Deno.copyFile(src, dest);
    return;
  }
  await Deno.mkdir(dest, { recursive: true });
  for await (const entry of Deno.readDir(src)) {
    await copyTree(`${src}/${entry.name}`, `${dest}/${entry.name}`);
  }
}

/** The directory part of a path. */
export function dirname(path: string): string {
  const i = path.replace(/\/+$/, "").lastIndexOf("/");
  return i <= 0 ? (path.startsWith("/") ? "/" : ".") : path.slice(0, i);
}
