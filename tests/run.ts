/**
 * The test command of the README and of CI: runs `deno test` over tests/ and ends with the line
 * `N passed, N failed` that CI reads (Deno's own summary line is not in that form). Extra arguments
 * are passed to `deno test`, e.g. `deno task test tests/spec/`.
 */
const args = Deno.args.length > 0 ? Deno.args : ["tests/"];
const child = new Deno.Command(Deno.execPath(), {
  args: ["test", "-A", "--parallel", ...args],
  stdout: "piped",
  stderr: "inherit",
}).spawn();

let tail = "";
let line = "";
// Lines saying that a group of tests was skipped and why (tests/kube: no cluster binaries built),
// repeated above the summary so that they are not lost in the output.
const skipped: string[] = [];
const decoder = new TextDecoder();
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  const text = decoder.decode(chunk, { stream: true });
  tail = (tail + text).slice(-4096);
  const lines = (line + text).split("\n");
  line = lines.pop() ?? "";
  for (const l of lines) {
    if (/^(cluster tests|tier \(b\) \(real node\) tests) skipped: /.test(l)) skipped.push(l);
  }
}
const status = await child.status;

// Deno ends with e.g. "ok | 41 passed (12 steps) | 0 failed (3s)" or "FAILED | 40 passed | 1 failed".
// deno-lint-ignore no-control-regex
const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
const summary = [...plain.matchAll(/(\d+) passed.*?\| (\d+) failed/g)].at(-1);
const passed = Number(summary?.[1] ?? 0);
let failed = Number(summary?.[2] ?? 0);
if (!status.success && failed === 0) failed = 1; // e.g. a type error stopped the run before any test
for (const l of skipped) console.log(l);
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(status.success && failed === 0 ? 0 : 1);
