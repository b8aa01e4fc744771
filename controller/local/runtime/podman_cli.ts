/**
 * Calling the podman command line with the flags and environment this machine needs (found once by
 * `probePodman`): what works is detected, not assumed, and the reason is kept when nothing works.
 */
import { probeCacheFile, probeKey, readProbe, writeProbe } from "./podman_probe_cache.ts";

/** How podman is invoked on this machine. */
export interface PodmanSetup {
  bin: string;
  version: string;
  /** Flags before the subcommand (e.g. --cgroup-manager=cgroupfs, --runtime runc). */
  globalArgs: string[];
  /** Environment for every call (CONTAINERS_CONF with default_ulimits when the defaults exceed the host's limits). */
  env: Record<string, string>;
  /** Flags for every container created (e.g. --init so signals reach the command as under Argo's executor). */
  containerArgs: string[];
  /** What the probe found and chose, for people reading the log. */
  notes: string[];
}

/** Output of one podman call. */
export interface PodmanOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs podman once and collects its output. */
export async function podman(
  setup: Pick<PodmanSetup, "bin" | "globalArgs" | "env">,
  args: string[],
): Promise<PodmanOutput> {
  const out = await new Deno.Command(setup.bin, {
    args: [...setup.globalArgs, ...args],
    env: setup.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr).trim() };
}

/** What a container is doing, as the runtime tells states apart ("configured" counts as created). */
export type ContainerState = "created" | "running" | "exited" | "other";

/** A container's state and exit code (0 until it exited); undefined when there is no such container. */
export async function containerStatus(
  setup: Pick<PodmanSetup, "bin" | "globalArgs" | "env">,
  name: string,
): Promise<{ state: ContainerState; exitCode: number } | undefined> {
  const r = await podman(setup, [
    "container",
    "inspect",
    "--format",
    "{{.State.Status}} {{.State.ExitCode}}",
    name,
  ]);
  if (r.code !== 0) return undefined;
  const [status, code] = r.stdout.trim().split(" ");
  const state: ContainerState = status === "created" || status === "configured"
    ? "created"
    : status === "running"
    ? "running"
    : status === "exited" || status === "stopped"
    ? "exited"
    : "other";
  const exitCode = Number.parseInt(code ?? "", 10);
  return { state, exitCode: Number.isFinite(exitCode) ? exitCode : 128 };
}

/** Runs podman and returns stdout, or throws with podman's error text. */
export async function podmanOk(
  setup: Pick<PodmanSetup, "bin" | "globalArgs" | "env">,
  args: string[],
): Promise<string> {
  const r = await podman(setup, args);
  if (r.code !== 0) throw new Error(`podman ${args[0]}: ${r.stderr || `exit code ${r.code}`}`);
  return r.stdout;
}

