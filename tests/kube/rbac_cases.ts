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
import { KubeCallerCheck } from "../../controller/kube/callers.ts";
import { createApp } from "../../web/app.ts";

const DEPLOY = new URL("../../deploy/", import.meta.url).pathname;

/** A bound token of `namespace/name`'s ServiceAccount, from the TokenRequest API. */
async function tokenOf(c: TestCluster, namespace: string, name: string): Promise<string> {
  const tr = await c.client.request<{ status: { token: string } }>(
    "POST",
    `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } },
  );
  return tr.status.token;
}

/** A client authenticated as `namespace/name`'s ServiceAccount. */
async function clientAs(c: TestCluster, namespace: string, name: string): Promise<KubeClient> {
  const token = await tokenOf(c, namespace, name);
  const kc = parseYaml(await Deno.readTextFile(c.kubeconfig)) as {
    clusters: { cluster: { server: string; "certificate-authority-data": string } }[];
  };
  const ca = atob(kc.clusters[0]!.cluster["certificate-authority-data"]);
  return new KubeClient({
    server: kc.clusters[0]!.cluster.server,
    caPem: ca,
    authorization: () => `Bearer ${token}`,
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

  test("--auth-mode client: a caller gets what their own RBAC allows (TokenReview, SubjectAccessReview)", async (c) => {
    const applied = await c.kubectl(["apply", "--server-side", "--force-conflicts", "-k", DEPLOY]);
    equal(applied.code, 0, applied.stderr);
    const ns = await testNamespace(c.client, "client");
    for (
      const args of [
        ["create", "serviceaccount", "reader", "-n", ns],
        ["create", "serviceaccount", "nobody", "-n", ns],
        [
          "create",
          "role",
          "wf-reader",
          "-n",
          ns,
          "--verb=get,list,watch",
          "--resource=workflows.argoproj.io",
        ],
        ["create", "rolebinding", "wf-reader", "-n", ns, "--role=wf-reader", `--serviceaccount=${ns}:reader`],
      ]
    ) {
      const r = await c.kubectl(args);
      equal(r.code, 0, r.stderr);
    }
    // The controller's own ServiceAccount makes the reviews: deploy/ must let it.
    const sa = await clientAs(c, "skiff", "skiff-controller");
    const controller = new KubeController({
      client: sa,
      namespace: "skiff",
      managedNamespace: ns,
      leaderElection: false,
      watch: { timeoutSeconds: 5, idleMs: 10_000 },
      log: () => {},
    });
    await controller.start();
    const service = new KubeService({ client: sa, controller, version: "test", managedNamespace: ns });
    const app = createApp({ service, auth: { mode: "client", check: new KubeCallerCheck(sa) } });
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const res = await app.fetch(
        new Request(`http://skiff${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          ...(body ? { body: JSON.stringify(body) } : {}),
        }),
      );
      return { status: res.status, body: await res.json() as { code?: number; message?: string } };
    };
    try {
      const reader = await tokenOf(c, ns, "reader");
      const nobody = await tokenOf(c, ns, "nobody");
      const list = await call(reader, "GET", `/api/v1/workflows/${ns}`);
      equal(list.status, 200, JSON.stringify(list.body));
      const create = await call(reader, "POST", `/api/v1/workflows/${ns}`, {
        workflow: {
          metadata: { generateName: "x-" },
          spec: { entrypoint: "m", templates: [{ name: "m", suspend: {} }] },
        },
      });
      equal(create.status, 403, JSON.stringify(create.body));
      equal(create.body.code, 7);
      ok(
        create.body.message?.startsWith(
          `workflows.argoproj.io is forbidden: User "system:serviceaccount:${ns}:reader" cannot create resource ` +
            `"workflows" in API group "argoproj.io" in the namespace "${ns}"`,
        ),
        create.body.message ?? "",
      );
      const denied = await call(nobody, "GET", `/api/v1/workflows/${ns}`);
      equal(denied.status, 403, JSON.stringify(denied.body));
      ok(
        denied.body.message?.includes(
          `User "system:serviceaccount:${ns}:nobody" cannot list resource "workflows"`,
        ),
      );
      const info = await call(nobody, "GET", "/api/v1/version");
      equal(info.status, 200, "a valid token is enough where no resource is touched");
      const bad = await call("not-a-token", "GET", `/api/v1/workflows/${ns}`);
      equal(bad.status, 401);
      equal(bad.body.code, 16);
      equal(bad.body.message, "token not valid: the cluster does not accept it");
    } finally {
      await service.close();
      await controller.stop();
      sa.close();
      await c.kubectl(["delete", "namespace", ns, "--wait=false"]);
    }
  });
}
