/**
 * `skiff run` as a user runs it (a child process of `deno run -A main.ts run ...`): exit codes,
 * `-o json` printing only JSON, `-p` overrides, lint errors stopping the run, logs prefixed with
 * the pod name, the missing-image hint, and Ctrl-C (stop, then terminate).
 */
import assert from "node:assert/strict";
import type { Workflow } from "../../controller/spec/types.ts";
import { podmanSkipReason, TEST_IMAGE } from "../local/podman_env.ts";
import { skiff, skiffChild, waitFor, writeWorkflow } from "./cli_helpers.ts";

const examples = new URL("../../examples/", import.meta.url).pathname;
const opts = { sanitizeOps: false, sanitizeResources: false };

function parseJson(stdout: string): Workflow {
  // Only JSON on stdout: the whole of it parses.
  return JSON.parse(stdout) as Workflow;
}

function node(wf: Workflow, display: string) {
  return Object.values(wf.status?.nodes ?? {}).find((n) => n.displayName === display);
}

Deno.test({
  name: "skiff run -o json: exit 0 on Succeeded, stdout is the final Workflow and nothing else",
  ...opts,
  fn: async () => {
    const r = await skiff("run", `${examples}steps.yaml`, "--runtime", "process", "-o", "json");
    assert.equal(r.code, 0, r.stderr);
    const wf = parseJson(r.stdout);
    assert.equal(wf.kind, "Workflow");
    assert.equal(wf.status?.phase, "Succeeded");
    assert.equal(node(wf, "hello2b")?.outputs?.result, "hello2b");
    // Progress (logs with the pod name, the tree) went to stderr.
    assert.match(r.stderr, new RegExp(`${wf.metadata.name}-print-message-\\d+: hello1\\n`));
    assert.match(r.stderr, /STEP\s+TEMPLATE\s+PODNAME\s+DURATION\s+MESSAGE/);
  },
});

Deno.test({
  name: "skiff run: without -o, logs and the tree go to stdout; exit 1 when the workflow Failed",
  ...opts,
  fn: async () => {
    const r = await skiff("run", `${examples}exit-handlers.yaml`, "--runtime", "process");
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /exit-handlers-\w{5}: intentional failure/);
    assert.match(r.stdout, /-cry-\d+: boohoo!/);
    assert.match(r.stdout, /Status:\s+Failed/);
    assert.match(r.stdout, /Workflow exit-handlers-\w{5} Failed/);
  },
});

Deno.test({
  name: "skiff run -p overrides a parameter, and adds an undeclared one as argo submit does",
  ...opts,
  fn: async () => {
    const file = await writeWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: params-}
spec:
  entrypoint: main
  arguments: {parameters: [{name: message, value: default}]}
  templates:
  - name: main
    inputs: {parameters: [{name: message, value: "{{workflow.parameters.message}}"}]}
    container: {image: busybox, command: [echo, "said {{inputs.parameters.message}}"]}
`);
    const r = await skiff("run", file, "--runtime", "process", "-p", "message=bonjour", "-o", "json");
    assert.equal(r.code, 0, r.stderr);
    const wf = parseJson(r.stdout);
    assert.equal(Object.values(wf.status!.nodes!)[0]!.outputs?.result, "said bonjour");
    assert.equal(wf.spec.arguments?.parameters?.[0]?.value, "bonjour");

    // Not declared: added to spec.arguments, and lint takes {{workflow.parameters.extra}} as declared.
    const extra = await writeWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: params-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, "got {{workflow.parameters.extra}}"]}
`);
    const added = await skiff("run", extra, "--runtime", "process", "-p", "extra=1", "-o", "json");
    assert.equal(added.code, 0, added.stderr);
    const done = parseJson(added.stdout);
    assert.deepEqual(done.spec.arguments?.parameters, [{ name: "extra", value: "1" }]);
    assert.equal(Object.values(done.status!.nodes!)[0]!.outputs?.result, "got 1");

    // Without -p the reference is an error at its line, as before.
    const lint = await skiff("run", extra, "--runtime", "process");
    assert.notEqual(lint.code, 0);
    assert.match(lint.stderr, /workflow.yaml:8:49: error: .*workflow parameter "extra" is not declared/);

    const bad = await skiff("run", file, "--runtime", "process", "-p", "nope");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /-p: expected parameter of the form: NAME=VALUE. Received: nope/);
    assert.equal(bad.stdout, "");
  },
});

