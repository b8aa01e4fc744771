/**
 * The real Kubernetes API server the cluster tests run against: tier (a) of tests/cluster/ (etcd +
 * kube-apiserver built from source). Each test run starts its own ({@link useOwnCluster}: a state
 * folder and free ports of its own), so that runs at the same time on one machine do not disturb
 * each other, and takes turns with other runs for the machine's one node ({@link lockNode}). The
 * tests run whenever the binaries are built (`bash tests/cluster/build.sh all`); without them they
 * are ignored, saying how to get them.
 *
 * Environment: SKIFF_TEST_CLUSTER=0 (skip them); SKIFF_KUBE_TEST_KEEP=1 (use the fixed cluster
 * $CACHE/run-kube-tests on SKIFF_KUBE_TEST_PORT (16443) / SKIFF_KUBE_TEST_ETCD_PORT (22379), reused
 * when it runs, and leave it running afterwards) or SKIFF_KUBE_TEST_STATE (that fixed cluster in
 * another folder); SKIFF_KUBE_TEST_START_TIMEOUT (seconds a start may take before it fails, 300).
 */
import { KubeClient } from "../../controller/kube/client.ts";
import { kubeconfigCredentials } from "../../controller/kube/kubeconfig.ts";
import { NAMESPACES } from "../../controller/kube/client.ts";

const CLUSTER_DIR = new URL("../cluster/", import.meta.url).pathname;
const CACHE = Deno.env.get("SKIFF_CLUSTER_CACHE") ?? "/var/cache/skiff-cluster";
/** The state folder of the tests' cluster (certificates, etcd data, logs, pid files). */
export let STATE = Deno.env.get("SKIFF_KUBE_TEST_STATE") ?? `${CACHE}/run-kube-tests`;
let PORT = Deno.env.get("SKIFF_KUBE_TEST_PORT") ?? "16443";
let ETCD_PORT = Deno.env.get("SKIFF_KUBE_TEST_ETCD_PORT") ?? "22379";

/** The environment of tests/cluster/*.sh for the tests' own cluster. */
export function clusterEnv(): Record<string, string> {
  return {
    SKIFF_CLUSTER_STATE: STATE,
    SKIFF_CLUSTER_PORT: PORT,
    SKIFF_CLUSTER_ETCD_PORT: ETCD_PORT,
  };
}

/** Where the test runs' own clusters live: one folder per run, named after the run's pid. */
const RUNS = `${CACHE}/kube-test-runs`;

/**
 * Gives this test run a cluster of its own (state folder and free ports), so that test runs at the
 * same time on one machine (other checkouts, other users) neither share nor stop each other's API
 * server. Clusters of runs whose process is gone (killed before they could stop them) are stopped
 * and removed first. Not when SKIFF_KUBE_TEST_STATE or SKIFF_KUBE_TEST_KEEP=1 asks for the fixed,
 * reusable one.
 */
export async function useOwnCluster(): Promise<void> {
  if (Deno.env.get("SKIFF_KUBE_TEST_STATE") || Deno.env.get("SKIFF_KUBE_TEST_KEEP") === "1") return;
  await Deno.mkdir(RUNS, { recursive: true });
  for await (const e of Deno.readDir(RUNS)) {
    const pid = Number(e.name);
    if (!e.isDirectory || !Number.isInteger(pid) || pid === Deno.pid) continue;
    if (await Deno.stat(`/proc/${pid}`).then(() => true, () => false)) continue;
    await run(
      [`${CLUSTER_DIR}stop.sh`, "--clean"],
      { SKIFF_CLUSTER_STATE: `${RUNS}/${e.name}` },
      undefined,
      START_TIMEOUT_MS,
    );
    await Deno.remove(`${RUNS}/${e.name}`, { recursive: true }).catch(() => {});
  }
  STATE = `${RUNS}/${Deno.pid}`;
  PORT = String(freePort(1));
  ETCD_PORT = String(freePort(2)); // etcd's client port and the next one (peers)
}

