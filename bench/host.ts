/**
 * The local host against plain shell and plain podman, measured in the same run:
 *
 * - process runtime: a sequential workflow and a withSequence fan-out, against the same commands
 *   (`sh -c "echo step-N"`) from a shell loop (`xargs -P` with the workflow's parallelism for the
 *   fan-out). Overhead per node = (skiff time - shell time) / nodes; also the CPU time of skiff's
 *   own process per node (controller + host, not the steps).
 * - controller alone: the same shapes with a runtime whose steps end at once (bench/host_fake.ts),
 *   at two sizes, so per-node cost and per-node memory can be compared between sizes.
 * - podman: a sequential workflow against `podman run` of the same container in a loop.
 *
 * Each measurement runs in a process of its own (bench/host_worker.ts), with a time cap: one that
 * does not finish in time is reported as such. Sizes: `SKIFF_BENCH_SCALE=full` runs the sizes of
 * the goals (200 sequential steps, 1,000- and 10,000-item fan-outs); the default is smaller, to keep
 * `deno task bench` within minutes on a shared 2-core machine. The process-runtime cases run 3
 * times at full scale (once otherwise; `SKIFF_BENCH_RUNS=N` to choose), each against its own shell
 * run, and the median is reported with the others.
 *
 * Usage: `deno task bench -- host`
 *
 * @module
 */
import type { Measurement, Scenario } from "./host_worker.ts";

const WORKER = new URL("./host_worker.ts", import.meta.url).pathname;
const PODMAN_IMAGE = "localhost/skiff-test:latest";
/** The executor imports npm packages (archives, S3): it runs with the project's import map. */
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

interface Sizes {
  seq: number;
  fanout: number;
  parallelism: number;
  controller: [number, number];
  controllerSeq: number;
  podmanSeq: number;
  capSeconds: number;
  /** Runs of each process-runtime case (each against its own shell run); the median is reported. */
  runs: number;
}

const QUICK: Sizes = {
  seq: 50,
  fanout: 200,
  parallelism: 8,
  controller: [100, 400],
  controllerSeq: 100,
  podmanSeq: 8,
  capSeconds: 150,
  runs: 1,
};
const FULL: Sizes = {
  seq: 200,
  fanout: 1000,
  parallelism: 8,
  controller: [1000, 10000],
  controllerSeq: 200,
  podmanSeq: 20,
  capSeconds: 1200,
  runs: 3,
};

/** Runs one scenario in its own process; undefined when it did not end within the cap. */
async function measure(s: Scenario, capSeconds: number): Promise<Measurement | string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", WORKER, JSON.stringify(s)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), capSeconds * 1000);
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  if (out.signal === "SIGKILL") return `did not finish within ${capSeconds} s`;
  if (!out.success) {
    return `failed: ${new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" ")}`;
  }
  return JSON.parse(text) as Measurement;
}

/** Wall time (ms) of a shell command. */
async function shell(script: string, env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const r = await new Deno.Command("sh", { args: ["-c", script], env, stdout: "null", stderr: "piped" })
    .output();
  if (!r.success) throw new Error(`sh -c ${script}: ${new TextDecoder().decode(r.stderr)}`);
  return performance.now() - t0;
}

const f1 = (n: number) => n.toFixed(1);
const f0 = (n: number) => n.toFixed(0);

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** A process-runtime case against its shell loop: the run with the median overhead, and the spread. */
interface AgainstShell {
  m: Measurement | string;
  shellMs: number;
  /** Overheads (ms/node) of all runs, lowest first (one run: just its own). */
  overheads: number[];
}

/**
 * Measures skiff and then its shell loop, `runs` times, and keeps the run whose overhead is the
 * median (the lower middle one of an even number): on a shared 2-core machine single runs differ by
 * a quarter or more, and each run's baseline is measured right after it, so a slow spell weighs on
 * both.
 */
async function againstShellRuns(
  runs: number,
  s: Scenario,
  shellScript: string,
  capSeconds: number,
): Promise<AgainstShell> {
  const all: { m: Measurement; shellMs: number; overhead: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const m = await measure(s, capSeconds);
    const shellMs = await shell(shellScript);
    if (typeof m === "string") return { m, shellMs, overheads: [] };
    all.push({ m, shellMs, overhead: (m.wallMs - shellMs) / s.n });
  }
  all.sort((a, b) => a.overhead - b.overhead);
  const mid = all[Math.floor((all.length - 1) / 2)]!;
  return { m: mid.m, shellMs: mid.shellMs, overheads: all.map((r) => r.overhead) };
}

