/**
 * Secrets and ConfigMaps in a local run: the manifests a user supplies (LocalResources), and what a
 * step sees of them on both runtimes (env `valueFrom`/`envFrom`, `secret`/`configMap` volumes,
 * parameters from ConfigMaps), with Kubernetes' and Argo's messages when one is missing.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { LocalResources, ResourceError } from "../../controller/local/runtime/resources.ts";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { PodmanRuntime } from "../../controller/local/runtime/podman.ts";
import type { Runtime } from "../../controller/local/runtime/mod.ts";
import { LocalHost } from "../../controller/local/host.ts";
import { Store } from "../../controller/local/store.ts";
import type { Workflow } from "../../controller/spec/types.ts";
import { loadText } from "../../controller/spec/load.ts";
import { lintDocuments } from "../../controller/spec/lint/mod.ts";
import { podmanSkipReason, testImages, testSetup } from "./podman_env.ts";
import { runSpec, wfName } from "./helpers.ts";

const MANIFESTS = `
apiVersion: v1
kind: Secret
metadata: {name: db}
data:
  user: YWRtaW4=          # admin
  password: b2xk          # old: stringData wins
stringData:
  password: "s3cret /tmp/not-a-path"
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: prod}
stringData: {user: prod-admin}
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
    labels: {workflows.argoproj.io/configmap-type: Parameter}
  data: {greeting: hello, color: blue}
  binaryData: {logo: AAEC}
---
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: ignored-}
spec: {entrypoint: x}
`;

Deno.test("LocalResources: Secret data (base64) and stringData, ConfigMaps in a List, namespaces", () => {
  const r = new LocalResources();
  const added = r.addText(MANIFESTS, "res.yaml");
  assert.deepEqual(added, { secrets: ["db", "db"], configMaps: ["settings"] });
  const dec = (b?: Uint8Array) => new TextDecoder().decode(b);
  assert.equal(dec(r.secret("default", "db")?.data.user), "admin");
  assert.equal(dec(r.secret("default", "db")?.data.password), "s3cret /tmp/not-a-path");
  // A manifest with a namespace serves that namespace only, and wins there.
  assert.equal(dec(r.secret("prod", "db")?.data.user), "prod-admin");
  assert.equal(dec(r.secret("argo", "db")?.data.user), "admin");
  assert.deepEqual([...(r.configMap("default", "settings")?.binaryData.logo ?? [])], [0, 1, 2]);
  assert.deepEqual(r.configMapsFor("default"), {
    settings: {
      labels: { "workflows.argoproj.io/configmap-type": "Parameter" },
      data: { greeting: "hello", color: "blue" },
    },
  });
  assert.equal(r.secret("default", "nope"), undefined);
});

Deno.test("LocalResources: a malformed manifest is an error naming the file and line", async () => {
  const r = new LocalResources();
  assert.throws(
    () => r.addText("kind: Secret\nmetadata: {name: x}\ndata: {k: 'not base64!'}\n", "bad.yaml"),
    (e: Error) => e instanceof ResourceError && /^bad\.yaml:1: data\.k is not valid base64/.test(e.message),
  );
  assert.throws(
    () => r.addText("kind: ConfigMap\ndata: {}\n", "noname.yaml"),
    /noname\.yaml:1: ConfigMap has no metadata\.name/,
  );
  assert.throws(
    () => r.addText("---\nkind: Secret\nmetadata: {name: num}\nstringData: {k: 3}\n", "num.yaml"),
    /num\.yaml:2: stringData\.k must be a string/,
  );
  // YAML reads an unquoted n as false (YAML 1.1, as Argo and kubectl do).
  assert.throws(
    () => r.addText("kind: Secret\nmetadata: {name: n}\n", "bool.yaml"),
    /bool\.yaml:1: Secret metadata\.name must be a string \(quote it\), not false/,
  );
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/wf.yaml`, "kind: Workflow\nmetadata: {name: w}\n");
  await assert.rejects(
    () => LocalResources.load([`${dir}/wf.yaml`]),
    /has no "kind: Secret" or "kind: ConfigMap" document/,
  );
  await assert.rejects(
    () => LocalResources.load([`${dir}/none.yaml`]),
    /none\.yaml: cannot read the resources file/,
  );
});

/** A step that prints its env and mounted files: what a user sees of secrets and configmaps. */
function showStep(wf: string, resources: { withVolumes: boolean }) {
  return runSpec(wf, {
    volumes: resources.withVolumes
      ? [
        {
          name: "creds",
          source: {
            secret: { secretName: "db", items: [{ key: "password", path: "pw/password", mode: 256 }] },
          },
        },
        { name: "conf", source: { configMap: { name: "settings" } } },
      ]
      : [],
    main: {
      image: "busybox",
      command: [
        "sh",
        "-c",
        resources.withVolumes
          ? 'echo "user=$DB_USER pw=$DB_PASSWORD color=$CFG_color pod=$POD"; cat /etc/creds/pw/password; echo; cat /etc/conf/greeting; echo; ls /etc/conf; stat -c %a /etc/creds/pw/password'
          : 'echo "user=$DB_USER pw=$DB_PASSWORD"',
      ],
      env: [
        { name: "DB_USER", valueFrom: { secretKeyRef: { name: "db", key: "user" } } },
        { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
        { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: "MAYBE", valueFrom: { secretKeyRef: { name: "other", key: "x", optional: true } } },
      ],
      volumeMounts: resources.withVolumes
        ? [{ name: "creds", mountPath: "/etc/creds" }, { name: "conf", mountPath: "/etc/conf" }]
        : [],
      ...(resources.withVolumes
        ? { extra: { envFrom: [{ prefix: "CFG_", configMapRef: { name: "settings" } }] } }
        : {}),
    },
  });
}

async function runtimeOf(kind: "process" | "podman", resources: LocalResources): Promise<Runtime> {
  const dataDir = await Deno.makeTempDir({ prefix: `skiff-res-${kind}-` });
  return kind === "process"
    ? new ProcessRuntime({ dataDir, graceSeconds: 2, warn: () => {}, resources })
    : new PodmanRuntime({
      dataDir,
      images: testImages,
      graceSeconds: 2,
      setup: await testSetup(),
      resources,
    });
}

for (const kind of ["process", "podman"] as const) {
  const ignore = kind === "podman" && podmanSkipReason !== undefined;

  Deno.test({
    name: `${kind}: env valueFrom/envFrom and secret/configMap volumes from the manifests`,
    ignore,
  }, async () => {
    const resources = new LocalResources();
    resources.addText(MANIFESTS, "res.yaml");
    const rt = await runtimeOf(kind, resources);
    const run = showStep(wfName("res"), { withVolumes: true });
    try {
      await rt.start(run);
      const obs = await rt.wait(run.nodeId);
      assert.equal(obs.phase, "Succeeded", obs.message ?? "");
      assert.equal(
        obs.stdout,
        `user=admin pw=s3cret /tmp/not-a-path color=blue pod=${run.podName}\n` +
          "s3cret /tmp/not-a-path\nhello\ncolor\ngreeting\nlogo\n400\n",
      );
    } finally {
      await rt.cleanup(run.workflow);
    }
  });

  Deno.test({
    name: `${kind}: a missing secret or key fails the step in the kubelet's words, saying how to provide it`,
    ignore,
  }, async () => {
    const resources = new LocalResources();
    const rt = await runtimeOf(kind, resources);
    const wf = wfName("nores");
    const missing = showStep(wf, { withVolumes: false });
    await rt.start(missing);
    const a = await rt.wait(missing.nodeId);
    assert.equal(a.phase, "Error");
    assert.equal(
      a.message,
      'CreateContainerConfigError: secret "db" not found; add a "kind: Secret" manifest named db to the ' +
        "workflow's file (as another YAML document) or give skiff a file of them with --resources FILE",
    );
    resources.addText("kind: Secret\nmetadata: {name: db}\nstringData: {user: u}\n", "partial.yaml");
    const noKey = showStep(wf, { withVolumes: false });
    await rt.start(noKey);
    const b = await rt.wait(noKey.nodeId);
    assert.equal(b.phase, "Error");
    assert.match(
      b.message ?? "",
      /^CreateContainerConfigError: couldn't find key password in Secret default\/db; /,
    );
    await rt.cleanup({ namespace: "default", name: wf });
  });
}

Deno.test("host: a parameter from a labelled ConfigMap manifest, and Argo's message for an unlabelled one", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-res-host-" });
  const resources = new LocalResources();
  resources.addText(MANIFESTS, "res.yaml");
  resources.addText("kind: ConfigMap\nmetadata: {name: plain}\ndata: {greeting: hi}\n", "plain.yaml");
  const runtime = new ProcessRuntime({ dataDir, graceSeconds: 2, warn: () => {}, resources });
  const host = new LocalHost({ store: Store.open(dataDir), runtime, log: () => {} });
  const workflow = (cm: string) =>
    parse(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: cm-param-}
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: greeting
      valueFrom: {configMapKeyRef: {name: ${cm}, key: greeting}}
  templates:
  - name: main
    container: {image: alpine, command: [echo, "{{workflow.parameters.greeting}}"]}
`) as Workflow;
  try {
    const ok = host.submit(workflow("settings"));
    const done = await host.waitFor("default", ok.name);
    assert.equal(done.phase, "Succeeded", done.object.status?.message ?? "");
    assert.equal(Object.values(done.object.status!.nodes!)[0]?.outputs?.result, "hello");

    const bad = host.submit(workflow("plain"));
    const failed = await host.waitFor("default", bad.name);
    assert.equal(failed.phase, "Failed");
    assert.equal(
      failed.object.status?.message,
      "failed to set global parameters: failed to set global parameter greeting from configmap with name plain and key greeting: " +
        "ConfigMap 'plain' needs to have the label workflows.argoproj.io/configmap-type: Parameter to load parameters",
    );
  } finally {
    await host.close();
    host.store.close();
  }
});

Deno.test("lint: secrets and configmaps are no 'ignored in a local run' warnings; what a local run cannot give still is", () => {
  const text = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: lint-}
spec:
  entrypoint: main
  arguments:
    parameters:
    - {name: p, valueFrom: {configMapKeyRef: {name: settings, key: p}}}
  volumes:
  - {name: creds, secret: {secretName: db}}
  - {name: conf, configMap: {name: settings}}
  templates:
  - name: main
    container:
      image: alpine
      command: [env]
      envFrom: [{secretRef: {name: db}}]
      env:
      - {name: A, valueFrom: {secretKeyRef: {name: db, key: user}}}
      - {name: B, valueFrom: {configMapKeyRef: {name: settings, key: p}}}
      - {name: C, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
      - {name: D, valueFrom: {resourceFieldRef: {resource: limits.cpu}}}
      volumeMounts: [{name: creds, mountPath: /creds}, {name: conf, mountPath: /conf}]
---
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {user: u}
`;
  const problems = lintDocuments(loadText(text, "wf.yaml").documents, { target: "local" });
  assert.deepEqual(problems.filter((p) => p.severity === "error"), []);
  assert.deepEqual(
    problems.filter((p) => p.rule === "kubernetes-only").map((p) => `${p.line}: ${p.message}`),
    [
      `23: "valueFrom.resourceFieldRef" needs Kubernetes: a local run cannot give this env var a value (env "D" of template "main")`,
    ],
  );
});
