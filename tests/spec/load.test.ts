import assert from "node:assert/strict";
import { loadPaths, loadText, parseGoYaml } from "../../controller/spec/load.ts";
import { formatProblem } from "../../controller/spec/problem.ts";
import { lintDocuments } from "../../controller/spec/lint/mod.ts";
import { normalizeDocument } from "../../controller/spec/normalize.ts";

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

Deno.test("a flow scalar whose lines are indented as in Argo's examples/secrets.yaml loads, as Go's YAML reads it", () => {
  const text = [
    "kind: Workflow",
    "spec:",
    "  templates:",
    "  - name: print",
    "    container:",
    "      command: [sh, -c]",
    "      args: ['",
    `        echo "it''s here: $X";`,
    "        date",
    "      ']",
    '      env: [{name: X, value: "1"}]',
    "    script:",
    "      source: |",
    "        echo 'unbalanced",
    "        ]",
    "",
  ].join("\n");
  const { documents, problems } = loadText(text, "secrets.yaml");
  assert.deepEqual(problems, []);
  const doc = documents[0]!;
  // deno-lint-ignore no-explicit-any
  const tmpl = (doc.value as { spec: { templates: Record<string, any>[] } }).spec.templates[0]!;
  assert.deepEqual(tmpl.container.args, [` echo "it's here: $X"; date `]);
  assert.deepEqual(tmpl.container.env, [{ name: "X", value: "1" }]);
  assert.equal(tmpl.script.source, "echo 'unbalanced\n]\n"); // a block scalar is left as it is
  // Lines keep their numbers.
  assert.equal(doc.positionOf(["spec", "templates", 0, "container", "env"]).line, 11);
});

Deno.test("a flow sequence never closed is still a syntax error", () => {
  const { problems } = loadText("kind: Workflow\nspec:\n  args: ['a',\n  'b'\nmore: 1\n", "open.yaml");
  assert.ok(problems.length > 0);
  assert.ok(problems.every((p) => p.rule === "yaml-syntax"));
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

const modes = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: modes-
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: answer
      value: yes
    - name: quoted
      value: "yes"
  volumes:
  - name: creds
    secret:
      secretName: creds
      defaultMode: 0755
  templates:
  - name: main
    inputs:
      artifacts:
      - name: script
        path: /bin/run
        mode: 0644
        raw:
          data: echo hi
    container:
      image: busybox
      args: [yes, "0755", 0755]
`;

Deno.test("integers with a leading 0 are octal, as Argo's Go YAML reads them (mode: 0755 is 493)", () => {
  const doc = loadText(modes, "modes.yaml").documents[0]!;
  const spec = (doc.value as {
    spec: {
      volumes: { secret: { defaultMode: number } }[];
      templates: { inputs: { artifacts: { mode: number }[] } }[];
    };
  }).spec;
  assert.equal(spec.volumes[0]!.secret.defaultMode, 0o755);
  assert.equal(spec.templates[0]!.inputs.artifacts[0]!.mode, 0o644);
  // Positions still point at what was written.
  assert.deepEqual(doc.positionOf(["spec", "volumes", 0, "secret", "defaultMode"]), {
    file: "modes.yaml",
    line: 17,
    col: 20,
  });
  assert.equal(doc.sourceOf?.(["spec", "volumes", 0, "secret", "defaultMode"]), "0755");
});

Deno.test("Go's integer forms: 0o, 0x, 0b, signs and underscores; 08 is not octal; quoted stays a string", () => {
  const value = loadText(
    "a: 0o17\nb: 0x1F\nc: 0b101\nd: -0755\ne: +12\nf: 1_000\ng: 08\nh: 0\ni: 755\nj: '0755'\nk: 0.5\n",
    "ints.yaml",
  ).documents[0]!.value;
  assert.deepEqual(value, {
    a: 15,
    b: 31,
    c: 5,
    d: -493,
    e: 12,
    f: 1000,
    g: 8,
    h: 0,
    i: 755,
    j: "0755",
    k: 0.5,
  });
});

Deno.test('yes/no/on/off/y/n are booleans, as in Argo; a parameter value: yes becomes "true"', () => {
  const value = loadText("a: yes\nb: No\nc: ON\nd: off\ne: y\nf: N\ng: True\nh: 'yes'\ni: yess\n", "b.yaml")
    .documents[0]!.value;
  assert.deepEqual(value, {
    a: true,
    b: false,
    c: true,
    d: false,
    e: true,
    f: false,
    g: true,
    h: "yes",
    i: "yess",
  });
  const wf = normalizeDocument(loadText(modes, "modes.yaml").documents[0]!.value) as {
    spec: { arguments: { parameters: { value: string }[] } };
  };
  assert.deepEqual(wf.spec.arguments.parameters.map((p) => p.value), ["true", "yes"]);
});

Deno.test("an unquoted yes or 0755 in a string field is an error that says how YAML read it", () => {
  const { documents } = loadText(modes, "modes.yaml");
  const problems = lintDocuments(documents, { target: "local" }).filter((p) => p.rule === "field-type");
  assert.deepEqual(problems.map(formatProblem), [
    `modes.yaml:29:14: error: item #1 of "args" of container of template "main" must be a string, not true; ` +
    `YAML reads yes as true, as Argo does: quote it: "yes"`,
    `modes.yaml:29:27: error: item #3 of "args" of container of template "main" must be a string, not the ` +
    `number 493; YAML reads 0755 as 493, as Argo does: quote it: "0755"`,
  ]);
});

Deno.test("texts that are not workflow files are read as Argo reads YAML too", () => {
  assert.deepEqual(parseGoYaml("mode: 0755\nquoted: '0755'\nflag: yes\nname: x\n"), {
    mode: 493,
    quoted: "0755",
    flag: true,
    name: "x",
  });
  assert.deepEqual(parseGoYaml('{"a": 1}'), { a: 1 });
  assert.throws(() => parseGoYaml("a: 1\na: 2\n"), /unique/i);
});
