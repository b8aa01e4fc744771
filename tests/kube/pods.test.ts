/** RunSpec -> Pod: Argo's emissary layout, names, labels, annotations, and what the executor is told. */
import { deepEqual, equal, ok, throws } from "node:assert/strict";
import type { RunSpec } from "../../controller/engine/actions.ts";
import { defaultConfig } from "../../controller/kube/config.ts";
import {
  buildPod,
  claimsOf,
  executorLaunch,
  inputsOf,
  PodBuildError,
  stepOf,
  strategicMerge,
} from "../../controller/kube/pods.ts";

function run(over: Partial<RunSpec> = {}): RunSpec {
  return {
    workflow: { name: "hello-abc", namespace: "team", uid: "wf-uid" },
    nodeId: "hello-abc-123",
    nodeName: "hello-abc[0].say",
    podName: "hello-abc-say-123",
    templateName: "say",
    main: {
      name: "main",
      image: "busybox",
      command: ["echo"],
      args: ["hi"],
      env: [{ name: "A", value: "1" }],
      volumeMounts: [],
    },
    sidecars: [],
    initContainers: [],
    volumes: [],
    inputArtifacts: [],
    outputs: { parameters: [{ name: "p", path: "/tmp/p.txt", default: "d" }], artifacts: [] },
    daemon: false,
    ...over,
  };
}

const ctx = { config: defaultConfig(), workflowUid: "wf-uid", now: Date.parse("2026-01-01T00:00:00Z") };

Deno.test("pods: the emissary layout: init copies the executor, main runs the command through it, wait reports", () => {
  const pod = buildPod(run(), ctx);
  deepEqual(pod.spec.initContainers!.map((c) => c.name), ["init"]);
  deepEqual(pod.spec.containers.map((c) => c.name), ["wait", "main"]);
  const [wait, main] = pod.spec.containers;
  equal(wait!.image, "skiff/executor:v0.1.0");
  equal(wait!.command, undefined, "wait runs the image's ENTRYPOINT: the pod agent");
  deepEqual(wait!.args, ["wait"]);
  // init runs the executor from the image (the executor alone touches artifacts)
  const init = pod.spec.initContainers![0]!;
  equal(init.image, "skiff/executor:v0.1.0");
  deepEqual(init.command, executorLaunch("/skiff"));
  deepEqual(init.args, ["--fetch-inputs"]);
  deepEqual(inputsOf(pod), {
    install: { from: "/skiff", to: "/var/run/argo/skiff" },
    dirs: ["/var/run/argo", "/var/run/argo/outputs/artifacts", "/var/run/argo/deno"],
    artifactDir: "/var/run/argo/inputs/artifacts",
    messageFile: "/dev/termination-log",
  });
  equal(main!.image, "busybox");
  deepEqual(main!.command, executorLaunch());
  equal(main!.args, undefined);
  equal(pod.spec.restartPolicy, "Never");
  deepEqual(pod.spec.volumes, [{ name: "var-run-argo", emptyDir: {} }]);
  for (const c of [...pod.spec.containers, ...pod.spec.initContainers!]) {
    ok(c.volumeMounts!.some((m) => m.name === "var-run-argo" && m.mountPath === "/var/run/argo"), c.name);
  }
  deepEqual(main!.env!.find((e) => e.name === "A"), { name: "A", value: "1" });
  const step = stepOf(pod)!;
  deepEqual(step.command, ["echo", "hi"]);
  equal(step.resultFile, "/var/run/argo/result.json");
  deepEqual(step.outputs?.parameters, [{ name: "p", path: "/tmp/p.txt", default: "d" }]);
});

Deno.test("pods: Argo's name, labels, annotations and owner", () => {
  const pod = buildPod(run({ metadata: { labels: { team: "x" }, annotations: { note: "y" } } }), ctx);
  equal(pod.metadata.name, "hello-abc-say-123");
  equal(pod.metadata.namespace, "team");
  deepEqual(pod.metadata.labels, {
    team: "x",
    "workflows.argoproj.io/workflow": "hello-abc",
    "workflows.argoproj.io/completed": "false",
  });
  equal(pod.metadata.annotations!["workflows.argoproj.io/node-id"], "hello-abc-123");
  equal(pod.metadata.annotations!["workflows.argoproj.io/node-name"], "hello-abc[0].say");
  equal(pod.metadata.annotations!["kubectl.kubernetes.io/default-container"], "main");
  equal(pod.metadata.annotations!.note, "y");
  deepEqual(pod.metadata.ownerReferences, [{
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    name: "hello-abc",
    uid: "wf-uid",
    controller: true,
    blockOwnerDeletion: true,
  }]);
  const withId = buildPod(run(), { ...ctx, config: { ...defaultConfig(), instanceID: "blue" } });
  equal(withId.metadata.labels!["workflows.argoproj.io/controller-instanceid"], "blue");
});

