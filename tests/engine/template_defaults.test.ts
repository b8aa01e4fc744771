/**
 * `spec.templateDefaults` merges into each template as Argo's strategic merge patch does: lists with
 * a patch merge key merge item by item (the template's item wins), other lists are replaced whole,
 * objects merge key by key. What the tests check is the pod the engine starts.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { runWorkflow } from "./driver.ts";
import type { RunSpec } from "../../controller/engine/actions.ts";

/** The first pod started for a workflow with these templateDefaults and this one `main` template. */
function startedPod(defaults: string, main: string): RunSpec {
  const text = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: td}
spec:
  entrypoint: main
  templateDefaults:
${defaults}
  templates:
  - name: main
${main}
`;
  const r = runWorkflow(text);
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  const run = r.started[0];
  ok(run);
  return run;
}

const envOf = (c: { env: { name: string; value?: string }[] } | undefined) =>
  c?.env.map((e) => `${e.name}=${e.value ?? ""}`);

Deno.test("templateDefaults: container env merges by name, the template's value winning", () => {
  const run = startedPod(
    `    container:
      env: [{name: A, value: "1"}, {name: B, value: def}]`,
    `    container:
      image: alpine
      env: [{name: B, value: mine}, {name: C, value: "3"}]`,
  );
  deepStrictEqual(envOf(run.main), ["A=1", "B=mine", "C=3"]);
});

Deno.test("templateDefaults: env items only in the template come before default-only ones they do not follow", () => {
  // strategicpatch's mergeSortedSlice: template order first, a default-only item is placed before a
  // template item only when both are in the defaults and it comes first there.
  const run = startedPod(
    `    container:
      env: [{name: A, value: "1"}, {name: B, value: def}]`,
    `    container:
      image: alpine
      env: [{name: C, value: "3"}, {name: B, value: mine}]`,
  );
  deepStrictEqual(envOf(run.main), ["C=3", "A=1", "B=mine"]);
});

Deno.test("templateDefaults: volumeMounts merge by mountPath and template volumes by name", () => {
  const run = startedPod(
    `    volumes:
    - {name: cache, emptyDir: {}}
    - {name: data, emptyDir: {}}
    container:
      volumeMounts:
      - {name: cache, mountPath: /cache}
      - {name: data, mountPath: /data, readOnly: true}`,
    `    volumes:
    - {name: data, emptyDir: {medium: Memory}}
    - {name: scratch, emptyDir: {}}
    container:
      image: alpine
      volumeMounts:
      - {name: data, mountPath: /data, readOnly: false}
      - {name: scratch, mountPath: /scratch}`,
  );
  deepStrictEqual(
    run.main.volumeMounts.map((m) => [m.name, m.mountPath, m.readOnly ?? null]),
    [["cache", "/cache", null], ["data", "/data", false], ["scratch", "/scratch", null]],
  );
  deepStrictEqual(run.volumes.map((v) => v.name).sort(), ["cache", "data", "scratch"]);
  deepStrictEqual(run.volumes.find((v) => v.name === "data")?.source, { emptyDir: { medium: "Memory" } });
});

Deno.test("templateDefaults: command and args have no merge key and are replaced whole, env beside them merges", () => {
  const run = startedPod(
    `    container:
      command: [sh, -c]
      args: [echo default, extra]
      env: [{name: A, value: "1"}]`,
    `    container:
      image: alpine
      args: [echo mine]
      env: [{name: B, value: "2"}]`,
  );
  deepStrictEqual(run.main.command, ["sh", "-c"]);
  deepStrictEqual(run.main.args, ["echo mine"]);
  deepStrictEqual(envOf(run.main), ["B=2", "A=1"]);
});

Deno.test("templateDefaults: sidecars and initContainers merge by name, their env by name too", () => {
  const run = startedPod(
    `    sidecars:
    - name: proxy
      image: envoy
      env: [{name: MODE, value: default}, {name: PORT, value: "80"}]
    initContainers:
    - {name: setup, image: busybox, args: [setup]}`,
    `    container: {image: alpine}
    sidecars:
    - name: proxy
      env: [{name: MODE, value: mine}]
    - {name: db, image: redis}
    initContainers:
    - {name: migrate, image: flyway}`,
  );
  deepStrictEqual(run.sidecars.map((c) => [c.name, c.image]), [["proxy", "envoy"], ["db", "redis"]]);
  deepStrictEqual(envOf(run.sidecars[0]), ["MODE=mine", "PORT=80"]);
  deepStrictEqual(run.initContainers.map((c) => [c.name, c.image, c.args]), [
    ["migrate", "flyway", undefined],
    ["setup", "busybox", ["setup"]],
  ]);
});

Deno.test("templateDefaults: nested objects still merge key by key, and an empty template list keeps the default", () => {
  const run = startedPod(
    `    metadata: {labels: {team: a, tier: batch}}
    container:
      args: [from-defaults]
      resources: {limits: {cpu: "1"}, requests: {memory: 64Mi}}`,
    `    metadata: {labels: {tier: web}}
    container:
      image: alpine
      args: []
      resources: {limits: {memory: 128Mi}}`,
  );
  deepStrictEqual(run.metadata?.labels, { team: "a", tier: "web" });
  deepStrictEqual(run.main.extra?.resources, {
    limits: { cpu: "1", memory: "128Mi" },
    requests: { memory: "64Mi" },
  });
  deepStrictEqual(run.main.args, ["from-defaults"]);
});
