/**
 * A container or script template, fully resolved, becomes the RunSpec a host runs: main container,
 * sidecars, init containers, volumes (workflow, template and volumeClaimTemplates), input
 * artifacts (raw, another node's, or an Argo location), output parameters/artifacts, daemon flag,
 * deadline and pass-through pod fields.
 */

import type { Container, NodeStatus, Template, UserContainer, Volume } from "../spec/types.ts";
import type { RunContainer, RunSpec, RunVolume, RunVolumeMount } from "./actions.ts";
import { runInputArtifacts } from "./artifacts.ts";
import type { Op } from "./context.ts";
import { podName } from "./names.ts";
import { formatTime } from "./time.ts";

const containerOwnKeys = new Set([
  "name",
  "image",
  "command",
  "args",
  "env",
  "workingDir",
  "volumeMounts",
  "source",
]);

function runContainer(c: Container, defaultName: string, mirror?: RunVolumeMount[]): RunContainer {
  const out: RunContainer = {
    name: c.name || defaultName,
    image: c.image ?? "",
    env: (c.env ?? []).map((e) => {
      const v: RunContainer["env"][number] = { name: e.name };
      if (e.value !== undefined) v.value = e.value;
      if (e.valueFrom !== undefined) v.valueFrom = e.valueFrom as Record<string, unknown>;
      return v;
    }),
    volumeMounts: (c.volumeMounts ?? []).map((m) => {
      const v: RunVolumeMount = { name: m.name, mountPath: m.mountPath };
      if (m.readOnly !== undefined) v.readOnly = m.readOnly;
      if (m.subPath !== undefined) v.subPath = m.subPath;
      return v;
    }),
  };
  if (mirror) {
    for (const m of mirror) {
      if (!out.volumeMounts.some((x) => x.mountPath === m.mountPath)) out.volumeMounts.push(m);
    }
  }
  if (c.command) out.command = [...c.command];
  if (c.args) out.args = [...c.args];
  if (c.workingDir) out.workingDir = c.workingDir;
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (!containerOwnKeys.has(k) && k !== "mirrorVolumeMounts" && v !== undefined) extra[k] = v;
  }
  if (Object.keys(extra).length > 0) out.extra = extra;
  return out;
}

function volumeSource(v: Volume): Record<string, unknown> {
  const { name: _name, ...source } = v;
  return source as Record<string, unknown>;
}

/** Volumes of the workflow (spec.volumes, volumeClaimTemplates) and the template that the pod's containers mount. */
function podVolumes(op: Op, tmpl: Template, containers: RunContainer[]): RunVolume[] {
  const mounted = new Set(containers.flatMap((c) => c.volumeMounts.map((m) => m.name)));
  const volumes: RunVolume[] = [];
  const seen = new Set<string>();
  const add = (name: string, source: Record<string, unknown>) => {
    if (seen.has(name)) return;
    seen.add(name);
    volumes.push({ name, source });
  };
  for (const v of tmpl.volumes ?? []) add(v.name, volumeSource(v));
  for (const v of op.spec.volumes ?? []) if (mounted.has(v.name)) add(v.name, volumeSource(v));
  for (const claim of op.spec.volumeClaimTemplates ?? []) {
    const name = claim.metadata?.name;
    if (!name || !mounted.has(name)) continue;
    add(name, {
      persistentVolumeClaim: { claimName: `${op.name}-${name}` },
      volumeClaimTemplate: structuredClone(claim) as unknown as Record<string, unknown>,
    });
  }
  return volumes;
}

