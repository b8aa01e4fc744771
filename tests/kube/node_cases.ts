/**
 * Tier (b): the same cluster with a real node (containerd + kubelet built from source). The
 * executor image is built from this checkout (deploy/executor-rootfs.sh, the tree the Dockerfile
 * builds) and imported into the node's containerd; workflows then run for real: `init` runs the
 * executor, which copies itself into the pod (and fetches input artifacts), `main` runs the user's
 * command through it in a busybox image, `wait` reports the result as a WorkflowTaskResult with the
 * pod's own ServiceAccount token, and logs are read from the kubelet through the API.
 *
 * Pods reach the API server on 127.0.0.1 (host network): the test cluster has no kube-proxy.
 * Skipped, saying why, when the node's binaries or containerd are missing.
 */
import { equal, ok } from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { PODS } from "../../controller/kube/client.ts";
import type { ControllerConfig } from "../../controller/kube/config.ts";
import type { Pod } from "../../controller/kube/pods.ts";
import type { Workflow } from "../../controller/spec/types.ts";
import { ensureTestImage, podmanSkipReason, TEST_IMAGE } from "../local/podman_env.ts";
import {
  clusterEnv,
  eventually,
  freePort,
  lockNode,
  runStartScript,
  STATE,
  type TestCluster,
} from "./cluster.ts";
import { applyOthers, NODE_EXAMPLES } from "./examples_cases.ts";
import { type Harness, newHarness } from "./harness.ts";
import { artifactsOnNode, logsByNode, nodeExample } from "./node_artifacts_cases.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const EXECUTOR_IMAGE = "docker.io/skiff/executor:test";
const BUSYBOX = "docker.io/library/busybox:1.35-skiff";

/** Why tier (b) cannot run here (undefined: it can). */
export async function nodeSkipReason(bin: string | undefined): Promise<string | undefined> {
  if (!bin) return "the cluster binaries are not built";
  for (const b of ["kubelet", "kube-controller-manager", "kube-scheduler", "pause"]) {
    if (!(await Deno.stat(`${bin}/${b}`).then(() => true, () => false))) {
      return `${b} is not built (tests/cluster/build.sh all)`;
    }
  }
  if (Deno.uid?.() !== 0) return "a node needs root";
  const has = async (cmd: string) =>
    (await new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null", stderr: "null" })
      .output()).success;
  if (!(await has("containerd")) && !(await has("apt-get"))) {
    return "containerd is not installed and apt-get is missing";
  }
  if (Deno.env.get("SKIFF_KUBE_TEST_NODE") === "0") return "SKIFF_KUBE_TEST_NODE=0";
  return undefined;
}

