/**
 * The hard parts, on the real API server: the API server restarted mid-run, watches that go silent,
 * a status write that conflicts, the controller killed mid-workflow and started again, two
 * controllers at once. Each time the workflow must end as it would have, with no pod created twice.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { KubeClient, type Resource, WORKFLOWS, type WriteOptions } from "../../controller/kube/client.ts";
import { kubeconfigCredentials } from "../../controller/kube/kubeconfig.ts";
import type { KubeObject } from "../../controller/kube/client.ts";
import type { Workflow } from "../../controller/spec/types.ts";
import { eventually, type TestCluster } from "./cluster.ts";
import { spawnController } from "./controller_process.ts";
import { type Harness, newHarness, PodEvents } from "./harness.ts";
import { kubeconfigVia, StallingProxy } from "./proxy.ts";

/** Four steps one after the other, each a second long. */
export const SEQUENCE = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: seq-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: work, arguments: {parameters: [{name: n, value: "1"}]}}
    - - {name: b, template: work, arguments: {parameters: [{name: n, value: "2"}]}}
    - - {name: c, template: work, arguments: {parameters: [{name: n, value: "3"}]}}
    - - {name: d, template: work, arguments: {parameters: [{name: n, value: "4"}]}}
  - name: work
    inputs: {parameters: [{name: n}]}
    script:
      image: busybox
      command: [sh]
      source: "sleep 1; echo step {{inputs.parameters.n}}"
