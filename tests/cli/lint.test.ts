import assert from "node:assert/strict";
import { skiff } from "./skiff.ts";

const broken = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: bad-
spec:
  entryPoint: main
  templates:
    - name: main
      steps:
        - - name: print
            template: whalsay
    - name: whalesay
      container:
        image: docker/whalesay
        command: [cowsay, "{{inputs.parameters.msg}}"]
`;

async function withFile(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.yaml`, text);
    await fn(`${dir}/bad.yaml`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("skiff lint prints every problem as file:line:col and exits 1", async () => {
  await withFile(broken, async (file) => {
    const run = await skiff("lint", file);
    assert.equal(run.code, 1);
    assert.deepEqual(run.stdout.trimEnd().split("\n"), [
      `${file}:5:1: error: Workflow has no entrypoint; add "entrypoint: <template name>" under spec; templates are: "main", "whalesay"`,
      `${file}:6:3: warning: unknown field "entryPoint" in Workflow spec; did you mean "entrypoint"?`,
      `${file}:11:23: error: step "print" calls unknown template "whalsay"; did you mean "whalesay"?`,
      `${file}:15:27: error: "{{inputs.parameters.msg}}": template "whalesay" has no input parameter "msg"; declare it under inputs.parameters`,
    ]);
    assert.equal(run.stderr.trim(), "3 error(s), 1 warning(s)");
  });
});

Deno.test("skiff lint --strict makes unknown fields errors", async () => {
  await withFile(broken, async (file) => {
    const run = await skiff("lint", "--strict", file);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /:6:3: error: unknown field "entryPoint" in Workflow spec; did you mean "entrypoint"\?/,
    );
  });
});

Deno.test("skiff lint -o json prints the problems as JSON", async () => {
  await withFile(broken, async (file) => {
    const run = await skiff("lint", "-o", "json", file);
    assert.equal(run.code, 1);
    const problems = JSON.parse(run.stdout) as {
      line: number;
      col: number;
      severity: string;
      rule: string;
    }[];
    assert.deepEqual(problems.map((p) => [p.line, p.col, p.severity, p.rule]), [
      [5, 1, "error", "entrypoint"],
      [6, 3, "warning", "unknown-field"],
      [11, 23, "error", "unknown-template"],
      [15, 27, "error", "variable"],
    ]);
  });
});

Deno.test("skiff lint points a YAML syntax error at its line", async () => {
  await withFile("kind: Workflow\nspec:\n  templates: [a, b\n", async (file) => {
    const run = await skiff("lint", file);
    assert.equal(run.code, 1);
    assert.match(run.stdout, new RegExp(`^${file}:4:1: error: YAML syntax error: `));
  });
});

Deno.test("every example passes skiff lint", async () => {
  const run = await skiff("lint", "examples/");
  assert.equal(run.code, 0, run.stdout);
  assert.doesNotMatch(run.stdout, /: error: /);
});

Deno.test("skiff lint explains a bad flag or a missing path", async () => {
  const format = await skiff("lint", "-o", "xml", "examples/");
  assert.equal(format.code, 2);
  assert.equal(format.stderr.trim(), 'skiff: unknown output format "xml"; use -o text or -o json');
  const missing = await skiff("lint", "no/such/dir");
  assert.equal(missing.code, 1);
  assert.equal(
    missing.stdout.trim(),
    "no/such/dir:1:1: error: cannot read no/such/dir: no such file or directory; check the path",
  );
  const none = await skiff("lint");
  assert.equal(none.code, 2);
  assert.match(none.stderr, /missing required argument 'paths'/);
});
