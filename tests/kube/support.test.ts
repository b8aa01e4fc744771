/** compressedNodes, garbage collection decisions, template references, the ConfigMap. */
import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { Buffer } from "node:buffer";
import { parseConfig } from "../../controller/kube/config.ts";
import {
  claimsToDelete,
  deletePodOnNodeDone,
  deletePodsOnWorkflowDone,
  labelsMatch,
  parseDuration,
  selectorString,
  ttlExpiry,
} from "../../controller/kube/gc.ts";
import { lookupEntrypoint as lookupImage } from "../../controller/engine/images.ts";
import { compactStatus, expandStatus } from "../../controller/kube/status.ts";
import {
  effectiveSpec,
  needsTemplates,
  resolveTemplates,
  TemplateRefError,
} from "../../controller/kube/templates.ts";
import type { LabelSelector, NodeStatus, Workflow, WorkflowSpec } from "../../controller/spec/types.ts";

function nodes(n: number): Record<string, NodeStatus> {
  const out: Record<string, NodeStatus> = {};
  for (let i = 0; i < n; i++) {
    out[`wf-${i}`] = {
      id: `wf-${i}`,
      name: `wf[0].s(${i}:${i})`,
      displayName: `s(${i}:${i})`,
      type: "Pod",
      phase: "Succeeded",
    };
  }
  return out;
}

Deno.test("status: small node maps stay in status.nodes; large ones go to compressedNodes (gzip+base64, as Argo)", async () => {
  const small = { phase: "Running" as const, nodes: nodes(3) };
  deepEqual(await compactStatus(small, 10_000), small);
  const big = { phase: "Running" as const, nodes: nodes(2000) };
  const stored = await compactStatus(big, 10_000);
  equal(stored.nodes, undefined);
  ok(stored.compressedNodes && stored.compressedNodes.length < JSON.stringify(big.nodes).length / 5);
  // what Argo's own code does: base64 decode, gunzip, JSON
  deepEqual(JSON.parse(gunzipSync(Buffer.from(stored.compressedNodes!, "base64")).toString()), big.nodes);
  deepEqual(await expandStatus(stored), big);
});

Deno.test("gc: Go durations, podGC strategies, label selectors, ttl, claims", () => {
  equal(parseDuration("30s"), 30_000);
  equal(parseDuration("1m30s"), 90_000);
  equal(parseDuration("500ms"), 500);
  equal(parseDuration("2"), 2000);
  throws(() => parseDuration("soon"), /not a duration/);

  ok(deletePodOnNodeDone({ strategy: "OnPodCompletion" }, "Failed"));
  ok(deletePodOnNodeDone({ strategy: "OnPodSuccess" }, "Succeeded"));
  ok(!deletePodOnNodeDone({ strategy: "OnPodSuccess" }, "Failed"));
  ok(!deletePodOnNodeDone(undefined, "Succeeded"));
  ok(deletePodsOnWorkflowDone({ strategy: "OnWorkflowCompletion" }, "Failed"));
  ok(!deletePodsOnWorkflowDone({ strategy: "OnWorkflowSuccess" }, "Failed"));

  const sel: LabelSelector = {
    matchLabels: { a: "1" },
    matchExpressions: [{ key: "b", operator: "In", values: ["x", "y"] }, {
      key: "c",
      operator: "DoesNotExist",
    }],
  };
  equal(selectorString(sel), "a=1,b in (x,y),!c");
  ok(labelsMatch(sel, { a: "1", b: "y" }));
  ok(!labelsMatch(sel, { a: "1", b: "y", c: "" }));
  ok(!labelsMatch(sel, { a: "1" }));

  const wf = (phase: "Succeeded" | "Failed", ttl: WorkflowSpec["ttlStrategy"]): Workflow => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: "w" },
    spec: { ttlStrategy: ttl, volumeClaimTemplates: [{ metadata: { name: "work" } }] } as WorkflowSpec,
    status: { phase, finishedAt: "2026-01-01T00:00:00Z" },
  });
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  equal(ttlExpiry(wf("Succeeded", { secondsAfterCompletion: 10, secondsAfterSuccess: 5 })), t0 + 5000);
  equal(ttlExpiry(wf("Failed", { secondsAfterCompletion: 10, secondsAfterSuccess: 5 })), t0 + 10_000);
  equal(ttlExpiry(wf("Failed", {})), undefined);
  deepEqual(claimsToDelete(wf("Failed", {})), ["w-work"]);
  deepEqual(
    claimsToDelete({
      ...wf("Failed", {}),
      spec: { ...wf("Failed", {}).spec, volumeClaimGC: { strategy: "OnWorkflowSuccess" } },
    }),
    [],
  );
});

