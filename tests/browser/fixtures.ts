/**
 * Synthetic workflows in Argo's status shape, for the UI's scale checks: big loops, loops of
 * nested steps and wide DAGs, with as many nodes as asked.
 */
import type { NodeStatus, Workflow } from "../../web/ui/client/types.ts";

/** The shapes {@link bigStatus} makes. */
export type Shape = "loop" | "nested" | "dag-chains";

/**
 * `status.nodes` of about `count` nodes:
 * - `loop`: steps with one step group of `count` pods (withItems), then one more step;
 * - `nested`: a loop over a template of two steps (5 nodes per item);
 * - `dag-chains`: a DAG of parallel chains of 10 tasks each, joined by one last task.
 */
export function bigStatus(name: string, count: number, shape: Shape, phaseOf = (_i: number) => "Succeeded") {
  const nodes: Record<string, NodeStatus> = {};
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const time = (s: number) => new Date(t0 + s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  let seq = 0;
  const add = (n: Partial<NodeStatus> & { type: string; displayName: string }, i = 0): NodeStatus => {
    const id = `${name}-${++seq}`;
    const node: NodeStatus = {
      id,
      name: `${name}.${n.displayName}`,
      phase: phaseOf(i),
      startedAt: time(i % 60),
      finishedAt: time((i % 60) + 5),
      ...n,
    } as NodeStatus;
    nodes[id] = node;
    return node;
  };
  const link = (a: NodeStatus, b: NodeStatus) => (a.children ??= []).push(b.id);
  if (shape === "dag-chains") {
    const root = add({ type: "DAG", displayName: name, templateName: "main" });
    const end = add({ type: "Pod", displayName: "join", templateName: "work" });
    const chains = Math.max(1, Math.floor((count - 2) / 10));
    let i = 0;
    for (let c = 0; c < chains; c++) {
      let prev: NodeStatus | undefined;
      for (let k = 0; k < 10; k++) {
        const n = add({ type: "Pod", displayName: `c${c}-t${k}`, templateName: "work" }, i++);
        if (prev) link(prev, n);
        else link(root, n);
        prev = n;
      }
      link(prev!, end);
    }
    root.outboundNodes = [end.id];
  } else {
    const root = add({ type: "Steps", displayName: name, templateName: "main" });
    const g0 = add({ type: "StepGroup", displayName: "[0]" });
    const g1 = add({ type: "StepGroup", displayName: "[1]" });
    const last = add({ type: "Pod", displayName: "report", templateName: "work" });
    link(root, g0);
    link(g1, last);
    const per = shape === "loop" ? 1 : 5;
    const items = Math.max(1, Math.floor((count - 4) / per));
    for (let i = 0; i < items; i++) {
      const label = `process(${i}:item-${i})`;
      if (shape === "loop") {
        const pod = add({
          type: "Pod",
          displayName: label,
          templateName: "work",
          inputs: { parameters: [{ name: "item", value: `item-${i}` }] },
        }, i);
        link(g0, pod);
        link(pod, g1);
      } else {
        const steps = add({ type: "Steps", displayName: label, templateName: "two" }, i);
        const a0 = add({ type: "StepGroup", displayName: "[0]" }, i);
        const a = add({ type: "Pod", displayName: "fetch", templateName: "work" }, i);
        const b0 = add({ type: "StepGroup", displayName: "[1]" }, i);
        const b = add({ type: "Pod", displayName: "store", templateName: "work" }, i);
        link(g0, steps);
        link(steps, a0);
        link(a0, a);
        link(a, b0);
        link(b0, b);
        link(steps, g1);
      }
    }
  }
  return nodes;
}

/** A finished workflow holding {@link bigStatus}'s nodes. */
export function bigWorkflow(name: string, count: number, shape: Shape): Workflow {
  const nodes = bigStatus(name, count, shape);
  const pods = Object.values(nodes).filter((n) => n.type === "Pod").length;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name, namespace: "default", labels: { "scale-test": shape } },
    spec: { entrypoint: "main", templates: [{ name: "main" }] },
    status: {
      phase: "Succeeded",
      startedAt: "2026-01-01T00:00:00Z",
      finishedAt: "2026-01-01T00:01:05Z",
      progress: `${pods}/${pods}`,
      nodes,
    },
  };
}
