/**
 * A workflow of 5,000 pods on the real API server: its status (2 MB of JSON, over etcd's 1.5 MiB
 * object limit) is stored as Argo stores large ones, gzipped in status.compressedNodes, and the
 * workflow completes with every pod created once. The fake kubelet runs nothing here: each pod
 * succeeds at once, reporting its `echo` arguments.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { WORKFLOWS } from "../../controller/kube/client.ts";
import type { WorkflowObject } from "../../controller/kube/reconciler.ts";
import { expandWorkflow } from "../../controller/kube/status.ts";
import type { Workflow } from "../../controller/spec/types.ts";
import type { TestCluster } from "./cluster.ts";
import { newHarness, PodEvents } from "./harness.ts";

const PODS = Number(Deno.env.get("SKIFF_KUBE_SCALE_PODS") ?? 5000);

const FAN_OUT = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: fan-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: item
        template: echo
        arguments: {parameters: [{name: i, value: "{{item}}"}]}
        withSequence: {count: "${PODS}"}
  - name: echo
    inputs: {parameters: [{name: i}]}
    container: {image: busybox, command: [echo, "item {{inputs.parameters.i}}"]}
`;

/** etcd's default limit on one object (--max-request-bytes 1.5 MiB). */
const ETCD_LIMIT = 1.5 * 1024 * 1024;

export function defineScaleTests(cluster: () => Promise<TestCluster>, skip: string | undefined): void {
  Deno.test({
    name:
      `kube scale: a ${PODS}-pod workflow completes; its status stays under etcd's limit through compressedNodes${
        skip ? ` (skipped: ${skip})` : ""
      }`,
    ignore: skip !== undefined,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const c = await cluster();
      const h = await newHarness(c, "scale", {
        kubeletMode: "instant",
        controller: { workers: 2, retryBackoffMs: { initial: 200, max: 5000 } },
      });
      const events = new PodEvents(c.client, h.namespace);
      try {
        const started = Date.now();
        const wf = await h.submit(parseYaml(FAN_OUT) as Workflow);
        const name = wf.metadata.name!;
        const done = await h.waitDone(name, 900_000, false);
        const seconds = (Date.now() - started) / 1000;
        console.log(
          `${PODS} pods in ${
            seconds.toFixed(0)
          } s; ${h.controller.reconciler.stats.reconciles} reconciles, ` +
            `${h.controller.reconciler.stats.statusWrites} status writes, ${h.controller.reconciler.stats.conflicts} conflicts`,
        );
        equal(done.status?.phase, "Succeeded", done.status?.message ?? "");
        const pods = Object.values(done.status?.nodes ?? {}).filter((n) => n.type === "Pod");
        equal(pods.length, PODS);
        ok(pods.every((n) => n.phase === "Succeeded"));
        const sample = pods.find((n) => n.displayName === `item(${PODS - 1}:${PODS - 1})`);
        equal(sample?.outputs?.result, `item ${PODS - 1}`);

        const raw = await c.client.get<WorkflowObject>(WORKFLOWS, h.namespace, name);
        const storedBytes = JSON.stringify(raw).length;
        const nodesBytes = JSON.stringify((await expandWorkflow(raw)).status?.nodes).length;
        console.log(`stored workflow ${storedBytes} bytes; its nodes uncompressed ${nodesBytes} bytes`);
        ok(raw.status?.compressedNodes, "status.compressedNodes is set");
        equal(raw.status?.nodes, undefined, "status.nodes is not stored beside it");
        ok(storedBytes < ETCD_LIMIT, `stored ${storedBytes} bytes < ${ETCD_LIMIT}`);
        if (PODS >= 5000) ok(nodesBytes > ETCD_LIMIT, "uncompressed, it would not fit");

        await new Promise((r) => setTimeout(r, 1000));
        deepEqual(events.duplicates(), [], "no pod created twice");
        equal(events.added.size, PODS);
      } finally {
        await events.stop();
        await h.close();
      }
    },
  });
}
