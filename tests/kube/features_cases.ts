/**
 * Features of the Kubernetes host on the real API server: the Argo-compatible HTTP API over the
 * cluster, workflow templates, user intents (terminate, retry), podGC and ttlStrategy, claims from
 * volumeClaimTemplates, instanceID, the controller's parallelism, and the managed namespace.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { NAMESPACES, PODS, PVCS, WORKFLOWS } from "../../controller/kube/client.ts";
import type { Pod } from "../../controller/kube/pods.ts";
import { podNameOf, POSTPONED_MESSAGE, type WorkflowObject } from "../../controller/kube/reconciler.ts";
import type { Workflow, WorkflowTemplate } from "../../controller/spec/types.ts";
import { createApp } from "../../web/app.ts";
import { eventually, type TestCluster } from "./cluster.ts";
import { newHarness } from "./harness.ts";

const wf = (yaml: string) => parseYaml(yaml) as Workflow;

const SLEEPER = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: sleeper-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [sh, -c, "echo started; sleep 60"]}
`;

export function defineFeatureTests(cluster: () => Promise<TestCluster>, skip: string | undefined): void {
  const test = (name: string, fn: (c: TestCluster) => Promise<void>) =>
    Deno.test({
      name: `kube features: ${name}${skip ? ` (skipped: ${skip})` : ""}`,
      ignore: skip !== undefined,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => await fn(await cluster()),
    });

  test("the Argo-compatible HTTP API serves the cluster: submit, get, list by phase, lint with line:col, templates", async (c) => {
    const h = await newHarness(c, "api");
    const ac = new AbortController();
    const listening = Promise.withResolvers<number>();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: (a) => listening.resolve(a.port) },
      createApp({ service: h.service, auth: { mode: "none" } }).fetch,
    );
    const base = `http://127.0.0.1:${await listening.promise}/api/v1`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(base + path, {
        method,
        ...(body !== undefined
          ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } }
          : {}),
      });
      return { status: res.status, body: await res.json() };
    };
    try {
      const ns = h.namespace;
      const created = await call("POST", `/workflows/${ns}`, {
        workflow: wf(`
metadata: {generateName: hello-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: busybox, command: [echo, hello from the API]}
`),
      });
      equal(created.status, 200, JSON.stringify(created.body));
      const name = created.body.metadata.name as string;
      ok(name.startsWith("hello-"));
      await eventually("it to succeed", async () => {
        const got = await call("GET", `/workflows/${ns}/${name}`);
        return got.body.status?.phase === "Succeeded" ? got : undefined;
      });
      const list = await call(
        "GET",
        `/workflows/${ns}?listOptions.labelSelector=workflows.argoproj.io/phase=Succeeded`,
      );
      deepEqual(list.body.items.map((w: Workflow) => w.metadata.name), [name]);

      const bad = await call("POST", `/workflows/${ns}`, {
        workflow: wf(
          `metadata: {generateName: bad-}\nspec: {entrypoint: nowhere, templates: [{name: main, container: {image: busybox}}]}`,
        ),
      });
      equal(bad.status, 400);
      ok(/\d+:\d+: .*nowhere/.test(bad.body.message), bad.body.message);

      // a WorkflowTemplate, and a workflow submitted from it (the controller resolves the reference)
      const tmpl = await call("POST", `/workflow-templates/${ns}`, {
        template: parseYaml(`
metadata: {name: greeter}
spec:
  entrypoint: main
  arguments: {parameters: [{name: who, value: world}]}
  templates:
  - name: main
    container: {image: busybox, command: [echo, "hello {{workflow.parameters.who}}"]}
`) as WorkflowTemplate,
      });
      equal(tmpl.status, 200, JSON.stringify(tmpl.body));
      const submitted = await call("POST", `/workflows/${ns}/submit`, {
        resourceKind: "WorkflowTemplate",
        resourceName: "greeter",
        submitOptions: { parameters: ["who=skiff"] },
      });
      equal(submitted.status, 200, JSON.stringify(submitted.body));
      const done = await h.waitDone(submitted.body.metadata.name);
      equal(done.status?.phase, "Succeeded", done.status?.message ?? "");
      equal(Object.values(done.status?.nodes ?? {})[0]?.outputs?.result, "hello skiff");
      equal(done.metadata.labels?.["workflows.argoproj.io/workflow-template"], "greeter");
      ok(done.status?.storedWorkflowTemplateSpec, "the template's spec is stored in the status");

      // a reference to no template: an Error, found by its phase label like any finished workflow
      const orphan = await h.submit(wf(`
metadata: {generateName: orphan-}
spec: {workflowTemplateRef: {name: no-such-template}}
`));
      const errored = await h.waitDone(orphan.metadata.name!);
      equal(errored.status?.phase, "Error");
      ok(/no-such-template/.test(errored.status?.message ?? ""), errored.status?.message ?? "");
      const byPhase = await call(
        "GET",
        `/workflows/${ns}?listOptions.labelSelector=workflows.argoproj.io/phase=Error`,
      );
      deepEqual(byPhase.body.items.map((w: Workflow) => w.metadata.name), [orphan.metadata.name]);
      equal(byPhase.body.items[0].metadata.labels["workflows.argoproj.io/completed"], "true");
    } finally {
      ac.abort();
      await server.finished;
      await h.close();
    }
  });

  test("terminate stops the running pod (activeDeadlineSeconds), and retry runs the failed step again", async (c) => {
    const h = await newHarness(c, "intents");
    try {
      const created = await h.submit(wf(SLEEPER));
      const name = created.metadata.name!;
      await eventually("the pod to run", async () => {
        const w = await h.get(name);
        return Object.values(w.status?.nodes ?? {}).some((n) => n.phase === "Running") ? true : undefined;
      });
      await h.service.terminateWorkflow(h.namespace, name);
      const done = await h.waitDone(name, 60_000);
      equal(done.status?.phase, "Failed");
      const podName = name; // the root node is the pod: it has the workflow's name
      const pod = await eventually("the pod to be stopped", async () => {
        const p = await h.client.get<Pod>(PODS, h.namespace, podName);
        return p.status?.phase === "Failed" ? p : undefined;
      }, 30_000);
      equal(pod.spec.activeDeadlineSeconds, 1);
      equal(pod.status?.reason, "DeadlineExceeded");

      // retry: fails the first time (a marker file), succeeds when retried
      const marker = `/tmp/skiff-retry-${crypto.randomUUID()}`;
      const flaky = await h.submit(wf(`
metadata: {generateName: flaky-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: ok, template: say}
    - - {name: flaky, template: flaky}
  - name: say
    container: {image: busybox, command: [echo, fine]}
  - name: flaky
    container: {image: busybox, command: [sh, -c, "if [ -e ${marker} ]; then echo second time; else touch ${marker}; exit 3; fi"]}
`));
      const failed = await h.waitDone(flaky.metadata.name!);
      equal(failed.status?.phase, "Failed");
      await h.service.retryWorkflow(h.namespace, flaky.metadata.name!);
      const retried = await h.waitDone(flaky.metadata.name!);
      equal(retried.status?.phase, "Succeeded", retried.status?.message ?? "");
      const nodes = Object.values(retried.status?.nodes ?? {});
      equal(nodes.find((n) => n.displayName === "flaky")?.outputs?.result, "second time");
      const okPod = podNameOf(flaky.metadata.name!, nodes.find((n) => n.displayName === "ok")!);
      equal(h.kubelet.starts.get(okPod), 1, "the step that succeeded did not run again");
      await Deno.remove(marker).catch(() => {});
    } finally {
      await h.close();
    }
  });

  test("podGC OnPodSuccess deletes pods as their steps succeed; ttlStrategy deletes the workflow; claims are made and removed", async (c) => {
    const h = await newHarness(c, "gc");
    try {
      const created = await h.submit(wf(`
metadata: {generateName: gc-}
spec:
  entrypoint: main
  podGC: {strategy: OnPodSuccess}
  ttlStrategy: {secondsAfterCompletion: 3}
  volumeClaimTemplates:
  - metadata: {name: work}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Mi}}}
  templates:
  - name: main
    steps:
    - - {name: write, template: write}
    - - {name: read, template: read}
  - name: write
    container: {image: busybox, command: [sh, -c, "echo kept > /work/file"], volumeMounts: [{name: work, mountPath: /work}]}
  - name: read
    container: {image: busybox, command: [sh, -c, "sleep 1; cat /work/file"], volumeMounts: [{name: work, mountPath: /work}]}
`));
      const name = created.metadata.name!;
      const claim = await eventually(
        "the claim",
        () => h.client.get(PVCS, h.namespace, `${name}-work`).catch(() => undefined),
      );
      equal(claim.metadata.ownerReferences?.[0]?.name, name);
      const done = await h.waitDone(name);
      equal(done.status?.phase, "Succeeded", done.status?.message ?? "");
      equal(
        Object.values(done.status?.nodes ?? {}).find((n) => n.displayName === "read")?.outputs?.result,
        "kept",
      );
      await eventually("the pods to be deleted", async () => {
        const pods = await h.client.list(PODS, h.namespace, {
          labelSelector: `workflows.argoproj.io/workflow=${name}`,
        });
        return pods.items.length === 0 ? true : undefined;
      }, 30_000);
      // deleted (without kube-controller-manager, the pvc-protection finalizer keeps it Terminating)
      await eventually(
        "the claim to be deleted",
        () =>
          h.client.get(PVCS, h.namespace, `${name}-work`).then(
            (p) => p.metadata.deletionTimestamp ? true : undefined,
            () => true,
          ),
        30_000,
      );
      await eventually(
        "the workflow to be deleted (ttl)",
        () => h.client.get(WORKFLOWS, h.namespace, name).then(() => undefined, () => true),
        30_000,
      );
    } finally {
      await h.close();
    }
  });

  test("instanceID: only workflows labelled with the controller's instance id run", async (c) => {
    const h = await newHarness(c, "inst", { config: { instanceID: "blue" } });
    try {
      const other = await h.submit(wf(`
metadata: {generateName: unlabelled-}
spec: {entrypoint: main, templates: [{name: main, container: {image: busybox, command: [echo, hi]}}]}
`));
      const mine = await h.submit(wf(`
metadata: {generateName: blue-, labels: {workflows.argoproj.io/controller-instanceid: blue}}
spec: {entrypoint: main, templates: [{name: main, container: {image: busybox, command: [echo, hi]}}]}
`));
      const done = await h.waitDone(mine.metadata.name!);
      equal(done.status?.phase, "Succeeded");
      const pod = await h.client.get<Pod>(PODS, h.namespace, mine.metadata.name!);
      equal(pod.metadata.labels?.["workflows.argoproj.io/controller-instanceid"], "blue");
      equal(
        (await h.get(other.metadata.name!)).status,
        undefined,
        "the other controller's workflow is left alone",
      );
    } finally {
      await h.close();
    }
  });

  test("the controller's parallelism holds workflows in Pending while others run; other namespaces are not touched", async (c) => {
    const h = await newHarness(c, "par", { config: { parallelism: 1 } });
    const elsewhere = `par-other-${crypto.randomUUID().slice(0, 6)}`;
    await c.client.create(NAMESPACES, undefined, { metadata: { name: elsewhere } });
    try {
      const step = `
metadata: {generateName: slow-}
spec: {entrypoint: main, templates: [{name: main, container: {image: busybox, command: [sh, -c, "sleep 2; echo done"]}}]}
`;
      const first = await h.submit(wf(step));
      await eventually(
        "the first to run",
        async () => (await h.get(first.metadata.name!)).status?.phase === "Running" ? true : undefined,
      );
      const second = await h.submit(wf(step));
      const held = await eventually("the second to be held", async () => {
        const w = await h.get(second.metadata.name!);
        return w.status?.phase === "Pending" ? w : undefined;
      });
      equal(held.status?.message, POSTPONED_MESSAGE);
      equal((await h.waitDone(first.metadata.name!)).status?.phase, "Succeeded");
      equal((await h.waitDone(second.metadata.name!)).status?.phase, "Succeeded");

      await c.client.create<WorkflowObject>(
        WORKFLOWS,
        elsewhere,
        { ...wf(step), metadata: { name: "not-mine" } } as WorkflowObject,
      );
      await new Promise((r) => setTimeout(r, 2000));
      equal((await c.client.get<WorkflowObject>(WORKFLOWS, elsewhere, "not-mine")).status, undefined);
    } finally {
      await c.kubectl(["delete", "namespace", elsewhere, "--wait=false"]);
      await h.close();
    }
  });
}
