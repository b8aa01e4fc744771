/**
 * A few examples through the CLI, as a user runs them: `skiff run EXAMPLE -o json` in a child
 * process. The final Workflow comes from stdout (JSON only), each node's log from the progress on
 * stderr (lines `POD: text`, as `argo logs` prefixes them); every expectation of the example's
 * header is checked as in the in-process runs.
 */
import { podName } from "../../controller/engine/names.ts";
import type { Workflow } from "../../controller/spec/types.ts";
import { listExamples } from "../examples_header.ts";
import { podmanSkipReason, TEST_IMAGE } from "../local/podman_env.ts";
import { skiff } from "./cli_helpers.ts";
import { type ExampleRun, knownGaps, RUNTIME_LIMITS, unmetExpectations } from "./examples_run.ts";

const CASES: [string, "process" | "podman"][] = [
  ["steps.yaml", "process"],
  ["dag-diamond.yaml", "process"],
  ["loops-maps.yaml", "process"],
  ["retry-backoff.yaml", "process"],
  ["secrets.yaml", "process"],
  ["hello-world.yaml", "podman"],
  ["scripts-python.yaml", "podman"],
];

/** Each Pod node's log, from the `POD: text` lines of the progress output. */
function logsFromProgress(wf: Workflow, progress: string): Map<string, string> {
  const byPod = new Map<string, string>();
  for (const n of Object.values(wf.status?.nodes ?? {})) {
    if (n.type !== "Pod") continue;
    byPod.set(podName(wf.metadata.name!, n.name, n.templateRef?.template ?? n.templateName ?? ""), n.id);
  }
  const logs = new Map<string, string>();
  for (const line of progress.split("\n")) {
    const colon = line.indexOf(": ");
    const id = colon > 0 ? byPod.get(line.slice(0, colon)) : undefined;
    if (id) logs.set(id, (logs.get(id) ?? "") + line.slice(colon + 2) + "\n");
  }
  return logs;
}

for (const [file, runtime] of CASES) {
  const ex = listExamples().find((e) => e.name === file)!;
  const why = runtime === "podman" && podmanSkipReason
    ? podmanSkipReason
    : RUNTIME_LIMITS[runtime][file] ?? knownGaps[`${runtime}:${file}`];
  Deno.test({
    name: `e2e cli: skiff run ${file} --runtime ${runtime} -o json${why ? ` (skipped: ${why})` : ""}`,
    ignore: why !== undefined,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const args = ["run", ex.path, "--runtime", runtime, "-o", "json"];
      if (runtime === "podman") args.push("--image-map", `*=${TEST_IMAGE}`);
      for (const p of ex.header.params) args.push("-p", p);
      const r = await skiff(...args);
      const workflow = JSON.parse(r.stdout) as Workflow;
      const run: ExampleRun = { workflow, logs: logsFromProgress(workflow, r.stderr) };
      const unmet = unmetExpectations(ex, run);
      if (unmet.length > 0) {
        throw new Error(`${file} via the CLI:\n  ${unmet.join("\n  ")}\nstderr:\n${r.stderr}`);
      }
      const expectedCode = workflow.status?.phase === "Succeeded" ? 0 : 1;
      if (r.code !== expectedCode) throw new Error(`exit code ${r.code}, expected ${expectedCode}`);
    },
  });
}
