/** A pod's artifacts with an S3 repository: keys as Argo makes them, credentials from Secrets, errors to act on. */
import { deepEqual, equal, match, ok, rejects, throws } from "node:assert/strict";
import type { RunSpec } from "../../controller/engine/actions.ts";
import { resolveRepositoryRef } from "../../controller/kube/artifact_repository.ts";
import { defaultConfig, parseConfig } from "../../controller/kube/config.ts";
import { buildPod, inputsOf, PodBuildError, stepOf } from "../../controller/kube/pods.ts";
import type { ArtifactRepository, Workflow } from "../../controller/spec/types.ts";
import { runSpec } from "../local/helpers.ts";

const repo: ArtifactRepository = {
  s3: {
    bucket: "arts",
    endpoint: "minio:9000",
    insecure: true,
    accessKeySecret: { name: "creds", key: "access" },
    secretKeySecret: { name: "creds", key: "secret" },
  },
};

/** A step of workflow art-x (its pod name is in Argo's default key). */
const run = (over: Partial<RunSpec> = {}): RunSpec =>
  runSpec("art-x", {
    nodeId: "art-x-2",
    podName: "art-x-consume-2",
    templateName: "consume",
    main: { command: ["cat", "/tmp/m"] },
    ...over,
  });

/** A step saving these output artifacts. */
const producing = (...artifacts: RunSpec["outputs"]["artifacts"]): RunSpec =>
  run({ outputs: { parameters: [], artifacts } });

const ctx = (artifacts = {}) => ({ config: defaultConfig(), workflowUid: "wf-uid", now: 0, artifacts });

/** The env vars the pod names for its first set of credentials (each S3 object says which it uses). */
const CREDS = { accessKey: "SKIFF_S3_ACCESS_KEY", secretKey: "SKIFF_S3_SECRET_KEY" };

