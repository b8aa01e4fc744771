/**
 * skiff's Kubernetes host: Workflows are custom resources, steps are Pods, and one controller
 * process (leader-elected) reconciles them with the same engine the local host uses.
 *
 * ```ts
 * import { KubeClient, KubeController, KubeService, loadCredentials } from "./controller/kube/mod.ts";
 * const client = new KubeClient(await loadCredentials({ kubeconfig }));
 * const controller = new KubeController({ client, namespace: "skiff" });
 * await controller.start();
 * const service = new KubeService({ client, controller, version: "v0.1.0" }); // for web/app.ts
 * ```
 *
 * Parts: client.ts (REST on fetch), kubeconfig.ts/incluster.ts (credentials), informer.ts
 * (list+watch with a watchdog), queue.ts (work queue), controller.ts (wiring, leader election:
 * leader.ts), reconciler.ts (one reconcile), pod_actions.ts (pods, claims, cleanup; gc.ts has the
 * decisions), pods.ts (RunSpec -> Pod, emissary-style; layout.ts), observe.ts (Pod +
 * WorkflowTaskResult -> observation; taskresult.ts), status.ts (compressedNodes), templates.ts
 * (template references, workflowDefaults), config.ts (the ConfigMap; images without a command:
 * engine/images.ts), cron.ts (CronWorkflows on their schedules, with the engine's decisions), agent.ts
 * (the program of the pod's `wait` container; `init` runs the executor), service*.ts (the API service).
 *
 * @module
 */
export * from "./client.ts";
export { kubeconfigCredentials, loadCredentials, type LoadOptions } from "./kubeconfig.ts";
export { inClusterCredentials } from "./incluster.ts";
export { Informer, type InformerEvent, type InformerOptions, keyOf } from "./informer.ts";
export { WorkQueue, type WorkQueueOptions } from "./queue.ts";
export { KubeController, type KubeControllerOptions } from "./controller.ts";
export { CronController, type CronControllerOptions, type CronObject } from "./cron.ts";
export { Reconciler, type ReconcileStats, type WorkflowObject } from "./reconciler.ts";
export { LeaderElector, type LeaderOptions } from "./leader.ts";
export { type ControllerConfig, defaultConfig, parseConfig } from "./config.ts";
export { buildPod, executorLaunch, type Pod, stepOf } from "./pods.ts";
export { observePod } from "./observe.ts";
export { compactStatus, expandStatus, expandWorkflow } from "./status.ts";
export { type TaskResult, taskResultOf } from "./taskresult.ts";
export { KubeService, type KubeServiceOptions } from "./service.ts";
export * from "./labels.ts";
