/**
 * `skiff controller` as a separate process, for the tests that kill it: the same startController
 * as cli/controller.ts, run by `deno run` of this file (main.ts would do the same; this entry keeps
 * the tests independent of the other commands).
 *
 *   deno run -A tests/kube/controller_process.ts <kubeconfig> <namespace>
 */
import { startController } from "../../cli/controller.ts";

/** Starts the controller in a child process; resolves once it leads. */
export async function spawnController(
  kubeconfig: string,
  namespace: string,
): Promise<{ child: Deno.ChildProcess; log: () => string; kill(): Promise<void> }> {
  let out = "";
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, kubeconfig, namespace],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const leading = Promise.withResolvers<void>();
  const read = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s.pipeThrough(new TextDecoderStream())) {
      out += chunk;
      if (out.includes("became the leader")) leading.resolve();
    }
  };
  const reading = Promise.all([read(child.stdout), read(child.stderr)]);
  const timer = setTimeout(
    () => leading.reject(new Error(`the controller did not lead within 60 s:\n${out}`)),
    60_000,
  );
  child.status.then((s) => leading.reject(new Error(`the controller exited (${s.code}):\n${out}`)));
  try {
    await leading.promise;
  } finally {
    clearTimeout(timer);
  }
  return {
    child,
    log: () => out,
    async kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
      await child.status;
      await reading.catch(() => {});
    },
  };
}

if (import.meta.main) {
  const [kubeconfig, namespace] = Deno.args;
  const running = await startController({
    kubeconfig: kubeconfig!,
    namespace: namespace!,
    managedNamespace: namespace!,
    configMap: "skiff-controller-config",
    host: "127.0.0.1",
    port: 0,
    metricsPort: -1,
    authMode: "none",
    leaderElect: true,
    leaseName: "skiff-controller",
    leaseDurationMs: 3000,
    renewDeadlineMs: 2000,
    retryPeriodMs: 500,
    workers: 4,
    version: "test",
  });
  await running.finished;
}
