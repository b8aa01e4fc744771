/**
 * One measurement of bench/host.ts, in a process of its own (so its memory is its own): runs one
 * workflow through the real LocalHost and prints one JSON line with wall time, the host process's
 * CPU time, memory (RSS, peak RSS, V8 heap after a GC) and per-step timings.
 *
 * Usage: deno run -A --v8-flags=--expose-gc bench/host_worker.ts '{"shape":"seq","n":200,"runtime":"process"}'
 *
 * @module
 */
import process from "node:process";
import { LocalHost } from "../controller/local/host.ts";
import { Store } from "../controller/local/store.ts";
import { ProcessRuntime } from "../controller/local/runtime/process.ts";
import { PodmanRuntime } from "../controller/local/runtime/podman.ts";
import { ImageMap } from "../controller/engine/images.ts";
import { probePodman } from "../controller/local/runtime/podman_cli.ts";
import type { Runtime } from "../controller/local/runtime/mod.ts";
import type { Workflow } from "../controller/spec/types.ts";
import { InstantRuntime } from "./host_fake.ts";

/** What to measure. */
export interface Scenario {
  /** `seq`: n steps one after the other; `fanout`: one withItems step over n items. */
  shape: "seq" | "fanout";
  n: number;
  runtime: "process" | "podman" | "instant";
  /** spec.parallelism (fan-out on real runtimes). */
  parallelism?: number;
  /** The step's shell command; `{{i}}` is the step's index or item. */
  command?: string;
  /** podman image (default localhost/skiff-test). */
  image?: string;
}

/** What one measurement gave. */
export interface Measurement {
  phase: string;
  pods: number;
  wallMs: number;
  /** CPU time (user + system) of this process, i.e. of skiff's controller and host, not of the steps. */
  cpuMs: number;
  rssMB: number;
  peakRssMB: number;
  heapMB: number;
}

/** The workflow of a scenario. */
export function scenarioWorkflow(s: Scenario): Workflow {
  const command = s.command ?? "echo step-{{i}}";
  const step = {
    name: "step",
    inputs: { parameters: [{ name: "i" }] },
    container: {
      image: "busybox",
      command: ["sh", "-c", command.replaceAll("{{i}}", "{{inputs.parameters.i}}")],
    },
  };
  const main = s.shape === "seq"
    ? {
      name: "main",
      steps: Array.from({ length: s.n }, (_, i) => [{
        name: `s${i}`,
        template: "step",
        arguments: { parameters: [{ name: "i", value: String(i) }] },
      }]),
    }
    : {
      name: "main",
      steps: [[{
        name: "fan",
        template: "step",
        arguments: { parameters: [{ name: "i", value: "{{item}}" }] },
        withSequence: { count: String(s.n) },
      }]],
    };
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: `bench-${s.shape}-${s.n}` },
    spec: {
      entrypoint: "main",
      ...(s.parallelism ? { parallelism: s.parallelism } : {}),
      templates: [main, step],
    },
  } as Workflow;
}

async function runtimeOf(s: Scenario, dataDir: string): Promise<Runtime> {
  if (s.runtime === "instant") return new InstantRuntime();
  if (s.runtime === "process") return new ProcessRuntime({ dataDir, warn: () => {} });
  const image = s.image ?? "localhost/skiff-test:latest";
  const setup = await probePodman({ image, dataDir });
  return new PodmanRuntime({ dataDir, images: new ImageMap(`*=${image}`), setup });
}

function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Runs a scenario in this process. */
export async function measure(s: Scenario): Promise<Measurement> {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-bench-" });
  const runtime = await runtimeOf(s, dataDir);
  const store = Store.open(dataDir);
  const host = new LocalHost({ store, runtime, log: (l) => console.error(l) });
  const wf = scenarioWorkflow(s);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const submitted = host.submit(wf);
  const done = await host.waitFor(submitted.namespace, submitted.name);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const mem = Deno.memoryUsage();
  const nodes = Object.values(done.object.status?.nodes ?? {});
  const pods = nodes.filter((n) => n.type === "Pod");
  const result: Measurement = {
    phase: done.phase,
    pods: pods.length,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMB: mem.rss / 1024 / 1024,
    peakRssMB: peakRssMB(),
    heapMB: mem.heapUsed / 1024 / 1024,
  };
  await host.close();
  store.close();
  if (s.runtime === "podman") await runtime.cleanup({ namespace: "default", name: submitted.name });
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  return result;
}

if (import.meta.main) {
  const s = JSON.parse(Deno.args[0] ?? "{}") as Scenario;
  console.log(JSON.stringify(await measure(s)));
  Deno.exit(0);
}
