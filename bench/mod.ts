/**
 * Runs every benchmark and prints its lines. Each benchmark measures against a baseline in the
 * same process and prints ratios. Add a benchmark by adding an entry to `BENCHMARKS`.
 *
 * Usage: `deno task bench` (all), `deno task bench -- host` (one, by name: expr-wasm, host, server)
 *
 * @module
 */
import { runExprBench } from "./expr.ts";
import { runHostBench } from "./host.ts";
import { runServerBench } from "./server.ts";

/** A named benchmark returning printable result lines. */
export interface Benchmark {
  name: string;
  run(): string[] | Promise<string[]>;
}

/** All benchmarks, run in order. */
export const BENCHMARKS: Benchmark[] = [
  { name: "expr-wasm", run: runExprBench },
  { name: "host", run: runHostBench },
  { name: "server", run: runServerBench },
];

if (import.meta.main) {
  // `deno task bench -- host` passes the `--` through.
  const only = Deno.args.find((a) => a !== "--");
  for (const b of BENCHMARKS) {
    if (only && b.name !== only) continue;
    console.log(`# ${b.name}`);
    for (const l of await b.run()) console.log(l);
  }
}