Deno.test("pod artifacts: outputs go to Argo's default key, with the credentials as secretKeyRef env of main", () => {
  const pod = buildPod(
    producing({ name: "hello-art", path: "/tmp/h.txt" }, { name: "raw", path: "/tmp/r.bin" }),
    ctx({ repository: { default: true, artifactRepository: repo }, outputs: { raw: { archive: "none" } } }),
  );
  deepEqual(stepOf(pod)!.uploads, [
    {
      name: "hello-art",
      s3: {
        bucket: "arts",
        endpoint: "minio:9000",
        insecure: true,
        key: "art-x/art-x-consume-2/hello-art.tgz",
        credentials: CREDS,
      },
      archive: "tgz",
    },
    {
      name: "raw",
      s3: {
        bucket: "arts",
        endpoint: "minio:9000",
        insecure: true,
        key: "art-x/art-x-consume-2/r.bin",
        credentials: CREDS,
      },
      archive: "none",
    },
  ]);
  const main = pod.spec.containers.find((c) => c.name === "main")!;
  deepEqual(main.env!.filter((e) => e.name.startsWith("SKIFF_S3_")), [
    { name: "SKIFF_S3_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "creds", key: "access" } } },
    { name: "SKIFF_S3_SECRET_KEY", valueFrom: { secretKeyRef: { name: "creds", key: "secret" } } },
  ]);
});

Deno.test("pod artifacts: init fetches another step's artifact by the key it reported, mounted at the input's path", () => {
  const pod = buildPod(
    run({
      inputArtifacts: [{
        name: "message",
        path: "/tmp/m",
        from: { nodeId: "art-x-1", artifact: "hello-art" },
      }],
    }),
    ctx({
      repository: { default: true, artifactRepository: repo },
      savedArtifact: (id: string, a: string) =>
        id === "art-x-1" && a === "hello-art" ? { location: "art-x/p1/hello-art.tgz" } : undefined,
    }),
  );
  const init = pod.spec.initContainers!.find((c) => c.name === "init")!;
  deepEqual(inputsOf(pod)!.downloads, [
    {
      name: "message",
      s3: {
        bucket: "arts",
        endpoint: "minio:9000",
        insecure: true,
        key: "art-x/p1/hello-art.tgz",
        credentials: CREDS,
      },
    },
  ]);
  deepEqual(init.env!.find((e) => e.name === "SKIFF_S3_SECRET_KEY")?.valueFrom, {
    secretKeyRef: { name: "creds", key: "secret" },
  });
  const main = pod.spec.containers.find((c) => c.name === "main")!;
  // the fetching credentials are init's only: the user's command in main does not get them
  deepEqual(main.env!.filter((e) => e.name.startsWith("SKIFF_S3_")), []);
  deepEqual(main.volumeMounts!.find((m) => m.mountPath === "/tmp/m"), {
    name: "var-run-argo",
    mountPath: "/tmp/m",
    subPath: "inputs/artifacts/message",
  });
});

Deno.test("pod artifacts: an output artifact with its own s3 key is stored there (the repository fills in the rest); a consumer fetches it from that bucket", () => {
  const own = buildPod(
    producing({ name: "report", path: "/tmp/r.txt" }, { name: "other", path: "/tmp/o.txt" }),
    ctx({
      repository: { default: true, artifactRepository: repo },
      outputs: {
        report: { archive: "tgz", s3: { key: "reports/{{workflow.name}}/r.tgz" } },
        other: {
          archive: "none",
          s3: {
            bucket: "elsewhere",
            key: "o.txt",
            accessKeySecret: { name: "other-creds", key: "a" },
            secretKeySecret: { name: "other-creds", key: "s" },
          },
        },
      },
    }),
  );
  deepEqual(stepOf(own)!.uploads, [
    {
      name: "report",
      s3: {
        bucket: "arts",
        endpoint: "minio:9000",
        insecure: true,
        key: "reports/art-x/r.tgz",
        credentials: CREDS,
      },
      archive: "tgz",
    },
    {
      name: "other",
      s3: {
        bucket: "elsewhere",
        endpoint: "minio:9000",
        insecure: true,
        key: "o.txt",
        credentials: { accessKey: "SKIFF_S3_ACCESS_KEY_1", secretKey: "SKIFF_S3_SECRET_KEY_1" },
      },
      archive: "none",
    },
  ]);
  const main = own.spec.containers.find((c) => c.name === "main")!;
  deepEqual(main.env!.find((e) => e.name === "SKIFF_S3_SECRET_KEY_1")?.valueFrom, {
    secretKeyRef: { name: "other-creds", key: "s" },
  });

  // with no repository at all, an artifact that says where it is still passes
  const consumer = buildPod(
    run({ inputArtifacts: [{ name: "m", path: "/tmp/m", from: { nodeId: "n1", artifact: "a" } }] }),
    ctx({
      savedArtifact: () => ({
        location: "k/a.tgz",
        s3: { bucket: "b2", endpoint: "s3.example:443", key: "k/a.tgz" },
      }),
    }),
  );
  deepEqual(inputsOf(consumer)!.downloads, [
    { name: "m", s3: { bucket: "b2", endpoint: "s3.example:443", key: "k/a.tgz" } },
  ]);
  throws(
    () =>
      buildPod(
        producing({ name: "a", path: "/a" }),
        ctx({
          repository: { default: true, artifactRepository: repo },
          outputs: { a: { archive: "tgz", s3: { key: "{{inputs.parameters.x}}/a" } } },
        }),
      ),
    /output artifact "a" s3.key: unknown variable \{\{inputs.parameters.x\}\}/,
  );
});

Deno.test("pod artifacts: without a repository a passed artifact fails the node saying what to configure", () => {
  throws(
    () =>
      buildPod(
        run({ inputArtifacts: [{ name: "m", path: "/tmp/m", from: { nodeId: "n1", artifact: "a" } }] }),
        ctx(),
      ),
    (e) =>
      e instanceof PodBuildError && /configure `artifactRepository`.*skiff-controller-config/.test(e.message),
  );
  throws(
    () =>
      buildPod(
        producing({ name: "a", path: "/a" }),
        ctx({
          repository: { artifactRepository: { s3: { ...repo.s3!, keyFormat: "{{workflow.nope}}/x" } } },
        }),
      ),
    /keyFormat "\{\{workflow.nope\}\}\/x": unknown variable \{\{workflow.nope\}\}/,
  );
});

Deno.test("pod artifacts: the ConfigMap's artifactRepository is checked, naming the key", () => {
  equal(
    parseConfig({ artifactRepository: "s3: {bucket: b, endpoint: 'h:1'}" }).artifactRepository?.s3?.bucket,
    "b",
  );
  throws(
    () => parseConfig({ artifactRepository: "s3: {bucket: b}" }),
    /ConfigMap key artifactRepository: s3.endpoint is required/,
  );
  throws(
    () => parseConfig({ artifactRepository: "gcs: {bucket: b}" }),
    /only `s3` repositories are supported.*gcs/,
  );
});

Deno.test("pod artifacts: artifactRepositoryRef resolves as Argo's (ref, then the namespace's default, then the controller's)", async () => {
  const wf = (spec: Partial<Workflow["spec"]> = {}) =>
    ({
      metadata: { name: "w", namespace: "team" },
      spec: { entrypoint: "main", templates: [], ...spec },
    }) as Workflow;
  const cms: Record<string, { data?: Record<string, string>; annotations?: Record<string, string> }> = {
    "team/artifact-repositories": {
      annotations: { "workflows.argoproj.io/default-artifact-repository": "v1" },
      data: { v1: "s3: {bucket: ns-default, endpoint: 'h:1'}", v2: "s3: {bucket: other, endpoint: 'h:1'}" },
    },
  };
  const get = (ns: string, name: string) => Promise.resolve(cms[`${ns}/${name}`]);
  const ctrl = { s3: { bucket: "ctrl", endpoint: "h:1" } };
  deepEqual(await resolveRepositoryRef(wf(), ctrl, get), {
    configMap: "artifact-repositories",
    key: "v1",
    namespace: "team",
    artifactRepository: { s3: { bucket: "ns-default", endpoint: "h:1" } },
  });
  equal(
    (await resolveRepositoryRef(wf({ artifactRepositoryRef: { key: "v2" } }), ctrl, get)).artifactRepository
      ?.s3?.bucket,
    "other",
  );
  deepEqual(await resolveRepositoryRef(wf(), ctrl, () => Promise.resolve(undefined)), {
    default: true,
    artifactRepository: ctrl,
  });
  await rejects(
    resolveRepositoryRef(wf({ artifactRepositoryRef: { configMap: "missing" } }), ctrl, get),
    (e: Error) => {
      match(e.message, /ConfigMap team\/missing not found/);
      return true;
    },
  );
});

Deno.test("pod artifacts: an http input artifact is fetched by init (url and headers in SKIFF_INPUTS), its basicAuth from Secrets reaching init alone", () => {
  const pod = buildPod(
    run({
      inputArtifacts: [
        {
          name: "report",
          path: "/tmp/report.txt",
          mode: 0o644,
          from: {
            location: {
              http: {
                url: "https://example.com/report.txt",
                headers: [{ name: "X-Api-Token", value: "abc" }],
                auth: {
                  basicAuth: {
                    usernameSecret: { name: "web-creds", key: "user" },
                    passwordSecret: { name: "web-creds", key: "password" },
                  },
                },
              },
            },
          },
        },
        // no repository is needed for it
        { name: "page", path: "/tmp/page", from: { location: { http: { url: "http://10.0.0.1:8080/p" } } } },
      ],
    }),
    ctx(),
  );
  deepEqual(inputsOf(pod)!.downloads, [
    {
      name: "report",
      http: {
        url: "https://example.com/report.txt",
        headers: [{ name: "X-Api-Token", value: "abc" }],
        basicAuth: { username: "SKIFF_HTTP_USERNAME", password: "SKIFF_HTTP_PASSWORD" },
      },
      mode: 0o644,
    },
    { name: "page", http: { url: "http://10.0.0.1:8080/p" } },
  ]);
  const init = pod.spec.initContainers!.find((c) => c.name === "init")!;
  deepEqual(init.env!.filter((e) => e.name.startsWith("SKIFF_HTTP_")), [
    { name: "SKIFF_HTTP_USERNAME", valueFrom: { secretKeyRef: { name: "web-creds", key: "user" } } },
    { name: "SKIFF_HTTP_PASSWORD", valueFrom: { secretKeyRef: { name: "web-creds", key: "password" } } },
  ]);
  const main = pod.spec.containers.find((c) => c.name === "main")!;
  deepEqual(
    main.env!.filter((e) => e.name.startsWith("SKIFF_HTTP_")),
    [],
    "the user's command does not get them",
  );
  for (const c of pod.spec.containers) {
    ok(!JSON.stringify(c.env ?? []).includes("web-creds"), `${c.name} must not reference the Secret`);
  }
  deepEqual(main.volumeMounts!.find((m) => m.mountPath === "/tmp/report.txt"), {
    name: "var-run-argo",
    mountPath: "/tmp/report.txt",
    subPath: "inputs/artifacts/report",
  });
});

Deno.test("pod artifacts: http auth skiff cannot do, a half basicAuth and other kinds of location fail the node saying so", () => {
  const withHttp = (name: string, http: Record<string, unknown>) =>
    run({ inputArtifacts: [{ name, path: "/tmp/x", from: { location: { http } } }] });
  throws(
    () =>
      buildPod(
        withHttp("cert", {
          url: "https://h/x",
          auth: { clientCert: { clientCertSecret: { name: "c", key: "k" } } },
        }),
        ctx(),
      ),
    /input artifact "cert": http auth clientCert is not supported by skiff's Kubernetes host \(basicAuth is\)/,
  );
  throws(
    () =>
      buildPod(
        withHttp("half", {
          url: "https://h/x",
          auth: { basicAuth: { usernameSecret: { name: "c", key: "u" } } },
        }),
        ctx(),
      ),
    /input artifact "half": http.auth.basicAuth needs usernameSecret and passwordSecret/,
  );
  throws(() => buildPod(withHttp("nourl", {}), ctx()), /input artifact "nourl": http.url is required/);
  throws(
    () =>
      buildPod(
        run({ inputArtifacts: [{ name: "src", path: "/src", from: { location: { git: { repo: "r" } } } }] }),
        ctx(),
      ),
    /input artifact "src": git artifacts are not supported by skiff's Kubernetes host \(raw, http and s3 with a key are\)/,
  );
});

Deno.test("pod artifacts: the repository's createBucketIfNotPresent reaches the executor's uploads, and is checked", () => {
  const create = { s3: { ...repo.s3!, createBucketIfNotPresent: { objectLocking: true } } };
  const pod = buildPod(
    producing({ name: "out", path: "/tmp/out" }),
    ctx({ repository: { default: true, artifactRepository: create } }),
  );
  deepEqual(stepOf(pod)!.uploads![0]!.s3.createBucketIfNotPresent, { objectLocking: true });
  const plain = buildPod(
    producing({ name: "out", path: "/tmp/out" }),
    ctx({ repository: { default: true, artifactRepository: repo } }),
  );
  equal(stepOf(plain)!.uploads![0]!.s3.createBucketIfNotPresent, undefined);
  equal(
    parseConfig({ artifactRepository: "s3: {bucket: b, endpoint: 'h:1', createBucketIfNotPresent: {}}" })
      .artifactRepository?.s3?.createBucketIfNotPresent?.objectLocking,
    undefined,
  );
  throws(
    () =>
      parseConfig({ artifactRepository: "s3: {bucket: b, endpoint: 'h:1', createBucketIfNotPresent: true}" }),
    /s3.createBucketIfNotPresent must be a mapping/,
  );
});