/** A loopback port (and the `count - 1` after it) nobody listens on now. */
export function freePort(count: number): number {
  for (;;) {
    const base = 30_000 + Math.floor(Math.random() * 20_000);
    const listeners: Deno.Listener[] = [];
    try {
      for (let i = 0; i < count; i++) listeners.push(Deno.listen({ hostname: "127.0.0.1", port: base + i }));
      return base;
    } catch {
      // taken: try another
    } finally {
      for (const l of listeners) l.close();
    }
  }
}

/**
 * Only one node (kubelet + containerd) can run on a machine: test runs take turns for tier (b) by
 * this lock (flock on a file in the cache). Resolves to the release function.
 */
export async function lockNode(timeoutMs = 20 * 60_000): Promise<() => void> {
  await Deno.mkdir(CACHE, { recursive: true });
  const path = `${CACHE}/kube-test-node.lock`;
  const file = await Deno.open(path, { create: true, write: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      file.lock(true),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `another test run has held the test node (${path}) for ${timeoutMs / 60_000} min; ` +
                  `see which process holds it with \`fuser ${path}\``,
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
  return () => file.close(); // closing releases the lock
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

/** The one-line hint for getting the binaries. */
export const BUILD_HINT =
  "run `bash tests/cluster/build.sh all` once (builds Kubernetes from source with Go: ~30 min on 2 cores, cached in $SKIFF_CLUSTER_CACHE)";

/** Why the cluster tests cannot run here (undefined: they can). */
export async function clusterSkipReason(): Promise<string | undefined> {
  if (Deno.env.get("SKIFF_TEST_CLUSTER") === "0") return "SKIFF_TEST_CLUSTER=0";
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
    return `the Kubernetes binaries are not built (${missing.join(", ")} missing in ${bin}): ${BUILD_HINT}`;
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

/** How long starting the cluster may take before it is a failure (a held lock, a stuck component). */
export const START_TIMEOUT_MS = Number(Deno.env.get("SKIFF_KUBE_TEST_START_TIMEOUT") ?? 300) * 1000;

async function run(
  cmd: string[],
  env: Record<string, string> = {},
  stdin?: string,
  timeoutMs?: number,
) {
  const child = new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    env: { ...clusterEnv(), ...env },
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    signal: out.signal,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/**
 * Runs tests/cluster/start.sh MODE; a failure, or no answer within {@link START_TIMEOUT_MS}, throws
 * an Error that says what start.sh printed and where the components' logs are.
 */
export async function runStartScript(mode: string, env: Record<string, string> = {}): Promise<string> {
  const r = await run([`${CLUSTER_DIR}start.sh`, mode], env, undefined, START_TIMEOUT_MS);
  if (r.code !== 0) {
    const why = r.signal
      ? `did not finish within ${START_TIMEOUT_MS / 1000} s (SKIFF_KUBE_TEST_START_TIMEOUT) and was stopped`
      : `failed (exit code ${r.code})`;
    throw new Error(
      `the test cluster could not start: tests/cluster/start.sh ${mode} ${why}. ` +
        `Its output:\n${r.stderr.trim().split("\n").slice(-30).join("\n")}\n` +
        `Component logs: ${STATE}/logs/. Try \`SKIFF_CLUSTER_STATE=${STATE} bash tests/cluster/stop.sh --clean\` ` +
        `and run the tests again.`,
    );
  }
  return r.stdout.trim().split("\n").at(-1)!;
}

/**
 * Starts (or reuses) the tests' API server. `fresh`: when it is not running, start from empty etcd
 * data (what earlier runs left is dropped).
 */
export async function startCluster(opts: { fresh?: boolean } = {}): Promise<TestCluster> {
  const kubeconfig = await runStartScript("apiserver", opts.fresh ? { SKIFF_CLUSTER_FRESH: "1" } : {});
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
      await runStartScript("apiserver");
    },
    async stop() {
      client.close();
      if (Deno.env.get("SKIFF_KUBE_TEST_KEEP") === "1") return;
      // (a run's own folder stays, with its logs, until the next run removes it)
      const r = await run([`${CLUSTER_DIR}stop.sh`], {}, undefined, START_TIMEOUT_MS);
      if (r.code !== 0) {
        throw new Error(
          `tests/cluster/stop.sh failed (${r.signal ?? r.code}): ${r.stderr.trim()}; logs in ${STATE}/logs/`,
        );
      }
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
