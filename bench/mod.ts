/**
 * Runs every benchmark and prints its lines. Each benchmark measures against a baseline in the
 * same process and prints ratios. Add a benchmark by adding an entry to `BENCHMARKS`.
 *
 * Usage: `deno task bench`
 *
 * @module
 */
import { runExprBench } from "./expr.ts";

/** A named benchmark returning printable result lines. */
export interface Benchmark {
  name: string;
  run(): string[] | Promise<string[]>;
}

/** All benchmarks, run in order. */
export const BENCHMARKS: Benchmark[] = [
  { name: "expr-wasm", run: runExprBench },
];

if (import.meta.main) {
  const only = Deno.args[0];
  for (const b of BENCHMARKS) {
    if (only && b.name !== only) continue;
    console.log(`# ${b.name}`);
    for (const l of await b.run()) console.log(l);
  }
}
