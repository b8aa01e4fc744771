/**
 * The executor as a user meets it: `deno run executor/main.ts step.json` runs a real command and
 * leaves a result file, a log file and an exit code behind.
 */
import assert from "node:assert/strict";
import type { StepDescription, StepResult } from "../../executor/mod.ts";

const MAIN = new URL("../../executor/main.ts", import.meta.url).pathname;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  result: StepResult;
  log: string;
  ms: number;
}

/** Writes `desc` (paths filled in below a fresh temp dir) and runs the executor on it. */
async function runExecutor(
  desc: Partial<StepDescription>,
  opts: { signalAfterMs?: number; signal?: Deno.Signal; dir?: string } = {},
): Promise<Ran & { dir: string }> {
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "skiff-executor-" });
  const full: StepDescription = {
    command: [],
    logFile: `${dir}/main.log`,
    resultFile: `${dir}/result.json`,
    stateFile: `${dir}/state.json`,
    ...desc,
  };
  await Deno.writeTextFile(`${dir}/step.json`, JSON.stringify(full));
  const t0 = performance.now();
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, `${dir}/step.json`],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (opts.signalAfterMs !== undefined) {
    // Wait until the command runs (state file written), then signal the executor.
    timer = setTimeout(async () => {
      for (let i = 0; i < 100; i++) {
        if (await exists(`${dir}/state.json`)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      proc.kill(opts.signal ?? "SIGTERM");
    }, opts.signalAfterMs);
  }
  const out = await proc.output();
  clearTimeout(timer);
  const ms = performance.now() - t0;
  const result = JSON.parse(await Deno.readTextFile(`${dir}/result.json`)) as StepResult;
  const log = await Deno.readTextFile(`${dir}/main.log`).catch(() => "");
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    result,
    log,
    ms,
    dir,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("a failing command: exit code, result, message, and both streams in the log and echoed", async () => {
  const r = await runExecutor({ command: ["sh", "-c"], args: ["echo hello; echo oops >&2; exit 3"] });
  assert.equal(r.code, 3);
  assert.equal(r.result.phase, "Failed");
  assert.equal(r.result.exitCode, 3);
  assert.equal(r.result.result, "hello");
  assert.equal(r.result.message, "Error (exit code 3)");
  assert.equal(r.stdout, "hello\n");
  assert.match(r.stderr, /^oops\n/);
  assert.deepEqual(r.log.split("\n").sort(), ["", "hello", "oops"]);
});

Deno.test("a script template: the source is written to its path, appended to the command, and run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-executor-" });
  const r = await runExecutor({
    command: ["python3"],
    script: { path: `${dir}/staging/script`, source: "import random\nprint('rolled', 4)\n" },
  }, { dir });
  assert.equal(r.code, 0);
  assert.equal(r.result.phase, "Succeeded");
  assert.equal(r.result.result, "rolled 4");
  assert.equal(await Deno.readTextFile(`${dir}/staging/script`), "import random\nprint('rolled', 4)\n");
});

Deno.test("result: exactly one trailing newline is trimmed", async () => {
  const two = await runExecutor({ command: ["printf", "a\\n\\n"] });
  assert.equal(two.result.result, "a\n");
  assert.equal(two.result.stdout, "a\n\n");
  const none = await runExecutor({ command: ["printf", "no newline"] });
  assert.equal(none.result.result, "no newline");
  assert.equal(none.log, "no newline");
});

Deno.test("result keeps the last 256 KiB of stdout", async () => {
  const r = await runExecutor({
    command: ["python3", "-c", "for i in range(40000): print('line %05d' % i)"],
    echo: false,
  });
  assert.equal(r.result.phase, "Succeeded");
  assert.equal(r.stdout, "");
  assert.ok(r.result.result.endsWith("line 39999"));
  assert.equal(r.result.stdout.length, 256 * 1024);
  assert.equal(r.log.length, 40000 * 11);
});

Deno.test("output parameters: read below root, one newline trimmed, default for a missing file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-executor-" });
  const root = `${dir}/root`;
  await Deno.mkdir(`${root}/tmp`, { recursive: true });
  const r = await runExecutor({
    command: ["sh", "-c", `printf 'hello world\\n' > ${root}/tmp/hello_world.txt`],
    root,
    outputs: {
      parameters: [
        { name: "hello-param", path: "/tmp/hello_world.txt" },
        { name: "absent", path: "/tmp/absent.txt", default: "fallback" },
      ],
    },
  }, { dir });
  assert.equal(r.result.phase, "Succeeded");
  assert.deepEqual(r.result.parameters, { "hello-param": "hello world", absent: "fallback" });
});

Deno.test("a missing output parameter without default is an Error naming the path", async () => {
  const r = await runExecutor({
    command: ["true"],
    outputs: { parameters: [{ name: "x", path: "/nonexistent/skiff/x.txt" }] },
  });
  assert.equal(r.result.phase, "Error");
  assert.equal(r.result.exitCode, 0);
  assert.match(r.result.message!, /output parameter "x": open \/nonexistent\/skiff\/x\.txt: no such file/);
  assert.equal(r.code, 1);
});