`;

function sequence(): Workflow {
  return parseYaml(SEQUENCE) as Workflow;
}

/** The workflow ended as it should: every step ran once and said its number. */
function assertSequenceDone(wf: Workflow): void {
  equal(wf.status?.phase, "Succeeded", wf.status?.message ?? "");
  const results = Object.values(wf.status?.nodes ?? {}).filter((n) => n.type === "Pod")
    .map((n) => [n.displayName, n.outputs?.result]).sort();
  deepEqual(results, [["a", "step 1"], ["b", "step 2"], ["c", "step 3"], ["d", "step 4"]]);
}

/** Resolves when the step `display` has a pod that runs. */
async function stepRunning(h: Harness, name: string, display: string): Promise<void> {
  await eventually(
    `step ${display} to run`,
    async () => {
      const wf = await h.get(name);
      return Object.values(wf.status?.nodes ?? {}).some((n) =>
          n.displayName === display && n.phase === "Running"
        )
        ? true
        : undefined;
    },
    60_000,
    100,
  );
}

export function defineResilienceTests(cluster: () => Promise<TestCluster>, skip: string | undefined): void {
  const test = (name: string, fn: (c: TestCluster) => Promise<void>) =>
    Deno.test({
      name: `kube resilience: ${name}${skip ? ` (skipped: ${skip})` : ""}`,
      ignore: skip !== undefined,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => await fn(await cluster()),
    });

  test("the API server is killed and restarted mid-run: watches resume, the workflow ends as usual", async (c) => {
    const lines: string[] = [];
    const h = await newHarness(c, "restart", {
      controller: { retryBackoffMs: { initial: 100, max: 2000 }, log: (l) => lines.push(l) },
    });
    const events = new PodEvents(c.client, h.namespace);
    try {
      const wf = await h.submit(sequence());
      await stepRunning(h, wf.metadata.name!, "b");
      await c.killApiserver();
      await new Promise((r) => setTimeout(r, 1500)); // b ends while the API server is away
      await c.start();
      const done = await h.waitDone(wf.metadata.name!, 150_000);
      assertSequenceDone(done);
      ok(lines.some((l) => /informer workflows: watch failed/.test(l)), "the watches saw the API server go");
      await new Promise((r) => setTimeout(r, 500));
      deepEqual(events.duplicates(), [], "no pod created twice");
      deepEqual([...h.kubelet.starts.values()].filter((n) => n > 1), []);
    } finally {
      await events.stop();
      await h.close();
    }
  });

  test("watches that go silent (a dead connection, no error) are noticed by the watchdog and resumed", async (c) => {
    const server = new URL(c.client.server);
    const proxy = new StallingProxy({ hostname: server.hostname, port: Number(server.port) });
    const via = await kubeconfigVia(c.kubeconfig, `https://127.0.0.1:${proxy.port}`);
    const proxied = new KubeClient(await kubeconfigCredentials(via), { timeoutMs: 5000 });
    const h = await newHarness(c, "stall", {
      controller: {
        client: proxied,
        // the server would end watches after 5 minutes: only the watchdog (3 s of silence) ends them here
        watch: { timeoutSeconds: 300, idleMs: 3000, backoffMs: { initial: 100, max: 1000 } },
        leaderElection: { leaseDurationMs: 30_000, renewDeadlineMs: 25_000, retryPeriodMs: 1000 },
      },
    });
    try {
      const wf = await h.submit(sequence());
      await stepRunning(h, wf.metadata.name!, "a");
      const stalled = proxy.stallAll();
      ok(stalled >= 3, `the watches' connections (${stalled}) went silent`);
      const done = await h.waitDone(wf.metadata.name!, 120_000);
      assertSequenceDone(done);
      const stalls = h.controller.workflows.stats.stalls + h.controller.pods.stats.stalls +
        h.controller.results.stats.stalls;
      ok(stalls >= 2, `the watchdog ended silent watches (${stalls})`);
      ok(h.controller.isLeader, "it kept leading throughout");
    } finally {
      await h.close();
      proxied.close();
      await proxy.close();
      await Deno.remove(via).catch(() => {});
    }
  });

  test("a status write that conflicts (409) is redone on the workflow as it is now; the other write is kept", async (c) => {
    const creds = await kubeconfigCredentials(c.kubeconfig);
    let injected = 0;
    /** Before the controller's first status writes, someone else writes the workflow. */
    class Meddling extends KubeClient {
      override async replace<T extends KubeObject>(
        res: Resource,
        ns: string | undefined,
        name: string,
        obj: T,
        opts: WriteOptions = {},
      ): Promise<T> {
        if (res.plural === "workflows" && opts.subresource === "status" && injected < 3) {
          injected++;
          await super.patch(WORKFLOWS, ns, name, "merge", {
            metadata: { annotations: { [`test/meddled-${injected}`]: "yes" } },
          });
        }
        return await super.replace(res, ns, name, obj, opts);
      }
    }
    const meddling = new Meddling(creds, { timeoutMs: 10_000 });
    const h = await newHarness(c, "conflict", { controller: { client: meddling } });
    try {
      const wf = await h.submit(sequence());
      const done = await h.waitDone(wf.metadata.name!, 90_000);
      assertSequenceDone(done);
      equal(injected, 3);
      ok(
        h.controller.reconciler.stats.conflicts >= 3,
        `conflicts seen: ${h.controller.reconciler.stats.conflicts}`,
      );
      for (let i = 1; i <= 3; i++) equal(done.metadata.annotations?.[`test/meddled-${i}`], "yes");
    } finally {
      await h.close();
      meddling.close();
    }
  });

  test("the controller is killed (SIGKILL) mid-workflow and started again: it adopts the pods, none is created twice", async (c) => {
    // the kubelet and service of the harness; the controller is a process of its own
    const h = await newHarness(c, "crash", {
      controller: {
        leaderElection: {
          leaseName: "in-process-unused",
          leaseDurationMs: 3000,
          renewDeadlineMs: 2000,
          retryPeriodMs: 500,
        },
      },
    });
    await h.controller.stop(); // only the separate process reconciles
    const events = new PodEvents(c.client, h.namespace);
    let proc = await spawnController(c.kubeconfig, h.namespace);
    try {
      const wf = await h.submit(sequence());
      const name = wf.metadata.name!;
      await stepRunning(h, name, "b");
      await proc.kill();
      // b ends while no controller runs; a second one takes the Lease once it expires
      proc = await spawnController(c.kubeconfig, h.namespace);
      const done = await h.waitDone(name, 120_000);
      assertSequenceDone(done);
      await new Promise((r) => setTimeout(r, 500));
      deepEqual(events.duplicates(), [], "no pod created twice");
      equal(events.deleted.size, 0, "no pod deleted");
      equal(events.added.size, 4);
      deepEqual([...h.kubelet.starts.values()], [1, 1, 1, 1]);
    } finally {
      await proc.kill();
      await events.stop();
      await h.close();
    }
  });

  test("two controllers at once: only the leader acts; the standby takes over when the leader stops", async (c) => {
    const h = await newHarness(c, "two");
    const events = new PodEvents(c.client, h.namespace);
    const b = h.newController();
    try {
      await b.start();
      const first = await h.submit(sequence());
      const second = await h.submit(sequence());
      assertSequenceDone(await h.waitDone(first.metadata.name!, 90_000));
      assertSequenceDone(await h.waitDone(second.metadata.name!, 90_000));
      ok(h.controller.isLeader && !b.isLeader);
      equal(b.reconciler.stats.reconciles, 0, "the standby reconciled nothing");
      equal(b.reconciler.stats.podsCreated, 0);
      equal(h.controller.reconciler.stats.podsCreated, 8);

      await h.controller.stop(); // releases the Lease
      await b.waitUntilLeading(20_000);
      const third = await h.submit(sequence());
      assertSequenceDone(await h.waitDone(third.metadata.name!, 90_000));
      equal(b.reconciler.stats.podsCreated, 4, "the new leader ran the third workflow");
      await new Promise((r) => setTimeout(r, 500));
      deepEqual(events.duplicates(), []);
    } finally {
      await events.stop();
      await h.close();
    }
  });
}
