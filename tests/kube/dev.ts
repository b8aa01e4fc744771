/**
 * `deno task dev`: skiff on a real Kubernetes API server, on this machine, for development.
 *
 *   deno task dev            # tier (a): etcd + kube-apiserver; pods are run by the fake kubelet
 *                            # (host processes, as the process runtime), so workflows complete
 *   deno task dev --node     # tier (b): a real node (containerd + kubelet); the executor image is
 *                            # built from this checkout and imported
 *
 * It starts the test cluster of tests/cluster (own state folder and ports), applies deploy/
 * (`kubectl apply -k`), and runs `skiff controller` in this process with the API on
 * http://127.0.0.1:2746 (no auth, loopback). Then, in another shell:
 *
 *   export KUBECONFIG=<printed path>
 *   kubectl create -n skiff -f examples/steps.yaml && kubectl get wf -n skiff -w
 *   deno task skiff --server http://127.0.0.1:2746 list -n skiff
 *
 * Ctrl-C stops the controller (the cluster keeps running; tests/cluster/stop.sh with the printed
 * SKIFF_CLUSTER_STATE stops it).
 */
import { startController } from "../../cli/controller.ts";
import { clusterEnv, clusterSkipReason, installCrds, startCluster } from "./cluster.ts";
import { FakeKubelet } from "./kubelet.ts";

const node = Deno.args.includes("--node");
const port = Number(Deno.env.get("SKIFF_DEV_PORT") ?? 2746);
const skip = await clusterSkipReason();
if (skip) {
  console.error(`dev: ${skip}`);
  Deno.exit(1);
}
const cluster = await startCluster();
await installCrds(cluster);
const applied = await cluster.kubectl([
  "apply",
  "--server-side",
  "--force-conflicts",
  "-k",
  new URL("../../deploy/", import.meta.url).pathname,
]);
if (applied.code !== 0) throw new Error(applied.stderr);

let kubelet: FakeKubelet | undefined;
if (node) {
  const r = await new Deno.Command("bash", {
    args: [new URL("../cluster/start.sh", import.meta.url).pathname, "node"],
    env: {
      ...clusterEnv(),
      SKIFF_CLUSTER_CM_PORT: "20257",
      SKIFF_CLUSTER_SCHEDULER_PORT: "20259",
      SKIFF_CLUSTER_KUBELET_PORT: "20250",
      SKIFF_CLUSTER_KUBELET_HEALTHZ_PORT: "20248",
    },
    stderr: "inherit",
    stdout: "null",
  }).output();
  if (!r.success) Deno.exit(1);
  console.error(
    "dev: a real node runs; import the executor image as tests/kube/node_cases.ts does, and set it in the skiff-controller-config ConfigMap",
  );
} else {
  kubelet = await FakeKubelet.create({ client: cluster.client, namespace: "skiff" });
  kubelet.start();
}
const running = await startController({
  kubeconfig: cluster.kubeconfig,
  namespace: "skiff",
  managedNamespace: "skiff",
  configMap: "skiff-controller-config",
  host: "127.0.0.1",
  port,
  metricsPort: 0,
  authMode: "none",
  leaderElect: true,
  leaseName: "skiff-controller",
  workers: 4,
  version: "dev",
});
console.error(`dev: KUBECONFIG=${cluster.kubeconfig}`);
console.error(`dev: SKIFF_CLUSTER_STATE=${clusterEnv().SKIFF_CLUSTER_STATE}`);
console.error(
  `dev: workflows in namespace skiff; pods ${
    node ? "on the node" : "run by the fake kubelet"
  }; API ${running.url}`,
);
const stop = () => running.close();
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
await running.finished;
await running.close();
await kubelet?.stop();
cluster.client.close();
