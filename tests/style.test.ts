/** The tree stays formatted and lint-clean, so `deno task check` passes on main. */
import assert from "node:assert/strict";

async function deno(...args: string[]): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, output: text };
}

Deno.test("deno fmt --check finds nothing to format", async () => {
  const { code, output } = await deno("fmt", "--check");
  assert.equal(code, 0, `run \`deno fmt\` to fix:\n${output}`);
});

Deno.test("deno lint finds no problems", async () => {
  const { code, output } = await deno("lint");
  assert.equal(code, 0, output);
});

Deno.test("deno check type-checks main.ts, the tests and the benchmarks together", async () => {
  const { code, output } = await deno("check", "main.ts", "tests/", "bench/");
  assert.equal(code, 0, output);
});