function againstShell(label: string, r: AgainstShell, nodes: number): string[] {
  const { m, shellMs, overheads } = r;
  if (typeof m === "string") return [`${label}: ${m}`];
  const overhead = (m.wallMs - shellMs) / nodes;
  const spread = overheads.length > 1
    ? ` (median of ${overheads.length} runs: ${overheads.map(f1).join(", ")} ms/node)`
    : "";
  return [
    `${label}: skiff ${f1(m.wallMs / 1000)} s (${m.phase}), shell ${f1(shellMs / 1000)} s; ` +
    `overhead ${f1(overhead)} ms/node, ratio ${f1(m.wallMs / shellMs)}x${spread}`,
    `  skiff process CPU ${f1(m.cpuMs / nodes)} ms/node (goal < 2 ms); peak RSS ${f0(m.peakRssMB)} MB`,
  ];
}

function controllerLine(label: string, m: Measurement | string, nodes: number): string {
  if (typeof m === "string") return `${label}: ${m}`;
  return `${label}: ${f1(m.wallMs / 1000)} s (${m.phase}), ${f1(m.wallMs / nodes)} ms/node wall, ` +
    `${f1(m.cpuMs / nodes)} ms/node CPU; peak RSS ${f0(m.peakRssMB)} MB, heap after GC ${f1(m.heapMB)} MB`;
}

async function podmanAvailable(): Promise<boolean> {
  try {
    const r = await new Deno.Command("podman", { args: ["image", "exists", PODMAN_IMAGE] }).output();
    return r.success;
  } catch {
    return false;
  }
}

/** The flags the podman runtime probes for this machine, to start the baseline's containers the same way. */
async function podmanBaselineArgs(): Promise<
  { global: string[]; container: string[]; env: Record<string, string>; dir: string }
> {
  const { probePodman } = await import("../controller/local/runtime/podman_cli.ts");
  const dir = await Deno.makeTempDir({ prefix: "skiff-bench-probe-" });
  const s = await probePodman({ image: PODMAN_IMAGE, dataDir: dir });
  return { global: s.globalArgs, container: s.containerArgs, env: s.env, dir };
}

/**
 * The Deno executor (executor/main.ts) started once per step in a shell loop on the same command:
 * what the process runtime paid per step before its supervisor, kept as a baseline in the same run.
 */
async function executorFloor(n: number, skiff: Measurement | string, shellMs: number): Promise<string> {
  const step = JSON.stringify({ command: ["sh", "-c", "echo step"], echo: false });
  const main = new URL("../executor/main.ts", import.meta.url).pathname;
  const ms = await shell(
    `for i in $(seq 1 ${n}); do '${Deno.execPath()}' run -A --config '${CONFIG}' '${main}' --step '${step}' >/dev/null; done`,
  );
  const floor = (ms - shellMs) / n;
  const of = typeof skiff === "string" ? "" : ` of the ${f1((skiff.wallMs - shellMs) / n)} ms/node above`;
  return `  executor alone in a shell loop: ${f1(ms / 1000)} s, ${f1(floor)} ms/step over the shell${of} ` +
    `(a Deno start per step)`;
}

/**
 * The step's supervisor (process_supervisor.ts) started as a perl of its own per step, on the same
 * command in a shell loop with a node directory each: what the process runtime paid per step
 * before its spawner (process_spawner.ts) forked supervisors from one long-lived perl, kept as that
 * baseline.
 */
async function supervisorFloor(n: number, skiff: Measurement | string, shellMs: number): Promise<string> {
  const { NEW_SESSION, SUPERVISE_SUB, supervisorTools } = await import(
    "../controller/local/runtime/process_supervisor.ts"
  );
  // The supervisor as a program of its own: its session made as soon as the BEGIN block is parsed.
  const script = `BEGIN { ${NEW_SESSION} }` + SUPERVISE_SUB + "supervise(@ARGV);\n";
  const dir = await Deno.makeTempDir({ prefix: "skiff-bench-sup-" });
  const ms = await shell(
    `for i in $(seq 1 ${n}); do mkdir "${dir}/$i"; ` +
      `'${supervisorTools().perl}' -e "$SKIFF_SUP" "${dir}/$i/step.json" "${dir}/$i" now sh -c "echo step-$i"; done`,
    { SKIFF_SUP: script },
  );
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const floor = (ms - shellMs) / n;
  const of = typeof skiff === "string" ? "" : ` of the ${f1((skiff.wallMs - shellMs) / n)} ms/node above`;
  return `  supervisor alone in a shell loop: ${f1(ms / 1000)} s, ${f1(floor)} ms/step over the shell${of} ` +
    `(a perl start per step, as the process runtime did before its spawner)`;
}

