/**
 * Tier (b), artifacts: examples/artifacts.yaml in real pods with an S3 artifact repository (s3proxy
 * on this machine, tests/s3/server.ts), held to the example's own `# Expect-` headers as in the
 * local tests, an input artifact missing from the bucket (the executor in `init` says which), and
 * an `http` input artifact fetched with its header and basic auth. The step pods use the host's
 * network (as all tier (b) pods here), so they reach the S3 and HTTP servers on 127.0.0.1; the
 * credentials come from Secrets through secretKeyRef env vars.
 */
import { deepEqual, equal, match, ok } from "node:assert/strict";
import { S3Client } from "../../executor/s3.ts";
import { PODS } from "../../controller/kube/client.ts";
import type { ControllerConfig } from "../../controller/kube/config.ts";
import { ANNOTATION_NODE_ID } from "../../controller/kube/labels.ts";
import type { Pod } from "../../controller/kube/pods.ts";
import type { Template, Workflow } from "../../controller/spec/types.ts";
import { exampleDocuments, localExamples, unmetExpectations } from "../e2e/examples_run.ts";
import { startS3Server } from "../s3/server.ts";
import type { TestCluster } from "./cluster.ts";
import { type Harness, newHarness } from "./harness.ts";

const BUCKET = "skiff-artifacts";

/**
 * An example of examples/ for the node, as `skiff run` submits it: every image of its templates
 * replaced by `image` (the node has no registry: images are imported into its containerd, so they
 * are not pulled), with the file's other documents and the check of its `# Expect-` headers.
 * `text` replaces the file's text (e.g. with another port).
 */
export function nodeExample(name: string, image: string, text?: (t: string) => string): {
  workflow: Workflow;
  others: unknown[];
  check: (wf: Workflow, logs: Map<string, string>) => string[];
} {
  const ex = localExamples().find((e) => e.name === name);
  if (!ex) throw new Error(`examples/${name} is not a local example with expectations`);
  const { workflow, others } = exampleDocuments(text ? { ...ex, text: text(ex.text) } : ex);
  for (const t of workflow.spec.templates ?? []) {
    const tmpl = t as Template;
    for (const c of [tmpl.container, tmpl.script, ...(tmpl.sidecars ?? []), ...(tmpl.initContainers ?? [])]) {
      if (!c) continue;
      c.image = image;
      c.imagePullPolicy = "IfNotPresent";
    }
  }
  return { workflow, others, check: (wf, logs) => unmetExpectations(ex, { workflow: wf, logs }) };
}

/** The logs of each Pod node of a workflow, by node id (through the API, from the kubelet). */
export async function logsByNode(h: Harness, name: string): Promise<Map<string, string>> {
  const pods = await h.client.list<Pod>(PODS, h.namespace, {
    labelSelector: `workflows.argoproj.io/workflow=${name}`,
  });
  const nodeOf = new Map(
    pods.items.map((p) => [p.metadata.name!, p.metadata.annotations?.[ANNOTATION_NODE_ID] ?? ""]),
  );
  const logs = new Map<string, string>();
  for await (const e of h.service.workflowLogs(h.namespace, name, {}, AbortSignal.timeout(30_000))) {
    const id = nodeOf.get(e.podName) ?? e.podName;
    logs.set(id, `${logs.get(id) ?? ""}${e.content}\n`);
  }
  return logs;
}

/**
 * Runs examples/artifacts.yaml on the node: once without a repository (the consuming step fails
 * saying what to configure), once with one (it succeeds, and the artifact is in the bucket under
 * Argo's default key).
 */
