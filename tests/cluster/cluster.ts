/**
 * The one-node test Kubernetes of tests/cluster/ (see README.md there), for tests:
 *
 *   const cluster = await startCluster("apiserver"); // or "control-plane", "node"
 *   // cluster.kubeconfig (admin client certificate), cluster.server, cluster.token, cluster.caFile
 *   await cluster.kubectl("get", "ns");
 *
 * startCluster reuses a running cluster (well under a second); the first call on a machine builds the
 * binaries from Go sources (20-30 minutes on 2 shared cores) into $SKIFF_CLUSTER_CACHE.
 */

export type ClusterMode = "apiserver" | "control-plane" | "node";

export interface TestCluster {
  mode: ClusterMode;
  /** kubeconfig with an admin client certificate (group system:masters) */
  kubeconfig: string;
  /** https://127.0.0.1:PORT */
  server: string;
  /** a static bearer token of the group system:masters */
  token: string;
  /** the CA that signed the server's certificate */
  caFile: string;
  /** folder of the built binaries (kubectl, kube-apiserver, ...) */
  binDir: string;
  /** runs the cluster's kubectl with its kubeconfig; returns stdout, throws with stderr on failure */
  kubectl(...args: string[]): Promise<string>;
}

const here = new URL(".", import.meta.url).pathname;

async function run(script: string, args: string[]): Promise<string> {
  const out = await new Deno.Command("bash", {
    args: [here + script, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  if (!out.success) {
    throw new Error(`tests/cluster/${script} ${args.join(" ")} failed:\n${dec.decode(out.stderr)}`);
  }
  return dec.decode(out.stdout);
}

export async function startCluster(mode: ClusterMode = "apiserver"): Promise<TestCluster> {
  const kubeconfig = (await run("start.sh", [mode])).trim().split("\n").at(-1) ?? "";
  const envFile = kubeconfig.replace(/kubeconfig$/, "env");
  const env: Record<string, string> = {};
  for (const line of (await Deno.readTextFile(envFile)).split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
  }
  const binDir = env["SKIFF_CLUSTER_BIN"] ?? "";
  return {
    mode,
    kubeconfig,
    server: env["SKIFF_CLUSTER_SERVER"] ?? "",
    token: env["SKIFF_CLUSTER_TOKEN"] ?? "",
    caFile: env["SKIFF_CLUSTER_CA"] ?? "",
    binDir,
    async kubectl(...args: string[]): Promise<string> {
      const out = await new Deno.Command(`${binDir}/kubectl`, {
        args: ["--kubeconfig", kubeconfig, ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      if (!out.success) throw new Error(`kubectl ${args.join(" ")}: ${dec.decode(out.stderr)}`);
      return dec.decode(out.stdout);
    },
  };
}

/** Stops the cluster; `clean` also removes its state (etcd data, certificates, logs). */
export async function stopCluster(opts: { clean?: boolean } = {}): Promise<void> {
  await run("stop.sh", opts.clean ? ["--clean"] : []);
}
