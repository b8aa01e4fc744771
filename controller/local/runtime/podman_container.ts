/**
 * One podman container seen the way the executor's supervision needs it: a StepChild (started or
 * re-attached, output from `podman logs -f`, exit code from `podman wait`, signals through `podman
 * kill`) and OutputFiles (copied out with `podman cp`).
 */
import { type OutputFiles, StartError, type StepChild } from "../../../executor/mod.ts";
import { podman, podmanOk, type PodmanSetup, podmanSpawn } from "./podman_cli.ts";

export type ContainerState = "created" | "running" | "exited" | "other";

export async function containerState(setup: PodmanSetup, name: string): Promise<ContainerState | undefined> {
  const r = await podman(setup, ["container", "inspect", "--format", "{{.State.Status}}", name]);
  if (r.code !== 0) return undefined;
  const s = r.stdout.trim();
  return s === "created" || s === "running" || s === "exited" ? s : s === "configured" ? "created" : "other";
}

/**
 * The main container as a StepChild: started (unless it already runs or ran), its output followed
 * with `podman logs -f` from the beginning, its end awaited with `podman wait`.
 */
export interface ContainerChild extends StepChild {
  detach(): void;
}

export async function attachContainer(
  setup: PodmanSetup,
  name: string,
  state: ContainerState | undefined,
  workingDir?: string,
): Promise<ContainerChild> {
  let startedAt: string | undefined;
  if (state === undefined || state === "created") {
    let r = await podman(setup, ["start", name]);
    if (r.code !== 0 && workingDir && /workdir .* does not exist/.test(r.stderr)) {
      // Kubernetes creates a missing workingDir; podman 4 refuses to start. Create it, then start.
      await createDirIn(setup, name, workingDir);
      r = await podman(setup, ["start", name]);
    }
    if (r.code !== 0) {
      throw new StartError(r.stderr.replace(/^Error: /, "") || `podman start ${name}: exit code ${r.code}`);
    }
  } else {
    const at = await podman(setup, [
      "container",
      "inspect",
      "--format",
      '{{.State.StartedAt.UTC.Format "2006-01-02T15:04:05.000Z"}}',
      name,
    ]);
    const d = new Date(at.stdout.trim());
    if (!Number.isNaN(d.getTime())) startedAt = d.toISOString();
  }
  const logs = podmanSpawn(setup, ["logs", "-f", name]);
  const waiter = podmanSpawn(setup, ["wait", name]);
  const status = waiter.output().then((r) => {
    const code = Number.parseInt(new TextDecoder().decode(r.stdout).trim(), 10);
    return Number.isFinite(code) ? code : 128;
  });
  let ended = false;
  status.then(() => (ended = true));
  const child: ContainerChild = {
    detach() {
      ended = true;
      for (const p of [logs, waiter]) {
        try {
          p.kill("SIGKILL");
        } catch {
          // already ended
        }
      }
    },
    stdout: logs.stdout,
    stderr: logs.stderr,
    status,
    async kill(signal) {
      if (!ended) await podman(setup, ["kill", "--signal", signal, name]);
    },
    async cleanup() {
      // `logs -f` ends with the container; make sure it does not outlive it.
      await new Promise((r) => setTimeout(r, 0));
      const done = await Promise.race([
        logs.status.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 3000)),
      ]);
      if (done) return;
      // Ended here, and awaited: a `podman logs` left running would outlive the runtime's close().
      try {
        logs.kill("SIGKILL");
      } catch {
        // ended meanwhile
      }
      await logs.status;
    },
  };
  if (startedAt) child.startedAt = startedAt;
  return child;
}

/** The IP address of a container's pod (its infra container's), if it has one. */
export async function podIPOf(setup: PodmanSetup, name: string): Promise<string | undefined> {
  const r = await podman(setup, [
    "inspect",
    "--format",
    "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}",
    name,
  ]);
  return r.stdout.trim().split(/\s+/).find((ip) => ip !== "") || undefined;
}

/** Creates directory `path` (and its parents) in a created container, copying in a tree of empty 0755 directories. */
async function createDirIn(setup: PodmanSetup, name: string, path: string): Promise<void> {
  const parts = path.split("/").filter(Boolean);
  if (parts.length === 0) return;
  const tmp = await Deno.makeTempDir({ prefix: "skiff-workdir-" });
  try {
    let at = tmp;
    for (const p of parts) {
      at = `${at}/${p}`;
      await Deno.mkdir(at);
      await Deno.chmod(at, 0o755);
    }
    await podmanOk(setup, ["cp", `${tmp}/${parts[0]}`, `${name}:/`]);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** Output files of a container (running or stopped), copied out with `podman cp` below `scratch`. */
export function containerFiles(setup: PodmanSetup, name: string, scratch: string): OutputFiles {
  const copy = async (path: string, dest: string): Promise<boolean> => {
    await Deno.mkdir(dest.slice(0, dest.lastIndexOf("/")) || "/", { recursive: true });
    await Deno.remove(dest, { recursive: true }).catch(() => {});
    const r = await podman(setup, ["cp", `${name}:${path}`, dest]);
    if (r.code === 0) return true;
    if (/could not be found|no such file or directory/i.test(r.stderr)) return false;
    throw new Error(r.stderr.replace(/^Error: /, ""));
  };
  return {
    async readText(path) {
      const dest = `${scratch}/${path.replace(/^\/+/, "")}`;
      if (!(await copy(path, dest))) return undefined;
      if ((await Deno.stat(dest)).isDirectory) throw new Error(`${path} is a directory`);
      return await Deno.readTextFile(dest);
    },
    save: copy,
  };
}
