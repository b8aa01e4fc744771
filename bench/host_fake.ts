/**
 * A runtime whose steps end at once (Succeeded, empty output), for measuring what the controller
 * itself costs per node (engine reconcile, SQLite store, host loop) without any step execution.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { NodeObservation, RunSpec } from "../controller/engine/actions.ts";
import { Observations } from "../controller/local/runtime/common.ts";
import type {
  ObservationListener,
  Runtime,
  RuntimeStep,
  WorkflowRef,
} from "../controller/local/runtime/mod.ts";
import { LocalResources } from "../controller/local/runtime/resources.ts";

/** Every started step runs and succeeds on the next turn of the event loop. */
export class InstantRuntime implements Runtime {
  readonly kind = "process" as const;
  readonly resources = new LocalResources();
  #obs = new Observations();
  /** How many steps were started. */
  started = 0;

  start(run: RunSpec): Promise<void> {
    if (this.#obs.get(run.nodeId)) return Promise.resolve();
    this.started++;
    const startedAt = new Date().toISOString();
    this.#obs.set(run, { phase: "Running", startedAt });
    setImmediate(() => {
      this.#obs.set(run, {
        phase: "Succeeded",
        startedAt,
        finishedAt: new Date().toISOString(),
        exitCode: 0,
        stdout: "",
        parameters: {},
        artifacts: {},
      });
    });
    return Promise.resolve();
  }
  observe(nodeId: string): NodeObservation | undefined {
    return this.#obs.get(nodeId);
  }
  wait(nodeId: string): Promise<NodeObservation> {
    return this.#obs.wait(nodeId);
  }
  kill(): Promise<void> {
    return Promise.resolve();
  }
  adopt(_wf: WorkflowRef, nodeId: string): Promise<NodeObservation | undefined> {
    return Promise.resolve(this.#obs.get(nodeId));
  }
  list(): Promise<RuntimeStep[]> {
    return Promise.resolve([]);
  }
  logs(): Promise<string> {
    return Promise.resolve("");
  }
  subscribe(listener: ObservationListener): () => void {
    return this.#obs.subscribe(listener);
  }
  cleanup(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
