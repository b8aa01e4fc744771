import assert from "node:assert/strict";
import { loadPaths, loadText } from "../../controller/spec/load.ts";
import { formatProblem } from "../../controller/spec/problem.ts";

const hello = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: count
      value: 3
  templates:
  - name: main
    container:
      image: busybox
      args: ["echo", 1]
`;

Deno.test("a workflow loads as plain values with its kind", () => {
  const { documents, problems } = loadText(hello, "hello.yaml");
  assert.deepEqual(problems, []);
  assert.equal(documents.length, 1);
  const doc = documents[0]!;
  assert.equal(doc.kind, "Workflow");
  assert.deepEqual((doc.value as { spec: { entrypoint: string } }).spec.entrypoint, "main");
});

Deno.test("every node knows its file:line:col, keys and values apart", () => {
  const doc = loadText(hello, "hello.yaml").documents[0]!;
  assert.deepEqual(doc.positionOf(["spec", "entrypoint"]), { file: "hello.yaml", line: 6, col: 15 });
  assert.deepEqual(doc.keyPositionOf(["spec", "entrypoint"]), { file: "hello.yaml", line: 6, col: 3 });
  assert.deepEqual(doc.positionOf(["spec", "templates", 0, "name"]), {
    file: "hello.yaml",
    line: 12,
    col: 11,
  });
  assert.deepEqual(doc.positionOf(["spec", "templates", 0, "container", "args", 1]), {
    file: "hello.yaml",
    line: 15,
    col: 22,
  });
});

Deno.test("a missing path points at its nearest present ancestor", () => {
  const doc = loadText(hello, "hello.yaml").documents[0]!;
  assert.deepEqual(
    doc.positionOf(["spec", "templates", 0, "steps", 2]),
    doc.positionOf(["spec", "templates", 0]),
  );
});

Deno.test("multi-document files load every document; empty ones are skipped", () => {
  const text =
    `kind: Workflow\nmetadata: {name: a}\n---\n---\nkind: WorkflowTemplate\nmetadata: {name: b}\n---\n`;
  const { documents, problems } = loadText(text, "multi.yaml");
  assert.deepEqual(problems, []);
  assert.deepEqual(documents.map((d) => [d.kind, d.index]), [["Workflow", 0], ["WorkflowTemplate", 2]]);
  assert.deepEqual(documents[1]!.positionOf(["metadata", "name"]), { file: "multi.yaml", line: 6, col: 18 });
});

Deno.test("JSON loads with positions too", () => {
  const json = `{\n  "kind": "Workflow",\n  "spec": {\n    "entrypoint": "main"\n  }\n}\n`;
  const doc = loadText(json, "wf.json").documents[0]!;
  assert.equal(doc.kind, "Workflow");
  assert.deepEqual(doc.positionOf(["spec", "entrypoint"]), { file: "wf.json", line: 4, col: 19 });
});

Deno.test("a YAML syntax error is a problem at its line; other documents still load", () => {
  const text =
    `kind: Workflow\nmetadata: {name: ok}\n---\nkind: Workflow\nspec:\n  entrypoint: main\n   templates: []\n`;
  const { documents, problems } = loadText(text, "broken.yaml");
  assert.deepEqual(documents.map((d) => d.index), [0]);
  assert.deepEqual(problems.map(formatProblem), [
    "broken.yaml:6:15: error: YAML syntax error: Nested mappings are not allowed in compact mappings",
    "broken.yaml:6:15: error: YAML syntax error: Implicit keys need to be on a single line",
  ]);
});

Deno.test("a repeated key is an error at the repeated key", () => {
  const { problems } = loadText("kind: Workflow\nspec: {}\nspec: {}\n", "dup.yaml");
  assert.deepEqual(problems.map(formatProblem), [
    "dup.yaml:3:1: error: YAML syntax error: Map keys must be unique",
  ]);
});

Deno.test("loadPaths reads directories recursively in name order and reports missing paths", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/sub`);
    await Deno.writeTextFile(`${dir}/b.yaml`, "kind: Workflow\n");
    await Deno.writeTextFile(`${dir}/a.yml`, "kind: CronWorkflow\n");
    await Deno.writeTextFile(`${dir}/sub/c.json`, `{"kind": "WorkflowTemplate"}`);
    await Deno.writeTextFile(`${dir}/notes.txt`, "not a workflow");
    const { documents, problems } = await loadPaths([dir, `${dir}/missing.yaml`]);
    assert.deepEqual(documents.map((d) => [d.file.slice(dir.length + 1), d.kind]), [
      ["a.yml", "CronWorkflow"],
      ["b.yaml", "Workflow"],
      ["sub/c.json", "WorkflowTemplate"],
    ]);
    assert.deepEqual(problems.map(formatProblem), [
      `${dir}/missing.yaml:1:1: error: cannot read ${dir}/missing.yaml: no such file or directory; check the path`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