/** Starts a long-running podman call (e.g. `logs -f`) with its output piped. */
export function podmanSpawn(
  setup: Pick<PodmanSetup, "bin" | "globalArgs" | "env">,
  args: string[],
): Deno.ChildProcess {
  return new Deno.Command(setup.bin, {
    args: [...setup.globalArgs, ...args],
    env: setup.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Raised when podman cannot run containers here; `message` says why and what to do. */
export class PodmanUnavailable extends Error {}

/** The hard limits of this process for open files and processes (from /proc/self/limits). */
export function hostHardLimits(): { nofile?: number; nproc?: number } {
  try {
    const text = Deno.readTextFileSync("/proc/self/limits");
    const hard = (label: string) => {
      const line = text.split("\n").find((l) => l.startsWith(label));
      const v = line?.slice(26).trim().split(/\s+/)[1];
      return v && /^\d+$/.test(v) ? Number(v) : undefined;
    };
    const limits: { nofile?: number; nproc?: number } = {};
    const nofile = hard("Max open files");
    const nproc = hard("Max processes");
    if (nofile !== undefined) limits.nofile = nofile;
    if (nproc !== undefined) limits.nproc = nproc;
    return limits;
  } catch {
    return {};
  }
}

const probes = new Map<string, Promise<PodmanSetup>>();

/**
 * Finds flags with which a container of `image` starts here, trying in order: podman's defaults;
 * rlimits at the host's hard limits, then at 1024 (podman's defaults can exceed what an
 * unprivileged-resource host allows, and a pod's infra container needs them too, hence a
 * containers.conf with default_ulimits); the cgroupfs cgroup manager; the runc runtime. Then whether
 * `--init` works. Cached per (podman binary, data dir); a failure is not cached. What was found is
 * also kept across runs of skiff (podman_probe_cache.ts) and, while it still works, not probed
 * again.
 */
export function probePodman(opts: {
  bin?: string;
  image: string;
  dataDir: string;
  /** Where what was found is kept across runs (default: probeCacheFile(); null: nowhere). */
  cacheFile?: string | null;
}): Promise<PodmanSetup> {
  const bin = opts.bin ?? "podman";
  const key = `${bin}\0${opts.dataDir}`;
  const cached = probes.get(key);
  if (cached) return cached;
  const cacheFile = opts.cacheFile === undefined ? probeCacheFile() : opts.cacheFile ?? undefined;
  const p = doProbe(bin, opts.image, opts.dataDir, cacheFile);
  probes.set(key, p);
  p.catch(() => probes.delete(key));
  return p;
}

async function doProbe(
  bin: string,
  image: string,
  dataDir: string,
  cacheFile: string | undefined,
): Promise<PodmanSetup> {
  const limits = hostHardLimits();
  const confDir = `${dataDir}/podman`;
  const key = probeKey(bin, limits);
  const known = readProbe(cacheFile, key);
  if (known) {
    // Found before on this machine: one container proves the flags still work (an image that is
    // not here is left to the full probe, which says so).
    const env = known.ulimits ? { CONTAINERS_CONF: await writeUlimits(confDir, known.ulimits) } : {};
    const init = known.init ? ["--init"] : [];
    const r = await podman({ bin, globalArgs: known.globalArgs, env }, [
      "run",
      "--rm",
      "--pull=never",
      "--network=none",
      ...init,
      image,
      "true",
    ]);
    if (r.code === 0) {
      return {
        bin,
        version: known.version,
        globalArgs: known.globalArgs,
        env,
        containerArgs: init,
        notes: [
          ...known.notes,
          ...(known.ulimits ? [`default_ulimits in ${env.CONTAINERS_CONF}`] : []),
          `as found before (${cacheFile})`,
        ],
      };
    }
  }
  const { setup: found, ulimits } = await fullProbe(bin, image, confDir, limits);
  writeProbe(cacheFile, key, {
    version: found.version,
    globalArgs: found.globalArgs,
    ...(ulimits ? { ulimits } : {}),
    init: found.containerArgs.includes("--init"),
    notes: found.notes.filter((n) => !n.startsWith("default_ulimits in ")), // a path of this data dir
  });
  return found;
}

/** Writes a containers.conf with these default rlimits in `confDir`; returns its path. */
async function writeUlimits(confDir: string, ul: { nofile: number; nproc: number }): Promise<string> {
  await Deno.mkdir(confDir, { recursive: true });
  const conf = `${confDir}/containers.conf`;
  await Deno.writeTextFile(
    conf,
    `# Written by skiff: podman's default rlimits exceed this host's hard limits.\n[containers]\ndefault_ulimits = ["nofile=${ul.nofile}:${ul.nofile}", "nproc=${ul.nproc}:${ul.nproc}"]\n`,
  );
  return conf;
}

async function fullProbe(
  bin: string,
  image: string,
  confDir: string,
  limits: { nofile?: number; nproc?: number },
): Promise<{ setup: PodmanSetup; ulimits?: { nofile: number; nproc: number } }> {
  let version: string;
  try {
    const v = await podman({ bin, globalArgs: [], env: {} }, ["--version"]);
    if (v.code !== 0) throw new Error(v.stderr);
    version = v.stdout.trim().split(/\s+/).at(-1) ?? "";
  } catch (e) {
    throw new PodmanUnavailable(
      `podman is not usable here (${
        e instanceof Error ? e.message : e
      }); install it (apt-get install -y podman runc) or use --runtime process`,
    );
  }

  // The image must be here (or pullable) before failures can be blamed on podman's flags.
  const present = await podman({ bin, globalArgs: [], env: {} }, ["image", "exists", image]);
  if (present.code !== 0) {
    const pulled = await podman({ bin, globalArgs: [], env: {} }, ["pull", "-q", image]);
    if (pulled.code !== 0) {
      throw new PodmanUnavailable(
        `podman cannot start image "${image}": it is not on this machine and cannot be pulled (${
          lastLine(pulled.stderr)
        })`,
      );
    }
  }

  const userConf = Deno.env.get("CONTAINERS_CONF");
  const ulimitChoices: { label: string; values?: { nofile: number; nproc: number } }[] = [{
    label: "podman's default rlimits",
  }];
  if (!userConf) {
    if (limits.nofile && limits.nproc) {
      ulimitChoices.push({
        label: `rlimits at the host's hard limits (nofile=${limits.nofile}, nproc=${limits.nproc})`,
        values: { nofile: limits.nofile, nproc: limits.nproc },
      });
    }
    ulimitChoices.push({ label: "rlimits nofile=1024, nproc=1024", values: { nofile: 1024, nproc: 1024 } });
  }
  const failures: string[] = [];
  for (const cgroup of [[], ["--cgroup-manager=cgroupfs"]]) {
    for (const runtime of [[], ["--runtime", "runc"]]) {
      for (const ul of ulimitChoices) {
        const env: Record<string, string> = {};
        if (ul.values) env.CONTAINERS_CONF = await writeUlimits(confDir, ul.values);
        const globalArgs = [...cgroup, ...runtime];
        const r = await podman({ bin, globalArgs, env }, ["run", "--rm", "--network=none", image, "true"]);
        if (r.code === 0) {
          const init = await podman({ bin, globalArgs, env }, [
            "run",
            "--rm",
            "--network=none",
            "--init",
            image,
            "true",
          ]);
          const notes = [
            `podman ${version}${globalArgs.length ? " " + globalArgs.join(" ") : ""}, ${ul.label}`,
            init.code === 0
              ? "containers run with --init"
              : `--init does not work here (${firstLine(init.stderr)}): signals go to the command as PID 1`,
          ];
          if (ul.values) notes.push(`default_ulimits in ${env.CONTAINERS_CONF}`);
          const setup = {
            bin,
            version,
            globalArgs,
            env,
            containerArgs: init.code === 0 ? ["--init"] : [],
            notes,
          };
          return ul.values ? { setup, ulimits: ul.values } : { setup };
        }
        const why = firstLine(r.stderr);
        failures.push(`${globalArgs.join(" ") || "(no flags)"} + ${ul.label}: ${why}`);
        if (/image not known|manifest unknown|pull|no such image|repository/i.test(r.stderr)) {
          throw new PodmanUnavailable(`podman cannot start image "${image}": ${why}`);
        }
        if (!/rlimit/i.test(r.stderr)) break; // rlimits are not the problem: try the next cgroup manager / runtime
      }
    }
  }
  throw new PodmanUnavailable(`podman cannot start a container here; tried:\n  ${failures.join("\n  ")}`);
}

function lastLine(s: string): string {
  return s.split("\n").filter((l) => l.trim() !== "").at(-1)?.trim() ?? "no output";
}

function firstLine(s: string): string {
  return s.split("\n").find((l) => l.trim() !== "")?.trim() ?? "no output";
}
