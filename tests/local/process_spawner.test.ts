/**
 * The process runtime's spawner (one long-lived perl that forks each step's supervisor), as a user
 * sees it: steps get their environment and working directory, a spawner that dies loses no running
 * step, a restarted runtime starts its own, and the pre-spawn check still sees programs created or
 * removed between steps.
 */
import assert from "node:assert/strict";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { runSpec, wfName } from "./helpers.ts";
import { readState } from "../../controller/local/runtime/process_pids.ts";

async function runtime(dataDir?: string) {
  return new ProcessRuntime({
    dataDir: dataDir ?? await Deno.makeTempDir({ prefix: "skiff-spawner-" }),
    graceSeconds: 2,
    warn: () => {},
  });
}

/** The parent pid and state of `pid`; undefined when it is gone. */
function proc(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(ppid), state: state! };
  } catch {
    return undefined;
  }
}

/** The session of `pid`. */
function session(pid: number): string {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]!;
}

/** A command that prints its supervisor's parent pid (the spawner that forked the supervisor). */
const PRINT_SPAWNER = "cut -d' ' -f4 /proc/$PPID/stat";

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("a step gets the host's environment with its own on top, and its working directory", async () => {
  const rt = await runtime();
  const odd = "two\nlines, an = sign, é and 'quotes'";
  // Set after the runtime started: each step takes the host's environment as it is at its start.
  Deno.env.set("SKIFF_SPAWNER_TEST_HOST", "from the host");
  Deno.env.set("SKIFF_SPAWNER_TEST_BOTH", "the host's");
  try {
    const run = runSpec(wfName("env"), {
      main: {
        command: [
          "sh",
          "-c",
          'pwd; echo "$SKIFF_SPAWNER_TEST_HOST|$SKIFF_SPAWNER_TEST_BOTH|$ODD|"; echo "$1"',
          "sh",
          "",
        ],
        workingDir: "/work/src",
        env: [{ name: "SKIFF_SPAWNER_TEST_BOTH", value: "the step's" }, { name: "ODD", value: odd }],
      },
    });
    await rt.start(run);
    const obs = await rt.wait(run.nodeId);
    assert.equal(obs.phase, "Succeeded", obs.message ?? "");
    const dir = rt.layout.nodeDir(run.workflow, run.nodeId);
    assert.equal(
      obs.stdout,
      `${await Deno.realPath(`${dir}/root/work/src`)}\nfrom the host|the step's|${odd}|\n\n`,
    );
  } finally {
    Deno.env.delete("SKIFF_SPAWNER_TEST_HOST");
    Deno.env.delete("SKIFF_SPAWNER_TEST_BOTH");
    await rt.close();
  }
});

Deno.test("a spawner killed while a step runs loses nothing: the step ends with its output, the next starts", async () => {
  const rt = await runtime();
  const wf = wfName("spawner-killed");
  const run = runSpec(wf, { main: { command: ["sh", "-c", "sleep 0.8; echo done"] } });
  await rt.start(run);
  const dir = rt.layout.nodeDir(run.workflow, run.nodeId);
  await until("the command started", () => Promise.resolve(readState(dir) !== undefined));
  const supervisor = readState(dir)!.pid;
  const spawner = proc(supervisor)!.ppid;
  assert.equal(proc(spawner)?.ppid, Deno.pid, "the supervisor's parent is a child of this host");
  assert.equal(Deno.readTextFileSync(`/proc/${spawner}/cmdline`), "skiff-spawner\0");
  Deno.kill(spawner, "SIGKILL");

  const obs = await rt.wait(run.nodeId);
  assert.equal(obs.phase, "Succeeded", obs.message ?? "");
  assert.equal(obs.stdout, "done\n");
  assert.equal(obs.exitCode, 0);

  const next = runSpec(wf, { main: { command: ["sh", "-c", PRINT_SPAWNER] } });
  await rt.start(next);
  const after = await rt.wait(next.nodeId);
  assert.equal(after.phase, "Succeeded", after.message ?? "");
  const second = Number(after.stdout!.trim());
  assert.notEqual(second, spawner, "the dead spawner forked the next step");
  assert.equal(proc(second)?.ppid, Deno.pid);
  await rt.close();
});

Deno.test("a restarted runtime starts its own spawner; the old one exits when its runtime closes", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-spawner-" });
  const wf = wfName("restart");
  const first = await runtime(dataDir);
  const a = runSpec(wf, { main: { command: ["sh", "-c", PRINT_SPAWNER] } });
  await first.start(a);
  const one = await first.wait(a.nodeId);
  assert.equal(one.phase, "Succeeded", one.message ?? "");
  const old = Number(one.stdout!.trim());
  assert.equal(proc(old)?.ppid, Deno.pid, "the first runtime's spawner is this host's child");
  assert.notEqual(
    session(old),
    session(Deno.pid),
    "a Ctrl-C to this host's terminal would reach the spawner",
  );
  await first.close();
  assert.equal(proc(old), undefined, "the closed runtime's spawner still runs");

  const second = await runtime(dataDir);
  const b = runSpec(wf, { main: { command: ["sh", "-c", PRINT_SPAWNER] } });
  await second.start(b);
  const two = await second.wait(b.nodeId);
  assert.equal(two.phase, "Succeeded", two.message ?? "");
  assert.notEqual(Number(two.stdout!.trim()), old);
  assert.equal((await second.adopt(a.workflow, a.nodeId))?.stdout, `${old}\n`, "the first step is kept");
  await second.close();
});

Deno.test("a program created after a step missed it is found; one removed after a step found it is missing", async () => {
  const rt = await runtime();
  const wf = wfName("lookpath");
  const bin = await Deno.makeTempDir({ prefix: "skiff-spawner-bin-" });
  const step = () =>
    runSpec(wf, {
      main: { command: ["skiff-made-later"], env: [{ name: "PATH", value: `${bin}:/usr/bin:/bin` }] },
    });
  const notFound =
    'main: Error (exit code 64): failed to find name in PATH: exec: "skiff-made-later": executable file not found in $PATH';
  const run = async () => {
    const r = step();
    await rt.start(r);
    return await rt.wait(r.nodeId);
  };

  const before = await run();
  assert.equal(before.phase, "Failed");
  assert.equal(before.message, notFound);

  await Deno.writeTextFile(`${bin}/skiff-made-later`, "#!/bin/sh\necho made later\n", { mode: 0o755 });
  const made = await run();
  assert.equal(made.phase, "Succeeded", made.message ?? "");
  assert.equal(made.stdout, "made later\n");

  // The file found is executed with the command's own first word as its argv[0] (as execvp does).
  await Deno.symlink("/bin/sh", `${bin}/skiff-named-sh`);
  const named = runSpec(wf, {
    main: {
      command: ["skiff-named-sh", "-c", "echo $0"],
      env: [{ name: "PATH", value: `${bin}:/usr/bin:/bin` }],
    },
  });
  await rt.start(named);
  assert.equal((await rt.wait(named.nodeId)).stdout, "skiff-named-sh\n");

  await Deno.remove(`${bin}/skiff-made-later`);
  const removed = await run();
  assert.equal(removed.phase, "Failed");
  assert.equal(removed.message, notFound);
  await rt.close();
});
