/** Building RunSpecs the way the engine would, for runtime tests. */
import type { RunContainer, RunSpec } from "../../controller/engine/actions.ts";

let counter = 0;

/** A RunSpec for one step of workflow `wf`, with a fresh node id unless given. */
export function runSpec(
  wf: string,
  step: Partial<Omit<RunSpec, "main">> & { main?: Partial<RunContainer> },
): RunSpec {
  const n = ++counter;
  const nodeId = step.nodeId ?? `${wf}-${1000 + n}`;
  const { main, ...rest } = step;
  return {
    workflow: { name: wf, namespace: "default" },
    nodeId,
    nodeName: `${wf}[0].step${n}`,
    podName: `${wf}-step-${1000 + n}`,
    templateName: "step",
    sidecars: [],
    initContainers: [],
    volumes: [],
    inputArtifacts: [],
    outputs: { parameters: [], artifacts: [] },
    daemon: false,
    ...rest,
    main: { name: "main", image: "busybox", env: [], volumeMounts: [], ...main },
  };
}

/** A unique workflow name. */
export function wfName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** Do two [startedAt, finishedAt] intervals overlap? */
export function overlap(
  a: { startedAt?: string; finishedAt?: string },
  b: { startedAt?: string; finishedAt?: string },
): boolean {
  const t = (s?: string) => Date.parse(s!);
  return t(a.startedAt) < t(b.finishedAt) && t(b.startedAt) < t(a.finishedAt);
}
