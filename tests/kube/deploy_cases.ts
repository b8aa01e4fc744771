// deno-lint-ignore-file no-explicit-any -- a workflow read back as plain JSON
/** deploy/ against the real API server: the CRDs apply and serve, `kubectl apply -k deploy/` installs everything. */
import { equal, ok } from "node:assert/strict";
import { WORKFLOWS } from "../../controller/kube/client.ts";
import type { WorkflowObject } from "../../controller/kube/reconciler.ts";
import { installCrds, type TestCluster, testNamespace } from "./cluster.ts";

const DEPLOY = new URL("../../deploy/", import.meta.url).pathname;

export function defineDeployTests(cluster: () => Promise<TestCluster>, skip: string | undefined): void {
  const test = (name: string, fn: (c: TestCluster) => Promise<void>) =>
    Deno.test({
      name: `kube deploy: ${name}${skip ? ` (skipped: ${skip})` : ""}`,
      ignore: skip !== undefined,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => await fn(await cluster()),
    });

  test("the CRDs apply and are established; short names resolve", async (c) => {
    await installCrds(c);
    const r = await c.kubectl(["api-resources", "--api-group=argoproj.io", "-o", "name"]);
    equal(r.code, 0, r.stderr);
    for (
      const res of [
        "workflows",
        "workflowtemplates",
        "clusterworkflowtemplates",
        "cronworkflows",
        "workfloweventbindings",
        "workflowtaskresults",
      ]
    ) {
      ok(r.stdout.includes(`${res}.argoproj.io`), `${res} served: ${r.stdout}`);
    }
    for (const short of ["wf", "wftmpl", "cwftmpl", "cwf", "wfeb"]) {
      const g = await c.kubectl(["get", short, "-A"]);
      equal(g.code, 0, `kubectl get ${short}: ${g.stderr}`);
    }
  });

  test("kubectl apply -k deploy/ installs everything (and install.yaml is accepted as is)", async (c) => {
    const r = await c.kubectl(["apply", "--server-side", "--force-conflicts", "-k", DEPLOY]);
    equal(r.code, 0, r.stderr);
    for (
      const what of [
        "namespace/skiff",
        "deployment.apps/skiff-controller",
        "configmap/skiff-controller-config",
        "clusterrole.rbac.authorization.k8s.io/skiff-workflow",
      ]
    ) {
      ok(r.stdout.includes(what), `${what} in: ${r.stdout}`);
    }
    const d = await c.kubectl(["apply", "--dry-run=server", "-f", `${DEPLOY}install.yaml`]);
    equal(d.code, 0, d.stderr);
  });

  test("Argo's workflows are accepted whole, and kubectl get wf shows STATUS and AGE", async (c) => {
    const ns = await testNamespace(c.client, "crd");
    const wf = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: argo-shaped}
spec:
  entrypoint: main
  someFutureField: {kept: true}
  templates:
  - name: main
    container: {image: busybox, command: [echo, hi]}
    plugin: {anything: [1, 2]}
`;
    const r = await c.kubectl(["-n", ns, "create", "-f", "-"], wf);
    equal(r.code, 0, r.stderr);
    const stored = await c.client.get<WorkflowObject & { spec: any }>(WORKFLOWS, ns, "argo-shaped");
    equal(stored.spec.someFutureField.kept, true);
    equal(stored.spec.templates[0].plugin.anything[1], 2);
    // status only through the subresource
    await c.client.replace(WORKFLOWS, ns, "argo-shaped", {
      ...stored,
      status: {
        phase: "Running",
        startedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        message: "hello",
      },
    }, { subresource: "status" });
    const g = await c.kubectl(["-n", ns, "get", "wf"]);
    equal(g.code, 0, g.stderr);
    const [header, row] = g.stdout.trim().split("\n");
    ok(/^NAME\s+STATUS\s+AGE\s+MESSAGE$/.test(header ?? ""), header ?? "");
    ok(/^argo-shaped\s+Running\s+\d+s\s+hello$/.test(row ?? ""), row ?? "");
    await c.kubectl(["delete", "namespace", ns, "--wait=false"]);
  });
}
