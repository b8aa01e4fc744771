/**
 * Crash and restart: `skiff run --data-dir D` is SIGKILLed in the middle of a three-step workflow
 * (as step 1 ends, while step 2 runs, as step 2 ends), then `skiff run --continue --data-dir D`
 * finishes it. The result is the same as an uninterrupted run, and no step that had run runs again:
 * each step appends a line to a file outside its sandbox (a hostPath volume), and every line is
 * there exactly once. On both runtimes (podman where installed).
 */
import assert from "node:assert/strict";
import type { Workflow } from "../../controller/spec/types.ts";
import { podmanSkipReason, TEST_IMAGE } from "../local/podman_env.ts";
import { skiff, type SkiffChild, skiffChild, waitFor, writeWorkflow } from "./cli_helpers.ts";

function workflowYaml(name: string, marks: string): string {
  const step = (name: string, script: string) => `
  - name: ${name}
    container:
      image: busybox
      command: [sh, -c, "${script}"]
      volumeMounts: [{name: marks, mountPath: /marks}]`;
  return `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: ${name}}
spec:
  entrypoint: main
  volumes:
  - name: marks
    hostPath: {path: ${marks}}
  templates:
  - name: main
    steps:
    - - {name: one, template: one}
    - - {name: two, template: two}
    - - {name: three, template: three}
${step("one", "echo one >> /marks/log; echo one done")}
${step("two", "echo two-start >> /marks/log; sleep 3; echo two-end >> /marks/log; echo two done")}
${step("three", "echo three >> /marks/log; echo three done")}
`;
}

/** Where to kill the host: once the marks file has this line. */
const KILL_POINTS: [string, string][] = [
  ["as step 1 ends", "one"],
  ["while step 2 runs", "two-start"],
  ["as step 2 ends", "two-end"],
];

for (const runtime of ["process", "podman"] as const) {
  for (const [when, line] of KILL_POINTS) {
    const skip = runtime === "podman" ? podmanSkipReason : undefined;
    Deno.test({
      name:
        `restart (${runtime}): SIGKILL of skiff run ${when}, then --continue: same result, no step runs twice${
          skip ? ` (skipped: ${skip})` : ""
        }`,
      ignore: skip !== undefined,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const marks = await Deno.makeTempDir({ prefix: "skiff-restart-marks-" });
        const data = await Deno.makeTempDir({ prefix: "skiff-restart-data-" });
        const name = `restart-${crypto.randomUUID().slice(0, 8)}`;
        const file = await writeWorkflow(workflowYaml(name, marks));
        const rt = [
          "--runtime",
          runtime,
          ...(runtime === "podman" ? ["--image-map", `*=${TEST_IMAGE}`] : []),
        ];
        const log = () => Deno.readTextFile(`${marks}/log`).catch(() => "");

        let first: SkiffChild | undefined;
        try {
          first = skiffChild("run", file, "--data-dir", data, ...rt);
          let ended = false;
          first.result.then(() => (ended = true));
          const child = first;
          await waitFor(
            async () => ended || (await log()).split("\n").includes(line),
            90_000,
            `"${line}" in ${marks}/log`,
          );
          if (ended) {
            assert.fail(`skiff run ended before "${line}" was written:\n${(await child.result).stderr}`);
          }
          first.kill("SIGKILL");
          const killed = await first.result;
          assert.equal(killed.signal, "SIGKILL", killed.stderr);

          const second = await skiff("run", "--continue", "--data-dir", data, "-o", "json");
          assert.equal(second.code, 0, second.stderr);
          const wf = JSON.parse(second.stdout) as Workflow;
          assert.equal(wf.status?.phase, "Succeeded", wf.status?.message ?? "");
          const results = Object.fromEntries(
            Object.values(wf.status!.nodes!).filter((n) => n.type === "Pod").map((
              n,
            ) => [n.displayName, n.outputs?.result]),
          );
          assert.deepEqual(results, { one: "one done", two: "two done", three: "three done" });
          // Each step ran once: every line once, in order.
          assert.deepEqual((await log()).trim().split("\n"), ["one", "two-start", "two-end", "three"]);
          assert.match(second.stderr, new RegExp(`continuing workflow ${name}`));
        } finally {
          try {
            first?.kill("SIGKILL");
          } catch {
            // it has ended
          }
          await removePods(name);
          await Deno.remove(data, { recursive: true }).catch(() => {});
          await Deno.remove(marks, { recursive: true }).catch(() => {});
        }
      },
    });
  }
}

/** Removes the pods a failed podman run left (a passing run removes its own). */
async function removePods(workflow: string): Promise<void> {
  if (podmanSkipReason) return;
  const ps = await new Deno.Command("podman", {
    args: ["pod", "ps", "-q", "--filter", `label=skiff.workflow=${workflow}`],
    stdout: "piped",
    stderr: "null",
  }).output();
  for (const id of new TextDecoder().decode(ps.stdout).split("\n").filter(Boolean)) {
    await new Deno.Command("podman", {
      args: ["pod", "rm", "-f", "-t", "0", id],
      stdout: "null",
      stderr: "null",
    })
      .output();
  }
}
