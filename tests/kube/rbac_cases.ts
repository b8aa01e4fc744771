/**
 * deploy/'s RBAC on the real API server (which enforces RBAC): the controller runs a workflow with
 * nothing but its ServiceAccount's token, and a workflow pod's ServiceAccount may report its result
 * and read its pod, and nothing more.
 */
import { equal, ok, rejects } from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { report } from "../../controller/kube/agent.ts";
import { ApiError, KubeClient, type KubeObject, PODS, WORKFLOWS } from "../../controller/kube/client.ts";
import { KubeController } from "../../controller/kube/controller.ts";
import { KubeService } from "../../controller/kube/service.ts";
import { taskResultOf } from "../../controller/kube/taskresult.ts";
import type { Workflow } from "../../controller/spec/types.ts";
import { eventually, type TestCluster, testNamespace } from "./cluster.ts";
import { FakeKubelet } from "./kubelet.ts";

const DEPLOY = new URL("../../deploy/", import.meta.url).pathname;

/** A client authenticated as `namespace/name`'s ServiceAccount (a bound token from the TokenRequest API). */
async function clientAs(c: TestCluster, namespace: string, name: string): Promise<KubeClient> {
  const tr = await c.client.request<{ status: { token: string } }>(
    "POST",
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } },
  );
  const kc = parseYaml(await Deno.readTextFile(c.kubeconfig)) as {
    clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
  };
  const ca = atob(kc.clusters[0]!.cluster["certificate-authority-data"]);
  return new KubeClient({
    server: kc.clusters[0]!.cluster.server,
    caPem: ca,
    authorization: () => `Bearer ${tr.status.token}`,
  });
}

const forbidden = (e: unknown) => e instanceof ApiError && e.status === 403;

export function defineRbacTests(cluster: () => Promise<TestCluster>, skip: string | undefined): void {
  const test = (name: string, fn: (c: TestCluster) => Promise<void>) =>
    Deno.test({
      name: `kube rbac: ${name}${skip ? ` (skipped: ${skip})` : ""}`,
      ignore: skip !== undefined,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => await fn(await cluster()),
    });

  test("the controller runs a workflow and serves the API with only deploy/'s ServiceAccount and roles", async (c) => {
    const applied = await c.kubectl(["apply", "--server-side", "--force-conflicts", "-k", DEPLOY]);
    equal(applied.code, 0, applied.stderr);
    const ns = await testNamespace(c.client, "rbac");
    const sa = await clientAs(c, "skiff", "skiff-controller");
    const controller = new KubeController({
      client: sa,
      namespace: "skiff",
      managedNamespace: ns,
      leaderElection: { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 },
      watch: { timeoutSeconds: 5, idleMs: 10_000 },
      log: () => {},
    });
    const kubelet = await FakeKubelet.create({ client: c.client, namespace: ns });
    kubelet.start();
    try {
      await controller.start(); // reads its ConfigMap in `skiff`
      await controller.waitUntilLeading(30_000);
      equal(
        controller.config.workflowDefaults?.spec?.serviceAccountName,
        "skiff-workflow",
        "the ConfigMap was read",
      );
      const service = new KubeService({ client: sa, controller, version: "test", managedNamespace: ns });
      const created = await service.createWorkflow(ns, {
        workflow: parseYaml(`
metadata: {generateName: rbac-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: a, template: say}
    - - {name: b, template: say}
  - name: say
    script: {image: busybox, command: [sh], source: "echo hello from $(hostname)"}
`) as Workflow,
      });
      const done = await eventually("the workflow to end", async () => {
        const w = await service.getWorkflow(ns, created.metadata.name!);
        return ["Succeeded", "Failed", "Error"].includes(w.status?.phase ?? "") ? w : undefined;
      }, 90_000);
      equal(done.status?.phase, "Succeeded", done.status?.message ?? "");
      const pod = await c.client.get<KubeObject & { spec: { serviceAccountName?: string } }>(
        PODS,
        ns,
        Object.values(done.status?.nodes ?? {}).find((n) => n.type === "Pod")!.id.replace(
          created.metadata.name!,
          `${created.metadata.name}-say`,
        ),
      );
      equal(pod.spec.serviceAccountName, "skiff-workflow");
      // and nothing beyond its role: no secrets
      await rejects(
        () => sa.list({ group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true }, ns),
        forbidden,
      );
      await service.close();
    } finally {
      await controller.stop();
      await kubelet.stop();
      sa.close();
      await c.kubectl(["delete", "namespace", ns, "--wait=false"]);
    }
  });

  test("a workflow pod's ServiceAccount may report its result and read its pod, and may not write workflows or pods", async (c) => {
    const ns = await testNamespace(c.client, "wfsa");
    const sa = await c.kubectl(["-n", ns, "apply", "-f", `${DEPLOY}namespace/workflow-rbac.yaml`]);
    equal(sa.code, 0, sa.stderr);
    const rb = await c.kubectl([
      "create",
      "rolebinding",
      "skiff-workflow",
      "-n",
      ns,
      "--clusterrole",
      "skiff-workflow",
      "--serviceaccount",
      `${ns}:skiff-workflow`,
    ]);
    equal(rb.code, 0, rb.stderr);
    const admin = c.client;
    await admin.create(WORKFLOWS, ns, { metadata: { name: "w" }, spec: { entrypoint: "main" } });
    await admin.create(PODS, ns, {
      metadata: { name: "w-main-1" },
      spec: { containers: [{ name: "main", image: "busybox" }] },
    });
    const pod = await clientAs(c, ns, "skiff-workflow");
    try {
      const tr = taskResultOf(
        {
          phase: "Succeeded",
          exitCode: 0,
          result: "ok",
          stdout: "ok\n",
          parameters: {},
          artifacts: {},
          finishedAt: new Date().toISOString(),
        },
        { namespace: ns, workflowName: "w", workflowUid: "", nodeId: "w-1", podName: "w-main-1" },
      );
      await report(pod, tr, () => {});
      await report(pod, { ...tr, phase: "Failed" }, () => {}); // exists: patched
      const stored = await admin.get<KubeObject & { phase?: string }>(
        {
          group: "argoproj.io",
          version: "v1alpha1",
          plural: "workflowtaskresults",
          kind: "WorkflowTaskResult",
          namespaced: true,
        },
        ns,
        "w-1",
      );
      equal(stored.phase, "Failed");
      ok((await pod.get(PODS, ns, "w-main-1")).metadata.name);
      await rejects(
        () => pod.patch(WORKFLOWS, ns, "w", "merge", { status: { phase: "Succeeded" } }),
        forbidden,
      );
      await rejects(() => pod.get(WORKFLOWS, ns, "w"), forbidden);
      await rejects(
        () =>
          pod.create(PODS, ns, {
            metadata: { name: "x" },
            spec: { containers: [{ name: "c", image: "busybox" }] },
          }),
        forbidden,
      );
    } finally {
      pod.close();
      await c.kubectl(["delete", "namespace", ns, "--wait=false"]);
    }
  });
}