const LIB = {
  spec: {
    entrypoint: "main",
    arguments: { parameters: [{ name: "who", value: "lib" }, { name: "n", value: "1" }] },
    templates: [
      { name: "main", steps: [[{ name: "s", template: "say" }]] },
      { name: "say", container: { image: "busybox", command: ["echo", "{{workflow.parameters.who}}"] } },
    ],
  } as WorkflowSpec,
};

Deno.test("templates: a workflowTemplateRef is stored once; the spec run joins defaults, template and the workflow's own", async () => {
  const wf: Workflow = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: "w", namespace: "ns" },
    spec: { workflowTemplateRef: { name: "lib" }, arguments: { parameters: [{ name: "who", value: "me" }] } },
  };
  ok(needsTemplates(wf));
  const asked: string[] = [];
  const status = await resolveTemplates(wf, {
    get: (cluster, ns, name) => {
      asked.push(`${cluster}/${ns}/${name}`);
      return Promise.resolve(name === "lib" ? LIB : undefined);
    },
  });
  deepEqual(asked, ["false/ns/lib"]);
  deepEqual(status.storedWorkflowTemplateSpec, LIB.spec);
  const done = { ...wf, status };
  ok(!needsTemplates(done));
  const spec = effectiveSpec(done, { serviceAccountName: "runner", podGC: { strategy: "OnPodSuccess" } });
  equal(spec.entrypoint, "main");
  equal(spec.serviceAccountName, "runner");
  deepEqual(spec.arguments?.parameters, [{ name: "n", value: "1" }, { name: "who", value: "me" }]);
  equal(spec.templates?.length, 2);
});

Deno.test("templates: templateRefs are stored under <scope>/<name>/<template>, with their own calls followed", async () => {
  const wf: Workflow = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name: "w", namespace: "ns" },
    spec: {
      entrypoint: "e",
      templates: [{ name: "e", steps: [[{ name: "x", templateRef: { name: "lib", template: "main" } }]] }],
    },
  };
  const status = await resolveTemplates(wf, { get: () => Promise.resolve(LIB) });
  deepEqual(Object.keys(status.storedTemplates ?? {}).sort(), ["namespaced/lib/main", "namespaced/lib/say"]);
  await rejects(
    () => resolveTemplates(wf, { get: () => Promise.resolve(undefined) }),
    (e: Error) =>
      e instanceof TemplateRefError && e.message === 'templateRef: WorkflowTemplate "lib" not found',
  );
});

Deno.test("config: the ConfigMap's keys, defaults, and errors naming the key", () => {
  const cfg = parseConfig({
    parallelism: "3",
    executor: "image: my/executor:1\nimagePullPolicy: Always",
    images: "my/tool: {entrypoint: [/tool]}",
    instanceID: "blue",
  });
  equal(cfg.parallelism, 3);
  equal(cfg.executor.image, "my/executor:1");
  equal(cfg.instanceID, "blue");
  deepEqual(lookupImage(cfg.images, "docker.io/my/tool:2.0"), { entrypoint: ["/tool"] });
  deepEqual(lookupImage(cfg.images, "python:3.12"), { entrypoint: ["python3"] }, "the defaults stay");
  throws(() => parseConfig({ parallelism: "many" }), /parallelism/);
  throws(() => parseConfig({ images: "x: {cmd: bash}" }), /images: x.cmd/);
  throws(() => parseConfig({ executor: "imagePullPolicy: Always\nimage: ''" }), /executor/);
});
