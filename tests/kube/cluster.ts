/**
 * The real Kubernetes API server the cluster tests run against: tier (a) of tests/cluster/ (etcd +
 * kube-apiserver built from source), started with its own state folder and ports so that it does
 * not disturb a cluster someone else runs. Skips (with the reason) only when the binaries are not
 * built; `tests/cluster/build.sh` builds them.
 *
 * Environment: SKIFF_KUBE_TEST_STATE (default $CACHE/run-kube-tests), SKIFF_KUBE_TEST_PORT (16443),
 * SKIFF_KUBE_TEST_ETCD_PORT (22379), SKIFF_KUBE_TEST_KEEP=1 (leave the cluster running afterwards).
 */
import { KubeClient } from "../../controller/kube/client.ts";
import { kubeconfigCredentials } from "../../controller/kube/kubeconfig.ts";
import { NAMESPACES } from "../../controller/kube/client.ts";

const CLUSTER_DIR = new URL("../cluster/", import.meta.url).pathname;
const CACHE = Deno.env.get("SKIFF_CLUSTER_CACHE") ?? "/var/cache/skiff-cluster";
export const STATE = Deno.env.get("SKIFF_KUBE_TEST_STATE") ?? `${CACHE}/run-kube-tests`;
const PORT = Deno.env.get("SKIFF_KUBE_TEST_PORT") ?? "16443";
const ETCD_PORT = Deno.env.get("SKIFF_KUBE_TEST_ETCD_PORT") ?? "22379";

/** The environment of tests/cluster/*.sh for the tests' own cluster. */
export function clusterEnv(): Record<string, string> {
  return {
    SKIFF_CLUSTER_STATE: STATE,
    SKIFF_CLUSTER_PORT: PORT,
    SKIFF_CLUSTER_ETCD_PORT: ETCD_PORT,
  };
}

/** Where build.sh puts the binaries of the pinned Kubernetes version (its own key formula). */
export async function binDir(): Promise<string | undefined> {
  const mod = `${CLUSTER_DIR}build`;
  let gomod: string;
  try {
    gomod = await Deno.readTextFile(`${mod}/go.mod`);
  } catch {
    return undefined;
  }
  const ver = /^\s*(?:require\s+)?k8s\.io\/kubernetes\s+(v1\.\S+)/m.exec(gomod)?.[1];
  if (!ver) return undefined;
  const parts: Uint8Array[] = [];
  for (const f of ["go.mod", "go.sum", "pause/main.go"]) {
    try {
      parts.push(await Deno.readFile(`${mod}/${f}`));
    } catch {
      // as `cat` in build.sh: a missing file adds nothing
    }
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const hash = [...new Uint8Array(await crypto.subtle.digest("SHA-256", all))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${CACHE}/bin/${ver}-${hash.slice(0, 12)}`;
}

/** Why the cluster tests cannot run here (undefined: they can). */
export async function clusterSkipReason(): Promise<string | undefined> {
  if (Deno.env.get("SKIFF_TEST_CLUSTER") !== "1") {
    return "they run with `deno task test:cluster` (SKIFF_TEST_CLUSTER=1), not in the default suite yet";
  }
  if (Deno.build.os !== "linux") return "the test cluster runs on Linux only";
  const bin = await binDir();
  if (!bin) return "tests/cluster/build/go.mod not found";
  const missing = [];
  for (const b of ["etcd", "kube-apiserver", "kubectl"]) {
    try {
      await Deno.stat(`${bin}/${b}`);
    } catch {
      missing.push(b);
    }
  }
  if (missing.length > 0) {
    return `the cluster binaries are not built (${
      missing.join(", ")
    } missing in ${bin}); run tests/cluster/build.sh`;
  }
  return undefined;
}

/** A started API server. */
export interface TestCluster {
  kubeconfig: string;
  bin: string;
  client: KubeClient;
  /** kubectl with the cluster's kubeconfig. */
  kubectl(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Stops the API server process (etcd keeps running), as a crash would. */
  killApiserver(): Promise<void>;
  /** Starts whatever is not running (start.sh is idempotent). */
  start(): Promise<void>;
  /** Stops the cluster (unless SKIFF_KUBE_TEST_KEEP=1). */
  stop(): Promise<void>;
}

async function run(cmd: string[], env: Record<string, string> = {}, stdin?: string) {
  const child = new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    env: { ...clusterEnv(), ...env },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function startScript(): Promise<string> {
  const r = await run([`${CLUSTER_DIR}start.sh`, "apiserver"]);
  if (r.code !== 0) throw new Error(`tests/cluster/start.sh failed (${r.code}):\n${r.stderr}`);
  return r.stdout.trim().split("\n").at(-1)!;
}

/** Starts (or reuses) the tests' API server. */
export async function startCluster(): Promise<TestCluster> {
  const kubeconfig = await startScript();
  const bin = (await binDir())!;
  const client = new KubeClient(await kubeconfigCredentials(kubeconfig), { timeoutMs: 15_000 });
  const cluster: TestCluster = {
    kubeconfig,
    bin,
    client,
    kubectl: (args, stdin) => run([`${bin}/kubectl`, "--kubeconfig", kubeconfig, ...args], {}, stdin),
    async killApiserver() {
      const pid = Number((await Deno.readTextFile(`${STATE}/kube-apiserver.pid`)).trim());
      Deno.kill(pid, "SIGKILL");
      for (let i = 0; i < 100; i++) {
        try {
          await Deno.stat(`/proc/${pid}`);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async start() {
      await startScript();
    },
    async stop() {
      client.close();
      if (Deno.env.get("SKIFF_KUBE_TEST_KEEP") === "1") return;
      await run([`${CLUSTER_DIR}stop.sh`]);
    },
  };
  await waitReady(client);
  return cluster;
}

/** Resolves once the API server answers /readyz. */
export async function waitReady(client: KubeClient, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await client.raw("/readyz")).trim() === "ok") return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`the API server is not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A namespace of its own for one test. */
export async function testNamespace(client: KubeClient, prefix: string): Promise<string> {
  const name = `${prefix}-${crypto.randomUUID().slice(0, 6)}`;
  await client.create(NAMESPACES, undefined, { metadata: { name } });
  return name;
}

/** Applies the CRDs of deploy/crds and waits until they are served. */
export async function installCrds(cluster: TestCluster): Promise<void> {
  const dir = new URL("../../deploy/crds/", import.meta.url).pathname;
  const r = await cluster.kubectl(["apply", "--server-side", "--force-conflicts", "-f", dir]);
  if (r.code !== 0) throw new Error(`kubectl apply -f deploy/crds failed:\n${r.stderr}`);
  const w = await cluster.kubectl(["wait", "--for", "condition=Established", "--timeout=60s", "-f", dir]);
  if (w.code !== 0) throw new Error(`CRDs not established:\n${w.stderr}`);
}

/** Polls `fn` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