/** Runs the host benchmark and returns its lines. */
export async function runHostBench(): Promise<string[]> {
  const full = Deno.env.get("SKIFF_BENCH_SCALE") === "full";
  const z = full ? FULL : QUICK;
  const lines: string[] = [
    `scale ${
      full ? "full" : "quick (SKIFF_BENCH_SCALE=full for the goal sizes)"
    }; load average at start ${loadAverage()}`,
  ];

  // Process runtime against a shell loop.
  const runs = Number(Deno.env.get("SKIFF_BENCH_RUNS") ?? z.runs) || 1;
  const seq = await againstShellRuns(
    runs,
    { shape: "seq", n: z.seq, runtime: "process" },
    `for i in $(seq 1 ${z.seq}); do sh -c "echo step-$i"; done`,
    z.capSeconds,
  );
  lines.push(...againstShell(`process runtime, ${z.seq} sequential steps`, seq, z.seq));
  lines.push(await supervisorFloor(z.seq, seq.m, seq.shellMs));
  // The Deno executor the process runtime started per step before (still what runs in Pods).
  lines.push(await executorFloor(z.seq, seq.m, seq.shellMs));
  const fan = await againstShellRuns(
    runs,
    { shape: "fanout", n: z.fanout, runtime: "process", parallelism: z.parallelism },
    `seq 0 ${z.fanout - 1} | xargs -P ${z.parallelism} -I{} sh -c "echo step-{}"`,
    z.capSeconds,
  );
  lines.push(
    ...againstShell(
      `process runtime, ${z.fanout}-item fan-out (parallelism ${z.parallelism})`,
      fan,
      z.fanout,
    ),
  );

  // The controller alone, at two sizes.
  const [small, large] = z.controller;
  const cs = await measure({ shape: "seq", n: z.controllerSeq, runtime: "instant" }, z.capSeconds);
  lines.push(controllerLine(`controller alone, ${z.controllerSeq} sequential steps`, cs, z.controllerSeq));
  const c1 = await measure({ shape: "fanout", n: small, runtime: "instant" }, z.capSeconds);
  lines.push(controllerLine(`controller alone, ${small}-item fan-out`, c1, small));
  const c2 = await measure({ shape: "fanout", n: large, runtime: "instant" }, z.capSeconds);
  lines.push(controllerLine(`controller alone, ${large}-item fan-out`, c2, large));
  // Under parallelism every finished step frees a slot, so reconciles come a few steps at a time.
  const cp = await measure(
    { shape: "fanout", n: small, runtime: "instant", parallelism: z.parallelism },
    z.capSeconds,
  );
  lines.push(
    controllerLine(`controller alone, ${small}-item fan-out, parallelism ${z.parallelism}`, cp, small),
  );
  if (typeof c1 !== "string" && typeof c2 !== "string") {
    const perNode = (m: Measurement, n: number) => m.cpuMs / n;
    const growth = Math.log(c2.cpuMs / c1.cpuMs) / Math.log(large / small);
    lines.push(
      `  ${large} vs ${small} items: CPU per node x${f1(perNode(c2, large) / perNode(c1, small))} ` +
        `(total CPU grows as n^${growth.toFixed(2)}; flat per node would be n^1.00); ` +
        `peak RSS ${f0(c1.peakRssMB)} -> ${f0(c2.peakRssMB)} MB, ` +
        `${f1(((c2.peakRssMB - c1.peakRssMB) * 1024) / (large - small))} KB per added node; ` +
        `heap after GC ${f1(c1.heapMB)} -> ${f1(c2.heapMB)} MB, ` +
        `${f1(((c2.heapMB - c1.heapMB) * 1024) / (large - small))} KB per added node retained`,
    );
  }

  // Podman: step to step against `podman run` in a loop.
  if (!(await podmanAvailable())) {
    lines.push(`podman: skipped (podman or ${PODMAN_IMAGE} is not here)`);
  } else {
    const pm = await measure(
      { shape: "seq", n: z.podmanSeq, runtime: "podman", image: PODMAN_IMAGE },
      z.capSeconds,
    );
    const args = await podmanBaselineArgs();
    const env = Object.entries(args.env).map(([k, v]) => `${k}=${v}`).join(" ");
    const run = `${env} podman ${args.global.join(" ")} run --rm ${args.container.join(" ")} ${PODMAN_IMAGE}`;
    const pmShell = await shell(`for i in $(seq 1 ${z.podmanSeq}); do ${run} sh -c "echo step-$i"; done`);
    await Deno.remove(args.dir, { recursive: true }).catch(() => {});
    if (typeof pm === "string") {
      lines.push(`podman runtime, ${z.podmanSeq} sequential steps: ${pm}`);
    } else {
      lines.push(
        `podman runtime, ${z.podmanSeq} sequential steps: skiff ${f0(pm.wallMs / z.podmanSeq)} ms/step, ` +
          `podman run loop ${f0(pmShell / z.podmanSeq)} ms/container; ` +
          `step-to-step latency added ${f0((pm.wallMs - pmShell) / z.podmanSeq)} ms/step, ratio ${
            f1(pm.wallMs / pmShell)
          }x (${pm.phase})`,
      );
    }
  }
  lines.push(`load average at end ${loadAverage()}`);
  return lines;
}

if (import.meta.main) {
  for (const l of await runHostBench()) console.log(l);
}