Deno.test({
  name: "skiff run: lint errors are printed as file:line:col and nothing runs (exit 1)",
  ...opts,
  fn: async () => {
    const marks = await Deno.makeTempDir({ prefix: "skiff-cli-marks-" });
    const file = await writeWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: broken-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: ran, template: touch}
    - - {name: missing, template: no-such-template}
  - name: touch
    container: {image: busybox, command: [sh, -c, "touch ${marks}/ran"]}
`);
    const r = await skiff("run", file, "--runtime", "process", "-o", "json");
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(
      r.stderr,
      new RegExp(
        `${
          file.replaceAll(".", "\\.")
        }:10:35: error: step "missing" calls unknown template "no-such-template"`,
      ),
    );
    assert.match(r.stderr, /not running it/);
    assert.equal(await Deno.stat(`${marks}/ran`).then(() => true, () => false), false);
  },
});

Deno.test({
  name: "skiff run: Ctrl-C stops the workflow and its exit handler runs; a second Ctrl-C terminates",
  ...opts,
  fn: async () => {
    const marks = await Deno.makeTempDir({ prefix: "skiff-cli-marks-" });
    const file = await writeWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: interrupted-}
spec:
  entrypoint: main
  onExit: cleanup
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "echo started > ${marks}/main; sleep 60"]}
  - name: cleanup
    container: {image: busybox, command: [sh, -c, "echo {{workflow.status}} > ${marks}/cleanup; sleep 60"]}
`);
    const child = skiffChild("run", file, "--runtime", "process", "-o", "json");
    await waitFor(() => Deno.stat(`${marks}/main`).then(() => true, () => false));
    child.kill("SIGINT");
    await waitFor(() => Deno.stat(`${marks}/cleanup`).then(() => true, () => false));
    assert.equal((await Deno.readTextFile(`${marks}/cleanup`)).trim(), "Failed");
    // The exit handler sleeps: a second Ctrl-C terminates it.
    child.kill("SIGINT");
    const r = await child.result;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /stopping workflow interrupted-\w{5} \(exit handlers run\)/);
    assert.match(r.stderr, /terminating workflow/);
    const wf = parseJson(r.stdout);
    assert.equal(wf.status?.phase, "Failed");
    assert.equal(wf.spec.shutdown, "Terminate");
    const exitNode = Object.values(wf.status!.nodes!).find((n) => n.name.endsWith(".onExit"));
    assert.equal(exitNode?.phase, "Failed", JSON.stringify(exitNode));
  },
});

Deno.test({
  name: "skiff run --runtime podman: a missing image is named with the --image-map rule that maps it",
  ignore: podmanSkipReason !== undefined,
  ...opts,
  fn: async () => {
    const r = await skiff("run", `${examples}hello-world.yaml`, "--runtime", "podman", "-o", "json");
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /image docker\/whalesay is not on this machine and cannot be pulled/);
    assert.match(r.stderr, /--image-map 'docker\/whalesay=localhost\/skiff-test'/);
  },
});

Deno.test({
  name: "skiff run --runtime podman --image-map: hello-world in a container, logs prefixed with the pod name",
  ignore: podmanSkipReason !== undefined,
  ...opts,
  fn: async () => {
    const r = await skiff(
      "run",
      `${examples}hello-world.yaml`,
      "--runtime",
      "podman",
      "--image-map",
      `docker/whalesay=${TEST_IMAGE}`,
      "-o",
      "json",
    );
    assert.equal(r.code, 0, r.stderr);
    const wf = parseJson(r.stdout);
    assert.equal(wf.status?.phase, "Succeeded");
    assert.match(r.stderr, new RegExp(`${wf.metadata.name}: < hello world >`));
    // The run's pods are gone.
    const left = await new Deno.Command("podman", {
      args: ["pod", "ps", "-q", "--filter", `label=skiff.workflow=${wf.metadata.name}`],
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(left.stdout).trim(), "");
  },
});

Deno.test({
  name: "skiff run --continue refuses a data dir that a live skiff run still uses",
  ...opts,
  fn: async () => {
    const marks = await Deno.makeTempDir({ prefix: "skiff-cli-marks-" });
    const data = await Deno.makeTempDir({ prefix: "skiff-cli-data-" });
    const file = await writeWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: busy-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "touch ${marks}/started; sleep 30"]}
`);
    const first = skiffChild("run", file, "--runtime", "process", "--data-dir", data);
    await waitFor(() => Deno.stat(`${marks}/started`).then(() => true, () => false));
    const second = await skiff("run", "--continue", "--data-dir", data);
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`another skiff run \\(pid ${first.pid}\\) is using ${data}`));
    first.kill("SIGINT");
    const r = await first.result;
    assert.equal(r.code, 1, r.stderr);
  },
});

Deno.test({
  name: "skiff run --max-steps N: at most N steps at once; 0 or a word is a usage error naming the default",
  ...opts,
  fn: async () => {
    const file = await writeWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: limited-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: nap, template: nap, withSequence: {count: "4"}}
  - name: nap
    container: {image: busybox, command: [sh, -c, "date +%s.%N; sleep 1; date +%s.%N"]}
`);
    const r = await skiff("run", file, "--runtime", "process", "--max-steps", "1", "-o", "json");
    assert.equal(r.code, 0, r.stderr);
    const wf = parseJson(r.stdout);
    // One at a time: each step starts after the one before it ended.
    const spans = Object.values(wf.status!.nodes!).filter((n) => n.type === "Pod")
      .map((n) => (n.outputs?.result ?? "").split("\n").map(Number) as [number, number])
      .sort((a, b) => a[0] - b[0]);
    assert.equal(spans.length, 4);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i]![0] >= spans[i - 1]![1], JSON.stringify(spans));

    for (const value of ["0", "many"]) {
      const bad = await skiff("run", file, "--runtime", "process", "--max-steps", value);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(
        bad.stderr,
        /--max-steps must be a whole number of at least 1 .*leave it out for the default, \d+ on this machine/,
      );
    }
    const server = await skiff("server", "--max-steps", "0", "--auth-mode", "none", "--port", "0");
    assert.equal(server.code, 2, server.stderr);
    assert.match(server.stderr, /--max-steps must be a whole number/);
  },
});
