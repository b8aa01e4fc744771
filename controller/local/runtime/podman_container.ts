/**
 * One podman container seen the way the executor's supervision needs it: a StepChild (started
 * attached, see podman_attach.ts, or re-attached by a restarted host: output from `podman logs -f`,
 * exit code from `podman wait`; signals through `podman kill`). Its output files: podman_files.ts.
 */
import type { StepChild } from "../../../executor/mod.ts";
import { type ContainerState, podman, type PodmanSetup, podmanSpawn } from "./podman_cli.ts";
import { startAttached } from "./podman_attach.ts";

/** The main container as a StepChild; `detach` stops following it without stopping it. */
export interface ContainerChild extends StepChild {
  detach(): void;
  /** Settles once the container runs (or ran), for what needs it started; absent: it did already. */
  running?: Promise<void>;
}

/**
 * The main container as a StepChild: started attached when it has not started yet, else (it runs
 * or ran) its output followed with `podman logs -f` from the beginning and its end awaited with
 * `podman wait`.
 */
export async function attachContainer(
  setup: PodmanSetup,
  name: string,
  state: ContainerState | undefined,
  workingDir?: string,
  program?: string,
): Promise<ContainerChild> {
  if (state === undefined || state === "created") return startAttached(setup, name, workingDir, program);
  let startedAt: string | undefined;
  const at = await podman(setup, [
    "container",
    "inspect",
    "--format",
    '{{.State.StartedAt.UTC.Format "2006-01-02T15:04:05.000Z"}}',
    name,
  ]);
  const d = new Date(at.stdout.trim());
  if (!Number.isNaN(d.getTime())) startedAt = d.toISOString();
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