async function sh(script: string, env: Record<string, string> = {}): Promise<string> {
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd: ROOT,
    env: { ...clusterEnv(), ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`${script}\nfailed (${out.code}):\n${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

/** The node's own ports (not the defaults, which another cluster of this machine may use). */
const NODE_PORTS = {
  SKIFF_CLUSTER_CM_PORT: "20257",
  SKIFF_CLUSTER_SCHEDULER_PORT: "20259",
  SKIFF_CLUSTER_KUBELET_PORT: "20250",
  SKIFF_CLUSTER_KUBELET_HEALTHZ_PORT: "20248",
};

/** Builds the executor image from this checkout and imports it into the node's containerd. */
async function importExecutorImage(): Promise<void> {
  const work = await Deno.makeTempDir({ prefix: "skiff-executor-image-" });
  try {
    // the deno running these tests (on CI it comes from npx, not from PATH)
    await sh(`sh deploy/executor-rootfs.sh "${work}/rootfs"`, { DENO: Deno.execPath() });
    const entry = JSON.stringify([
      "/skiff/lib/ld.so",
      "--library-path",
      "/skiff/lib",
      "/skiff/bin/deno",
      "run",
      "-A",
      "--no-config",
      "--no-lock",
      "/skiff/agent.js",
    ]);
    await sh(`
set -euo pipefail
cd "${work}"
tar --numeric-owner --owner=0 --group=0 --mtime=@0 -C rootfs -cf layer.tar .
lsha=$(sha256sum layer.tar | cut -d' ' -f1)
mkdir -p "$lsha" && mv layer.tar "$lsha/layer.tar"
printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"],"Entrypoint":%s,"Cmd":["wait"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' '${entry}' "$lsha" > config.json
csha=$(sha256sum config.json | cut -d' ' -f1)
mv config.json "$csha.json"
printf '[{"Config":"%s.json","RepoTags":["skiff/executor:test"],"Layers":["%s/layer.tar"]}]' "$csha" "$lsha" > manifest.json
tar -cf image.tar manifest.json "$csha.json" "$lsha/layer.tar"
ctr --address "${STATE}/containerd/containerd.sock" --namespace k8s.io images import image.tar >/dev/null
`);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/**
 * The local test image (sh, busybox, python3, node, cowsay: what the images of Argo's examples
 * provide), built with podman when missing (tests/images/build.sh) and imported into the node's
 * containerd (cached: nothing to do when it has that image already).
 */
async function importTestImage(): Promise<void> {
  await ensureTestImage();
  await sh(`bash tests/cluster/import-image.sh ${TEST_IMAGE}`);
}

/** The node's pods, one line each: phase, reason, and how each container ended or waits. */
async function podSummary(h: Harness, workflow: string): Promise<string> {
  const pods = await h.client.list<Pod>(PODS, h.namespace, {
    labelSelector: `workflows.argoproj.io/workflow=${workflow}`,
  });
  return pods.items.map((p) => {
    const containers = [...p.status?.initContainerStatuses ?? [], ...p.status?.containerStatuses ?? []]
      .map((s) => `${s.name}=${JSON.stringify(s.state ?? {})}`);
    return `${p.metadata.name}: ${p.status?.phase} ${p.status?.reason ?? ""} ${containers.join(" ")}`;
  }).join("\n  ");
}

/**
 * An example of examples/ in real pods of the test image (its images mapped to it, as the local
 * tests do with `--image-map '*=localhost/skiff-test'`), held to its `# Expect-` headers.
 */
async function exampleOnNode(c: TestCluster, name: string): Promise<void> {
  // the pods use the host's network, which other tests share: a fixed port becomes a free one
  const port = String(freePort(1));
  const { workflow, others, check } = nodeExample(name, TEST_IMAGE, (t) => t.replaceAll("8080", port));
  const h = await newHarness(c, "nodeex", { kubelet: false, config: nodeConfig(c) });
  try {
    await workflowAccount(c, h.namespace);
    await applyOthers(c, h.namespace, name, others);
    const created = await h.submit(workflow);
    const wf = created.metadata.name!;
    const done = await h.waitDone(wf, 240_000);
    const unmet = check(done, await logsByNode(h, wf));
    ok(
      unmet.length === 0,
      `${name} on a real node:\n  ${unmet.join("\n  ")}\npods:\n  ${await podSummary(h, wf)}`,
    );
  } finally {
    await h.close();
  }
}

/**
 * The controller's configuration for real pods: the executor image built here, the API server on
 * 127.0.0.1 (pods use the host's network), the workflows' ServiceAccount.
 */
function nodeConfig(c: TestCluster): Partial<ControllerConfig> {
  return {
    executor: {
      image: EXECUTOR_IMAGE,
      imagePullPolicy: "IfNotPresent",
      env: [{ name: "KUBERNETES_SERVICE_HOST", value: "127.0.0.1" }, {
        name: "KUBERNETES_SERVICE_PORT",
        value: new URL(c.client.server).port,
      }],
    },
    workflowDefaults: { spec: { serviceAccountName: "skiff-workflow", hostNetwork: true } },
  };
}

/**
 * The pods' ServiceAccount and its right to report results: the ClusterRole of
 * deploy/rbac-workflow.yaml (so that these tests do not depend on the deploy tests having installed
 * it), then deploy/namespace/workflow-rbac.yaml and its RoleBinding, as a user adds a namespace.
 */
async function workflowAccount(c: TestCluster, namespace: string): Promise<void> {
  const role = (await Deno.readTextFile(`${ROOT}deploy/rbac-workflow.yaml`)).split(/^---$/m)
    .find((doc) => /^kind: ClusterRole$/m.test(doc));
  ok(role, "deploy/rbac-workflow.yaml has the ClusterRole skiff-workflow");
  const cr = await c.kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], role);
  equal(cr.code, 0, cr.stderr);
  const sa = await c.kubectl(["-n", namespace, "apply", "-f", `${ROOT}deploy/namespace/workflow-rbac.yaml`]);
  equal(sa.code, 0, sa.stderr);
  const rb = await c.kubectl([
    "-n",
    namespace,
    "create",
    "rolebinding",
    "skiff-workflow",
    "--clusterrole",
    "skiff-workflow",
    "--serviceaccount",
    `${namespace}:skiff-workflow`,
  ]);
  equal(rb.code, 0, rb.stderr);
}

let releaseNode: (() => void) | undefined;

/** Lets another test run have the machine's node (after this run's cluster, node included, stopped). */
export function releaseNodeLock(): void {
  releaseNode?.();
  releaseNode = undefined;
}

