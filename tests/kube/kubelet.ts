/**
 * A fake kubelet for tier (a) (an API server without nodes): it watches the workflow pods the
 * controller creates, binds them to a node, runs their main container as a host process with the
 * local host's process runtime (the real executor, so `result`, output parameters and exit codes
 * are the same as in the local tests), and reports back as Kubernetes would: pod status (phase,
 * container states and exit codes, IP, readiness) and, as the pod's `wait` container would, the
 * WorkflowTaskResult (built by the same `taskResultOf` the pod agent uses).
 *
 * It honours what the controller asks of pods: activeDeadlineSeconds (how the controller stops a
 * pod: the process is stopped and the pod fails with reason DeadlineExceeded) and deletion.
 */
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import type { RunSpec } from "../../controller/engine/actions.ts";
import type { StepResult } from "../../executor/types.ts";
import {
  isAlreadyExists,
  isNotFound,
  type KubeClient,
  PODS,
  TASK_RESULTS,
} from "../../controller/kube/client.ts";
import { Informer } from "../../controller/kube/informer.ts";
import { ANNOTATION_NODE_ID, ANNOTATION_NODE_NAME, LABEL_WORKFLOW } from "../../controller/kube/labels.ts";
import { type Container, inputsOf, type Pod, stepOf } from "../../controller/kube/pods.ts";
import { taskResultOf } from "../../controller/kube/taskresult.ts";

/** Options of the fake kubelet. */
export interface FakeKubeletOptions {
  client: KubeClient;
  /** Only pods of this namespace. */
  namespace: string;
  /** Where the processes' files go (a temporary directory by default). */
  dataDir?: string;
  nodeName?: string;
  /**
   * `run` (default): each main container runs as a host process. `instant`: nothing runs; each pod
   * succeeds at once and reports stdout = its `echo` arguments (for workflows of thousands of pods).
   */
  mode?: "run" | "instant";
  log?: (line: string) => void;
}

interface Running {
  pod: Pod;
  /** As the process runtime runs it: its nodeId is made unique per pod (a retried node's new pod runs afresh). */
  run: RunSpec;
  nodeId: string;
  startedAt: string;
  deadlineTimer?: ReturnType<typeof setTimeout>;
  killReason?: string;
  reported?: boolean;
  reporting?: Promise<void>;
}

/** Plays the kubelet (and each pod's `wait` container) for one namespace. */
export class FakeKubelet {
  readonly runtime: ProcessRuntime;
  readonly informer: Informer<Pod>;
  /** Pods started, by name (each should be started once). */
  readonly starts = new Map<string, number>();
  #o: FakeKubeletOptions;
  #running = new Map<string, Running>();
  #runtimeIds = new Map<string, string>();
  #uids = new Map<string, string>();
  #pending: Promise<unknown>[] = [];
  #stopped = false;
  #unsubscribe: () => void;

