/** One Deno test per local example and runtime (see examples_run.ts for what is checked). */
import { podmanSkipReason } from "../local/podman_env.ts";
import {
  knownGaps,
  localExamples,
  runExample,
  RUNTIME_LIMITS,
  type RuntimeName,
  unmetExpectations,
} from "./examples_run.ts";

const runGaps = Deno.env.get("SKIFF_E2E_GAPS") === "1";

/** Defines the example tests of one runtime. */
export function defineExampleTests(runtime: RuntimeName): void {
  for (const ex of localExamples()) {
    const limit = RUNTIME_LIMITS[runtime][ex.name];
    const gap = knownGaps[`${runtime}:${ex.name}`];
    let why = "";
    if (runtime === "podman" && podmanSkipReason) why = podmanSkipReason;
    else if (limit) why = `not for this runtime: ${limit}`;
    else if (gap && !runGaps) why = `known gap: ${gap}`;
    Deno.test({
      name: `e2e ${runtime}: ${ex.name}${why ? ` (skipped, ${why})` : ""}`,
      ignore: why !== "",
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const run = await runExample(ex, runtime);
        const unmet = unmetExpectations(ex, run);
        if (unmet.length > 0) {
          throw new Error(`${ex.name} on ${runtime}:\n  ${unmet.join("\n  ")}`);
        }
        if (gap) console.log(`known gap ${runtime}:${ex.name} now passes: remove it from knownGaps`);
      },
    });
  }
}
