/**
 * The examples of examples/ on the real API server: submitted through the API service, reconciled
 * by the controller in this process, their pods run by the fake kubelet, and held to the same
 * `# Expect-` headers as the local end-to-end tests.
 */
import {
  exampleDocuments,
  knownGaps,
  localExamples,
  RUNTIME_LIMITS,
  unmetExpectations,
} from "../e2e/examples_run.ts";
import type { TestCluster } from "./cluster.ts";
import { newHarness } from "./harness.ts";

/**
 * Examples the fake kubelet cannot run (it runs only the main container, as a host process with this
 * machine's programs, as the process runtime does), with why: they run on the real node instead
 * (node_cases.ts), in real pods of the test image.
 */
export const NODE_EXAMPLES: Record<string, string> = Object.fromEntries(
  Object.entries(RUNTIME_LIMITS.process).map((
    [k, v],
  ) => [k, `fake kubelet (process runtime): ${v.replace(/: podman only$/, "")}`]),
);

/**
 * Examples the Kubernetes host cannot run by design, or that the fake kubelet cannot (it runs the
 * main container as a host process, as the process runtime does).
 */
export const KUBE_LIMITS: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(NODE_EXAMPLES).map((
      [k, v],
    ) => [k, `${v}; this example runs on the real node instead (node_cases.ts)`]),
  ),
  "artifacts.yaml":
    "the fake kubelet has no artifact repository (S3); this example runs on the real node instead (node_artifacts_cases.ts)",
  ...Object.fromEntries(
    Object.entries(knownGaps).filter(([k]) => k.startsWith("process:") && k !== "process:artifacts.yaml")
      .map(([k, v]) => [k.slice("process:".length), `fake kubelet (process runtime): ${v}`]),
  ),
};

/** An example file's other documents (its Secrets and ConfigMaps), created in `namespace`. */
export async function applyOthers(
  c: TestCluster,
  namespace: string,
  example: string,
  others: unknown[],
): Promise<void> {
  if (others.length === 0) return;
  const r = await c.kubectl(
    ["-n", namespace, "apply", "-f", "-"],
    JSON.stringify({ apiVersion: "v1", kind: "List", items: others }),
  );
  if (r.code !== 0) throw new Error(`kubectl apply of ${example}'s other documents: ${r.stderr}`);
}

/** One test per example. `cluster()` gives the started cluster. */
export function defineExampleTests(cluster: () => Promise<TestCluster>, skip: string | undefined): void {
  for (const ex of localExamples()) {
    const why = skip ?? KUBE_LIMITS[ex.name];
    Deno.test({
      name: `kube example: ${ex.name}${why ? ` (skipped: ${why})` : ""}`,
      ignore: why !== undefined,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const c = await cluster();
        const h = await newHarness(c, "ex");
        try {
          const { workflow, others } = exampleDocuments(ex, "process");
          // the file's Secrets and ConfigMaps: in the cluster (the controller reads labelled
          // ConfigMaps for parameters), and at the fake kubelet (it mounts them)
          if (others.length > 0) {
            await applyOthers(c, h.namespace, ex.name, others);
            h.kubelet.runtime.resources.addDocuments(
              others.map((o) => ({
                ...(o as Record<string, unknown>),
                metadata: { ...(o as { metadata?: object }).metadata, namespace: h.namespace },
              })),
              ex.name,
            );
          }
          const created = await h.submit(workflow);
          const wf = await h.waitDone(created.metadata.name!, 150_000);
          const logs = new Map<string, string>();
          for (const n of Object.values(wf.status?.nodes ?? {})) {
            if (n.type === "Pod") logs.set(n.id, await h.kubelet.logs(wf.metadata.name!, n.id));
          }
          const unmet = unmetExpectations(ex, { workflow: wf, logs });
          if (unmet.length > 0) throw new Error(`${ex.name} on Kubernetes:\n  ${unmet.join("\n  ")}`);
        } finally {
          await h.close();
        }
      },
    });
  }
}
