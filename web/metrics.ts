/**
 * `/metrics` in Prometheus' text format (prom-client): workflows by phase, steps started,
 * reconcile durations and the depth of the work queue, read from the service at each scrape.
 */
import client from "prom-client";
import type { WorkflowService } from "./service.ts";

/** The phases always reported (0 when none), so dashboards see every series. */
const PHASES = ["Pending", "Running", "Succeeded", "Failed", "Error"];

/** A metrics registry fed by a service. */
export class ServiceMetrics {
  readonly registry = new client.Registry();
  readonly contentType: string = this.registry.contentType;
  #workflows: client.Gauge;
  #nodesStarted: client.Counter;
  #queueDepth: client.Gauge;
  #reconcile: client.Histogram;

  constructor(private readonly service: WorkflowService) {
    const registers = [this.registry];
    this.#workflows = new client.Gauge({
      name: "skiff_workflows",
      help: "Workflows by phase",
      labelNames: ["phase"],
      registers,
    });
    this.#nodesStarted = new client.Counter({
      name: "skiff_nodes_started_total",
      help: "Steps (pods) started since the server started",
      registers,
    });
    this.#queueDepth = new client.Gauge({
      name: "skiff_queue_depth",
      help: "Actions decided by the engine and not yet carried out",
      registers,
    });
    this.#reconcile = new client.Histogram({
      name: "skiff_reconcile_duration_seconds",
      help: "Time one reconcile of a workflow takes",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }

  /** Reads the service and renders every metric. */
  async render(): Promise<string> {
    const snap = await this.service.metrics();
    this.#workflows.reset();
    for (const phase of new Set([...PHASES, ...Object.keys(snap.workflowsByPhase)])) {
      this.#workflows.set({ phase }, snap.workflowsByPhase[phase] ?? 0);
    }
    this.#nodesStarted.reset();
    this.#nodesStarted.inc(snap.nodesStarted);
    this.#queueDepth.set(snap.queueDepth);
    for (const s of snap.reconcileSeconds) this.#reconcile.observe(s);
    return await this.registry.metrics();
  }
}
