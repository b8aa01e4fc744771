/**
 * One test's world on the real API server: a namespace of its own, the controller running in this
 * process (leader-elected on a Lease of that namespace), the fake kubelet, and the API service.
 */
import { KubeClient, type KubeObject, PODS, WORKFLOWS } from "../../controller/kube/client.ts";
import { type ControllerConfig, defaultConfig } from "../../controller/kube/config.ts";
import { KubeController, type KubeControllerOptions } from "../../controller/kube/controller.ts";
import { kubeconfigCredentials } from "../../controller/kube/kubeconfig.ts";
import type { WorkflowObject } from "../../controller/kube/reconciler.ts";
import { KubeService } from "../../controller/kube/service.ts";
import { expandWorkflow } from "../../controller/kube/status.ts";
import type { Workflow } from "../../controller/spec/types.ts";
import { eventually, type TestCluster, testNamespace } from "./cluster.ts";
import { FakeKubelet } from "./kubelet.ts";

/** A controller, fake kubelet and service in a namespace of their own. */
export interface Harness {
  namespace: string;
  client: KubeClient;
  controller: KubeController;
  kubelet: FakeKubelet;
  service: KubeService;
  /** Submits a workflow (through the API service: linted, normalized). */
  submit(wf: Workflow): Promise<Workflow>;
  /** The workflow as stored, with nodes decompressed. */
  get(name: string): Promise<Workflow>;
  /** Waits for the workflow to end (resuming suspend nodes without a duration, as `argo resume`). */
  waitDone(name: string, timeoutMs?: number, resume?: boolean): Promise<Workflow>;
  /** Another controller on the same namespace (for restarts and leader election). */
  newController(opts?: Partial<KubeControllerOptions>): KubeController;
  close(): Promise<void>;
}

/** The tests' controller settings: short watch timeouts and leases, so that failures show quickly. */
export function testControllerOptions(
  client: KubeClient,
  namespace: string,
  config: Partial<ControllerConfig> = {},
): KubeControllerOptions {
  return {
    client,
    namespace,
    managedNamespace: namespace,
    config: { ...defaultConfig(), executor: { image: "skiff/executor:test" }, ...config },
    workers: 4,
    leaderElection: { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 },
    watch: { timeoutSeconds: 5, idleMs: 10_000, backoffMs: { initial: 100, max: 2000 } },
    log: Deno.env.get("SKIFF_KUBE_TEST_LOG") === "1"
      ? (l: string) => console.error(`[${new Date().toISOString().slice(11, 23)}] ${l}`)
      : () => {},
  };
}

/** Sets up a harness on `cluster` (the controller started and leading). */
export async function newHarness(
  cluster: TestCluster,
  prefix: string,
  opts: {
    config?: Partial<ControllerConfig>;
    controller?: Partial<KubeControllerOptions>;
    kubelet?: boolean;
    kubeletMode?: "run" | "instant";
  } = {},
): Promise<Harness> {
  const namespace = await testNamespace(cluster.client, prefix);
  const client = new KubeClient(await kubeconfigCredentials(cluster.kubeconfig), { timeoutMs: 10_000 });
  const base = testControllerOptions(client, namespace, opts.config);
  const controllers: KubeController[] = [];
  const newController = (o: Partial<KubeControllerOptions> = {}) => {
    const c = new KubeController({ ...base, ...opts.controller, ...o });
    controllers.push(c);
    return c;
  };
  const controller = newController();
  await controller.start();
  await controller.waitUntilLeading(30_000);
  const kubelet = await FakeKubelet.create({
    client,
    namespace,
    ...(opts.kubeletMode ? { mode: opts.kubeletMode } : {}),
  });
  if (opts.kubelet !== false) kubelet.start();
  const service = new KubeService({ client, controller, version: "test", managedNamespace: namespace });

  const get = async (name: string) =>
    await expandWorkflow(await client.get<WorkflowObject>(WORKFLOWS, namespace, name)) as Workflow;
  return {
    namespace,
    client,
    controller,
    kubelet,
    service,
    submit: (wf) => service.createWorkflow(namespace, { workflow: wf }),
    get,
    async waitDone(name, timeoutMs = 120_000, resume = true) {
      let resumed = false;
      return await eventually(
        `workflow ${name} to end`,
        async () => {
          const wf = await get(name);
          if (["Succeeded", "Failed", "Error"].includes(wf.status?.phase ?? "")) return wf;
          if (resume && !resumed && waitingSuspend(wf)) {
            resumed = true;
            await service.resumeWorkflow(namespace, name);
          }
          return undefined;
        },
        timeoutMs,
        200,
      );
    },
    newController,
    async close() {
      await service.close();
      for (const c of controllers) await c.stop();
      await kubelet.stop();
      // Its pods at once (without a namespace controller, tier (a) keeps a deleted namespace's pods,
      // which the node tier's controllers would then have to delete one by one).
      await client.request("DELETE", `${client.path(PODS, namespace)}?gracePeriodSeconds=0`).catch(() => {});
      await client.delete(
        { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false },
        undefined,
        namespace,
      )
        .catch(() => {});
      client.close();
    },
  };
}

/** A suspend node without a duration, waiting for a resume. */
export function waitingSuspend(wf: Workflow): boolean {
  return Object.values(wf.status?.nodes ?? {}).some((n) => {
    if (n.type !== "Suspend" || n.phase !== "Running") return false;
    const t = wf.spec.templates?.find((t) => t.name === n.templateName);
    return t?.suspend?.duration === undefined;
  });
}

/** Counts pod creations and deletions in a namespace from a watch of its own (every event, none missed). */
export class PodEvents {
  readonly added = new Map<string, number>();
  readonly deleted = new Map<string, number>();
  #stop = new AbortController();
  #done: Promise<void>;
  #rv: string | undefined;

  constructor(client: KubeClient, namespace: string) {
    this.#done = (async () => {
      const list = await client.list<KubeObject>({
        group: "",
        version: "v1",
        plural: "pods",
        kind: "Pod",
        namespaced: true,
      }, namespace);
      this.#rv = list.metadata.resourceVersion;
      for (const p of list.items) {
        this.added.set(p.metadata.name!, (this.added.get(p.metadata.name!) ?? 0) + 1);
      }
      while (!this.#stop.signal.aborted) {
        try {
          for await (
            const ev of client.watch<KubeObject>(
              { group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true },
              namespace,
              {
                ...(this.#rv ? { resourceVersion: this.#rv } : {}),
                allowWatchBookmarks: true,
                timeoutSeconds: 30,
              },
              this.#stop.signal,
            )
          ) {
            this.#rv = ev.object.metadata.resourceVersion ?? this.#rv;
            const name = ev.object.metadata.name!;
            if (ev.type === "ADDED") this.added.set(name, (this.added.get(name) ?? 0) + 1);
            if (ev.type === "DELETED") this.deleted.set(name, (this.deleted.get(name) ?? 0) + 1);
          }
        } catch {
          if (this.#stop.signal.aborted) return;
          await new Promise((r) => setTimeout(r, 300));
        }
      }
    })();
  }

  /** Pod names created more than once. */
  duplicates(): string[] {
    return [...this.added].filter(([, n]) => n > 1).map(([name]) => name);
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done.catch(() => {});
  }
}