export function defineNodeTests(
  cluster: () => Promise<TestCluster>,
  skip: string | undefined,
): void {
  let nodeReady: Promise<void> | undefined;
  const node = async (c: TestCluster) => {
    nodeReady ??= (async () => {
      releaseNode = await lockNode(); // one node per machine: test runs take turns
      await runStartScript("node", NODE_PORTS);
      await importExecutorImage();
    })();
    await nodeReady;
    return c;
  };
  const test = (name: string, fn: (c: TestCluster) => Promise<void>, why = skip) =>
    Deno.test({
      name: `kube node: ${name}${why ? ` (skipped: ${why})` : ""}`,
      ignore: why !== undefined,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => await fn(await node(await cluster())),
    });

  test("a workflow runs in real pods: init/wait/main, outputs through WorkflowTaskResults, logs from the kubelet", async (c) => {
    const h = await newHarness(c, "node", {
      kubelet: false,
      config: nodeConfig(c),
    });
    try {
      await workflowAccount(c, h.namespace);
      const created = await h.submit(parseYaml(`
metadata: {generateName: real-}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: generate, template: generate}
    - - name: consume
        template: consume
        arguments:
          parameters:
          - {name: result, value: "{{steps.generate.outputs.result}}"}
          - {name: param, value: "{{steps.generate.outputs.parameters.word}}"}
  - name: generate
    script:
      image: ${BUSYBOX}
      command: [sh]
      source: |
        echo -n bird > /tmp/word
        echo 42
    outputs:
      parameters:
      - name: word
        valueFrom: {path: /tmp/word}
  - name: consume
    inputs: {parameters: [{name: result}, {name: param}]}
    container:
      image: ${BUSYBOX}
      command: [sh, -c, "echo got {{inputs.parameters.result}} and {{inputs.parameters.param}}"]
`) as Workflow);
      const name = created.metadata.name!;
      const done = await h.waitDone(name, 180_000);
      equal(done.status?.phase, "Succeeded", done.status?.message ?? "");
      const nodes = Object.values(done.status?.nodes ?? {});
      const generate = nodes.find((n) => n.displayName === "generate")!;
      equal(generate.outputs?.result, "42");
      equal(generate.outputs?.parameters?.find((p) => p.name === "word")?.value, "bird");
      const logs: string[] = [];
      for await (const e of h.service.workflowLogs(h.namespace, name, {}, AbortSignal.timeout(30_000))) {
        logs.push(e.content);
      }
      ok(logs.includes("got 42 and bird"), JSON.stringify(logs));
      await eventually(
        "both pods to be Succeeded",
        async () => {
          const pods = await h.client.list<Pod>(PODS, h.namespace, {
            labelSelector: `workflows.argoproj.io/workflow=${name}`,
          });
          return pods.items.length === 2 && pods.items.every((p) => p.status?.phase === "Succeeded")
            ? true
            : undefined;
        },
        30_000,
        250,
      );
    } finally {
      await h.close();
    }
  });

  test("examples/artifacts.yaml passes its artifact through an S3 repository (s3proxy); without one it says what to configure", async (c) => {
    await artifactsOnNode(c, {
      image: BUSYBOX,
      config: nodeConfig(c),
      prepare: (h) => workflowAccount(c, h.namespace),
    });
  });

  // the examples the fake kubelet of tier (a) cannot run (KUBE_LIMITS says they run here), one test each
  let testImage: Promise<void> | undefined;
  for (const name of Object.keys(NODE_EXAMPLES)) {
    test(
      `examples/${name} meets its # Expect- headers in real pods of the test image`,
      async (c) => {
        await (testImage ??= importTestImage());
        await exampleOnNode(c, name);
      },
      skip ?? (podmanSkipReason && `the test image is made with podman: ${podmanSkipReason}`),
    );
  }

  test("terminate stops a real running pod through activeDeadlineSeconds; the kubelet reports DeadlineExceeded", async (c) => {
    const port = new URL(c.client.server).port;
    const h = await newHarness(c, "nodekill", {
      kubelet: false,
      config: {
        executor: {
          image: EXECUTOR_IMAGE,
          imagePullPolicy: "IfNotPresent",
          env: [{ name: "KUBERNETES_SERVICE_HOST", value: "127.0.0.1" }, {
            name: "KUBERNETES_SERVICE_PORT",
            value: port,
          }],
        },
        workflowDefaults: { spec: { hostNetwork: true } },
      },
    });
    try {
      const created = await h.submit(parseYaml(`
metadata: {generateName: long-}
spec:
  entrypoint: main
  templates:
  - name: main
    container: {image: ${BUSYBOX}, command: [sh, -c, "echo started; sleep 300"]}
`) as Workflow);
      const name = created.metadata.name!;
      await eventually(
        "the pod to run",
        async () => {
          const p = await h.client.get<Pod>(PODS, h.namespace, name);
          return p.status?.containerStatuses?.find((s) => s.name === "main")?.state?.running
            ? true
            : undefined;
        },
        120_000,
        500,
      );
      await h.service.terminateWorkflow(h.namespace, name);
      const done = await h.waitDone(name, 60_000);
      equal(done.status?.phase, "Failed");
      const pod = await eventually(
        "the pod to stop",
        async () => {
          const p = await h.client.get<Pod>(PODS, h.namespace, name);
          return p.status?.phase === "Failed" ? p : undefined;
        },
        60_000,
        500,
      );
      equal(pod.status?.reason, "DeadlineExceeded");
    } finally {
      await h.close();
    }
  });
}