const podFields = [
  "nodeSelector",
  "affinity",
  "tolerations",
  "schedulerName",
  "priorityClassName",
  "serviceAccountName",
  "automountServiceAccountToken",
  "securityContext",
  "hostAliases",
  "podSpecPatch",
] as const;
const specPodFields: Record<string, string> = {
  nodeSelector: "nodeSelector",
  affinity: "affinity",
  tolerations: "tolerations",
  schedulerName: "schedulerName",
  priorityClassName: "podPriorityClassName",
  serviceAccountName: "serviceAccountName",
  automountServiceAccountToken: "automountServiceAccountToken",
  securityContext: "securityContext",
  hostAliases: "hostAliases",
  podSpecPatch: "podSpecPatch",
  imagePullSecrets: "imagePullSecrets",
  hostNetwork: "hostNetwork",
  dnsPolicy: "dnsPolicy",
  dnsConfig: "dnsConfig",
};

function podSpecOf(op: Op, tmpl: Template): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const spec = op.spec as Record<string, unknown>;
  for (const [field, specField] of Object.entries(specPodFields)) {
    const own = (podFields as readonly string[]).includes(field)
      ? (tmpl as Record<string, unknown>)[field]
      : undefined;
    const value = own ?? spec[specField];
    if (value !== undefined) out[field] = structuredClone(value);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The RunSpec of a Pod node: `tmpl` is the template with every `{{...}}` substituted. `deadline`
 * is the instant (ms) the pod must be done by, if any.
 */
export function buildRunSpec(
  op: Op,
  node: NodeStatus,
  templateName: string,
  tmpl: Template,
  deadline: number | undefined,
): RunSpec {
  const body: Container = tmpl.container ?? tmpl.script ?? {};
  const main = runContainer(body, "main");
  main.name = "main";
  const mainMounts = main.volumeMounts;
  const sidecars = (tmpl.sidecars ?? []).map((c: UserContainer, i) =>
    runContainer(c, `sidecar-${i}`, c.mirrorVolumeMounts ? mainMounts : undefined)
  );
  const initContainers = (tmpl.initContainers ?? []).map((c: UserContainer, i) =>
    runContainer(c, `init-${i}`, c.mirrorVolumeMounts ? mainMounts : undefined)
  );
  const inputArtifacts = runInputArtifacts(tmpl);
  const spec: RunSpec = {
    workflow: { name: op.name, namespace: op.namespace },
    nodeId: node.id,
    nodeName: node.name,
    podName: podName(op.name, node.name, templateName),
    templateName,
    main,
    sidecars,
    initContainers,
    volumes: podVolumes(op, tmpl, [main, ...sidecars, ...initContainers]),
    inputArtifacts,
    outputs: {
      parameters: (tmpl.outputs?.parameters ?? []).filter((p) => p.valueFrom?.path).map((p) => {
        const out: RunSpec["outputs"]["parameters"][number] = { name: p.name, path: p.valueFrom?.path ?? "" };
        if (p.valueFrom?.default !== undefined) out.default = p.valueFrom.default;
        return out;
      }),
      artifacts: (tmpl.outputs?.artifacts ?? []).filter((a) => a.path).map((a) => {
        const out: RunSpec["outputs"]["artifacts"][number] = { name: a.name, path: a.path ?? "" };
        if (a.optional !== undefined) out.optional = a.optional;
        return out;
      }),
    },
    daemon: tmpl.daemon === true,
  };
  if (op.wf.metadata.uid) spec.workflow.uid = op.wf.metadata.uid;
  if (tmpl.script) spec.script = { source: tmpl.script.source };
  if (deadline !== undefined) spec.deadline = formatTime(deadline);
  const podSpec = podSpecOf(op, tmpl);
  if (podSpec) spec.podSpec = podSpec;
  const labels = { ...op.spec.podMetadata?.labels, ...tmpl.metadata?.labels };
  const annotations = { ...op.spec.podMetadata?.annotations, ...tmpl.metadata?.annotations };
  if (Object.keys(labels).length > 0 || Object.keys(annotations).length > 0) {
    spec.metadata = {};
    if (Object.keys(labels).length > 0) spec.metadata.labels = labels;
    if (Object.keys(annotations).length > 0) spec.metadata.annotations = annotations;
  }
  return spec;
}
