/**
 * `argo retry` on the local host: only the failed step runs again (counted by the lines it appends
 * to a file), parameters may change, a succeeded step runs again when selected, and a retry the
 * host stopped in the middle of is finished by the next host.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import type { Workflow } from "../../controller/spec/types.ts";
import { attemptId, LocalHost } from "../../controller/local/host.ts";
import { Store } from "../../controller/local/store.ts";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { PodmanRuntime } from "../../controller/local/runtime/podman.ts";
import { podmanSkipReason, testImages, testSetup } from "./podman_env.ts";

function processHost(dir: string) {
  const runtime = new ProcessRuntime({ dataDir: dir, graceSeconds: 2, warn: () => {} });
  return new LocalHost({ store: Store.open(dir), runtime });
}

/**
 * setup -> flaky -> after. `flaky` appends a line to marks/flaky each run and fails until it has
 * run `passOn` times; it prints the `msg` parameter.
 */
function flakyWorkflow(marks: string, passOn = 2, volumes = ""): Workflow {
  return parse(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: retry-me}
spec:
  entrypoint: main
  arguments: {parameters: [{name: msg, value: first}]}
  ${volumes ? `volumes: [{name: marks, hostPath: {path: ${marks}}}]` : ""}
  templates:
  - name: main
    steps:
    - - {name: setup, template: count, arguments: {parameters: [{name: what, value: setup}]}}
    - - {name: flaky, template: flaky}
    - - {name: after, template: count, arguments: {parameters: [{name: what, value: after}]}}
  - name: count
    inputs: {parameters: [{name: what}]}
    container:
      image: busybox
      command: [sh, -c, "echo x >> ${marks}/{{inputs.parameters.what}}"]
      ${volumes ? `volumeMounts: [{name: marks, mountPath: ${marks}}]` : ""}
  - name: flaky
    container:
      image: busybox
      command:
      - sh
      - -c
      - 'echo x >> ${marks}/flaky; echo {{workflow.parameters.msg}}; [ $(wc -l < ${marks}/flaky) -ge ${passOn} ]'
      ${volumes ? `volumeMounts: [{name: marks, mountPath: ${marks}}]` : ""}
`) as Workflow;
}

async function runs(marks: string, what: string): Promise<number> {
  const text = await Deno.readTextFile(`${marks}/${what}`).catch(() => "");
  return text.split("\n").filter(Boolean).length;
}

function nodeNamed(wf: Workflow, displayName: string) {
  return Object.values(wf.status?.nodes ?? {}).find((n) => n.displayName === displayName);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function setUp() {
  const dir = await Deno.makeTempDir({ prefix: "skiff-retry-" });
  const marks = `${dir}/marks`;
  await Deno.mkdir(marks);
  return { dir, marks };
}

Deno.test("retry runs only the failed step again, with a changed parameter; its old attempt is removed", async () => {
  const { dir, marks } = await setUp();
  const host = processHost(dir);
  host.submit(flakyWorkflow(marks));
  const failed = await host.waitFor("default", "retry-me");
  assert.equal(failed.phase, "Failed");
  const flakyId = nodeNamed(failed.object, "flaky")!.id;
  assert.equal(nodeNamed(failed.object, "after"), undefined);

  const retried = host.retry("default", "retry-me", { parameters: ["msg=second"] });
  assert.equal(retried.phase, "Running");
  assert.equal(nodeNamed(retried.object, "flaky"), undefined, "the failed step is forgotten");
  assert.equal(nodeNamed(retried.object, "setup")?.phase, "Succeeded", "succeeded work is kept");
  const done = await host.waitFor("default", "retry-me");
  assert.equal(done.phase, "Succeeded", done.object.status?.message ?? "");

  assert.deepEqual(
    [await runs(marks, "setup"), await runs(marks, "flaky"), await runs(marks, "after")],
    [1, 2, 1],
  );
  const flaky = nodeNamed(done.object, "flaky")!;
  assert.equal(flaky.id, flakyId, "the retried step keeps its node id");
  assert.equal(flaky.outputs?.result, "second");
  assert.equal(await host.logs("default", "retry-me", flaky.id), "second\n");
  const reasons = host.store.events(done.uid).map((e) => e.reason);
  assert.ok(reasons.includes("WorkflowRetried"), reasons.join(","));

  await host.close();
  const nodes = `${dir}/runs/default/retry-me/nodes`;
  assert.equal(await exists(`${nodes}/${flakyId}`), false, "the first attempt's files are removed");
  assert.equal(await exists(`${nodes}/${attemptId(flakyId, 1)}`), true);
  assert.deepEqual(host.store.pendingAttemptCleanups(), []);
  host.store.close();
});

Deno.test("retry twice; retry of a succeeded workflow needs restartSuccessful and a selector", async () => {
  const { dir, marks } = await setUp();
  const host = processHost(dir);
  host.submit(flakyWorkflow(marks, 3));
  assert.equal((await host.waitFor("default", "retry-me")).phase, "Failed");
  host.retry("default", "retry-me");
  assert.equal((await host.waitFor("default", "retry-me")).phase, "Failed");
  host.retry("default", "retry-me");
  const done = await host.waitFor("default", "retry-me");
  assert.equal(done.phase, "Succeeded", done.object.status?.message ?? "");
  assert.deepEqual([await runs(marks, "setup"), await runs(marks, "flaky")], [1, 3]);
  const flakyId = nodeNamed(done.object, "flaky")!.id;
  assert.deepEqual(host.store.nodeAttempts(done.uid), { [flakyId]: 2 });

  assert.throws(() => host.retry("default", "retry-me"), /restartSuccessful and nodeFieldSelector/);
  // A selected succeeded step runs again (with what follows it: nothing, for the last one).
  host.retry("default", "retry-me", { restartSuccessful: true, nodeFieldSelector: "displayName=after" });
  const again = await host.waitFor("default", "retry-me");
  assert.equal(again.phase, "Succeeded", again.object.status?.message ?? "");
  assert.deepEqual(
    [await runs(marks, "setup"), await runs(marks, "flaky"), await runs(marks, "after")],
    [1, 3, 2],
  );
  await host.close();
  host.store.close();
});

Deno.test("a retry stored by a host that stopped at once is carried out by the next host", async () => {
  const { dir, marks } = await setUp();
  const first = processHost(dir);
  first.submit(flakyWorkflow(marks));
  const failed = await first.waitFor("default", "retry-me");
  assert.equal(failed.phase, "Failed");
  const flakyId = nodeNamed(failed.object, "flaky")!.id;
  first.retry("default", "retry-me");
  await first.close(); // before it reconciled the retried workflow or removed the old attempt
  assert.equal(await runs(marks, "flaky"), 1);
  assert.equal(first.store.pendingAttemptCleanups().length, 1);
  first.store.close();

  const second = processHost(dir);
  await second.recover();
  const done = await second.waitFor("default", "retry-me");
  assert.equal(done.phase, "Succeeded", done.object.status?.message ?? "");
  assert.deepEqual(
    [await runs(marks, "setup"), await runs(marks, "flaky"), await runs(marks, "after")],
    [1, 2, 1],
  );
  await second.close();
  assert.equal(await exists(`${dir}/runs/default/retry-me/nodes/${flakyId}`), false);
  assert.deepEqual(second.store.pendingAttemptCleanups(), []);
  second.store.close();
});

Deno.test({
  name: "podman runtime: retry runs the failed step again in a new pod",
  ignore: podmanSkipReason !== undefined,
}, async () => {
  const { dir, marks } = await setUp();
  const runtime = new PodmanRuntime({
    dataDir: dir,
    images: testImages,
    graceSeconds: 2,
    setup: await testSetup(),
  });
  const host = new LocalHost({ store: Store.open(dir), runtime });
  try {
    host.submit(flakyWorkflow(marks, 2, "hostPath"));
    assert.equal((await host.waitFor("default", "retry-me")).phase, "Failed");
    host.retry("default", "retry-me", { parameters: ["msg=second"] });
    const done = await host.waitFor("default", "retry-me");
    assert.equal(done.phase, "Succeeded", done.object.status?.message ?? "");
    assert.deepEqual(
      [await runs(marks, "setup"), await runs(marks, "flaky"), await runs(marks, "after")],
      [1, 2, 1],
    );
    assert.equal(nodeNamed(done.object, "flaky")?.outputs?.result, "second");
  } finally {
    await runtime.cleanup({ namespace: "default", name: "retry-me" });
    await host.close();
    host.store.close();
  }
});