  constructor(opts: FakeKubeletOptions & { dataDir: string }) {
    this.#o = opts;
    this.runtime = new ProcessRuntime({ dataDir: opts.dataDir, graceSeconds: 2, warn: () => {} });
    this.informer = new Informer<Pod>({
      client: opts.client,
      resource: PODS,
      namespace: opts.namespace,
      labelSelector: LABEL_WORKFLOW,
      timeoutSeconds: 30,
      backoffMs: { initial: 100, max: 2000 },
    });
    this.informer.subscribe((e) => {
      if (this.#stopped) return;
      const track = (p: Promise<unknown>) => {
        const t = p.catch((err) =>
          this.#log(`${e.object.metadata.name}: ${err instanceof Error ? err.stack : err}`)
        )
          .finally(() => this.#pending.splice(this.#pending.indexOf(t), 1));
        this.#pending.push(t);
      };
      if (e.type === "delete") track(this.#stop(e.object, "pod deleted"));
      else track(this.#sync(e.object));
    });
    this.#unsubscribe = this.runtime.subscribe((c) => {
      const r = [...this.#running.values()].find((x) =>
        x.run.nodeId === c.nodeId && x.run.workflow.name === c.workflow.name
      );
      if (!r || this.#stopped) return;
      // one report after the other, in order (a kubelet never reports a state older than the last)
      const p = r.reporting = (r.reporting ?? Promise.resolve()).then(() => this.#report(r, c.observation))
        .catch((
          err,
        ) => this.#log(`report ${r.pod.metadata.name}: ${err}`));
      this.#pending.push(p);
      p.finally(() => this.#pending.splice(this.#pending.indexOf(p), 1));
    });
  }

  /** A fake kubelet on a new temporary directory. */
  static async create(opts: FakeKubeletOptions): Promise<FakeKubelet> {
    const dataDir = opts.dataDir ?? await Deno.makeTempDir({ prefix: "skiff-fake-kubelet-" });
    return new FakeKubelet({ ...opts, dataDir });
  }

  start(): void {
    this.informer.start();
  }

  /** Stops watching and stops every process it runs. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.informer.stop();
    this.#unsubscribe();
    for (const r of this.#running.values()) {
      clearTimeout(r.deadlineTimer);
      await this.runtime.kill(r.run.nodeId, "kubelet stopped").catch(() => {});
    }
    await Promise.allSettled([...this.#pending]);
    await this.runtime.close();
    await Deno.remove(this.#o.dataDir!, { recursive: true }).catch(() => {});
  }

  /** The main container's log of a node (of its latest pod). */
  logs(workflow: string, nodeId: string): Promise<string> {
    const id = this.#runtimeIds.get(`${workflow}/${nodeId}`);
    return id ? this.runtime.logs({ namespace: this.#o.namespace, name: workflow }, id) : Promise.resolve("");
  }

  #log(line: string): void {
    (this.#o.log ?? ((l: string) => console.error(`fake kubelet: ${l}`)))(line);
  }

  async #sync(pod: Pod): Promise<void> {
    const name = pod.metadata.name!;
    const r = this.#running.get(name);
    if (pod.metadata.deletionTimestamp) return await this.#stop(pod, "pod deleted");
    if (r) {
      if (r.pod.metadata.uid !== pod.metadata.uid) return; // an old one being replaced
      r.pod = pod;
      this.#armDeadline(r);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed" || phase === "Running") return; // ran already
    if (this.#uids.get(name) === pod.metadata.uid) return; // starting
    this.#uids.set(name, pod.metadata.uid!);
    if (this.#o.mode === "instant") return await this.#instant(pod);
    if (!pod.spec.nodeName) {
      const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${name}/binding`;
      await this.#retry(() =>
        this.#o.client.request("POST", path, {
          apiVersion: "v1",
          kind: "Binding",
          metadata: { name },
          target: { apiVersion: "v1", kind: "Node", name: this.#o.nodeName ?? "fake-node" },
        }).catch((e) => {
          if ((e as { status?: number }).status !== 409) throw e; // bound already (an answer lost)
        })
      );
    }
    const run = runSpecOf(pod);
    const nodeId = run.nodeId;
    // A pod that replaces an earlier one of the same node (a retry) runs afresh.
    run.nodeId = `${nodeId}-${pod.metadata.uid!.slice(0, 8)}`;
    this.#runtimeIds.set(`${run.workflow.name}/${nodeId}`, run.nodeId);
    const entry: Running = { pod, run, nodeId, startedAt: new Date().toISOString() };
    this.#running.set(name, entry);
    this.starts.set(name, (this.starts.get(name) ?? 0) + 1);
    await this.#status(pod, {
      phase: "Pending",
      startTime: entry.startedAt,
      initContainerStatuses: [{ name: "init", state: { running: { startedAt: entry.startedAt } } }],
      containerStatuses: [
        { name: "wait", state: { waiting: { reason: "PodInitializing" } } },
        { name: "main", state: { waiting: { reason: "PodInitializing" } } },
      ],
    });
    this.#armDeadline(entry);
    await this.runtime.start(run);
  }

  #slots = 16;
  #waiting: (() => void)[] = [];

  /** Succeeds at once: reports `echo`'s arguments as stdout (16 pods at a time). */
  async #instant(pod: Pod): Promise<void> {
    while (this.#slots === 0) await new Promise<void>((r) => this.#waiting.push(r));
    this.#slots--;
    try {
      const name = pod.metadata.name!;
      this.starts.set(name, (this.starts.get(name) ?? 0) + 1);
      const run = runSpecOf(pod);
      const argv = run.main.command ?? [];
      const stdout = argv[0] === "echo" ? `${argv.slice(1).join(" ")}\n` : "";
      const now = new Date().toISOString();
      const result: StepResult = {
        phase: "Succeeded",
        exitCode: 0,
        result: stdout.replace(/\n$/, ""),
        stdout,
        parameters: {},
        artifacts: {},
        startedAt: now,
        finishedAt: now,
      };
      const tr = taskResultOf(result, {
        namespace: pod.metadata.namespace!,
        workflowName: run.workflow.name,
        workflowUid: run.workflow.uid ?? "",
        nodeId: run.nodeId,
        podName: name,
      });
      await this.#retry(() =>
        this.#o.client.create(TASK_RESULTS, tr.metadata.namespace, tr).catch((e) => {
          if (!isAlreadyExists(e)) throw e;
        })
      );
      const terminated = { exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now };
      await this.#status(pod, {
        phase: "Succeeded",
        startTime: now,
        containerStatuses: [
          { name: "wait", state: { terminated } },
          { name: "main", state: { terminated } },
        ],
      });
    } finally {
      this.#slots++;
      this.#waiting.shift()?.();
    }
  }

  #armDeadline(r: Running): void {
    const ads = r.pod.spec.activeDeadlineSeconds;
    if (ads === undefined) return;
    clearTimeout(r.deadlineTimer);
    const due = Date.parse(r.startedAt) + ads * 1000;
    r.deadlineTimer = setTimeout(() => {
      this.#stop(r.pod, "DeadlineExceeded").catch((e) => this.#log(`deadline: ${e}`));
    }, Math.max(0, due - Date.now()));
  }

  async #stop(pod: Pod, reason: string): Promise<void> {
    const r = this.#running.get(pod.metadata.name!);
    if (!r || r.pod.metadata.uid !== pod.metadata.uid) return;
    r.killReason ??= reason;
    clearTimeout(r.deadlineTimer);
    await this.runtime.kill(
      r.run.nodeId,
      reason === "DeadlineExceeded"
        ? "Pod was active on the node longer than the specified deadline"
        : reason,
    );
  }

  /** Reports a change of the process as the kubelet (pod status) and the wait container (task result) would. */
  async #report(
    r: Running,
    obs: { phase: string; startedAt?: string; exitCode?: number; daemonReady?: boolean },
  ): Promise<void> {
    const name = r.pod.metadata.name!;
    const main = r.pod.spec.containers.find((c) => c.name === "main");
    const ready = main?.readinessProbe ? obs.daemonReady === true : true;
    const startedAt = obs.startedAt ?? r.startedAt;
    const initDone = {
      name: "init",
      state: { terminated: { exitCode: 0, reason: "Completed", finishedAt: startedAt } },
    };
    if (obs.phase === "Running") {
      await this.#status(r.pod, {
        phase: "Running",
        podIP: "127.0.0.1",
        conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
        initContainerStatuses: [initDone],
        containerStatuses: [
          { name: "wait", ready: true, state: { running: { startedAt } } },
          { name: "main", ready, state: { running: { startedAt } } },
        ],
      });
      return;
    }
    if (obs.phase === "Pending") return;
    if (r.reported) return;
    r.reported = true;
    clearTimeout(r.deadlineTimer);
    const result = await readResult(
      `${this.runtime.layout.nodeDir(r.run.workflow, r.run.nodeId)}/result.json`,
    );
    const exitCode = result?.exitCode ?? obs.exitCode ?? (obs.phase === "Succeeded" ? 0 : 1);
    const finishedAt = result?.finishedAt ?? new Date().toISOString();
    const mainTerminated = {
      name: "main",
      ready: false,
      state: {
        terminated: { exitCode, reason: exitCode === 0 ? "Completed" : "Error", startedAt, finishedAt },
      },
    };
    const deadline = r.killReason === "DeadlineExceeded";
    // 1. main has ended, wait is reporting
    await this.#status(r.pod, {
      phase: "Running",
      podIP: "127.0.0.1",
      initContainerStatuses: [initDone],
      containerStatuses: [{ name: "wait", ready: true, state: { running: { startedAt } } }, mainTerminated],
    });
    // 2. the wait container's report (unless the pod was killed first)
    if (result && !r.killReason) {
      const tr = taskResultOf(result, {
        namespace: r.pod.metadata.namespace!,
        workflowName: r.run.workflow.name,
        workflowUid: r.run.workflow.uid ?? "",
        nodeId: r.nodeId,
        podName: name,
      });
      await this.#retry(async () => {
        try {
          await this.#o.client.create(TASK_RESULTS, tr.metadata.namespace, tr);
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
          await this.#o.client.patch(TASK_RESULTS, tr.metadata.namespace, tr.metadata.name!, "merge", {
            metadata: { labels: tr.metadata.labels, annotations: tr.metadata.annotations },
            phase: tr.phase,
            message: tr.message ?? null,
            outputs: tr.outputs,
          });
        }
      });
    }
    // 3. the pod is over
    await this.#status(r.pod, {
      phase: exitCode === 0 && !deadline ? "Succeeded" : "Failed",
      ...(deadline
        ? {
          reason: "DeadlineExceeded",
          message: "Pod was active on the node longer than the specified deadline",
        }
        : {}),
      podIP: "127.0.0.1",
      conditions: [{ type: "Ready", status: "False" }],
      initContainerStatuses: [initDone],
      containerStatuses: [
        {
          name: "wait",
          ready: false,
          state: { terminated: { exitCode: 0, reason: "Completed", finishedAt } },
        },
        mainTerminated,
      ],
    });
    this.#running.delete(name);
  }

  async #status(pod: Pod, status: Record<string, unknown>): Promise<void> {
    await this.#retry(async () => {
      try {
        await this.#o.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, "merge", { status }, {
          subresource: "status",
        });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    });
  }

  /** As the kubelet, keeps trying while the API server is away (up to 3 minutes). */
  async #retry<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + 180_000;
    for (let i = 0;; i++) {
      try {
        return await fn();
      } catch (e) {
        if (this.#stopped || Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
      }
    }
  }
}

async function readResult(path: string): Promise<StepResult | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as StepResult;
  } catch {
    return undefined;
  }
}

const INTERNAL_ENV = /^(SKIFF_|DENO_|ARGO_)/;
const INTERNAL_VOLUMES = new Set(["var-run-argo", "argo-staging"]);

/** The RunSpec a pod was built from, as far as a process can run it. */
export function runSpecOf(pod: Pod): RunSpec {
  const main = pod.spec.containers.find((c) => c.name === "main")!;
  const desc = stepOf(pod)!;
  const raw = inputsOf(pod)?.raw ?? [];
  const { name: _n, image, command: _c, args: _a, env, workingDir, volumeMounts, ...extra } =
    main as Container;
  const run: RunSpec = {
    workflow: {
      name: pod.metadata.labels![LABEL_WORKFLOW]!,
      namespace: pod.metadata.namespace!,
      uid: pod.metadata.ownerReferences?.[0]?.uid ?? "",
    },
    nodeId: pod.metadata.annotations![ANNOTATION_NODE_ID]!,
    nodeName: pod.metadata.annotations![ANNOTATION_NODE_NAME]!,
    podName: pod.metadata.name!,
    templateName: "",
    main: {
      name: "main",
      image,
      command: desc.command,
      env: (env ?? []).filter((e) => !INTERNAL_ENV.test(e.name)),
      ...(workingDir ? { workingDir } : {}),
      volumeMounts: (volumeMounts ?? []).filter((m) => !INTERNAL_VOLUMES.has(m.name)),
      ...(Object.keys(extra).length > 0 ? { extra } : {}),
    },
    sidecars: pod.spec.containers.filter((c) => c.name !== "main" && c.name !== "wait").map((c) => ({
      name: c.name,
      image: c.image,
      env: [],
      volumeMounts: [],
    })),
    initContainers: (pod.spec.initContainers ?? []).filter((c) => c.name !== "init").map((c) => ({
      name: c.name,
      image: c.image,
      env: [],
      volumeMounts: [],
    })),
    volumes: (pod.spec.volumes ?? [])
      .filter((v) => !INTERNAL_VOLUMES.has(String(v.name)))
      .map(({ name, ...source }) => ({ name: String(name), source })),
    inputArtifacts: raw.map((a) => ({
      name: a.name,
      path: (volumeMounts ?? []).find((m) => m.subPath === `inputs/artifacts/${a.name}`)!.mountPath,
      from: { raw: a.data },
    })),
    outputs: { parameters: desc.outputs?.parameters ?? [], artifacts: desc.outputs?.artifacts ?? [] },
    daemon: pod.metadata.annotations?.["skiff.dev/daemon"] === "true",
  };
  if (desc.script) run.script = { source: desc.script.source };
  if (desc.deadline) run.deadline = desc.deadline;
  return run;
}