export async function artifactsOnNode(
  c: TestCluster,
  opts: { image: string; config: Partial<ControllerConfig>; prepare: (h: Harness) => Promise<void> },
): Promise<void> {
  const s3 = await startS3Server();
  try {
    const bucket = new S3Client({ endpoint: s3.endpoint, insecure: true }, {
      accessKeyId: s3.accessKey,
      secretAccessKey: s3.secretKey,
    });
    await bucket.createBucket(BUCKET);
    const { workflow, check } = nodeExample("artifacts.yaml", opts.image);

    const h = await newHarness(c, "art", {
      kubelet: false,
      config: {
        ...opts.config,
        artifactRepository: {
          s3: {
            bucket: BUCKET,
            endpoint: s3.endpoint,
            insecure: true,
            accessKeySecret: { name: "s3-creds", key: "accesskey" },
            secretKeySecret: { name: "s3-creds", key: "secretkey" },
          },
        },
      },
    });
    try {
      await opts.prepare(h);
      await createSecret(c, h.namespace, "s3-creds", { accesskey: s3.accessKey, secretkey: s3.secretKey });
      const created = await h.submit(structuredClone(workflow));
      const name = created.metadata.name!;
      const done = await h.waitDone(name, 180_000);
      const unmet = check(done, await logsByNode(h, name));
      ok(unmet.length === 0, `artifacts.yaml on a real node:\n  ${unmet.join("\n  ")}`);
      equal(done.status?.artifactRepositoryRef?.default, true);
      equal(done.status?.artifactRepositoryRef?.artifactRepository?.s3?.bucket, BUCKET);
      const generate = Object.values(done.status?.nodes ?? {}).find((n) =>
        n.displayName === "generate-artifact"
      )!;
      const art = generate.outputs?.artifacts?.find((a) => a.name === "hello-art") as
        | { local?: { location?: string }; s3?: { key?: string } }
        | undefined;
      // Argo's default key: {{workflow.name}}/{{pod.name}}/<artifact>.tgz
      const pods = await h.client.list<Pod>(PODS, h.namespace, {
        labelSelector: `workflows.argoproj.io/workflow=${name}`,
      });
      const pod = pods.items.find((p) => p.metadata.annotations?.[ANNOTATION_NODE_ID] === generate.id)!;
      const key = `${name}/${pod.metadata.name}/hello-art.tgz`;
      equal(art?.local?.location, key);
      // As Argo's status shows a key-only artifact, on the producer and on the consumer's inputs.
      deepEqual(art?.s3, { key });
      const consumer = Object.values(done.status?.nodes ?? {}).find((n) =>
        n.displayName === "consume-artifact"
      );
      deepEqual((consumer?.inputs?.artifacts?.[0] as { s3?: unknown } | undefined)?.s3, { key });
      ok(await bucket.exists(BUCKET, key), `s3://${BUCKET}/${key} exists`);

      // an input artifact that is not in the bucket: the executor in `init` fails to fetch it, and
      // the node is an Error saying which artifact, bucket, key and S3 code
      const missing = await h.submit(
        catInputArtifact(
          "art-missing-",
          { name: "gone", path: "/tmp/gone", s3: { key: "no/such/key.tgz" } },
          opts.image,
        ),
      );
      const failed = await h.waitDone(missing.metadata.name!, 180_000);
      const node = Object.values(failed.status?.nodes ?? {}).find((n) => n.type === "Pod");
      equal(node?.phase, "Error", JSON.stringify(failed.status));
      match(
        node?.message ?? "",
        new RegExp(
          `init container init failed: failed to load input artifact "gone": s3://${BUCKET}/no/such/key\\.tgz: NoSuchKey`,
        ),
      );

      await httpInputOnNode(c, h, opts.image);
    } finally {
      await h.close();
    }

    // without a repository: the consumer cannot be started, and says what to configure
    const bare = await newHarness(c, "noart", { kubelet: false, config: opts.config });
    try {
      await opts.prepare(bare);
      const created = await bare.submit(structuredClone(workflow));
      const done = await bare.waitDone(created.metadata.name!, 180_000);
      const consume = Object.values(done.status?.nodes ?? {}).find((n) =>
        n.displayName === "consume-artifact"
      );
      const summary = () =>
        `${done.status?.phase}: ${done.status?.message ?? ""}; ${
          Object.values(done.status?.nodes ?? {}).map((n) => `${n.displayName}=${n.phase} ${n.message ?? ""}`)
            .join(", ")
        }`;
      equal(consume?.phase, "Error", summary());
      match(consume?.message ?? "", /configure `artifactRepository`.*skiff-controller-config/);
    } finally {
      await bare.close();
    }
  } finally {
    await s3.stop();
  }
}

/**
 * An `http` input artifact in a real pod: `init` fetches it from a server of this machine (the
 * pod uses the host's network) with the artifact's header and basic auth from a Secret, and the
 * step prints it; the server answers 403 to a request without them.
 */
async function httpInputOnNode(c: TestCluster, h: Harness, image: string): Promise<void> {
  const auth = `Basic ${btoa("reader:open-sesame")}`;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const allowed = req.headers.get("x-skiff-test") === "node" && req.headers.get("authorization") === auth;
    return allowed
      ? new Response("fetched over http by init\n")
      : new Response("no", { status: 403, statusText: "Forbidden" });
  });
  try {
    await createSecret(c, h.namespace, "web-creds", { user: "reader", password: "open-sesame" });
    const created = await h.submit(catInputArtifact("art-http-", {
      name: "page",
      path: "/tmp/page.txt",
      http: {
        url: `http://127.0.0.1:${server.addr.port}/page.txt`,
        headers: [{ name: "X-Skiff-Test", value: "node" }],
        auth: {
          basicAuth: {
            usernameSecret: { name: "web-creds", key: "user" },
            passwordSecret: { name: "web-creds", key: "password" },
          },
        },
      },
    }, image));
    const name = created.metadata.name!;
    const done = await h.waitDone(name, 180_000);
    equal(done.status?.phase, "Succeeded", JSON.stringify(done.status));
    const logs = [...(await logsByNode(h, name)).values()].join("");
    match(logs, /fetched over http by init/);
  } finally {
    await server.shutdown();
  }
}

type Artifact = NonNullable<NonNullable<Template["inputs"]>["artifacts"]>[number];

/** A workflow of one step that prints its one input artifact (at `artifact.path`). */
function catInputArtifact(generateName: string, artifact: Artifact, image: string): Workflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { generateName },
    spec: {
      entrypoint: "main",
      templates: [{
        name: "main",
        inputs: { artifacts: [artifact] },
        container: { image, imagePullPolicy: "IfNotPresent", command: ["cat", artifact.path!] },
      }],
    },
  } as Workflow;
}

/** Creates a Secret in `namespace` with the given keys and values (kubectl create secret generic). */
async function createSecret(
  c: TestCluster,
  namespace: string,
  name: string,
  data: Record<string, string>,
): Promise<void> {
  const literals = Object.entries(data).map(([k, v]) => `--from-literal=${k}=${v}`);
  const r = await c.kubectl(["-n", namespace, "create", "secret", "generic", name, ...literals]);
  equal(r.code, 0, r.stderr);
}