Deno.test("output artifacts: a directory is copied to the artifact dir, an optional missing one is skipped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-executor-" });
  const r = await runExecutor({
    command: [
      "sh",
      "-c",
      `mkdir -p ${dir}/root/out/sub && echo a > ${dir}/root/out/a.txt && echo b > ${dir}/root/out/sub/b.txt`,
    ],
    root: `${dir}/root`,
    artifactDir: `${dir}/artifacts`,
    outputs: { artifacts: [{ name: "out", path: "/out" }, { name: "maybe", path: "/nope", optional: true }] },
  }, { dir });
  assert.equal(r.result.phase, "Succeeded");
  assert.deepEqual(r.result.artifacts, { out: `${dir}/artifacts/out` });
  assert.equal(await Deno.readTextFile(`${dir}/artifacts/out/sub/b.txt`), "b\n");
});

Deno.test("SIGTERM is forwarded to the command, which ends; the executor exits cleanly", async () => {
  const r = await runExecutor(
    { command: ["sh", "-c", "echo started; sleep 30"], graceSeconds: 5 },
    { signalAfterMs: 100 },
  );
  assert.ok(r.ms < 4000, `took ${r.ms} ms`);
  assert.equal(r.result.phase, "Failed");
  assert.equal(r.result.exitCode, 143);
  assert.match(r.result.message!, /Stopped/);
  assert.equal(r.result.result, "started");
});

Deno.test("a command that ignores SIGTERM is killed when the grace period is over", async () => {
  const r = await runExecutor(
    { command: ["sh", "-c", "trap '' TERM; echo stubborn; sleep 30 & wait; sleep 30"], graceSeconds: 1 },
    { signalAfterMs: 100 },
  );
  assert.ok(r.ms >= 1000 && r.ms < 5000, `took ${r.ms} ms`);
  assert.equal(r.result.exitCode, 137);
  assert.equal(r.result.phase, "Failed");
});

Deno.test("a step stopped at its deadline fails with Argo's message", async () => {
  const r = await runExecutor({
    command: ["sleep", "30"],
    deadline: new Date(Date.now() + 1500).toISOString(),
    graceSeconds: 2,
  });
  assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  assert.equal(r.result.phase, "Failed");
  assert.equal(r.result.message, "Step exceeded its deadline");
});

Deno.test("an unknown command fails as Argo's emissary does: exit code 64, saying so", async () => {
  const r = await runExecutor({ command: ["skiff-no-such-command", "x"] });
  assert.equal(r.result.phase, "Failed");
  assert.equal(r.result.exitCode, 64);
  assert.equal(
    r.result.message,
    'Error (exit code 64): failed to find name in PATH: exec: "skiff-no-such-command": executable file not found in $PATH',
  );
  assert.equal(r.code, 64);
});

Deno.test("something left running in the background does not keep the step open", async () => {
  const r = await runExecutor({ command: ["sh", "-c", "sleep 30 & echo done"] });
  assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  assert.equal(r.result.phase, "Succeeded");
  assert.equal(r.result.result, "done");
});

Deno.test("env and workingDir reach the command", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-executor-" });
  const r = await runExecutor({
    command: ["sh", "-c", "echo $GREETING from $(pwd)"],
    env: { GREETING: "hi" },
    workingDir: `${dir}/work/here`,
  }, { dir });
  assert.equal(r.result.result, `hi from ${dir}/work/here`);
});

Deno.test("the step can come from the SKIFF_STEP environment variable (as in a Pod)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-executor-" });
  const step = { command: ["echo", "from env"], resultFile: `${dir}/result.json` };
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN],
    env: { SKIFF_STEP: JSON.stringify(step) },
    stdout: "piped",
  }).output();
  assert.equal(out.code, 0);
  assert.equal(new TextDecoder().decode(out.stdout), "from env\n");
  assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/result.json`)).result, "from env");
});

Deno.test("two executors of one step with a pidFile: the command runs once, the second runs nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skiff-executor-" });
  const step: StepDescription = {
    command: ["sh", "-c", `echo ran >> ${dir}/count; sleep 0.5`],
    resultFile: `${dir}/result.json`,
    pidFile: `${dir}/executor.pid`,
    echo: false,
  };
  await Deno.writeTextFile(`${dir}/step.json`, JSON.stringify(step));
  const run = () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, `${dir}/step.json`],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const outs = await Promise.all([run(), run()]);
  const codes = outs.map((o) => o.code).sort();
  assert.deepEqual(codes, [0, 75], "one runs the step (0), the other finds it claimed (75)");
  const loser = outs.find((o) => o.code === 75)!;
  assert.match(new TextDecoder().decode(loser.stderr), /another executor has claimed this step/);
  assert.equal(await Deno.readTextFile(`${dir}/count`), "ran\n");
  const winner = Number((await Deno.readTextFile(`${dir}/executor.pid`)).trim());
  assert.ok(winner > 0);
  assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/result.json`)).phase, "Succeeded");
});