Deno.test("pods: without a command, the image's entrypoint comes from the images table", () => {
  const pod = buildPod(
    run({
      main: { name: "main", image: "docker/whalesay:latest", args: ["hello"], env: [], volumeMounts: [] },
    }),
    ctx,
  );
  deepEqual(stepOf(pod)!.command, ["cowsay", "hello"], "whalesay runs cowsay");
  const py = buildPod(
    run({
      main: { name: "main", image: "python:3.12", args: ["-c", "print(1)"], env: [], volumeMounts: [] },
    }),
    ctx,
  );
  deepEqual(stepOf(py)!.command, ["python3", "-c", "print(1)"]);
  const bare = buildPod(run({ main: { name: "main", image: "busybox", env: [], volumeMounts: [] } }), ctx);
  deepEqual(stepOf(bare)!.command, ["sh"], "busybox's CMD");
  throws(
    () =>
      buildPod(run({ main: { name: "main", image: "example.com/unknown", env: [], volumeMounts: [] } }), ctx),
    (e: Error) => e instanceof PodBuildError && /images` table/.test(e.message),
  );
});

Deno.test("pods: a script is written by the executor at Argo's /argo/staging/script", () => {
  const pod = buildPod(
    run({
      main: { name: "main", image: "python:3", command: ["python"], env: [], volumeMounts: [] },
      script: { source: "print(42)" },
    }),
    ctx,
  );
  const step = stepOf(pod)!;
  deepEqual(step.script, { source: "print(42)", path: "/argo/staging/script" });
  deepEqual(step.command, ["python"]);
  const main = pod.spec.containers.find((c) => c.name === "main")!;
  ok(main.volumeMounts!.some((m) => m.mountPath === "/argo/staging"));
});

Deno.test("pods: raw input artifacts are written by init and mounted at their paths; others are refused", () => {
  const pod = buildPod(
    run({ inputArtifacts: [{ name: "msg", path: "/tmp/msg.txt", from: { raw: "hello" } }] }),
    ctx,
  );
  deepEqual(inputsOf(pod)!.raw, [{ name: "msg", data: "hello" }]);
  const main = pod.spec.containers.find((c) => c.name === "main")!;
  deepEqual(main.volumeMounts!.find((m) => m.mountPath === "/tmp/msg.txt"), {
    name: "var-run-argo",
    mountPath: "/tmp/msg.txt",
    subPath: "inputs/artifacts/msg",
  });
  throws(
    () =>
      buildPod(
        run({ inputArtifacts: [{ name: "a", path: "/a", from: { nodeId: "n", artifact: "x" } }] }),
        ctx,
      ),
    /artifact repository/,
  );
});

Deno.test("pods: volumes, claims from volumeClaimTemplates, and pod-level fields pass through", () => {
  const r = run({
    volumes: [
      {
        name: "work",
        source: {
          persistentVolumeClaim: { claimName: "hello-abc-work" },
          volumeClaimTemplate: {
            metadata: { name: "work" },
            spec: { resources: { requests: { storage: "1Gi" } } },
          },
        },
      },
      { name: "cfg", source: { configMap: { name: "c" } } },
    ],
    podSpec: {
      serviceAccountName: "runner",
      nodeSelector: { disk: "ssd" },
      terminationGracePeriodSeconds: 5,
    },
  });
  const pod = buildPod(r, ctx);
  deepEqual(pod.spec.volumes!.slice(1), [
    { name: "work", persistentVolumeClaim: { claimName: "hello-abc-work" } },
    { name: "cfg", configMap: { name: "c" } },
  ]);
  deepEqual(claimsOf(r).map((c) => c.claimName), ["hello-abc-work"]);
  equal(pod.spec.serviceAccountName, "runner");
  deepEqual(pod.spec.nodeSelector, { disk: "ssd" });
  equal(stepOf(pod)!.graceSeconds, 3);
});

Deno.test("pods: a deadline reaches the executor, and Kubernetes gets a later backstop", () => {
  const pod = buildPod(run({ deadline: "2026-01-01T00:01:00Z" }), ctx);
  equal(stepOf(pod)!.deadline, "2026-01-01T00:01:00Z");
  equal(pod.spec.activeDeadlineSeconds, 60 + 30 + 10);
});

Deno.test("pods: podSpecPatch merges as a strategic merge patch (containers by name)", () => {
  const pod = buildPod(
    run({
      podSpec: {
        podSpecPatch: '{"containers":[{"name":"main","resources":{"limits":{"cpu":"2"}}}],"priority":5}',
      },
    }),
    ctx,
  );
  const main = pod.spec.containers.find((c) => c.name === "main")!;
  deepEqual(main.resources, { limits: { cpu: "2" } });
  equal(main.image, "busybox", "the rest of main is kept");
  equal(pod.spec.containers.length, 2);
  equal(pod.spec.priority, 5);
  deepEqual(strategicMerge({ a: [1], b: { c: 1, d: 2 } }, { a: [2], b: { d: null } }), {
    a: [2],
    b: { c: 1 },
  });
  throws(() => buildPod(run({ podSpec: { podSpecPatch: "[1, 2]" } }), ctx), /PodSpec object/);
  // YAML as Argo reads it: a leading 0 is octal (a volume's defaultMode: 0440 is 288).
  const yamlPatch = buildPod(
    run({ podSpec: { podSpecPatch: "volumes:\n- name: cfg\n  configMap: {name: c, defaultMode: 0440}\n" } }),
    ctx,
  );
  const cfg = yamlPatch.spec.volumes?.find((v) => v.name === "cfg");
  deepEqual(cfg?.configMap, { name: "c", defaultMode: 288 });
});

Deno.test("pods: daemon steps are marked so that their readiness counts", () => {
  equal(buildPod(run({ daemon: true }), ctx).metadata.annotations!["skiff.dev/daemon"], "true");
  equal(buildPod(run(), ctx).metadata.annotations!["skiff.dev/daemon"], undefined);
});
