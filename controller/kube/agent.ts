/**
 * The pod agent: the program of the `wait` container of every workflow pod (Argo's argoexec
 * `wait`), in the executor image (deploy/Dockerfile.executor, whose ENTRYPOINT it is).
 *
 *   agent.js wait   wait for the executor's result (/var/run/argo/result.json) and report it as a
 *                   WorkflowTaskResult named after the node; exit when `main` has ended
 *
 * It talks to the API with the pod's service account (create/patch workflowtaskresults, get its own
 * pod). It never writes the Workflow, and it touches no artifacts: the pod's `init` container runs
 * the executor itself (`executor.js --fetch-inputs`, see pods.ts), which places the input artifacts.
 */
import type { StepResult } from "../../executor/types.ts";
import { isAlreadyExists, KubeClient, PODS, TASK_RESULTS } from "./client.ts";
import { inClusterCredentials } from "./incluster.ts";
import { RESULT_FILE } from "./layout.ts";
import { WAIT_FAILED } from "./observe.ts";
import type { Pod } from "./pods.ts";
import { type Reporter, type TaskResult, taskResultOf } from "./taskresult.ts";
import { setTimeout as delay } from "node:timers/promises";

/** Options of {@link wait} (tests run it outside a pod). */
export interface WaitOptions {
  client: KubeClient;
  who: Reporter;
  resultFile?: string;
  /** How often the result file is looked for, ms (default 250). */
  pollMs?: number;
  /** How often the pod is read to see whether `main` ended without a result, ms (default 3000). */
  podCheckMs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** Waits for the executor's result and reports it. Resolves with whether it reported one. */
export async function wait(opts: WaitOptions): Promise<boolean> {
  const file = opts.resultFile ?? RESULT_FILE;
  const log = opts.log ?? ((l: string) => console.log(`wait: ${l}`));
  let lastPodCheck = 0;
  let mainEndedAt: number | undefined;
  for (;;) {
    const result = await readResult(file);
    if (result) {
      await report(opts.client, taskResultOf(result, opts.who), log, opts.signal);
      log(
        `reported ${result.phase}${result.exitCode !== undefined ? ` (exit code ${result.exitCode})` : ""}`,
      );
      return true;
    }
    if (opts.signal?.aborted) {
      log("stopped before the executor wrote a result");
      return false;
    }
    if (mainEndedAt !== undefined && Date.now() - mainEndedAt > 3000) {
      log("main ended without a result from the executor; the controller reads its exit code");
      return false;
    }
    if (mainEndedAt === undefined && Date.now() - lastPodCheck > (opts.podCheckMs ?? 3000)) {
      lastPodCheck = Date.now();
      try {
        const pod = await opts.client.get<Pod>(PODS, opts.who.namespace, opts.who.podName);
        const main = pod.status?.containerStatuses?.find((c) => c.name === "main");
        if (main?.state?.terminated) mainEndedAt = Date.now();
      } catch (e) {
        log(`could not read pod ${opts.who.podName}: ${e instanceof Error ? e.message : e}`);
      }
    }
    await sleep(opts.pollMs ?? 250, opts.signal);
  }
}

async function readResult(file: string): Promise<StepResult | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(file)) as StepResult;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    if (e instanceof SyntaxError) return undefined; // being written (the executor renames it into place)
    throw e;
  }
}

/** Creates the task result (or patches it, if it exists), retrying API errors for up to 2 minutes. */
export async function report(
  client: KubeClient,
  tr: TaskResult,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const ns = tr.metadata.namespace!;
  const deadline = Date.now() + 120_000;
  for (let attempt = 0;; attempt++) {
    try {
      try {
        await client.create(TASK_RESULTS, ns, tr);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const { apiVersion: _a, kind: _k, ...patch } = tr;
        await client.patch(TASK_RESULTS, ns, tr.metadata.name!, "merge", patch);
      }
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      log(`reporting failed (${e instanceof Error ? e.message : e}); retrying`);
      await sleep(Math.min(5000, 200 * 2 ** attempt), signal);
    }
  }
}

/** Waits `ms`, or until `signal` aborts, resolving either way. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => {});
}

async function main(args: string[]): Promise<number> {
  if (args[0] === "wait") {
    const env = (n: string) => {
      const v = Deno.env.get(n);
      if (!v) throw new Error(`wait: ${n} is not set (the controller sets it on the wait container)`);
      return v;
    };
    const creds = inClusterCredentials();
    if (!creds) throw new Error("wait: not in a pod (KUBERNETES_SERVICE_HOST is not set)");
    const stop = new AbortController();
    for (const s of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(s, () => stop.abort());
    const client = new KubeClient(creds, { userAgent: "skiff-wait" });
    await wait({
      client,
      who: {
        namespace: Deno.env.get("ARGO_NAMESPACE") ?? creds.namespace ?? "default",
        podName: env("ARGO_POD_NAME"),
        nodeId: env("ARGO_NODE_ID"),
        workflowName: env("ARGO_WORKFLOW_NAME"),
        workflowUid: Deno.env.get("ARGO_WORKFLOW_UID") ?? "",
      },
      signal: stop.signal,
    });
    return 0;
  }
  console.error("usage: agent.js wait");
  return 2;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    console.error(message);
    // Kubernetes puts this in the container's terminated state, where the controller reads why.
    await Deno.writeTextFile("/dev/termination-log", message).catch(() => {});
    // the controller reads this exit code as "the outputs were not reported"
    Deno.exit(WAIT_FAILED);
  }
}
