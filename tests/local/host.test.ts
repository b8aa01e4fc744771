/**
 * The local host end to end: real workflows through the real engine, stored in SQLite, run as host
 * processes (and as podman pods where podman is installed).
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import type { NodeStatus, Workflow } from "../../controller/spec/types.ts";
import { LocalHost } from "../../controller/local/host.ts";
import { Store } from "../../controller/local/store.ts";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { isAlive, readState } from "../../controller/local/runtime/process_pids.ts";
import { PodmanRuntime } from "../../controller/local/runtime/podman.ts";
import type { Runtime } from "../../controller/local/runtime/mod.ts";
import { podmanSkipReason, testImages, testSetup } from "./podman_env.ts";

async function processHost(dataDir?: string, onReconcile: () => void = () => {}) {
  const dir = dataDir ?? await Deno.makeTempDir({ prefix: "skiff-host-" });
  const runtime = new ProcessRuntime({ dataDir: dir, graceSeconds: 2, warn: () => {} });
  return { dir, host: new LocalHost({ store: Store.open(dir), runtime, onReconcile }) };
}

async function podmanHost(dataDir?: string) {
  const dir = dataDir ?? await Deno.makeTempDir({ prefix: "skiff-host-" });
  const runtime = new PodmanRuntime({
    dataDir: dir,
    images: testImages,
    graceSeconds: 2,
    setup: await testSetup(),
  });
  return { dir, host: new LocalHost({ store: Store.open(dir), runtime }) };
}

function workflow(yaml: string): Workflow {
  return parse(yaml) as Workflow;
}

function nodesByDisplayName(wf: Workflow) {
  return Object.fromEntries(Object.values(wf.status?.nodes ?? {}).map((n) => [n.displayName ?? n.name, n]));
}

const OUTPUT_PARAMETERS = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: output-parameter-
spec:
  entrypoint: output-parameter
  templates:
  - name: output-parameter
    steps:
    - - name: generate-parameter
        template: whalesay
    - - name: consume-parameter
        template: print-message
        arguments:
          parameters:
          - name: message
            value: "{{steps.generate-parameter.outputs.parameters.hello-param}}"
      - name: in-parallel
        template: print-message
        arguments:
          parameters:
          - name: message
            value: "parallel"
  - name: whalesay
    container:
      image: docker/whalesay:latest
      command: [sh, -c]
      args: ["sleep 1; echo -n hello world > /tmp/hello_world.txt"]
    outputs:
      parameters:
      - name: hello-param
        valueFrom:
          path: /tmp/hello_world.txt
  - name: print-message
    inputs:
      parameters:
      - name: message
    container:
      image: docker/whalesay:latest
      command: [sh, -c]
      args: ["sleep 1; echo {{inputs.parameters.message}}"]
`;

async function outputParametersRun(host: LocalHost) {
  const submitted = host.submit(workflow(OUTPUT_PARAMETERS));
  assert.match(submitted.name, /^output-parameter-[a-z0-9]{5}$/);
  const done = await host.waitFor("default", submitted.name);
  assert.equal(done.phase, "Succeeded", done.object.status?.message ?? "");
  const nodes = nodesByDisplayName(done.object);
  assert.deepEqual(nodes["generate-parameter"]?.outputs?.parameters?.map((p) => [p.name, p.value]), [[
    "hello-param",
    "hello world",
  ]]);
  assert.equal(nodes["consume-parameter"]?.outputs?.result, "hello world");
  assert.equal(nodes["in-parallel"]?.outputs?.result, "parallel");
  // The two steps of the second group ran at the same time.
  const t = (s?: string | null) => Date.parse(s!);
  const a = nodes["consume-parameter"]!, b = nodes["in-parallel"]!;
  assert.ok(
    t(a.startedAt) < t(b.finishedAt) && t(b.startedAt) < t(a.finishedAt),
    "parallel steps did not overlap",
  );
  assert.equal(await host.logs("default", submitted.name, a.id), "hello world\n");
  const reasons = host.store.events(submitted.uid).map((e) => e.reason);
  assert.ok(reasons.includes("WorkflowRunning") && reasons.includes("WorkflowSucceeded"), reasons.join(","));
  assert.equal(host.store.pendingActions(submitted.uid).length, 0);
}

Deno.test("process runtime: steps pass an output parameter on; parallel steps overlap; logs and events stored", async () => {
  const { host } = await processHost();
  await outputParametersRun(host);
  await host.close();
});

Deno.test("a failing step fails the workflow with Argo's message", async () => {
  const { host } = await processHost();
  const w = host.submit(workflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: fails}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [sh, -c, "echo bad >&2; exit 2"]}
`));
  const done = await host.waitFor("default", w.name);
  assert.equal(done.phase, "Failed");
  const node = Object.values(done.object.status!.nodes!)[0]!;
  assert.equal(node.outputs?.exitCode, "2");
  assert.match(node.message!, /exit code 2/);
  await host.close();
});

Deno.test("terminating a workflow kills its running step within the grace period", async () => {
  const { host } = await processHost();
  const w = host.submit(workflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: long}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [sleep, "60"]}
`));
  await waitUntil(() => host.runtime.observe(podNodeId(host, w.name)!)?.phase === "Running");
  const t0 = performance.now();
  host.update("default", w.name, (wf) => ({ ...wf, spec: { ...wf.spec, shutdown: "Terminate" } }));
  const done = await host.waitFor("default", w.name);
  assert.equal(done.phase, "Failed");
  assert.match(done.object.status?.message ?? "", /Stopped with strategy 'Terminate'|shutdown/);
  await waitUntil(() => host.runtime.observe(podNodeId(host, w.name)!)?.phase === "Failed");
  // SIGTERM ended it (143), not the SIGKILL at the end of the 2 s grace period (137).
  assert.equal(host.runtime.observe(podNodeId(host, w.name)!)?.exitCode, 143);
  assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
  await host.close();
});

Deno.test("a step's Running status is stored without waiting for the next transition, and close() stores what waited", async () => {
  let reconciled = 0;
  const { dir, host } = await processHost(undefined, () => reconciled++);
  const sleeper = (name: string) =>
    workflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: ${name}}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: alpine, command: [sleep, "3"]}
`);
  // What \`skiff get\` reads (the store) shows the step Running while it runs.
  const a = host.submit(sleeper("running-stored"));
  await waitUntil(() => podNode(host, a.name)?.phase === "Running", 2500);
  assert.ok(podNode(host, a.name)?.startedAt, JSON.stringify(podNode(host, a.name)));

  // A host closed the moment its step runs has stored that before close() returns.
  const b = host.submit(sleeper("running-at-close"));
  await new Promise<void>((resolve) => {
    const off = host.runtime.subscribe((c) => {
      if (c.workflow.name === b.name && c.observation.phase === "Running") {
        off();
        resolve();
      }
    });
  });
  // The host's reconcile of that change (a Running waits a little for the step's end: a short
  // step's two changes fold into one reconcile).
  const before = reconciled;
  await waitUntil(() => reconciled > before, 2000);
  await host.close();
  host.store.close();
  const reopened = Store.open(dir);
  const stored = reopened.getWorkflow<Workflow>("default", b.name)!;
  const node = Object.values(stored.object.status?.nodes ?? {}).find((n) => n.type === "Pod");
  assert.equal(node?.phase, "Running");
  reopened.close();
});

Deno.test("restart: finished steps never run again, a running one is adopted, a lost one is retried", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-host-" });
  const marks = `${dir}/marks`;
  await Deno.mkdir(marks);
  const first = await processHost(dir);
  const w = first.host.submit(workflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: restart}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: once, template: once}
    - - {name: slow, template: slow}
      - {name: lost, template: lost}
  - name: once
    container: {image: alpine, command: [sh, -c, "echo x >> ${marks}/once"]}
  - name: slow
    container: {image: alpine, command: [sh, -c, "sleep 2; echo slow done"]}
  - name: lost
    retryStrategy: {limit: 2, retryPolicy: Always}
    container:
      image: alpine
      command: [sh, -c, "if [ -f ${marks}/lost ]; then echo second try; else touch ${marks}/lost; sleep 60; fi"]
`));
  await waitUntil(async () => {
    try {
      await Deno.stat(`${marks}/lost`);
      return true;
    } catch {
      return false;
    }
  });
  await first.host.close();
  first.host.store.close();
  // The machine "reboots" under the lost step: its executor and command die without a result.
  for (const s of await new ProcessRuntime({ dataDir: dir }).list()) {
    const nodeDir = `${dir}/runs/default/restart/nodes/${s.nodeId}`;
    if (s.state !== "running" || !(await Deno.readTextFile(`${nodeDir}/step.json`)).includes("touch")) {
      continue;
    }
    await waitUntil(() => readState(nodeDir) !== undefined);
    const state = readState(nodeDir)!;
    Deno.kill(state.pid, "SIGKILL");
    Deno.kill(-state.childPid!, "SIGKILL");
    // As after a reboot, it is gone before skiff starts again (a signal is delivered, not awaited).
    await waitUntil(() => !isAlive(state.pid, nodeDir));
  }

  const second = await processHost(dir);
  await second.host.recover();
  const done = await second.host.waitFor("default", w.name);
  assert.equal(done.phase, "Succeeded", done.object.status?.message ?? "");
  assert.equal(await Deno.readTextFile(`${marks}/once`), "x\n");
  const nodes = Object.values(done.object.status!.nodes!);
  const slow = nodes.find((n) => n.displayName === "slow")!;
  assert.equal(slow.outputs?.result, "slow done");
  const lostAttempts = nodes.filter((n) => n.type === "Pod" && n.templateName === "lost");
  assert.deepEqual(lostAttempts.map((n) => [n.phase, n.message ?? ""]).sort(), [[
    "Error",
    "pod deleted: the step's process ended with skiff (restarted while the step ran) and left no result",
  ], ["Succeeded", ""]]);
  await second.host.close();
});

Deno.test({
  name: "podman runtime: the same workflow in containers",
  ignore: podmanSkipReason !== undefined,
}, async () => {
  const { host } = await podmanHost();
  await outputParametersRun(host);
  await host.close();
});

Deno.test({
  name: "podman runtime: a restarted host adopts a running container",
  ignore: podmanSkipReason !== undefined,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-host-" });
  const first = await podmanHost(dir);
  const w = first.host.submit(workflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: adopt-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "echo begun; sleep 2; echo ended"]}
`));
  await waitUntil(() => {
    const id = podNodeId(first.host, w.name);
    return id !== undefined && first.host.runtime.observe(id)?.phase === "Running";
  });
  await first.host.close();
  first.host.store.close();
  const second = await podmanHost(dir);
  await second.host.recover();
  const done = await second.host.waitFor("default", w.name);
  assert.equal(done.phase, "Succeeded", done.object.status?.message ?? "");
  const node = Object.values(done.object.status!.nodes!)[0]!;
  assert.equal(node.outputs?.result, "begun\nended");
  await (second.host.runtime as Runtime).cleanup({ namespace: "default", name: w.name });
  await second.host.close();
});

function podNode(host: LocalHost, name: string): NodeStatus | undefined {
  const wf = host.get("default", name);
  return Object.values(wf?.object.status?.nodes ?? {}).find((n) => n.type === "Pod");
}

function podNodeId(host: LocalHost, name: string): string | undefined {
  const wf = host.get("default", name);
  return Object.values(wf?.object.status?.nodes ?? {}).find((n) => n.type === "Pod")?.id;
}

async function waitUntil(cond: () => boolean | Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}
