/**
 * Artifact passing as Argo does it: a node's saved output artifacts in its status, `from` references
 * to `steps.X` / `tasks.X` / `inputs` / `workflow.outputs` artifacts, optional artifacts, globalName,
 * steps/dag template outputs, and the input artifacts a pod is asked to have.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { type DriverResult, runWorkflow } from "./driver.ts";

function node(r: DriverResult, display: string) {
  const n = Object.values(r.status.nodes ?? {}).find((x) => x.displayName === display);
  ok(n, `no node ${display}`);
  return n;
}

function started(r: DriverResult, template: string) {
  const run = r.started.find((s) => s.templateName === template);
  ok(run, `no pod of ${template}`);
  return run;
}

const PASSING = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: art}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: generate
        template: generate
    - - name: consume
        template: consume
        arguments:
          artifacts:
          - name: message
            from: "{{steps.generate.outputs.artifacts.hello-art}}"
  - name: generate
    container: {image: busybox, command: [sh, -c, "echo hello > /tmp/hello.txt"]}
    outputs:
      artifacts:
      - name: hello-art
        path: /tmp/hello.txt
        archive: {none: {}}
  - name: consume
    inputs:
      artifacts:
      - {name: message, path: /tmp/message, mode: 384} # 0600
    container: {image: alpine, command: [cat, /tmp/message]}
`;

Deno.test("artifacts: a saved output artifact is in the node's outputs and becomes the next step's input", () => {
  const r = runWorkflow(PASSING);
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  const gen = node(r, "generate");
  deepStrictEqual(gen.outputs?.artifacts, [{
    name: "hello-art",
    path: "/tmp/hello.txt",
    archive: { none: {} },
    local: { nodeId: gen.id, artifact: "hello-art", location: `/artifacts/${gen.id}/hello-art` },
  }]);
  deepStrictEqual(started(r, "generate").outputs.artifacts, [{ name: "hello-art", path: "/tmp/hello.txt" }]);
  deepStrictEqual(started(r, "consume").inputArtifacts, [{
    name: "message",
    path: "/tmp/message",
    from: { nodeId: gen.id, artifact: "hello-art" },
    mode: 0o600,
  }]);
  // The consumer's inputs show where the artifact came from, at the consumer's path.
  const input = node(r, "consume").inputs?.artifacts?.[0] as Record<string, unknown> | undefined;
  equal(input?.name, "message");
  equal(input?.path, "/tmp/message");
  deepStrictEqual(
    input?.local,
    gen.outputs?.artifacts?.[0] && (gen.outputs.artifacts[0] as { local: unknown }).local,
  );
});

Deno.test("artifacts: a stored artifact shows Argo's s3 key in the status (merged into its own s3) and still passes on", () => {
  const yaml = PASSING.replace(
    "        archive: {none: {}}",
    "        archive: {none: {}}\n      - {name: own, path: /tmp/own.txt, s3: {bucket: mine, key: 'x/{{workflow.name}}'}}",
  );
  const r = runWorkflow(yaml, {
    scripts: {
      generate: {
        artifactLocations: {
          "hello-art": { s3: { key: "art/art-generate-1/hello-art.tgz" } },
          own: { s3: { key: "x/art" } },
        },
      },
    },
  });
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  const gen = node(r, "generate");
  const [hello, own] = gen.outputs?.artifacts ?? [];
  deepStrictEqual(hello, {
    name: "hello-art",
    path: "/tmp/hello.txt",
    archive: { none: {} },
    local: { nodeId: gen.id, artifact: "hello-art", location: `/artifacts/${gen.id}/hello-art` },
    s3: { key: "art/art-generate-1/hello-art.tgz" },
  });
  // The template's own bucket stays; the key is the one the host stored it under.
  deepStrictEqual((own as Record<string, unknown> | undefined)?.s3, { bucket: "mine", key: "x/art" });
  // Passed on by the host's reference, as before; the consumer's inputs show the key too.
  deepStrictEqual(started(r, "consume").inputArtifacts[0]?.from, { nodeId: gen.id, artifact: "hello-art" });
  deepStrictEqual(
    (node(r, "consume").inputs?.artifacts?.[0] as Record<string, unknown> | undefined)?.s3,
    { key: "art/art-generate-1/hello-art.tgz" },
  );
});

Deno.test("artifacts: dag tasks pass artifacts with {{tasks.X.outputs.artifacts.Y}}; fromExpression picks one", () => {
  const r = runWorkflow(
    `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: dagart}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: flip, template: flip}
      - {name: heads, template: gen, depends: flip}
      - {name: tails, template: gen, depends: flip}
      - name: use
        depends: heads && tails
        template: consume
        arguments:
          artifacts:
          - name: message
            fromExpression: "tasks.flip.outputs.result == 'heads' ? tasks.heads.outputs.artifacts.out : tasks.tails.outputs.artifacts.out"
  - name: flip
    container: {image: alpine, command: [echo, heads]}
  - name: gen
    container: {image: alpine, command: [sh, -c, "echo x > /tmp/out"]}
    outputs: {artifacts: [{name: out, path: /tmp/out}]}
  - name: consume
    inputs: {artifacts: [{name: message, path: /in/message}]}
    container: {image: alpine, command: [cat, /in/message]}
`,
    { scripts: { flip: { stdout: "heads\n" } } },
  );
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  const heads = node(r, "heads");
  deepStrictEqual(started(r, "consume").inputArtifacts[0]?.from, { nodeId: heads.id, artifact: "out" });
});

Deno.test("artifacts: an optional output artifact that was not saved is left out; an optional input is skipped", () => {
  const r = runWorkflow(
    `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: opt}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: use
        template: consume
        arguments:
          artifacts:
          - {name: message, from: "{{steps.gen.outputs.artifacts.maybe}}", optional: true}
  - name: gen
    container: {image: alpine, command: ["true"]}
    outputs: {artifacts: [{name: maybe, path: /tmp/maybe, optional: true}]}
  - name: consume
    inputs: {artifacts: [{name: message, path: /in/message, optional: true}]}
    container: {image: alpine, command: [ls, /in]}
`,
    { scripts: { gen: { artifacts: {} } } },
  );
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  equal(node(r, "gen").outputs?.artifacts, undefined);
  deepStrictEqual(started(r, "consume").inputArtifacts, []);
});

Deno.test("artifacts: a required input whose artifact was not saved fails the step group in Argo's words", () => {
  const r = runWorkflow(
    `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: missing}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: use
        template: consume
        arguments: {artifacts: [{name: message, from: "{{steps.gen.outputs.artifacts.maybe}}"}]}
  - name: gen
    container: {image: alpine, command: ["true"]}
    outputs: {artifacts: [{name: maybe, path: /tmp/maybe, optional: true}]}
  - name: consume
    inputs: {artifacts: [{name: message, path: /in/message}]}
    container: {image: alpine, command: [cat, /in/message]}
`,
    { scripts: { gen: { artifacts: {} } } },
  );
  equal(r.status.phase, "Failed");
  const group = Object.values(r.status.nodes ?? {}).find((n) => n.name === "missing[1]");
  equal(group?.phase, "Error");
  equal(group?.message, "Unable to resolve: {{steps.gen.outputs.artifacts.maybe}}");
  equal(r.started.filter((s) => s.templateName === "consume").length, 0);
});

Deno.test("artifacts: an input artifact nobody supplies is an error naming it", () => {
  const r = runWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: nosupply}
spec:
  entrypoint: main
  templates:
  - name: main
    inputs: {artifacts: [{name: message, path: /in/message}]}
    container: {image: alpine, command: [cat, /in/message]}
`);
  equal(r.status.phase, "Error");
  match(r.status.message ?? "", /inputs\.artifacts\.message was not supplied/);
});

Deno.test("artifacts: globalName exports an artifact as workflow.outputs.artifacts, usable by later steps", () => {
  const r = runWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: glob}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: gen, template: gen}
    - - name: use
        template: consume
        arguments: {artifacts: [{name: message, from: "{{workflow.outputs.artifacts.report}}"}]}
  - name: gen
    container: {image: alpine, command: [sh, -c, "mkdir -p /out && echo x > /out/a"]}
    outputs: {artifacts: [{name: dir, path: /out, globalName: report}]}
  - name: consume
    inputs: {artifacts: [{name: message, path: /in}]}
    container: {image: alpine, command: [ls, /in]}
`);
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  const gen = node(r, "gen");
  deepStrictEqual(r.status.outputs?.artifacts, [{
    name: "report",
    local: { nodeId: gen.id, artifact: "dir", location: `/artifacts/${gen.id}/dir` },
  }]);
  deepStrictEqual(started(r, "consume").inputArtifacts[0]?.from, { nodeId: gen.id, artifact: "dir" });
});

Deno.test("artifacts: a steps template's output artifact (from its step) and input artifacts passed down", () => {
  const r = runWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: nest}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: inner, template: inner}
    - - name: relay
        template: relay
        arguments: {artifacts: [{name: in, from: "{{steps.inner.outputs.artifacts.result}}"}]}
  - name: inner
    steps:
    - - {name: gen, template: gen}
    outputs:
      artifacts:
      - {name: result, from: "{{steps.gen.outputs.artifacts.out}}", globalName: final}
  - name: relay
    inputs: {artifacts: [{name: in}]}
    steps:
    - - name: consume
        template: consume
        arguments: {artifacts: [{name: message, from: "{{inputs.artifacts.in}}", subPath: a.txt}]}
  - name: gen
    container: {image: alpine, command: [sh, -c, "mkdir /out; echo x > /out/a.txt"]}
    outputs: {artifacts: [{name: out, path: /out}]}
  - name: consume
    inputs: {artifacts: [{name: message, path: /in/message}]}
    container: {image: alpine, command: [cat, /in/message]}
`);
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  const gen = node(r, "gen");
  const local = { nodeId: gen.id, artifact: "out", location: `/artifacts/${gen.id}/out` };
  deepStrictEqual(node(r, "inner").outputs?.artifacts, [{
    name: "result",
    path: "/out",
    local,
    globalName: "final",
  }]);
  deepStrictEqual(r.status.outputs?.artifacts, [{ name: "final", local }]);
  deepStrictEqual(started(r, "consume").inputArtifacts, [{
    name: "message",
    path: "/in/message",
    from: { nodeId: gen.id, artifact: "out", subPath: "a.txt" },
  }]);
});

Deno.test("artifacts: raw and Argo locations (http) reach the pod as written", () => {
  const r = runWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: loc}
spec:
  entrypoint: main
  templates:
  - name: main
    inputs:
      artifacts:
      - {name: text, path: /in/text, raw: {data: "hello {{workflow.name}}"}}
      - {name: page, path: /in/page, http: {url: "https://example.com/x"}}
    container: {image: alpine, command: [cat, /in/text]}
`);
  deepStrictEqual(r.started[0]?.inputArtifacts, [
    { name: "text", path: "/in/text", from: { raw: "hello loc" } },
    { name: "page", path: "/in/page", from: { location: { http: { url: "https://example.com/x" } } } },
  ]);
});
